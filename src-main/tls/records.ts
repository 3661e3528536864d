// The record layer as a capture sees it (RFC 8446, Section 5; RFC 5246, Section 6.2): each
// direction's byte stream is split into records, handshake messages are put back together across
// records, and each direction's protection state decides what can be read in the clear.
// Pure: bytes in, values out. Linear in the capture: chunks are queued, never re-concatenated, and a
// record's body is copied only when it spans chunks and someone needs to read it.

import type { AlertInfo, Direction, TlsRecordEntry } from '../api/types';
import {
  type ByteRange,
  type ClientHello,
  type HandshakeContext,
  type HandshakeMessage,
  type ServerHello,
  decodeHandshakeMessage,
} from './handshake';
import { HASH_LENGTH, suiteParameters } from './suites';
import {
  type NamedCode,
  CONTENT_TYPE,
  alertDescriptionName,
  alertLevelName,
  cipherSuiteName,
  contentTypeName,
  handshakeMessageName,
  isKnownContentType,
  isTls13,
  named,
  versionName,
} from './registry';

/** One chunk of bytes as the recorder saw it cross the wire, in capture order. */
export interface RecordedChunk {
  direction: Direction;
  /** Milliseconds since the session started (monotonic). */
  t: number;
  data: Uint8Array;
}

/** RFC 5246, Section 6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048. */
export const MAX_RECORD_LENGTH = 16384 + 2048;

const RECORD_HEADER_LENGTH = 5;

/** How many bytes of a non-TLS stream the reason may quote from. */
const FOREIGN_PREVIEW_LENGTH = 80;

// ---------------------------------------------------------------------------------------------
// Decryption hook: a later issue plugs key material in here; the decoder itself holds no keys.

/** A record whose body is protected, as handed to a decryptor. */
export interface ProtectedRecord {
  direction: Direction;
  /** 0-based index of the record among its direction's records. */
  index: number;
  /** The outer (wire) content type and version. */
  contentType: number;
  version: number;
  streamOffset: number;
  /** The record body (ciphertext). A view into the capture: copy it to keep it. */
  body: Uint8Array;
}

export interface DecryptedRecord {
  /** The real content type (TLS 1.3's TLSInnerPlaintext.type; the outer type in TLS 1.2). */
  contentType: number;
  /** The plaintext content, padding and inner type removed. */
  plaintext: Uint8Array;
}

/**
 * Decrypts one direction's protected records, in wire order. It keeps its own sequence numbers and
 * key epochs. Returning null means "cannot decrypt this one": the record is shown as ciphertext.
 */
export interface RecordDecryptor {
  decrypt(record: ProtectedRecord): DecryptedRecord | null;
  /**
   * A TLS 1.2 renegotiation's ChangeCipherSpec (itself protected, and passed to decrypt first):
   * from the next record on, this direction uses the keys of the handshake that sent it.
   */
  changeCipherSpec?(): void;
}

/** What a decryptor factory can see when a direction's first protected record arrives. */
export interface DecryptionContext {
  direction: Direction;
  clientHello?: ClientHello;
  serverHello?: ServerHello;
  version?: number;
  cipherSuite?: number;
}

export interface DecodeOptions {
  /** Asked once per direction, when its first protected record arrives. */
  decryptorFor?: (context: DecryptionContext) => RecordDecryptor | undefined;
  /**
   * Told of each complete handshake message (header included), clear or decrypted, in the order
   * they complete: the transcript a key schedule hashes (RFC 8446, Section 4.4.1; RFC 7627).
   */
  onHandshakeMessage?: (direction: Direction, bytes: Uint8Array, message: HandshakeMessage) => void;
}

// ---------------------------------------------------------------------------------------------
// Results

/** A handshake message with where it travelled. */
export interface RecordedHandshakeMessage extends HandshakeMessage {
  direction: Direction;
  /** Numbers of the records (TlsRecordEntry.number) that carried its bytes. */
  recordNumbers: number[];
}

