// Reading a capture made elsewhere (tcpdump, tshark, Wireshark): pcap or pcapng, Ethernet, Linux
// cooked, BSD loopback or raw IP, IPv4 or IPv6; TCP put back together per stream (retransmissions
// dropped, out-of-order segments held until the gap fills; a gap never filled is skipped and
// marked on the chunk after it, as Wireshark marks "previous segment not captured"), and the key
// log of any Decryption Secrets Block. Gzip-compressed captures (.pcap.gz, .pcapng.gz, which Wireshark opens as they are)
// are read through zlib. Pure: bytes in, streams out.
import { gunzipSync } from 'node:zlib';
import type { Endpoint } from './pcapng';
import { concatBytes } from '../bytes';

export class CaptureError extends Error {
  readonly code = 'NOT_A_CAPTURE';
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

export interface StreamChunk {
  direction: 'client-to-server' | 'server-to-client';
  /** Epoch milliseconds. */
  time: number;
  data: Uint8Array;
  /**
   * Bytes of this direction the capture does not hold just before this chunk (a lost packet, a
   * capture that missed one, a snap length that cut a packet short); absent when there is no gap.
   */
  gapBefore?: number;
}

export interface CapturedStream {
  client: Endpoint;
  server: Endpoint;
  /** Epoch ms of the stream's first packet (its SYN when the capture has one). */
  openedAt: number;
  closedAt: number | null;
  closedBy: 'client' | 'server' | null;
  /** True when the capture holds the SYN, so the client side is known, not guessed. */
  sawHandshake: boolean;
  chunks: StreamChunk[];
  /** Bytes the capture does not hold, in every gap of both directions (see StreamChunk.gapBefore). */
  missingBytes: number;
  /** How many gaps those bytes make. */
  gaps: number;
}

export interface ParsedCapture {
  format: 'pcap' | 'pcapng';
  packets: number;
  streams: CapturedStream[];
  /** NSS key log lines from Decryption Secrets Blocks. */
  keylog: string[];
  notes: string[];
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LOOP = 108;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;
// DLT_RAW on some BSDs.
const LINKTYPE_RAW_BSD = [12, 14];

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** Consecutive payload of one direction is kept as one chunk up to this size. */
const CHUNK_LIMIT = 64 * 1024;

interface Side {
  base: number;
  known: boolean;
  delivered: number;
  /** Out-of-order segments by offset from base. */
  pending: Map<number, { data: Uint8Array; time: number }>;
  /** The offsets of `pending` as a min-heap, so that they are taken in order however they came. */
  order: number[];
}

interface StreamState {
  /** Endpoint of side 0 (the first packet's source) and side 1. */
  endpoints: [Endpoint, Endpoint];
  /** Which side is the TCP client, once known. */
  clientSide: 0 | 1 | null;
  guessedClient: 0 | 1 | null;
  sides: [Side, Side];
  openedAt: number;
  closedAt: number | null;
  closedBy: 0 | 1 | null;
  sawSyn: boolean;
  /** Chunks by side; merged while one side keeps talking. */
  chunks: PendingChunk[];
}

interface PendingChunk {
  side: 0 | 1;
  time: number;
  parts: Uint8Array[];
  length: number;
  gapBefore?: number;
}

function newSide(): Side {
  return { base: 0, known: false, delivered: 0, pending: new Map(), order: [] };
}

function heapPush(heap: number[], value: number): void {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= heap[i]) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function heapPop(heap: number[]): number {
  const top = heap[0];
  const last = heap.pop() as number;
  if (heap.length > 0) {
    heap[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left] < heap[least]) least = left;
      if (right < heap.length && heap[right] < heap[least]) least = right;
      if (least === i) break;
      [heap[least], heap[i]] = [heap[i], heap[least]];
      i = least;
    }
  }
  return top;
}

function ipText(bytes: Uint8Array, start: number, length: 4 | 16): string {
  if (length === 4) return `${bytes[start]}.${bytes[start + 1]}.${bytes[start + 2]}.${bytes[start + 3]}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[start + i] << 8) | bytes[start + i + 1]).toString(16));
  // Compress the longest run of zero words (RFC 5952, Section 4.2).
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLength).join(':')}`;
}

