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

const CLIENT_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const SERVER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

/** One synthesized packet, planned before any byte is written so the output is sized once. */
interface Packet {
  time: number;
  conn: number;
  fromClient: boolean;
  flags: number;
  seq: number;
  ack: number;
  payload: Uint8Array | null;
  payloadStart: number;
  payloadEnd: number;
  /** Order of planning, to keep equal-time packets in the order they were planned. */
  order: number;
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

function planConnection(c: CaptureConnection, index: number, mss: number, packets: Packet[]): void {
  const first = c.chunks.length ? c.chunks[0].time : (c.openedAt ?? 0);
  const last = c.chunks.length ? c.chunks[c.chunks.length - 1].time : first;
  const opened = Math.min(c.openedAt ?? first, first);
  const closed = Math.max(c.closedAt ?? last, last);
  let order = packets.length;
  const push = (p: Omit<Packet, 'conn' | 'order'>) => packets.push({ ...p, conn: index, order: order++ });

  // Next sequence number each side will send.
  let clientSeq = initialSequence(index, true);
  let serverSeq = initialSequence(index, false);
  push({ time: opened, fromClient: true, flags: SYN, seq: clientSeq, ack: 0, payload: null, payloadStart: 0, payloadEnd: 0 });
  clientSeq = (clientSeq + 1) >>> 0;
  push({ time: opened, fromClient: false, flags: SYN | ACK, seq: serverSeq, ack: clientSeq, payload: null, payloadStart: 0, payloadEnd: 0 });
  serverSeq = (serverSeq + 1) >>> 0;
  push({ time: opened, fromClient: true, flags: ACK, seq: clientSeq, ack: serverSeq, payload: null, payloadStart: 0, payloadEnd: 0 });

  for (const chunk of c.chunks) {
    const fromClient = chunk.direction === 'client-to-server';
    const length = chunk.data.length;
    let unacked = 0;
    for (let offset = 0; offset < length; offset += mss) {
      const end = Math.min(length, offset + mss);
      const seq = fromClient ? clientSeq : serverSeq;
      const ack = fromClient ? serverSeq : clientSeq;
      push({ time: chunk.time, fromClient, flags: end === length ? ACK | PSH : ACK, seq, ack, payload: chunk.data, payloadStart: offset, payloadEnd: end });
      const next = (seq + (end - offset)) >>> 0;
      if (fromClient) clientSeq = next;
      else serverSeq = next;
      unacked++;
      if (unacked === SEGMENTS_PER_ACK || end === length) {
        // The receiver's pure ACK: always for new data, so never a duplicate or a window update.
        push({
          time: chunk.time,
          fromClient: !fromClient,
          flags: ACK,
          seq: fromClient ? serverSeq : clientSeq,
          ack: next,
          payload: null,
          payloadStart: 0,
          payloadEnd: 0,
        });
        unacked = 0;
      }
    }
  }

  const clientCloses = c.closedBy !== 'server';
  const firstSeq = clientCloses ? clientSeq : serverSeq;
  const secondSeq = clientCloses ? serverSeq : clientSeq;
  push({ time: closed, fromClient: clientCloses, flags: FIN | ACK, seq: firstSeq, ack: secondSeq, payload: null, payloadStart: 0, payloadEnd: 0 });
  push({ time: closed, fromClient: !clientCloses, flags: FIN | ACK, seq: secondSeq, ack: (firstSeq + 1) >>> 0, payload: null, payloadStart: 0, payloadEnd: 0 });
  push({ time: closed, fromClient: clientCloses, flags: ACK, seq: (firstSeq + 1) >>> 0, ack: (secondSeq + 1) >>> 0, payload: null, payloadStart: 0, payloadEnd: 0 });
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

function frameLength(p: Packet, v6: boolean): number {
  const tcp = TCP_HEADER + (p.flags & SYN ? TCP_MSS_OPTION : 0);
  return ETHERNET_HEADER + (v6 ? IPV6_HEADER : IPV4_HEADER) + tcp + (p.payloadEnd - p.payloadStart);
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
  const packets: Packet[] = [];
  input.connections.forEach((c, i) => planConnection(c, i, mss, packets));
  // Interleave connections by time, keeping each connection's own order (a stable sort).
  packets.sort((a, b) => a.time - b.time || a.order - b.order);

  const head = sectionHeader(input.application ?? 'TLS Lab Workbench', input.comment);
  const idb = interfaceDescription();
  const dsb = input.keylog && input.keylog.length ? decryptionSecretsBlock(input.keylog) : null;
  let total = head.length + idb.length + (dsb?.length ?? 0);
  for (const p of packets) total += 32 + pad4(frameLength(p, parsed[p.conn].v6));

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
  for (const p of packets) {
    const conn = parsed[p.conn];
    const frame = frameLength(p, conn.v6);
    const blockLength = 32 + pad4(frame);
    writeBlockHeader(view, at, BLOCK_EPB, blockLength);
    view.setUint32(at + 8, 0, true);
    const micros = Math.round(p.time * 1000);
    view.setUint32(at + 12, Math.floor(micros / 0x100000000), true);
    view.setUint32(at + 16, micros >>> 0, true);
    view.setUint32(at + 20, frame, true);
    view.setUint32(at + 24, frame, true);
    writeFrame(out, view, at + 28, p, conn, ipIds);
    at += blockLength;
  }
  return out;
}

function writeFrame(out: Uint8Array, view: DataView, at: number, p: Packet, conn: ParsedConnection, ipIds: Uint16Array): void {
  const payloadLength = p.payloadEnd - p.payloadStart;
  const tcpLength = TCP_HEADER + (p.flags & SYN ? TCP_MSS_OPTION : 0);
  const source = p.fromClient ? conn.client : conn.server;
  const destination = p.fromClient ? conn.server : conn.client;
  // Ethernet II.
  out.set(p.fromClient ? SERVER_MAC : CLIENT_MAC, at);
  out.set(p.fromClient ? CLIENT_MAC : SERVER_MAC, at + 6);
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
    const id = p.conn * 2 + (p.fromClient ? 0 : 1);
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
  view.setUint16(tcp, p.fromClient ? conn.clientPort : conn.serverPort);
  view.setUint16(tcp + 2, p.fromClient ? conn.serverPort : conn.clientPort);
  view.setUint32(tcp + 4, p.seq);
  view.setUint32(tcp + 8, p.flags & ACK ? p.ack : 0);
  out[tcp + 12] = (tcpLength / 4) << 4;
  out[tcp + 13] = p.flags;
  view.setUint16(tcp + 14, WINDOW);
  if (p.flags & SYN) {
    out[tcp + 20] = 2;
    out[tcp + 21] = 4;
    view.setUint16(tcp + 22, Math.min(0xffff, conn.mss));
  }
  if (p.payload && payloadLength > 0) out.set(p.payload.subarray(p.payloadStart, p.payloadEnd), tcp + tcpLength);
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
      chunks: c.chunks.map((chunk) => ({ direction: chunk.direction, time: session.startedAt + chunk.t, data: chunk.data })),
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
