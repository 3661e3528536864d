// The record inspector's pages: a connection's records read from the store, decoded when someone
// asks, and each record's bytes with every field placed on them. A few connections stay decoded
// so that scrolling through one does not decode it again. TLS 1.3's encrypted handshake is read
// through the key log (tls/sessionKeys), so its messages get trees too.
import type { RecordDetail, RecordField, RecordPage, RecordPageRequest, RecordRow } from '../api/recordTypes';
import type { DecryptedRecordInfo } from '../api/decryptTypes';
import type { Direction, TlsRecordEntry } from '../api/types';
import { WorkbenchError } from '../errors';
import type { ConnectionRow, SessionStore } from '../store/sessionStore';
import { type DecodedConnection, type HandshakeFragment, type RecordedChunk, decodeConnection } from '../tls/records';
import { CONTENT_TYPE, contentTypeName } from '../tls/registry';
import { type CaptureGapInput, type ConnectionDecryption, decryptConnection } from '../tls/sessionKeys';
import { captureGapsOf } from './decryption';
import {
  RECORD_HEADER_LENGTH,
  alertTree,
  applicationDataTree,
  handshakeTrees,
  protectedBodyTree,
  recordHeaderTree,
} from './recordFields';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 5000;
const MAX_DETAIL_LIMIT = 200;
const CACHE_SIZE = 3;
/** Connections up to this size are decrypted as soon as they are opened (their rows then name what the key log reveals). */
const EAGER_DECRYPT_BYTES = 4 * 1024 * 1024;
/** ... and up to this many records: a long run of tiny records costs per record, not per byte. */
const EAGER_DECRYPT_RECORDS = 5000;

/** One direction's recorded bytes, cut where the recorder cut them, with each chunk's stream offset. */
class Stream {
  readonly chunks: Uint8Array[] = [];
  readonly starts: number[] = [];
  length = 0;

  push(data: Uint8Array): void {
    this.chunks.push(data);
    this.starts.push(this.length);
    this.length += data.length;
  }

  /** Bytes [offset, offset + length), as many of them as were recorded. */
  slice(offset: number, length: number): Uint8Array {
    const end = Math.min(offset + length, this.length);
    if (end <= offset) return new Uint8Array(0);
    const out = new Uint8Array(end - offset);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    let filled = 0;
    for (let i = lo; filled < out.length && i < this.chunks.length; i++) {
      const chunk = this.chunks[i];
      const from = Math.max(0, offset + filled - this.starts[i]);
      const k = Math.min(chunk.length - from, out.length - filled);
      out.set(chunk.subarray(from, from + k), filled);
      filled += k;
    }
    return out;
  }
}

interface OpenedConnection {
  row: ConnectionRow;
  chunks: RecordedChunk[];
  keylog: string[];
  /** An imported capture's gaps, for the decryptor's search past them. */
  gaps: CaptureGapInput[];
  streams: Record<Direction, Stream>;
  plain: DecodedConnection;
  /** undefined: not tried yet; null: nothing to decrypt with. */
  decryption?: ConnectionDecryption | null;
  protectedByNumber?: Map<number, DecryptedRecordInfo>;
}

function summaryOf(entry: TlsRecordEntry): string {
  const parts = entry.messages.length > 0 ? entry.messages.join(', ') : entry.encrypted ? `${entry.contentTypeName} (encrypted)` : entry.contentTypeName;
  return entry.malformed ? `${parts} [malformed: ${entry.malformed}]` : parts;
}