/** Whether a SYN is the stream's own opening SYN seen again: same client, same initial sequence number. */
function repeatsSyn(stream: StreamState, sourceIp: string, sourcePort: number, seq: number): boolean {
  if (!stream.sawSyn || stream.clientSide === null) return false;
  const client = stream.endpoints[stream.clientSide];
  const side = stream.sides[stream.clientSide];
  return client.address === sourceIp && client.port === sourcePort && side.known && side.base === ((seq + 1) >>> 0);
}

/** Reads packets and hands each TCP segment to the reassembler. */
class CaptureReader {
  private readonly streams = new Map<string, StreamState>();
  readonly keylog: string[] = [];
  readonly notes = new Set<string>();
  packets = 0;
  private fragments = 0;
  private truncated = 0;

  packet(linktype: number, data: Uint8Array, time: number, originalLength: number): void {
    this.packets++;
    if (originalLength > data.length) this.truncated++;
    let offset: number;
    let ipVersion: number;
    switch (linktype) {
      case LINKTYPE_ETHERNET: {
        if (data.length < 14) return;
        let type = (data[12] << 8) | data[13];
        offset = 14;
        while ((type === 0x8100 || type === 0x88a8) && data.length >= offset + 4) {
          type = (data[offset + 2] << 8) | data[offset + 3];
          offset += 4;
        }
        if (type === 0x0800) ipVersion = 4;
        else if (type === 0x86dd) ipVersion = 6;
        else return;
        break;
      }
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: {
        if (data.length < 4) return;
        // NULL is in the capturing host's byte order, LOOP in network order: the family is small, so read it either way.
        const family = data[0] === 0 && data[1] === 0 ? (data[2] << 8) | data[3] : data[0] | (data[1] << 8);
        offset = 4;
        if (family === 2) ipVersion = 4;
        else if (family === 24 || family === 28 || family === 30 || family === 10) ipVersion = 6;
        else return;
        break;
      }
      case LINKTYPE_LINUX_SLL:
      case LINKTYPE_LINUX_SLL2: {
        const header = linktype === LINKTYPE_LINUX_SLL ? 16 : 20;
        if (data.length < header) return;
        const at = linktype === LINKTYPE_LINUX_SLL ? 14 : 0;
        const type = (data[at] << 8) | data[at + 1];
        offset = header;
        if (type === 0x0800) ipVersion = 4;
        else if (type === 0x86dd) ipVersion = 6;
        else return;
        break;
      }
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6:
      case LINKTYPE_RAW:
      default:
        if (linktype !== LINKTYPE_RAW && linktype !== LINKTYPE_IPV4 && linktype !== LINKTYPE_IPV6 && !LINKTYPE_RAW_BSD.includes(linktype)) {
          this.notes.add(`packets of link type ${linktype} were skipped (the importer reads Ethernet, Linux cooked, loopback and raw IP)`);
          return;
        }
        if (data.length < 1) return;
        offset = 0;
        ipVersion = data[0] >> 4;
    }
    this.ip(data, offset, ipVersion, time);
  }

  private ip(data: Uint8Array, offset: number, version: number, time: number): void {
    let source: string;
    let destination: string;
    let tcpStart: number;
    let end: number;
    if (version === 4) {
      if (data.length < offset + 20) return;
      const ihl = (data[offset] & 0x0f) * 4;
      const totalLength = (data[offset + 2] << 8) | data[offset + 3];
      const fragment = ((data[offset + 6] << 8) | data[offset + 7]) & 0x3fff;
      if (data[offset + 9] !== 6) return;
      if (fragment !== 0) {
        this.fragments++;
        return;
      }
      source = ipText(data, offset + 12, 4);
      destination = ipText(data, offset + 16, 4);
      tcpStart = offset + ihl;
      // TCP segmentation offload captures carry total length 0: trust the frame then.
      end = totalLength === 0 ? data.length : Math.min(data.length, offset + totalLength);
    } else if (version === 6) {
      if (data.length < offset + 40) return;
      const payloadLength = (data[offset + 4] << 8) | data[offset + 5];
      let next = data[offset + 6];
      source = ipText(data, offset + 8, 16);
      destination = ipText(data, offset + 24, 16);
      tcpStart = offset + 40;
      end = payloadLength === 0 ? data.length : Math.min(data.length, offset + 40 + payloadLength);
      // RFC 8200, Section 4: hop-by-hop, routing and destination options come before TCP.
      while (next === 0 || next === 43 || next === 60) {
        if (tcpStart + 2 > end) return;
        next = data[tcpStart];
        tcpStart += (data[tcpStart + 1] + 1) * 8;
      }
      if (next === 44) {
        this.fragments++;
        return;
      }
      if (next !== 6) return;
    } else {
      return;
    }
    if (tcpStart + 20 > end) return;
    this.tcp(data, tcpStart, end, source, destination, time);
  }

