// A recorded session as a pcapng capture that Wireshark and tshark open as if they had been on
// the wire: synthesized Ethernet/IP/TCP around the recorded bytes (three-way handshake, sequence
// and acknowledgement numbers that add up, MSS-sized segments, FIN close), and the key log in a
// Decryption Secrets Block so the TLS inside decrypts with no setup. Pure: values in, bytes out.
//
// pcapng: draft-ietf-opsawg-pcapng (Section 4.1 SHB, 4.2 IDB, 4.3 EPB, 4.7 DSB).

import { sessionKeylogLines } from './keylog';
import { type RecordedSession, connectionRoles } from './recordedSession';

export interface Endpoint {
  /** IPv4 dotted quad or IPv6 text. */
  address: string;
  port: number;
}

export interface CaptureChunk {
  direction: 'client-to-server' | 'server-to-client';
  /** Wall-clock time in epoch milliseconds (fractions kept to the microsecond). */
  time: number;
  data: Uint8Array;
  /**
   * Bytes of this direction that went over the wire just before this chunk but are in no packet
   * (the capture it was imported from missed them): the sequence numbers skip them, as in that
   * capture, and Wireshark says "previous segment not captured".
   */
  skipBefore?: number;
}

export interface CaptureConnection {
  client: Endpoint;
  server: Endpoint;
  /** When the TCP handshake happened (epoch ms); defaults to just before the first chunk. */
  openedAt?: number;
  /** When the connection closed (epoch ms); defaults to just after the last chunk. */
  closedAt?: number;
  /** Which side sent the first FIN. */
  closedBy?: 'client' | 'server';
  chunks: readonly CaptureChunk[];
}

export interface PcapngInput {
  connections: readonly CaptureConnection[];
  /** NSS key log lines; written as a Decryption Secrets Block unless empty. */
  keylog?: readonly string[];
  /** Shown by `capinfos` and Wireshark's capture file properties. */
  comment?: string;
  application?: string;
  /** TCP payload per segment; 1460 (Ethernet) by default. */
  mss?: number;
}

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BLOCK_DSB = 0x0000000a;
const SECRETS_TLS_KEY_LOG = 0x544c534b; // "TLSK"
const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;
const TCP_MSS_OPTION = 4;
const WINDOW = 65535;
/** The receiver acknowledges every second full segment, as delayed ACK does (RFC 1122, 4.2.3.2). */
const SEGMENTS_PER_ACK = 2;

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

/**
 * Every synthesized packet, planned before any byte is written so the output is sized once. Kept
 * as parallel typed arrays: a 100 MB session is some 110,000 packets, and objects cost more in
 * garbage collection than the writing itself.
 */
class PacketPlan {
  readonly time: Float64Array;
  /** Index of the connection: a long-running server session can have more than 65,535. */
  readonly conn: Uint32Array;
  readonly fromClient: Uint8Array;
  readonly flags: Uint8Array;
  readonly seq: Uint32Array;
  readonly ack: Uint32Array;
  /** Index of the chunk in its connection carrying the payload, or -1. */
  readonly chunk: Int32Array;
  readonly start: Uint32Array;
  readonly end: Uint32Array;
  length = 0;

  constructor(capacity: number) {
    this.time = new Float64Array(capacity);
    this.conn = new Uint32Array(capacity);
    this.fromClient = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.seq = new Uint32Array(capacity);
    this.ack = new Uint32Array(capacity);
    this.chunk = new Int32Array(capacity);
    this.start = new Uint32Array(capacity);
    this.end = new Uint32Array(capacity);
  }

  push(time: number, conn: number, fromClient: boolean, flags: number, seq: number, ack: number, chunk = -1, start = 0, end = 0): void {
    const i = this.length++;
    this.time[i] = time;
    this.conn[i] = conn;
    this.fromClient[i] = fromClient ? 1 : 0;
    this.flags[i] = flags;
    this.seq[i] = seq;
    this.ack[i] = ack;
    this.chunk[i] = chunk;
    this.start[i] = start;
    this.end[i] = end;
  }
}

