// What a connection recorded between two flushes, packed into one BLOB (a "segment" row) instead
// of a row per chunk, event, key-log line and certificate. A recorded handshake used to cost
// about twenty inserts into four tables and their indexes; it now costs one.
//
// A segment is a run of entries, each a type byte and fixed little-endian fields:
//   1 chunk        u8 direction, f64 t, u32 seq, u32 length, the bytes
//   2 file chunk   u8 direction, f64 t, u32 seq, f64 file offset, u32 length (bytes in recordings/<id>.bin)
//   3 event        f64 t, u32 length, UTF-8 kind, u32 length, UTF-8 JSON data
//   4 key log      f64 t, u32 length, UTF-8 line
//   5 certificate  u8 role (0 local, 1 peer), u16 position, u32 length, DER
import type { Direction } from '../api/types';

export interface ChunkEntry {
  type: 'chunk';
  seq: number;
  direction: Direction;
  t: number;
  data: Uint8Array;
  /** Where the bytes already are in the connection's recording file (then `data` is empty). */
  inFile?: { offset: number; length: number };
}

export interface EventEntry {
  type: 'event';
  t: number;
  kind: string;
  data: Record<string, unknown>;
}

export interface KeylogEntry {
  type: 'keylog';
  t: number;
  line: string;
}

export interface CertificateEntry {
  type: 'certificate';
  role: 'peer' | 'local';
  position: number;
  der: Uint8Array;
}

export type LogEntry = ChunkEntry | EventEntry | KeylogEntry | CertificateEntry;

/** A chunk as read back: its bytes inline, or where they are in the connection's file. */
export interface StoredChunk {
  seq: number;
  direction: Direction;
  t: number;
  data: Uint8Array;
  file: { offset: number; length: number } | null;
}

/** A connection's entries as read back, each kind in recording order. */
export interface ConnectionLog {
  chunks: StoredChunk[];
  events: { t: number; kind: string; data: Record<string, unknown> }[];
  keylog: { t: number; line: string }[];
  certificates: { role: 'peer' | 'local'; position: number; der: Uint8Array }[];
}

const CHUNK = 1;
const FILE_CHUNK = 2;
const EVENT = 3;
const KEYLOG = 4;
const CERTIFICATE = 5;
const DIRECTIONS: Direction[] = ['client-to-server', 'server-to-client'];
const ROLES: ('local' | 'peer')[] = ['local', 'peer'];
const UTF8 = new TextEncoder();

/**
 * Writes segments back to back into one growing buffer (a batch's worth, for one trip to the
 * writer thread). Start with a spare buffer to reuse its memory.
 */
export class SegmentEncoder {
  private buffer: Buffer;
  private view: DataView;
  length = 0;

  constructor(spare?: ArrayBuffer, minBytes = 4096) {
    this.buffer = spare && spare.byteLength >= minBytes ? Buffer.from(spare) : Buffer.allocUnsafeSlow(Math.max(minBytes, 4096));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  }

  /** The buffer written so far (its first `length` bytes hold the segments). */
  get bytes(): ArrayBuffer {
    return this.buffer.buffer as ArrayBuffer;
  }

  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    // Never pooled, so the buffer can be transferred to the writer thread.
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + n));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
  }

  private text(value: string): void {
    this.room(4 + value.length * 3);
    const { written } = UTF8.encodeInto(value, this.buffer.subarray(this.length + 4));
    this.view.setUint32(this.length, written, true);
    this.length += 4 + written;
  }

  /** The type byte and time that start an event or a key-log line. */
  private timed(type: number, t: number): void {
    this.room(9);
    this.buffer[this.length] = type;
    this.view.setFloat64(this.length + 1, t, true);
    this.length += 9;
  }

  entry(e: LogEntry): void {
    switch (e.type) {
      case 'chunk': {
        const inFile = e.inFile;
        this.room(inFile ? 26 : 18 + e.data.length);
        const at = this.length;
        this.buffer[at] = inFile ? FILE_CHUNK : CHUNK;
        this.buffer[at + 1] = e.direction === 'client-to-server' ? 0 : 1;
        this.view.setFloat64(at + 2, e.t, true);
        this.view.setUint32(at + 10, e.seq, true);
        if (inFile) {
          this.view.setFloat64(at + 14, inFile.offset, true);
          this.view.setUint32(at + 22, inFile.length, true);
          this.length += 26;
        } else {
          this.view.setUint32(at + 14, e.data.length, true);
          this.buffer.set(e.data, at + 18);
          this.length += 18 + e.data.length;
        }
        return;
      }
      case 'event':
        this.timed(EVENT, e.t);
        this.text(e.kind);
        this.text(JSON.stringify(e.data));
        return;
      case 'keylog':
        this.timed(KEYLOG, e.t);
        this.text(e.line);
        return;
      case 'certificate': {
        this.room(8 + e.der.length);
        const at = this.length;
        this.buffer[at] = CERTIFICATE;
        this.buffer[at + 1] = e.role === 'local' ? 0 : 1;
        this.view.setUint16(at + 2, e.position, true);
        this.view.setUint32(at + 4, e.der.length, true);
        this.buffer.set(e.der, at + 8);
        this.length += 8 + e.der.length;
        return;
      }
    }
  }
}