  private tcp(data: Uint8Array, at: number, end: number, sourceIp: string, destinationIp: string, time: number): void {
    const sourcePort = (data[at] << 8) | data[at + 1];
    const destinationPort = (data[at + 2] << 8) | data[at + 3];
    const seq = ((data[at + 4] << 24) | (data[at + 5] << 16) | (data[at + 6] << 8) | data[at + 7]) >>> 0;
    const headerLength = (data[at + 12] >> 4) * 4;
    const flags = data[at + 13];
    const payloadStart = Math.min(end, at + headerLength);
    const a = `${sourceIp}|${sourcePort}`;
    const b = `${destinationIp}|${destinationPort}`;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let stream = this.streams.get(key);
    if (!stream || (flags & SYN && !(flags & ACK) && stream.closedAt !== null && !repeatsSyn(stream, sourceIp, sourcePort, seq))) {
      // A new SYN on a closed 4-tuple starts a new connection (port reuse); the same SYN again
      // (one packet seen on two interfaces, or captures joined with mergecap -a) does not.
      if (stream) this.streams.set(`${key}|${this.streams.size}`, stream);
      stream = {
        endpoints: [
          { address: sourceIp, port: sourcePort },
          { address: destinationIp, port: destinationPort },
        ],
        clientSide: null,
        guessedClient: null,
        sides: [newSide(), newSide()],
        openedAt: time,
        closedAt: null,
        closedBy: null,
        sawSyn: false,
        chunks: [],
      };
      this.streams.set(key, stream);
    }
    const sideIndex: 0 | 1 = stream.endpoints[0].address === sourceIp && stream.endpoints[0].port === sourcePort ? 0 : 1;
    const side = stream.sides[sideIndex];
    if (flags & SYN) {
      stream.sawSyn = true;
      if (stream.clientSide === null) stream.clientSide = flags & ACK ? ((1 - sideIndex) as 0 | 1) : sideIndex;
      const base = (seq + 1) >>> 0;
      // A repeated SYN (retransmitted, or the same packet seen twice) keeps what was delivered.
      if (side.known && side.base === base) return;
      side.base = base;
      side.known = true;
      side.delivered = 0;
      return;
    }
    if ((flags & (FIN | RST)) && stream.closedAt === null) {
      stream.closedAt = time;
      stream.closedBy = sideIndex;
    }
    const length = end - payloadStart;
    if (length <= 0) return;
    if (!side.known) {
      side.base = seq;
      side.known = true;
    }
    this.deliver(stream, sideIndex, seq, data.subarray(payloadStart, end), time);
  }

  private deliver(stream: StreamState, sideIndex: 0 | 1, seq: number, payload: Uint8Array, time: number): void {
    const side = stream.sides[sideIndex];
    // Signed 32-bit distance from the stream's start: sequence numbers wrap (RFC 9293, Section 3.4).
    const offset = (seq - side.base) | 0;
    if (offset > side.delivered) {
      const held = side.pending.get(offset);
      if (!held) heapPush(side.order, offset);
      if (!held || held.data.length < payload.length) side.pending.set(offset, { data: payload, time });
      return;
    }
    this.append(stream, sideIndex, offset, payload, time);
    // The held segments that now join the stream, lowest offset first (each one looked at once:
    // a scan of all of them per segment delivered made last-first captures quadratic).
    while (side.order.length > 0 && side.order[0] <= side.delivered) {
      const at = heapPop(side.order);
      const held = side.pending.get(at);
      if (!held) continue;
      side.pending.delete(at);
      this.append(stream, sideIndex, at, held.data, time);
    }
  }