/** How many packets planConnection makes for a connection. */
function packetCount(c: CaptureConnection, mss: number): number {
  let n = 6;
  for (const chunk of c.chunks) {
    const segments = Math.ceil(chunk.data.length / mss);
    n += segments + Math.ceil(segments / SEGMENTS_PER_ACK);
  }
  return n;
}

interface ParsedConnection {
  client: Uint8Array;
  server: Uint8Array;
  v6: boolean;
  clientPort: number;
  serverPort: number;
  mss: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Parses an IPv4 or IPv6 address to bytes; IPv4-mapped IPv6 becomes IPv4. */
export function addressBytes(text: string): Uint8Array {
  const plain = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  const v4 = mapped ? mapped[1] : plain;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) {
    const parts = v4.split('.').map(Number);
    if (parts.some((p) => p > 255)) throw new Error(`"${text}" is not an IP address`);
    return Uint8Array.from(parts);
  }
  if (!plain.includes(':')) throw new Error(`"${text}" is not an IP address`);
  const [head, tail = ''] = plain.split('::');
  const words = (s: string) => (s === '' ? [] : s.split(':'));
  let left = words(head);
  let right = plain.includes('::') ? words(tail) : [];
  // A trailing dotted quad counts as two words.
  const expand = (list: string[]) =>
    list.flatMap((w) => {
      if (!w.includes('.')) return [w];
      const b = addressBytes(w);
      return [((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16)];
    });
  left = expand(left);
  right = expand(right);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (!plain.includes('::') && missing !== 0)) throw new Error(`"${text}" is not an IP address`);
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    if (!/^[0-9a-f]{1,4}$/i.test(w)) throw new Error(`"${text}" is not an IP address`);
    const v = parseInt(w, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** A deterministic initial sequence number per connection and side, so exports are reproducible. */
function initialSequence(conn: number, fromClient: boolean): number {
  let x = (conn * 2 + (fromClient ? 1 : 2)) * 0x9e3779b1;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  return x >>> 0;
}

function planConnection(c: CaptureConnection, index: number, mss: number, plan: PacketPlan): void {
  const first = c.chunks.length ? c.chunks[0].time : (c.openedAt ?? 0);
  const last = c.chunks.length ? c.chunks[c.chunks.length - 1].time : first;
  const opened = Math.min(c.openedAt ?? first, first);
  const closed = Math.max(c.closedAt ?? last, last);

  // Next sequence number each side will send.
  let clientSeq = initialSequence(index, true);
  let serverSeq = initialSequence(index, false);
  plan.push(opened, index, true, SYN, clientSeq, 0);
  clientSeq = (clientSeq + 1) >>> 0;
  plan.push(opened, index, false, SYN | ACK, serverSeq, clientSeq);
  serverSeq = (serverSeq + 1) >>> 0;
  plan.push(opened, index, true, ACK, clientSeq, serverSeq);

  for (let k = 0; k < c.chunks.length; k++) {
    const chunk = c.chunks[k];
    const fromClient = chunk.direction === 'client-to-server';
    const length = chunk.data.length;
    if (chunk.skipBefore) {
      if (fromClient) clientSeq = (clientSeq + chunk.skipBefore) >>> 0;
      else serverSeq = (serverSeq + chunk.skipBefore) >>> 0;
    }
    let unacked = 0;
    for (let offset = 0; offset < length; offset += mss) {
      const end = Math.min(length, offset + mss);
      const seq = fromClient ? clientSeq : serverSeq;
      const ack = fromClient ? serverSeq : clientSeq;
      plan.push(chunk.time, index, fromClient, end === length ? ACK | PSH : ACK, seq, ack, k, offset, end);
      const next = (seq + (end - offset)) >>> 0;
      if (fromClient) clientSeq = next;
      else serverSeq = next;
      unacked++;
      if (unacked === SEGMENTS_PER_ACK || end === length) {
        // The receiver's pure ACK: always for new data, so never a duplicate or a window update.
        plan.push(chunk.time, index, !fromClient, ACK, fromClient ? serverSeq : clientSeq, next);
        unacked = 0;
      }
    }
  }

  const clientCloses = c.closedBy !== 'server';
  const firstSeq = clientCloses ? clientSeq : serverSeq;
  const secondSeq = clientCloses ? serverSeq : clientSeq;
  plan.push(closed, index, clientCloses, FIN | ACK, firstSeq, secondSeq);
  plan.push(closed, index, !clientCloses, FIN | ACK, secondSeq, (firstSeq + 1) >>> 0);
  plan.push(closed, index, clientCloses, ACK, (firstSeq + 1) >>> 0, (secondSeq + 1) >>> 0);
}

/** Ones' complement sum of 16-bit big-endian words (RFC 1071), not yet folded. */
function sum16(bytes: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  const even = end - ((end - start) & 1);
  for (; i + 8 <= even; i += 8) {
    sum += ((bytes[i] << 8) | bytes[i + 1]) + ((bytes[i + 2] << 8) | bytes[i + 3]) + ((bytes[i + 4] << 8) | bytes[i + 5]) + ((bytes[i + 6] << 8) | bytes[i + 7]);
    if (sum > 0x3fffffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  for (; i < even; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (even !== end) sum += bytes[end - 1] << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function frameLength(plan: PacketPlan, i: number, v6: boolean): number {
  const tcp = TCP_HEADER + (plan.flags[i] & SYN ? TCP_MSS_OPTION : 0);
  return ETHERNET_HEADER + (v6 ? IPV6_HEADER : IPV4_HEADER) + tcp + (plan.end[i] - plan.start[i]);
}

function writeBlockHeader(view: DataView, at: number, type: number, length: number): void {
  view.setUint32(at, type, true);
  view.setUint32(at + 4, length, true);
  view.setUint32(at + length - 4, length, true);
}

function sectionHeader(application: string, comment: string | undefined): Uint8Array {
  const options: [number, Uint8Array][] = [[4, new TextEncoder().encode(application)]];
  if (comment) options.unshift([1, new TextEncoder().encode(comment)]);
  const optionsLength = options.reduce((n, [, v]) => n + 4 + pad4(v.length), 0) + 4;
  const length = 28 + optionsLength;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  writeBlockHeader(view, 0, BLOCK_SHB, length);
  view.setUint32(8, 0x1a2b3c4d, true);
  view.setUint16(12, 1, true);
  view.setUint16(14, 0, true);
  // Section length unknown (-1).
  view.setUint32(16, 0xffffffff, true);
  view.setUint32(20, 0xffffffff, true);
  let at = 24;
  for (const [code, value] of options) {
    view.setUint16(at, code, true);
    view.setUint16(at + 2, value.length, true);
    out.set(value, at + 4);
    at += 4 + pad4(value.length);
  }
  // opt_endofopt is four zero bytes, already there.
  return out;
}

function interfaceDescription(): Uint8Array {
  const length = 20;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  writeBlockHeader(view, 0, BLOCK_IDB, length);
  view.setUint16(8, LINKTYPE_ETHERNET, true);
  view.setUint32(12, SNAPLEN, true);
  return out;
}

/** A Decryption Secrets Block with an NSS key log (pcapng draft, Section 4.7). */
export function decryptionSecretsBlock(lines: readonly string[]): Uint8Array {
  const text = new TextEncoder().encode(lines.map((l) => `${l}\n`).join(''));
  const length = 20 + pad4(text.length);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  writeBlockHeader(view, 0, BLOCK_DSB, length);
  view.setUint32(8, SECRETS_TLS_KEY_LOG, true);
  view.setUint32(12, text.length, true);
  out.set(text, 16);
  return out;
}

function parseConnection(c: CaptureConnection, mss: number): ParsedConnection {
  let client = addressBytes(c.client.address);
  let server = addressBytes(c.server.address);
  if (client.length !== server.length) {
    // A dual-stack socket may report one side as IPv6: lift the IPv4 one to IPv4-mapped IPv6.
    const lift = (b: Uint8Array) => (b.length === 16 ? b : Uint8Array.from([...Array(10).fill(0), 0xff, 0xff, ...b]));
    client = lift(client);
    server = lift(server);
  }
  return { client, server, v6: client.length === 16, clientPort: c.client.port, serverPort: c.server.port, mss };
}

/** The whole capture as one buffer. */
export function writePcapng(input: PcapngInput): Uint8Array {
  const mss = input.mss ?? 1460;
  const parsed = input.connections.map((c) => parseConnection(c, mss));
  const plan = new PacketPlan(input.connections.reduce((n, c) => n + packetCount(c, mss), 0));
  input.connections.forEach((c, i) => planConnection(c, i, mss, plan));
  // Interleave connections by time, keeping each connection's own order (a stable sort).
  const order = new Uint32Array(plan.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (input.connections.length > 1) order.sort((a, b) => plan.time[a] - plan.time[b] || a - b);

  const head = sectionHeader(input.application ?? 'TLS Lab Workbench', input.comment);
  const idb = interfaceDescription();
  const dsb = input.keylog && input.keylog.length ? decryptionSecretsBlock(input.keylog) : null;
  let total = head.length + idb.length + (dsb?.length ?? 0);
  for (let i = 0; i < plan.length; i++) total += 32 + pad4(frameLength(plan, i, parsed[plan.conn[i]].v6));

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(head, 0);
  out.set(idb, head.length);
  let at = head.length + idb.length;
  if (dsb) {
    out.set(dsb, at);
    at += dsb.length;
  }
  const ipIds = new Uint16Array(input.connections.length * 2);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const conn = parsed[plan.conn[i]];
    const frame = frameLength(plan, i, conn.v6);
    const blockLength = 32 + pad4(frame);
    writeBlockHeader(view, at, BLOCK_EPB, blockLength);
    const micros = Math.round(plan.time[i] * 1000);
    view.setUint32(at + 12, Math.floor(micros / 0x100000000), true);
    view.setUint32(at + 16, micros >>> 0, true);
    view.setUint32(at + 20, frame, true);
    view.setUint32(at + 24, frame, true);
    const chunkIndex = plan.chunk[i];
    const payload = chunkIndex >= 0 ? input.connections[plan.conn[i]].chunks[chunkIndex].data : null;
    writeFrame(out, view, at + 28, plan, i, payload, conn, ipIds);
    at += blockLength;
  }
  return out;
}

function writeMac(out: Uint8Array, at: number, last: number): void {
  out[at] = 0x02;
  out[at + 5] = last;
}

function writeFrame(
  out: Uint8Array,
  view: DataView,
  at: number,
  plan: PacketPlan,
  i: number,
  payload: Uint8Array | null,
  conn: ParsedConnection,
  ipIds: Uint16Array,
): void {
  const flags = plan.flags[i];
  const fromClient = plan.fromClient[i] === 1;
  const payloadStart = plan.start[i];
  const payloadLength = plan.end[i] - payloadStart;
  const tcpLength = TCP_HEADER + (flags & SYN ? TCP_MSS_OPTION : 0);
  const source = fromClient ? conn.client : conn.server;
  const destination = fromClient ? conn.server : conn.client;
  // Ethernet II, locally administered addresses 02:00:00:00:00:01 (client) and :02 (server).
  writeMac(out, at, fromClient ? 2 : 1);
  writeMac(out, at + 6, fromClient ? 1 : 2);
  view.setUint16(at + 12, conn.v6 ? 0x86dd : 0x0800);
  let ip = at + ETHERNET_HEADER;
  let pseudo: number;
  if (conn.v6) {
    // RFC 8200, Section 3.
    view.setUint32(ip, 0x60000000);
    view.setUint16(ip + 4, tcpLength + payloadLength);
    out[ip + 6] = 6;
    out[ip + 7] = 64;
    out.set(source, ip + 8);
    out.set(destination, ip + 24);
    pseudo = sum16(out, ip + 8, ip + 40, 6 + tcpLength + payloadLength);
    ip += IPV6_HEADER;
  } else {
    // RFC 791, Section 3.1: no options, don't fragment.
    const id = plan.conn[i] * 2 + (fromClient ? 0 : 1);
    out[ip] = 0x45;
    view.setUint16(ip + 2, IPV4_HEADER + tcpLength + payloadLength);
    view.setUint16(ip + 4, ipIds[id]++);
    view.setUint16(ip + 6, 0x4000);
    out[ip + 8] = 64;
    out[ip + 9] = 6;
    out.set(source, ip + 12);
    out.set(destination, ip + 16);
    view.setUint16(ip + 10, fold(sum16(out, ip, ip + IPV4_HEADER, 0)));
    pseudo = sum16(out, ip + 12, ip + 20, 6 + tcpLength + payloadLength);
    ip += IPV4_HEADER;
  }
  // TCP, RFC 9293, Section 3.1.
  const tcp = ip;
  view.setUint16(tcp, fromClient ? conn.clientPort : conn.serverPort);
  view.setUint16(tcp + 2, fromClient ? conn.serverPort : conn.clientPort);
  view.setUint32(tcp + 4, plan.seq[i]);
  view.setUint32(tcp + 8, flags & ACK ? plan.ack[i] : 0);
  out[tcp + 12] = (tcpLength / 4) << 4;
  out[tcp + 13] = flags;
  view.setUint16(tcp + 14, WINDOW);
  if (flags & SYN) {
    out[tcp + 20] = 2;
    out[tcp + 21] = 4;
    view.setUint16(tcp + 22, Math.min(0xffff, conn.mss));
  }
  if (payload && payloadLength > 0) out.set(payload.subarray(payloadStart, payloadStart + payloadLength), tcp + tcpLength);
  view.setUint16(tcp + 16, fold(sum16(out, tcp, tcp + tcpLength + payloadLength, pseudo)));
}

// ---------------------------------------------------------------------------------------------
// A recorded session as capture input.


/** "127.0.0.1:4433", "[::1]:4433" → address and port; null when the recorder did not know it. */
export function parseEndpoint(text: string | null): Endpoint | null {
  if (!text) return null;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) return { address: bracketed[1], port: Number(bracketed[2]) };
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m) return null;
  try {
    addressBytes(m[1]);
  } catch {
    return null;
  }
  return { address: m[1], port: Number(m[2]) };
}

export interface SessionCaptureOptions {
  /** Embed the key log as a Decryption Secrets Block (default true). */
  secrets?: boolean;
  mss?: number;
}

/** The session's connections as TCP streams, each with its own 4-tuple. */
type GapLayout = ({ captured: string } | { notCaptured: number })[];

/**
 * A connection's chunks as capture chunks, with the gaps of the capture it was imported from put
 * back where they were: the undecoded bytes around each gap (kept in its timeline note, code
 * CAPTURE_GAP) and the sequence numbers it skipped. A recorded connection has no such notes.
 */
function withCaptureGaps(c: RecordedSession['connections'][number], startedAt: number): CaptureChunk[] {
  const gaps = c.events
    .filter((e) => e.kind === 'note' && e.data.code === 'CAPTURE_GAP' && Array.isArray(e.data.layout) && typeof e.data.streamOffset === 'number')
    .map((e) => ({ t: e.t, direction: e.data.direction, streamOffset: e.data.streamOffset as number, layout: e.data.layout as GapLayout }))
    .sort((a, b) => a.streamOffset - b.streamOffset);
  const plain = (chunk: (typeof c.chunks)[number]): CaptureChunk => ({ direction: chunk.direction, time: startedAt + chunk.t, data: chunk.data });
  if (gaps.length === 0) return c.chunks.map(plain);
  const out: CaptureChunk[] = [];
  const offset = { 'client-to-server': 0, 'server-to-client': 0 };
  const skip = { 'client-to-server': 0, 'server-to-client': 0 };
  const emit = (direction: CaptureChunk['direction'], time: number, data: Uint8Array) => {
    if (data.length === 0) return;
    out.push({ direction, time, data, ...(skip[direction] ? { skipBefore: skip[direction] } : {}) });
    skip[direction] = 0;
  };
  const putBack = (gap: (typeof gaps)[number], direction: CaptureChunk['direction']) => {
    for (const part of gap.layout) {
      if ('notCaptured' in part) skip[direction] += part.notCaptured;
      else emit(direction, startedAt + gap.t, new Uint8Array(Buffer.from(part.captured, 'base64')));
    }
  };
  const pending = { 'client-to-server': gaps.filter((g) => g.direction === 'client-to-server'), 'server-to-client': gaps.filter((g) => g.direction === 'server-to-client') };
  for (const chunk of c.chunks) {
    const direction = chunk.direction;
    const queue = pending[direction];
    let from = 0;
    while (queue.length && queue[0].streamOffset <= offset[direction] + chunk.data.length) {
      // A gap at the very end of this chunk goes before the next one, unless nothing follows.
      const at = queue[0].streamOffset - offset[direction];
      if (at === chunk.data.length) break;
      emit(direction, startedAt + chunk.t, chunk.data.subarray(from, Math.max(from, at)));
      from = Math.max(from, at);
      putBack(queue.shift()!, direction);
    }
    emit(direction, startedAt + chunk.t, chunk.data.subarray(from));
    offset[direction] += chunk.data.length;
  }
  // Gaps after the last whole record of a direction: their captured bytes still go out.
  for (const direction of ['client-to-server', 'server-to-client'] as const) for (const gap of pending[direction]) putBack(gap, direction);
  return out;
}

export function sessionCapture(session: RecordedSession, options: SessionCaptureOptions = {}): PcapngInput {
  const used = new Set<string>();
  const connections = session.connections.map((c, i): CaptureConnection => {
    const roles = connectionRoles(c);
    const client = parseEndpoint(roles.client) ?? { address: '127.0.0.1', port: 49152 + i };
    const server = parseEndpoint(roles.server) ?? { address: '127.0.0.1', port: 443 };
    // Two connections with one 4-tuple would be read as one stream: move the client port.
    while (used.has(`${client.address}|${client.port}|${server.address}|${server.port}`)) client.port = client.port >= 65535 ? 49152 : client.port + 1;
    used.add(`${client.address}|${client.port}|${server.address}|${server.port}`);
    const close = c.events.find((e) => e.kind === 'tcp-close');
    const initiator = close?.data.initiator;
    const weDialled = c.leg === 'client' || c.leg === 'proxy-upstream';
    const closedBy =
      initiator === 'local' ? (weDialled ? 'client' : 'server') : initiator === 'peer' ? (weDialled ? 'server' : 'client') : undefined;
    const open = c.events.find((e) => e.kind === 'tcp-open');
    return {
      client,
      server,
      openedAt: open ? session.startedAt + open.t : (c.openedAt ?? undefined),
      closedAt: close ? session.startedAt + close.t : (c.closedAt ?? undefined),
      closedBy,
      chunks: withCaptureGaps(c, session.startedAt),
    };
  });
  const label = session.name ? `${session.name} (${session.kind} session, ${session.target})` : `${session.kind} session ${session.target}`;
  return {
    connections,
    keylog: options.secrets === false ? [] : sessionKeylogLines(session),
    comment: `TLS Lab Workbench: ${label}`,
    mss: options.mss,
  };
}