/** The certificates of one role (the peer's chain or the workbench's own), leaf first. */
export function certificatesOf(log: ConnectionLog, role: 'peer' | 'local'): Uint8Array[] {
  return log.certificates
    .filter((c) => c.role === role)
    .sort((a, b) => a.position - b.position)
    .map((c) => c.der);
}

export function emptyLog(): ConnectionLog {
  return { chunks: [], events: [], keylog: [], certificates: [] };
}

/** Thrown for a segment that does not parse: the database was damaged or written by something else. */
export class SegmentError extends Error {}

/** Adds one segment's entries to `log`; byte fields are views into `segment`, not copies. */
export function decodeSegment(segment: Uint8Array, log: ConnectionLog): void {
  const view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
  const decoder = new TextDecoder();
  let at = 0;
  const need = (n: number) => {
    if (at + n > segment.length) throw new SegmentError(`a recorded segment ends inside an entry (${segment.length} bytes, entry at ${at})`);
  };
  const bytes = (n: number) => {
    need(n);
    const out = segment.subarray(at, at + n);
    at += n;
    return out;
  };
  const text = () => {
    need(4);
    const n = view.getUint32(at, true);
    at += 4;
    return decoder.decode(bytes(n));
  };
  const code = <T>(names: T[], offset: number, what: string): T => {
    const name = names[segment[at + offset]];
    if (name === undefined) throw new SegmentError(`a recorded segment holds an entry with an unknown ${what} at byte ${at}`);
    return name;
  };
  while (at < segment.length) {
    const type = segment[at];
    switch (type) {
      case CHUNK:
      case FILE_CHUNK: {
        need(type === CHUNK ? 18 : 26);
        const direction = code(DIRECTIONS, 1, 'direction');
        const t = view.getFloat64(at + 2, true);
        const seq = view.getUint32(at + 10, true);
        if (type === CHUNK) {
          const length = view.getUint32(at + 14, true);
          at += 18;
          log.chunks.push({ seq, direction, t, data: bytes(length), file: null });
        } else {
          const file = { offset: view.getFloat64(at + 14, true), length: view.getUint32(at + 22, true) };
          at += 26;
          log.chunks.push({ seq, direction, t, data: new Uint8Array(0), file });
        }
        break;
      }
      case EVENT:
      case KEYLOG: {
        need(9);
        const t = view.getFloat64(at + 1, true);
        at += 9;
        if (type === EVENT) {
          const kind = text();
          log.events.push({ t, kind, data: JSON.parse(text()) as Record<string, unknown> });
        } else {
          log.keylog.push({ t, line: text() });
        }
        break;
      }
      case CERTIFICATE: {
        need(8);
        const role = code(ROLES, 1, 'certificate role');
        const position = view.getUint16(at + 2, true);
        const length = view.getUint32(at + 4, true);
        at += 8;
        log.certificates.push({ role, position, der: bytes(length) });
        break;
      }
      default:
        throw new SegmentError(`a recorded segment holds an entry of unknown type ${type} at byte ${at}`);
    }
  }
}