  private append(stream: StreamState, sideIndex: 0 | 1, offset: number, payload: Uint8Array, time: number): void {
    const side = stream.sides[sideIndex];
    const skip = side.delivered - offset;
    if (skip >= payload.length) return; // a retransmission of bytes already in the stream
    const fresh = skip > 0 ? payload.subarray(skip) : payload;
    side.delivered += fresh.length;
    if (stream.guessedClient === null && stream.clientSide === null) {
      // No SYN in the capture: the side that opens with a TLS ClientHello is the client.
      const hello = fresh.length > 5 && fresh[0] === 0x16 && fresh[1] === 0x03 && fresh[5] === 0x01;
      stream.guessedClient = hello ? sideIndex : null;
    }
    const last = stream.chunks[stream.chunks.length - 1];
    if (last && last.side === sideIndex && last.length + fresh.length <= CHUNK_LIMIT) {
      last.parts.push(fresh);
      last.length += fresh.length;
    } else {
      stream.chunks.push({ side: sideIndex, time, parts: [fresh], length: fresh.length });
    }
  }

  /**
   * What each side still holds past a gap no packet filled: the bytes after it, in order, as
   * chunks that say how much is missing before them, put among the stream's chunks by time.
   */
  private skipGaps(stream: StreamState): { missing: number; gaps: number } {
    let missing = 0;
    let gaps = 0;
    const late: PendingChunk[] = [];
    for (const sideIndex of [0, 1] as const) {
      const side = stream.sides[sideIndex];
      if (side.pending.size === 0) continue;
      let current: PendingChunk | null = null;
      for (const [at, held] of [...side.pending].sort((x, y) => x[0] - y[0])) {
        let gap = 0;
        if (at > side.delivered) {
          gap = at - side.delivered;
          side.delivered = at;
        }
        const skip = side.delivered - at;
        if (skip >= held.data.length) continue;
        const fresh = skip > 0 ? held.data.subarray(skip) : held.data;
        side.delivered += fresh.length;
        if (gap > 0) {
          missing += gap;
          gaps++;
        }
        if (current && gap === 0 && current.length + fresh.length <= CHUNK_LIMIT) {
          current.parts.push(fresh);
          current.length += fresh.length;
        } else {
          current = { side: sideIndex, time: held.time, parts: [fresh], length: fresh.length, ...(gap > 0 ? { gapBefore: gap } : {}) };
          late.push(current);
        }
      }
      side.pending.clear();
      side.order = [];
    }
    // Among the chunks by the time their first byte arrived; a chunk already there at the same time keeps its place first.
    for (const chunk of late.sort((x, y) => x.time - y.time)) {
      let at = stream.chunks.length;
      while (at > 0 && stream.chunks[at - 1].time > chunk.time) at--;
      stream.chunks.splice(at, 0, chunk);
    }
    return { missing, gaps };
  }

  result(format: 'pcap' | 'pcapng'): ParsedCapture {
    const streams: CapturedStream[] = [];
    for (const s of new Set(this.streams.values())) {
      const { missing: missingBytes, gaps } = this.skipGaps(s);
      let client: 0 | 1 = s.clientSide ?? s.guessedClient ?? (s.endpoints[0].port > s.endpoints[1].port ? 0 : 1);
      if (s.clientSide === null && s.guessedClient === null && s.chunks.length) client = s.chunks[0].side;
      streams.push({
        client: s.endpoints[client],
        server: s.endpoints[1 - client],
        openedAt: s.openedAt,
        closedAt: s.closedAt,
        closedBy: s.closedBy === null ? null : s.closedBy === client ? 'client' : 'server',
        sawHandshake: s.sawSyn,
        chunks: s.chunks.map((c) => ({
          direction: c.side === client ? 'client-to-server' : 'server-to-client',
          time: c.time,
          data: c.parts.length === 1 ? c.parts[0].slice() : concatBytes(c.parts),
          ...(c.gapBefore ? { gapBefore: c.gapBefore } : {}),
        })),
        missingBytes,
        gaps,
      });
    }
    streams.sort((x, y) => x.openedAt - y.openedAt);
    const notes = [...this.notes];
    if (this.fragments) notes.push(`${this.fragments} IP fragments were skipped (the importer does not reassemble IP fragments)`);
    if (this.truncated) notes.push(`${this.truncated} packets were cut short by the capture's snap length; capture with -s 0 to keep whole packets`);
    const endpoint = (e: Endpoint) => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);
    const why = this.truncated ? 'packets the snap length cut short, or lost packets' : 'lost packets';
    for (const s of streams) {
      if (s.missingBytes) {
        notes.push(
          `${endpoint(s.client)} → ${endpoint(s.server)}: ${s.missingBytes} bytes were not captured (${s.gaps === 1 ? 'one gap' : `${s.gaps} gaps`} in the TCP sequence numbers: ${why}); ` +
            'the records before each gap are decoded, decoding resumes at the first record header found after it, and the timeline marks each gap',
        );
      }
    }
    return { format, packets: this.packets, streams, keylog: this.keylog, notes };
  }
}