/** The slice of a direction's handshake stream that one record carried. */
export interface HandshakeFragment extends ByteRange {
  direction: Direction;
  recordNumber: number;
  /** Where the fragment's first byte is in the direction's wire stream; absent when it was decrypted. */
  wireOffset?: number;
}

export interface StreamSummary {
  /** Bytes that arrived in this direction. */
  bytes: number;
  /** Bytes that formed complete records, headers included. */
  recordBytes: number;
  /** Complete records. */
  records: number;
  /** Why decoding of this direction stopped early, if it did. */
  stopped?: string;
}

export interface DecodedConnection {
  /** Every record in wire order, numbered from 1 across both directions. */
  records: TlsRecordEntry[];
  /** Every handshake message read in the clear, in the order it completed. */
  handshakeMessages: RecordedHandshakeMessage[];
  /** The first ClientHello. */
  clientHello?: ClientHello;
  /** The ServerHello that settled the connection (not a HelloRetryRequest). */
  serverHello?: ServerHello;
  helloRetryRequest?: ServerHello;
  /** Negotiated version and cipher suite, from the ServerHello. */
  version?: NamedCode;
  cipherSuite?: NamedCode;
  handshakeFragments: HandshakeFragment[];
  streams: Record<Direction, StreamSummary>;
}

// ---------------------------------------------------------------------------------------------
// Byte queue

const EMPTY = new Uint8Array(0);