export function recordRow(entry: TlsRecordEntry, opened?: DecryptedRecordInfo): RecordRow {
  const row: RecordRow = {
    number: entry.number,
    t: entry.t,
    direction: entry.direction,
    contentType: entry.contentType,
    contentTypeName: entry.contentTypeName,
    version: entry.version,
    versionName: entry.versionName,
    length: entry.length,
    streamOffset: entry.streamOffset,
    encrypted: entry.encrypted,
    protected: entry.encrypted || opened !== undefined,
    decrypted: opened?.status === 'decrypted',
    messages: entry.messages,
    summary: summaryOf(entry),
  };
  if (entry.alert) row.alert = entry.alert;
  if (entry.malformed) row.malformed = entry.malformed;
  return row;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export class RecordPages {
  private readonly cache = new Map<string, OpenedConnection>();

  constructor(private readonly store: SessionStore) {}

  page(request: RecordPageRequest): RecordPage {
    const row = this.connection(request.id, request.connectionId);
    const opened = this.open(row);
    const decoded = this.decoded(opened);
    const total = decoded.records.length;
    const from = request.from ?? 1;
    const cap = request.detail ? MAX_DETAIL_LIMIT : MAX_LIMIT;
    const limit = Math.min(request.limit ?? DEFAULT_LIMIT, cap);
    const entries = decoded.records.slice(from - 1, from - 1 + limit);
    const page: RecordPage = {
      sessionId: request.id,
      connectionId: row.id,
      leg: row.leg,
      total,
      from,
      rows: entries.map((e) => recordRow(e, opened.protectedByNumber?.get(e.number))),
    };
    if (request.detail) {
      this.decrypt(opened);
      const full = this.decoded(opened);
      page.details = entries.map((e) => this.detail(opened, full, full.records[e.number - 1] ?? e));
      // The rows of a page with detail say what decryption revealed.
      page.rows = entries.map((e) => recordRow(full.records[e.number - 1] ?? e, opened.protectedByNumber?.get(e.number)));
    }
    return page;
  }

  private connection(id: number, connectionId?: number): ConnectionRow {
    if (!this.store.getSession(id)) {
      throw new WorkbenchError('NOT_FOUND', `there is no session ${id}; list the sessions to see their numbers`);
    }
    const rows = this.store.getConnections(id);
    if (rows.length === 0) throw new WorkbenchError('NOT_FOUND', `session ${id} opened no TCP connection, so it has no records`);
    if (connectionId === undefined) return rows[0];
    const row = rows.find((r) => r.id === connectionId);
    if (!row) {
      const ids = rows.map((r) => r.id).join(', ');
      throw new WorkbenchError('NOT_FOUND', `session ${id} has no connection ${connectionId}; its connections are: ${ids}`);
    }
    return row;
  }

  private open(row: ConnectionRow): OpenedConnection {
    const recorded = row.recordedClientToServer + row.recordedServerToClient;
    const key = `${row.id}:${recorded}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const log = this.store.connectionLog(row.id);
    const chunks = log.chunks;
    const streams: Record<Direction, Stream> = { 'client-to-server': new Stream(), 'server-to-client': new Stream() };
    for (const c of chunks) streams[c.direction].push(c.data);
    const opened: OpenedConnection = { row, chunks, keylog: log.keylog.map((k) => k.line), gaps: captureGapsOf(log.events), streams, plain: decodeConnection(chunks) };
    if (recorded <= EAGER_DECRYPT_BYTES && opened.plain.records.length <= EAGER_DECRYPT_RECORDS) this.decrypt(opened);
    this.cache.set(key, opened);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return opened;
  }

  /** Opens the connection with its key log, once. */
  private decrypt(opened: OpenedConnection): void {
    if (opened.decryption !== undefined) return;
    if (opened.keylog.length === 0) {
      opened.decryption = null;
      return;
    }
    try {
      opened.decryption = decryptConnection({ chunks: opened.chunks, keylog: opened.keylog, gaps: opened.gaps });
      opened.protectedByNumber = new Map(opened.decryption.records.map((r) => [r.number, r]));
    } catch {
      // The inspector still shows the bytes; the key material view says what went wrong.
      opened.decryption = null;
    }
  }

  private decoded(opened: OpenedConnection): DecodedConnection {
    return opened.decryption?.decoded ?? opened.plain;
  }

  private detail(opened: OpenedConnection, decoded: DecodedConnection, entry: TlsRecordEntry): RecordDetail {
    const wireLength = RECORD_HEADER_LENGTH + entry.length;
    const raw = opened.streams[entry.direction].slice(entry.streamOffset, wireLength);
    const tree: RecordField[] = [recordHeaderTree(entry, raw.length)];
    const fragment = decoded.handshakeFragments.find((f) => f.recordNumber === entry.number);
    const messages = decoded.handshakeMessages.filter((m) => m.direction === entry.direction);
    const info = opened.protectedByNumber?.get(entry.number);
    const detail: RecordDetail = { number: entry.number, rawBase64: base64(raw), rawLength: raw.length, tree, messages: [] };

    const bodyHave = Math.max(0, raw.length - RECORD_HEADER_LENGTH);
    if (raw.length < wireLength) {
      tree.push({
        name: 'record body',
        offset: Math.min(raw.length, RECORD_HEADER_LENGTH),
        length: bodyHave,
        malformed: entry.malformed ?? `incomplete: ${raw.length} of ${wireLength} bytes were recorded`,
      });
    } else if (info || entry.encrypted) {
      const keys = opened.decryption?.keys;
      tree.push(protectedBodyTree(entry.length, keys?.suite, keys?.encryptThenMac === true));
      if (info?.status === 'decrypted' && info.plaintextHex !== undefined) {
        const plain = Uint8Array.from(Buffer.from(info.plaintextHex, 'hex'));
        const type = info.contentType ?? entry.contentType;
        detail.plaintext = { base64: base64(plain), contentTypeName: contentTypeName(type), tree: this.contentTree(type, plain, 0, fragment, messages) };
      } else if (info) {
        tree[1].note = info.problem ?? `not opened: ${info.status}`;
      }
    } else if (entry.contentType === CONTENT_TYPE.change_cipher_spec) {
      const body = raw.subarray(RECORD_HEADER_LENGTH);
      tree.push({ name: 'change_cipher_spec', offset: RECORD_HEADER_LENGTH, length: body.length, value: body.length === 1 ? `type ${body[0]}` : undefined, ...(entry.malformed ? { malformed: entry.malformed } : {}) });
    } else if (entry.malformed && entry.messages.length === 0 && entry.contentType !== CONTENT_TYPE.alert) {
      tree.push({ name: 'record body', offset: RECORD_HEADER_LENGTH, length: bodyHave, malformed: entry.malformed });
    } else {
      tree.push(...this.contentTree(entry.contentType, raw.subarray(RECORD_HEADER_LENGTH), RECORD_HEADER_LENGTH, fragment, messages));
    }

    decoded.handshakeMessages.forEach((m, index) => {
      if (!m.recordNumbers.includes(entry.number)) return;
      detail.messages.push({
        name: m.name,
        index,
        recordNumbers: m.recordNumbers,
        encrypted: m.recordNumbers.some((n) => opened.protectedByNumber?.get(n)?.status === 'decrypted'),
      });
    });
    return detail;
  }

  /** The fields of a record's content (from the wire at offset 5, or a plaintext at offset 0). */
  private contentTree(
    contentType: number,
    body: Uint8Array,
    at: number,
    fragment: HandshakeFragment | undefined,
    messages: DecodedConnection['handshakeMessages'],
  ): RecordField[] {
    switch (contentType) {
      case CONTENT_TYPE.handshake:
        if (!fragment) return [{ name: 'handshake', offset: at, length: body.length, malformed: 'no handshake fragment decoded here' }];
        return handshakeTrees(fragment, messages, at - fragment.offset);
      case CONTENT_TYPE.alert:
        return alertTree(body, at);
      case CONTENT_TYPE.application_data:
        return [applicationDataTree(body, at)];
      case CONTENT_TYPE.change_cipher_spec:
        return [{ name: 'change_cipher_spec', offset: at, length: body.length }];
      default:
        return [{ name: contentTypeName(contentType), offset: at, length: body.length }];
    }
  }
}