const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
const PCAP_MAGIC_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

export function captureFormat(bytes: Uint8Array): 'pcap' | 'pcapng' | null {
  if (bytes.length < 12) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const be = view.getUint32(0, false);
  const le = view.getUint32(0, true);
  if (be === PCAPNG_SHB) return 'pcapng';
  if ([PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO].includes(be) || [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO].includes(le)) return 'pcap';
  return null;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/**
 * The most a compressed capture may grow to. A few kilobytes of gzip can stand for gigabytes of
 * zeros; uncompressing all of them would fill the engine's memory before anything could say no.
 */
export const MAX_UNCOMPRESSED = 1024 * 1024 * 1024;

/** The capture inside a gzip file (as Wireshark and `tshark -w x.pcapng.gz` read them), or the bytes as they are. */
function uncompressed(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_UNCOMPRESSED });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CaptureError(
        'this gzip-compressed file uncompresses to more than 1 GiB, far more than a lab capture holds: it is damaged or made to fill memory; ' +
          'cut the capture to the connections you need (editcap, or a display filter in Wireshark) and give that',
      );
    }
    // zlib's own words ("incorrect header check", "unexpected end of file") name the damage well enough.
    const reason = (error as Error).message.replace(/^zlib:\s*/, '');
    throw new CaptureError(`this gzip-compressed file does not uncompress (${reason}); it is damaged or cut short: copy it again, or give the capture uncompressed`);
  }
}

/** An SSLKEYLOGFILE given where the capture belongs: its first line (after comments) is "LABEL <client random> <secret>". */
function looksLikeKeylog(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const first = head.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  return first !== undefined && /^[A-Z_0-9]+ [0-9a-fA-F]{64} [0-9a-fA-F]+$/.test(first);
}

export function readCapture(compressed: Uint8Array): ParsedCapture {
  const bytes = uncompressed(compressed);
  const format = captureFormat(bytes);
  if (!format) {
    if (looksLikeKeylog(bytes)) {
      throw new CaptureError('this file is a TLS key log (SSLKEYLOGFILE), not a capture; import the capture and give this file as its key log (--keylog)');
    }
    const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
    if (/^\s*-----BEGIN [A-Z0-9 ]+-----/.test(head) || (bytes[0] === 0x30 && (bytes[1] === 0x82 || bytes[1] === 0x81 || bytes[1] === 0x80))) {
      const form = bytes[0] === 0x30 ? 'a DER certificate, key or PKCS#12 file' : 'PEM (certificates or keys)';
      throw new CaptureError(`this file is ${form}, not a session: certificates and keys come in with "tlslab import" (Import on the Certificates page); sessions come from bundles and captures`);
    }
    throw new CaptureError('this file is neither a pcap nor a pcapng capture (nor a session bundle); give a capture written by tcpdump, tshark or Wireshark, or a bundle exported by the workbench');
  }
  const reader = new CaptureReader();
  if (format === 'pcap') readPcap(bytes, reader);
  else readPcapng(bytes, reader);
  return reader.result(format);
}

function readPcap(bytes: Uint8Array, reader: CaptureReader): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) throw new CaptureError('this pcap file ends inside its header; the capture is incomplete');
  const magic = view.getUint32(0, true);
  const little = magic === PCAP_MAGIC_MICRO || magic === PCAP_MAGIC_NANO;
  const nano = (little ? magic : view.getUint32(0, false)) === PCAP_MAGIC_NANO;
  // The link type's low 16 bits; the upper bits may carry FCS information.
  const linktype = view.getUint32(20, little) & 0xffff;
  let at = 24;
  while (at + 16 <= bytes.length) {
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const original = view.getUint32(at + 12, little);
    if (at + 16 + captured > bytes.length) {
      reader.notes.add('the capture ends inside a packet (it was cut short); the packets before it were read');
      break;
    }
    const time = seconds * 1000 + (nano ? fraction / 1e6 : fraction / 1e3);
    reader.packet(linktype, bytes.subarray(at + 16, at + 16 + captured), time, original);
    at += 16 + captured;
  }
}

/** Bytes of fixed fields in the body of the pcapng blocks the reader reads (before any data and options). */
const FIXED_FIELDS: Record<number, number> = { 0x00000001: 8, 0x00000002: 20, 0x00000003: 4, 0x00000006: 20, 0x0000000a: 8 };