/** A FIFO of byte chunks: append is O(1), reads copy only what they return across chunk edges. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private headPos = 0;
  length = 0;

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.length += data.length;
  }

  /** Up to n bytes from the front, without consuming them. */
  peek(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.length));
    let filled = 0;
    let pos = this.headPos;
    for (let i = this.head; filled < out.length; i++) {
      const chunk = this.chunks[i];
      const k = Math.min(chunk.length - pos, out.length - filled);
      out.set(chunk.subarray(pos, pos + k), filled);
      filled += k;
      pos = 0;
    }
    return out;
  }

  /** The first n bytes, consumed: a view when they lie in one chunk, else a copy. */
  take(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    const first = this.chunks[this.head];
    if (first.length - this.headPos >= n) {
      const out = first.subarray(this.headPos, this.headPos + n);
      this.advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head];
      const k = Math.min(chunk.length - this.headPos, n - filled);
      out.set(chunk.subarray(this.headPos, this.headPos + k), filled);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  skip(n: number): void {
    let left = n;
    while (left > 0) {
      const k = Math.min(this.chunks[this.head].length - this.headPos, left);
      this.advance(k);
      left -= k;
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.headPos = 0;
    this.length = 0;
  }

  /** Consumes k bytes, all within the head chunk. */
  private advance(k: number): void {
    this.headPos += k;
    this.length -= k;
    if (this.headPos === this.chunks[this.head].length) {
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.headPos = 0;
      if (this.head > 1024 && this.head * 2 > this.chunks.length) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Handshake reassembly (RFC 8446, Section 5.1: messages may span records, records may hold several)

interface PendingMessage {
  bytes: Uint8Array;
  offset: number;
  records: TlsRecordEntry[];
}

class HandshakeReassembler {
  private readonly queue = new ByteQueue();
  /** Handshake-stream offset of the first queued byte. */
  private offset = 0;
  private carriers: TlsRecordEntry[] = [];
  /** Total handshake bytes received (the stream offset of the next fragment). */
  received = 0;

  push(fragment: Uint8Array, record: TlsRecordEntry): void {
    if (this.queue.length === 0) this.carriers = [record];
    else this.carriers.push(record);
    this.queue.push(fragment);
    this.received += fragment.length;
  }

  /** The next complete message, if one has arrived. */
  next(): PendingMessage | undefined {
    if (this.queue.length < 4) return undefined;
    const header = this.queue.peek(4);
    const length = (header[1] << 16) | (header[2] << 8) | header[3];
    if (this.queue.length < 4 + length) return undefined;
    const bytes = this.queue.take(4 + length);
    const message: PendingMessage = { bytes, offset: this.offset, records: this.carriers };
    this.offset += bytes.length;
    // What is left came with the last record pushed.
    this.carriers = this.queue.length > 0 ? [this.carriers[this.carriers.length - 1]] : [];
    return message;
  }

  /** The type of a message that has started but not finished, if any. */
  pendingType(): number | undefined {
    return this.queue.length > 0 ? this.queue.peek(1)[0] : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-direction state

interface DirectionState {
  direction: Direction;
  queue: ByteQueue;
  /** Stream offset of the next record header. */
  recordOffset: number;
  bytes: number;
  recordBytes: number;
  records: number;
  lastT: number;
  lastChunk: number;
  stopped?: string;
  /** RFC 5246, Section 7.1: after the peer's ChangeCipherSpec its records are protected. */
  changeCipherSpecSeen: boolean;
  /** Protected handshake records since the last ChangeCipherSpec: the first is Finished. */
  protectedHandshakes: number;
  handshake: HandshakeReassembler;
  decryptor?: RecordDecryptor | null;
}

function newDirection(direction: Direction): DirectionState {
  return {
    direction,
    queue: new ByteQueue(),
    recordOffset: 0,
    bytes: 0,
    recordBytes: 0,
    records: 0,
    lastT: 0,
    lastChunk: -1,
    changeCipherSpecSeen: false,
    protectedHandshakes: 0,
    handshake: new HandshakeReassembler(),
  };
}

function hex(code: number, width: number): string {
  return `0x${code.toString(16).padStart(width, '0')}`;
}

function senderOf(direction: Direction): string {
  return direction === 'client-to-server' ? 'the client' : 'the server';
}

function isPrintable(b: number): boolean {
  return (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d;
}

function firstLine(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) {
    if (b === 0x0d || b === 0x0a) break;
    text += isPrintable(b) ? String.fromCharCode(b) : '.';
    if (text.length >= 60) return `${text}...`;
  }
  return text;
}

const HTTP_START = /^(HTTP\/|GET |POST |HEAD |PUT |DELETE |OPTIONS |CONNECT |PATCH |TRACE |PRI \* HTTP)/;

/** Says, for a student, what arrived instead of a TLS record. */
function describeForeignBytes(bytes: Uint8Array, direction: Direction): string {
  const sender = senderOf(direction);
  const head = bytes.subarray(0, 16);
  const text = Array.from(head, (b) => String.fromCharCode(b)).join('');
  if (HTTP_START.test(text)) {
    return `not a TLS record: ${sender} sent bytes that look like HTTP ("${firstLine(bytes)}"); it is not speaking TLS on this port`;
  }
  if (text.startsWith('SSH-')) return `not a TLS record: ${sender} sent an SSH greeting ("${firstLine(bytes)}")`;
  if (bytes.length >= 3 && (bytes[0] & 0x80) !== 0 && bytes[2] === 1) {
    return `not a TLS record: ${sender} sent an SSL 2.0-format ClientHello, which has no TLS record header`;
  }
  if (head.length > 0 && head.every(isPrintable)) {
    return `not a TLS record: ${sender} sent plain text ("${firstLine(bytes)}")`;
  }
  const dump = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `not a TLS record: ${sender} sent content type ${bytes[0]} (${hex(bytes[0], 2)}), which TLS does not define (first bytes: ${dump})`;
}

/**
 * Checks a record header (or as much of it as arrived); returns why it is not TLS, if it is not.
 * `lookAhead` gives the first bytes of the stream from the header on, to quote in the reason.
 */
function headerProblem(
  header: Uint8Array,
  direction: Direction,
  atEnd: boolean,
  lookAhead: () => Uint8Array,
): string | undefined {
  if (header.length === 0) return undefined;
  if (!isKnownContentType(header[0])) {
    // Wait for a whole header's worth so the reason can quote something, unless nothing more will come.
    return header.length >= RECORD_HEADER_LENGTH || atEnd ? describeForeignBytes(lookAhead(), direction) : undefined;
  }
  if (header.length >= 2 && header[1] !== 0x03) {
    const version = header.length >= 3 ? hex((header[1] << 8) | header[2], 4) : `${hex(header[1], 2)}..`;
    const kind = contentTypeName(header[0]);
    return `not a TLS record: ${senderOf(direction)} sent a ${kind} header with version ${version}, which is no SSL/TLS version`;
  }
  if (header.length >= RECORD_HEADER_LENGTH) {
    const length = (header[3] << 8) | header[4];
    if (length > MAX_RECORD_LENGTH) {
      return (
        `not a TLS record: ${senderOf(direction)} sent a header that claims ${length} bytes, ` +
        `more than the ${MAX_RECORD_LENGTH} (2^14 + 2048) a TLS record may carry`
      );
    }
  }
  return undefined;
}

const PROTECTED_APPLICATION_DATA = 'Application Data (encrypted)';
/** A TLS 1.3 client's data sent with its ClientHello, before any ServerHello: "(0-RTT)" or "(0-RTT, encrypted)". */
const EARLY_APPLICATION_DATA = 'Application Data (0-RTT';

// ---------------------------------------------------------------------------------------------
// The decoder

/**
 * Decodes one TCP connection's TLS records from its recorded chunks, fed in capture order.
 * `finish()` closes the capture: records still incomplete become entries that say so.
 */
export class TlsConnectionDecoder {
  private readonly directions: Record<Direction, DirectionState> = {
    'client-to-server': newDirection('client-to-server'),
    'server-to-client': newDirection('server-to-client'),
  };
  private readonly entries: TlsRecordEntry[] = [];
  /** Capture index of the chunk that completed each entry, parallel to `entries`. */
  private readonly entryChunks: number[] = [];
  private readonly messages: { message: HandshakeMessage; direction: Direction; records: TlsRecordEntry[] }[] = [];
  private readonly fragments: { fragment: Omit<HandshakeFragment, 'recordNumber'>; record: TlsRecordEntry }[] = [];
  private chunkIndex = -1;
  private clientHello?: ClientHello;
  private serverHello?: ServerHello;
  private helloRetryRequest?: ServerHello;
  private version?: number;
  private cipherSuite?: number;
  /** The MAC length of a NULL-cipher suite once the ServerHello chose one; 0 for any real cipher. */
  private nullCipherMac = 0;
  private tls13 = false;
  private clientOffersTls13 = false;
  private finished?: DecodedConnection;

  constructor(private readonly options: DecodeOptions = {}) {}

  push(chunk: RecordedChunk): void {
    if (this.finished) return;
    this.chunkIndex++;
    const dir = this.directions[chunk.direction];
    if (chunk.data.length === 0) return;
    dir.bytes += chunk.data.length;
    dir.lastT = chunk.t;
    dir.lastChunk = this.chunkIndex;
    if (dir.stopped !== undefined) return;
    dir.queue.push(chunk.data);
    this.drain(dir, chunk.t);
  }

  finish(): DecodedConnection {
    if (this.finished) return this.finished;
    const trailing: { entry: TlsRecordEntry; chunk: number }[] = [];
    for (const dir of Object.values(this.directions)) {
      if (dir.stopped !== undefined || dir.queue.length === 0) continue;
      const entry = this.trailingEntry(dir);
      trailing.push({ entry, chunk: dir.lastChunk });
    }
    // Put each unfinished record where its last byte arrived, so the list stays in wire order.
    trailing.sort((a, b) => a.chunk - b.chunk);
    for (const { entry, chunk } of trailing) {
      let at = this.entries.length;
      while (at > 0 && this.entryChunks[at - 1] > chunk) at--;
      this.entries.splice(at, 0, entry);
      this.entryChunks.splice(at, 0, chunk);
    }
    this.entries.forEach((entry, i) => {
      entry.number = i + 1;
    });

    const summary = (dir: DirectionState): StreamSummary => {
      const s: StreamSummary = { bytes: dir.bytes, recordBytes: dir.recordBytes, records: dir.records };
      if (dir.stopped !== undefined) s.stopped = dir.stopped;
      return s;
    };
    const result: DecodedConnection = {
      records: this.entries,
      handshakeMessages: this.messages.map(({ message, direction, records }) => ({
        ...message,
        direction,
        recordNumbers: records.map((r) => r.number),
      })),
      handshakeFragments: this.fragments.map(({ fragment, record }) => ({ ...fragment, recordNumber: record.number })),
      streams: {
        'client-to-server': summary(this.directions['client-to-server']),
        'server-to-client': summary(this.directions['server-to-client']),
      },
    };
    if (this.clientHello) result.clientHello = this.clientHello;
    if (this.serverHello) result.serverHello = this.serverHello;
    if (this.helloRetryRequest) result.helloRetryRequest = this.helloRetryRequest;
    if (this.version !== undefined) result.version = named(this.version, versionName);
    if (this.cipherSuite !== undefined) result.cipherSuite = named(this.cipherSuite, cipherSuiteName);
    this.finished = result;
    return result;
  }

  private drain(dir: DirectionState, t: number): void {
    const queue = dir.queue;
    while (queue.length > 0) {
      const header = queue.peek(RECORD_HEADER_LENGTH);
      const problem = headerProblem(header, dir.direction, false, () => queue.peek(FOREIGN_PREVIEW_LENGTH));
      if (problem !== undefined) {
        this.stop(dir, header, problem, t);
        return;
      }
      if (header.length < RECORD_HEADER_LENGTH) return;
      const length = (header[3] << 8) | header[4];
      if (queue.length < RECORD_HEADER_LENGTH + length) return;
      queue.skip(RECORD_HEADER_LENGTH);
      this.record(dir, header[0], (header[1] << 8) | header[2], length, t);
    }
  }

  /** Marks a direction as not TLS from here on. */
  private stop(dir: DirectionState, header: Uint8Array, reason: string, t: number): void {
    const contentType = header[0];
    const version = header.length >= 3 ? (header[1] << 8) | header[2] : 0;
    const claimsLength = header.length >= RECORD_HEADER_LENGTH && isKnownContentType(contentType);
    this.emit(
      {
        kind: 'record',
        number: 0,
        t,
        direction: dir.direction,
        contentType,
        contentTypeName: contentTypeName(contentType),
        version,
        versionName: header.length >= 3 ? versionName(version) : 'unknown',
        length: claimsLength ? (header[3] << 8) | header[4] : 0,
        streamOffset: dir.recordOffset,
        encrypted: false,
        messages: [],
        malformed: reason,
      },
      this.chunkIndex,
    );
    dir.stopped = reason;
    dir.queue.clear();
  }

  private trailingEntry(dir: DirectionState): TlsRecordEntry {
    const header = dir.queue.peek(RECORD_HEADER_LENGTH);
    const problem = headerProblem(header, dir.direction, true, () => dir.queue.peek(FOREIGN_PREVIEW_LENGTH));
    const contentType = header[0];
    const version = header.length >= 3 ? (header[1] << 8) | header[2] : 0;
    const length = header.length >= RECORD_HEADER_LENGTH ? (header[3] << 8) | header[4] : 0;
    const have = dir.queue.length;
    let malformed: string;
    if (problem !== undefined) {
      malformed = problem;
      dir.stopped = problem;
    } else if (header.length < RECORD_HEADER_LENGTH) {
      malformed = `incomplete record header: ${have} of ${RECORD_HEADER_LENGTH} bytes arrived`;
    } else {
      malformed = `incomplete record: ${have} of ${RECORD_HEADER_LENGTH + length} bytes arrived`;
    }
    return {
      kind: 'record',
      number: 0,
      t: dir.lastT,
      direction: dir.direction,
      contentType,
      contentTypeName: contentTypeName(contentType),
      version,
      versionName: header.length >= 3 ? versionName(version) : 'unknown',
      length,
      streamOffset: dir.recordOffset,
      encrypted: problem === undefined && this.isProtected(dir, contentType),
      messages: [],
      malformed,
    };
  }

  private emit(entry: TlsRecordEntry, chunk: number): void {
    entry.number = this.entries.length + 1;
    this.entries.push(entry);
    this.entryChunks.push(chunk);
  }

  /** Whether this record's body is ciphertext to the decoder (before any decryptor). */
  private isProtected(dir: DirectionState, contentType: number): boolean {
    if (contentType === CONTENT_TYPE.tls12_cid) return true;
    if (this.tls13 || this.isEarlyData(dir, contentType)) {
      // RFC 8446, Section 5.2: protected records go out as application_data; CCS and
      // plaintext alerts keep their own type.
      return contentType === CONTENT_TYPE.application_data;
    }
    return dir.changeCipherSpecSeen;
  }

  /** Application data from a TLS 1.3 client before any ServerHello can only be 0-RTT data. */
  private isEarlyData(dir: DirectionState, contentType: number): boolean {
    return (
      dir.direction === 'client-to-server' &&
      this.clientOffersTls13 &&
      this.serverHello === undefined &&
      contentType === CONTENT_TYPE.application_data
    );
  }

  private record(dir: DirectionState, contentType: number, version: number, length: number, t: number): void {
    const entry: TlsRecordEntry = {
      kind: 'record',
      number: 0,
      t,
      direction: dir.direction,
      contentType,
      contentTypeName: contentTypeName(contentType),
      version,
      versionName: versionName(version),
      length,
      streamOffset: dir.recordOffset,
      encrypted: false,
      messages: [],
    };
    const index = dir.records;
    dir.recordOffset += RECORD_HEADER_LENGTH + length;
    dir.recordBytes += RECORD_HEADER_LENGTH + length;
    dir.records++;
    this.emit(entry, this.chunkIndex);

    if (contentType === CONTENT_TYPE.change_cipher_spec) {
      // After a first CCS (a renegotiation), the next one travels protected, under the old keys.
      const decryptor = dir.changeCipherSpecSeen && !this.isCompatibilityCcs(dir) ? this.decryptorOf(dir) : undefined;
      if (decryptor) {
        try {
          decryptor.decrypt({ direction: dir.direction, index, contentType, version, streamOffset: entry.streamOffset, body: dir.queue.take(length) });
        } catch {
          // What could not be opened is in the decryptor's results; the switch to new keys still happens.
        }
      } else dir.queue.skip(length);
      this.changeCipherSpec(dir, entry, length);
      decryptor?.changeCipherSpec?.();
      return;
    }
    if (!this.isProtected(dir, contentType)) {
      this.plaintext(dir, entry, contentType, dir.queue.take(length), true);
      return;
    }
    const decryptor = this.decryptorOf(dir);
    if (!decryptor && this.nullCipherMac > 0 && length >= this.nullCipherMac) {
      // A NULL cipher (RFC 5246, 6.2.3.1): the content is on the wire as it is, then its MAC.
      const body = dir.queue.take(length);
      this.plaintext(dir, entry, contentType, body.subarray(0, length - this.nullCipherMac), true);
      return;
    }
    if (!decryptor) {
      dir.queue.skip(length);
      this.nameProtected(dir, entry, contentType);
      return;
    }
    const body = dir.queue.take(length);
    let decrypted: DecryptedRecord | null = null;
    try {
      decrypted = decryptor.decrypt({ direction: dir.direction, index, contentType, version, streamOffset: entry.streamOffset, body });
    } catch (error) {
      entry.malformed = `decryption failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (decrypted) this.plaintext(dir, entry, decrypted.contentType, decrypted.plaintext, false);
    else this.nameProtected(dir, entry, contentType);
  }

  private decryptorOf(dir: DirectionState): RecordDecryptor | null {
    if (dir.decryptor === undefined) {
      const context: DecryptionContext = { direction: dir.direction };
      if (this.clientHello) context.clientHello = this.clientHello;
      if (this.serverHello) context.serverHello = this.serverHello;
      if (this.version !== undefined) context.version = this.version;
      if (this.cipherSuite !== undefined) context.cipherSuite = this.cipherSuite;
      let decryptor: RecordDecryptor | undefined;
      try {
        decryptor = this.options.decryptorFor?.(context);
      } catch {
        decryptor = undefined;
      }
      dir.decryptor = decryptor ?? null;
    }
    return dir.decryptor;
  }

  /** A TLS 1.3 middlebox-compatibility CCS; a TLS 1.3 client may send its dummy one before the ServerHello arrives (early data). */
  private isCompatibilityCcs(dir: DirectionState): boolean {
    return this.tls13 || (dir.direction === 'client-to-server' && this.clientOffersTls13 && this.serverHello === undefined);
  }

  /** RFC 5246, Section 7.1; RFC 8446, Appendix D.4 (the compatibility-mode dummy). */
  private changeCipherSpec(dir: DirectionState, entry: TlsRecordEntry, length: number): void {
    const compatibility = this.isCompatibilityCcs(dir);
    if (compatibility) {
      entry.messages.push('Change Cipher Spec (compatibility)');
    } else {
      // After a first CCS (renegotiation), the next one travels protected.
      entry.encrypted = dir.changeCipherSpecSeen;
      entry.messages.push('ChangeCipherSpec');
      dir.changeCipherSpecSeen = true;
      dir.protectedHandshakes = 0;
    }
    if (length !== 1 && !entry.encrypted) {
      entry.malformed = `a ChangeCipherSpec record carries 1 byte, this one ${length}`;
    }
  }

  private nameProtected(dir: DirectionState, entry: TlsRecordEntry, contentType: number): void {
    entry.encrypted = true;
    switch (contentType) {
      case CONTENT_TYPE.handshake:
        entry.messages.push(dir.protectedHandshakes === 0 ? 'Finished (encrypted)' : 'Encrypted Handshake Message');
        dir.protectedHandshakes++;
        break;
      case CONTENT_TYPE.alert:
        entry.messages.push('Encrypted Alert');
        break;
      case CONTENT_TYPE.application_data:
        entry.messages.push(this.isEarlyData(dir, contentType) ? `${EARLY_APPLICATION_DATA}, encrypted)` : this.tls13 ? PROTECTED_APPLICATION_DATA : 'Application Data');
        break;
      case CONTENT_TYPE.heartbeat:
        entry.messages.push('Encrypted Heartbeat');
        break;
      default:
        entry.messages.push(`${contentTypeName(contentType)} (encrypted)`);
    }
  }

  /** Content read in the clear (from the wire, or from a decryptor). */
  private plaintext(dir: DirectionState, entry: TlsRecordEntry, contentType: number, body: Uint8Array, onWire: boolean): void {
    switch (contentType) {
      case CONTENT_TYPE.alert:
        this.alerts(entry, body);
        return;
      case CONTENT_TYPE.handshake:
        this.handshake(dir, entry, body, onWire);
        return;
      case CONTENT_TYPE.application_data:
        entry.messages.push(!onWire && this.isEarlyData(dir, contentType) ? `${EARLY_APPLICATION_DATA})` : 'Application Data');
        return;
      case CONTENT_TYPE.heartbeat:
        // RFC 6520, Section 4: type 1 request, 2 response.
        entry.messages.push(body[0] === 1 ? 'Heartbeat Request' : body[0] === 2 ? 'Heartbeat Response' : 'Heartbeat');
        return;
      case CONTENT_TYPE.change_cipher_spec:
        entry.messages.push('ChangeCipherSpec');
        return;
      default:
        entry.messages.push(contentTypeName(contentType));
    }
  }

  /** RFC 8446, Section 6: an alert is two bytes, level and description. */
  private alerts(entry: TlsRecordEntry, body: Uint8Array): void {
    if (body.length === 0 || body.length % 2 !== 0) {
      entry.messages.push('Alert');
      entry.malformed = `an alert is 2 bytes (level, description); this record carries ${body.length}`;
      return;
    }
    for (let i = 0; i < body.length; i += 2) {
      const alert: AlertInfo = {
        level: body[i],
        levelName: alertLevelName(body[i]),
        description: body[i + 1],
        descriptionName: alertDescriptionName(body[i + 1]),
      };
      if (!entry.alert) entry.alert = alert;
      entry.messages.push(`Alert (${alert.levelName}, ${alert.descriptionName})`);
    }
  }

  private handshake(dir: DirectionState, entry: TlsRecordEntry, body: Uint8Array, onWire: boolean): void {
    if (body.length === 0) {
      entry.malformed = 'an empty handshake record: RFC 8446, Section 5.1 forbids zero-length handshake fragments';
      return;
    }
    const reassembler = dir.handshake;
    const fragment: Omit<HandshakeFragment, 'recordNumber'> = {
      direction: dir.direction,
      offset: reassembler.received,
      length: body.length,
    };
    if (onWire) fragment.wireOffset = entry.streamOffset + RECORD_HEADER_LENGTH;
    this.fragments.push({ fragment, record: entry });
    reassembler.push(body, entry);
    for (let next = reassembler.next(); next; next = reassembler.next()) {
      const message = decodeHandshakeMessage(next.bytes, next.offset, this.context());
      this.learn(message);
      try {
        this.options.onHandshakeMessage?.(dir.direction, next.bytes, message);
      } catch {
        // A listener's failure is its own; decoding goes on.
      }
      this.messages.push({ message, direction: dir.direction, records: next.records });
      // A message that spans records is named in the record that completes it: this one.
      entry.messages.push(message.name);
      if (message.malformed !== undefined && entry.malformed === undefined) entry.malformed = message.malformed;
    }
    const pending = reassembler.pendingType();
    if (pending !== undefined) entry.messages.push(`${handshakeMessageName(pending)} (fragment)`);
  }

  private context(): HandshakeContext {
    const context: HandshakeContext = {};
    if (this.version !== undefined) context.version = this.version;
    if (this.cipherSuite !== undefined) context.cipherSuite = this.cipherSuite;
    return context;
  }

  /** What a hello tells the decoder about the rest of the connection. */
  private learn(message: HandshakeMessage): void {
    const body = message.body;
    if (body.kind === 'client_hello') {
      this.clientHello ??= body;
      if (body.supportedVersions?.some((v) => isTls13(v.code))) this.clientOffersTls13 = true;
    } else if (body.kind === 'server_hello') {
      if (body.isHelloRetryRequest) this.helloRetryRequest = body;
      else this.serverHello = body;
      this.version = body.version.code;
      this.cipherSuite = body.cipherSuite.code;
      // RFC 8446, Section 4.2.1: TLS 1.3 is chosen only through supported_versions.
      this.tls13 = body.selectedVersion !== undefined && isTls13(body.selectedVersion.code);
      const suite = this.tls13 ? undefined : suiteParameters(this.cipherSuite);
      this.nullCipherMac = suite?.protection === 'null' ? HASH_LENGTH[suite.macHash ?? 'sha1'] : 0;
    }
  }
}

/** Decodes a whole capture: records in wire order, handshake messages, what was negotiated. */
export function decodeConnection(chunks: readonly RecordedChunk[], options: DecodeOptions = {}): DecodedConnection {
  const decoder = new TlsConnectionDecoder(options);
  for (const chunk of chunks) decoder.push(chunk);
  return decoder.finish();
}

/** The TLS records of one connection as the session timeline shows them. */
export function decodeTlsTimeline(chunks: readonly RecordedChunk[]): TlsRecordEntry[] {
  return decodeConnection(chunks).records;
}