interface PcapngInterface {
  linktype: number;
  /** Timestamp units per second. */
  unitsPerSecond: number;
}

function readPcapng(bytes: Uint8Array, reader: CaptureReader): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little = true;
  let interfaces: PcapngInterface[] = [];
  let at = 0;
  let lastTime = 0;
  while (at + 12 <= bytes.length) {
    let type = view.getUint32(at, little);
    if (view.getUint32(at, true) === PCAPNG_SHB) {
      type = PCAPNG_SHB;
      const order = view.getUint32(at + 8, true);
      if (order === PCAPNG_BYTE_ORDER) little = true;
      else if (view.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER) little = false;
      else throw new CaptureError('this pcapng file has an unreadable section header (no byte-order magic); the file is damaged');
      interfaces = [];
    }
    const length = view.getUint32(at + 4, little);
    if (length < 12 || length % 4 !== 0) throw new CaptureError(`this pcapng file has a damaged block at byte ${at} (length ${length}); the file is damaged`);
    if (at + length > bytes.length) {
      reader.notes.add('the capture ends inside a block (it was cut short); the packets before it were read');
      break;
    }
    const body = at + 8;
    const bodyEnd = at + length - 4;
    const least = FIXED_FIELDS[type] ?? 0;
    if (bodyEnd - body < least) {
      throw new CaptureError(`this pcapng file has a damaged block at byte ${at} (length ${length}, too short for the ${least} bytes of fields its type has); the file is damaged`);
    }
    switch (type) {
      case 0x00000001: {
        // Interface Description Block.
        const linktype = view.getUint16(body, little);
        let unitsPerSecond = 1e6;
        let o = body + 8;
        while (o + 4 <= bodyEnd) {
          const code = view.getUint16(o, little);
          const optionLength = view.getUint16(o + 2, little);
          if (code === 0) break;
          if (code === 9 && optionLength >= 1) {
            const v = bytes[o + 4];
            unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
          }
          o += 4 + ((optionLength + 3) & ~3);
        }
        interfaces.push({ linktype, unitsPerSecond });
        break;
      }
      case 0x00000006:
      case 0x00000002: {
        // Enhanced Packet Block, and the obsolete Packet Block (16-bit interface id, 16-bit drops).
        const id = type === 6 ? view.getUint32(body, little) : view.getUint16(body, little);
        const iface = interfaces[id];
        if (!iface) throw new CaptureError(`this pcapng file has a packet for interface ${id}, which it never described; the file is damaged`);
        const ticks = view.getUint32(body + 4, little) * 0x100000000 + view.getUint32(body + 8, little);
        const captured = view.getUint32(body + 12, little);
        const original = view.getUint32(body + 16, little);
        if (body + 20 + captured > bodyEnd) throw new CaptureError(`this pcapng file has a packet longer than its block at byte ${at}; the file is damaged`);
        lastTime = (ticks / iface.unitsPerSecond) * 1000;
        reader.packet(iface.linktype, bytes.subarray(body + 20, body + 20 + captured), lastTime, original);
        break;
      }
      case 0x00000003: {
        // Simple Packet Block: interface 0, no time stamp.
        const iface = interfaces[0];
        if (!iface) break;
        const original = view.getUint32(body, little);
        const captured = Math.min(original, bodyEnd - body - 4);
        reader.packet(iface.linktype, bytes.subarray(body + 4, body + 4 + captured), lastTime, original);
        break;
      }
      case 0x0000000a: {
        // Decryption Secrets Block.
        const secretsType = view.getUint32(body, little);
        const secretsLength = view.getUint32(body + 4, little);
        if (secretsType === 0x544c534b && body + 8 + secretsLength <= bodyEnd) {
          const text = new TextDecoder().decode(bytes.subarray(body + 8, body + 8 + secretsLength));
          for (const line of text.split(/\r?\n/)) {
            const l = line.trim();
            if (l && !l.startsWith('#')) reader.keylog.push(l.replace(/\s+/g, ' '));
          }
        } else if (secretsType !== 0x544c534b) {
          reader.notes.add(`a Decryption Secrets Block of type 0x${secretsType.toString(16)} was skipped (only TLS key logs are read)`);
        }
        break;
      }
      default:
        break;
    }
    at += length;
  }
}
