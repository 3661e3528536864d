// TCP reassembly of ordinary captures: a capture with segments out of order, retransmitted whole
// and retransmitted overlapping, on Ethernet, BSD loopback (LINKTYPE_NULL) and IPv6, as classic
// pcap. tshark confirms the capture really shows retransmissions and out-of-order segments; the
// importer must still hand back exactly the bytes that were sent.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src-main/export/pcapImport';
import { type CaptureConnection, writePcapng } from '../../src-main/export/pcapng';
import { tshark } from '../support/loopbackCapture';
import { type Frame, frames, pcap } from '../support/pcapFrames';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-reassembly-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Ethernet frames as BSD loopback frames: a 4-byte host-order address family instead of the MACs. */
function asNull(list: Frame[], family: number): Frame[] {
  return list.map((f) => {
    const out = Buffer.alloc(f.data.length - 10);
    out.writeUInt32LE(family, 0);
    out.set(f.data.subarray(14), 4);
    return { time: f.time, data: out };
  });
}

const payloadLength = (f: Frame, v6: boolean) => f.data.length - 14 - (v6 ? 40 : 20) - (f.data[14 + (v6 ? 40 : 20) + 12] >> 4) * 4;

/** Swaps two data segments, resends one whole and one as an overlapping part. */
function disorder(list: Frame[], v6: boolean): Frame[] {
  const data = list.map((f, i) => ({ f, i })).filter(({ f }) => payloadLength(f, v6) > 0);
  const out = [...list];
  // Out of order: the 4th and 5th data segments change places.
  const [a, b] = [data[3].i, data[4].i];
  [out[a], out[b]] = [out[b], out[a]];
  // A whole retransmission of the 2nd data segment, after the 6th.
  out.splice(data[6].i + 1, 0, { time: data[6].f.time, data: data[1].f.data });
  // Right after the 8th segment, one re-cut to overlap it and half the 9th: part old, part new
  // bytes; the 9th then arrives and is half a duplicate. (+1: the retransmission spliced in above.)
  out.splice(data[7].i + 2, 0, { time: data[7].f.time, data: overlapping(data[7].f, data[8].f, v6) });
  return out;
}

/** A segment starting halfway into `a` and ending halfway into `b` (which follows it). */
function overlapping(a: Frame, b: Frame, v6: boolean): Uint8Array {
  const ipLength = v6 ? 40 : 20;
  const headers = 14 + ipLength + (a.data[14 + ipLength + 12] >> 4) * 4;
  const pa = a.data.subarray(headers);
  const pb = b.data.subarray(headers);
  const half = Math.floor(pa.length / 2);
  const frame = Buffer.concat([a.data.subarray(0, headers), pa.subarray(half), pb.subarray(0, Math.floor(pb.length / 2))]);
  const tcp = 14 + ipLength;
  frame.writeUInt32BE((frame.readUInt32BE(tcp + 4) + half) >>> 0, tcp + 4);
  if (v6) frame.writeUInt16BE(frame.length - 14 - 40, 14 + 4);
  else frame.writeUInt16BE(frame.length - 14, 14 + 2);
  return frame;
}

const hello = () => {
  // A ClientHello-looking first record, so the importer takes the stream for TLS.
  const body = randomBytes(200);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xcc, 0x01]), body]);
};

function connection(client: string, server: string): { conn: CaptureConnection; up: Buffer; down: Buffer } {
  const up = Buffer.concat([hello(), randomBytes(5000)]);
  const down = randomBytes(20000);
  return {
    up,
    down,
    conn: {
      client: { address: client, port: 50123 },
      server: { address: server, port: 4433 },
      chunks: [
        { direction: 'client-to-server', time: 1_700_000_000_000, data: up.subarray(0, 206) },
        { direction: 'server-to-client', time: 1_700_000_000_002, data: down },
        { direction: 'client-to-server', time: 1_700_000_000_004, data: up.subarray(206) },
      ],
    },
  };
}

describe('TCP reassembly', () => {
  it.each([
    ['Ethernet, IPv4', '127.0.0.1', '127.0.0.1', 1],
    ['BSD loopback (LINKTYPE_NULL), IPv4', '127.0.0.1', '127.0.0.1', 0],
    ['Ethernet, IPv6', '::1', '::1', 1],
  ])('%s: out-of-order and retransmitted segments give back exactly the bytes sent', (title, client, server, linktype) => {
    const v6 = client.includes(':');
    const { conn, up, down } = connection(client, server);
    const clean = frames(writePcapng({ connections: [conn] }));
    let mixed = disorder(clean, v6);
    if (linktype === 0) mixed = asNull(mixed, 2);
    const file = path.join(tmp, `${title.replace(/\W+/g, '-')}.pcap`);
    fs.writeFileSync(file, pcap(mixed, linktype));

    // tshark agrees the capture is disordered (so the test tests something).
    const flags = tshark(['-r', file, '-Y', 'tcp.analysis.retransmission || tcp.analysis.out_of_order', '-T', 'fields', '-e', 'frame.number']);
    expect(flags.trim().split('\n').length).toBeGreaterThanOrEqual(2);

    const parsed = readCapture(fs.readFileSync(file));
    expect(parsed.format).toBe('pcap');
    expect(parsed.streams).toHaveLength(1);
    const [stream] = parsed.streams;
    expect(stream.client).toEqual({ address: client, port: 50123 });
    expect(stream.sawHandshake).toBe(true);
    expect(stream.missingBytes).toBe(0);
    const joined = (direction: string) => Buffer.concat(stream.chunks.filter((c) => c.direction === direction).map((c) => c.data));
    expect(joined('client-to-server').equals(up)).toBe(true);
    expect(joined('server-to-client').equals(down)).toBe(true);
    expect(stream.closedBy).toBe('client');
  });

  it('a capture that lost a segment says how many bytes never arrived, and keeps the bytes after the gap', () => {
    const { conn, down } = connection('127.0.0.1', '127.0.0.1');
    const clean = frames(writePcapng({ connections: [conn] }));
    const lost = clean.filter((f) => payloadLength(f, false) > 0)[4];
    const file = path.join(tmp, 'lost.pcap');
    fs.writeFileSync(file, pcap(clean.filter((f) => f !== lost), 1));
    const parsed = readCapture(fs.readFileSync(file));
    const missing = payloadLength(lost, false);
    expect(parsed.streams[0].missingBytes).toBe(missing);
    expect(parsed.notes.join('\n')).toContain(`${missing} bytes were not captured (one gap in the TCP sequence numbers: lost packets)`);
    // The bytes after the gap are kept, on the chunk that says how many are missing before it.
    const [stream] = parsed.streams;
    const server = stream.chunks.filter((c) => c.direction === 'server-to-client');
    expect(server.filter((c) => c.gapBefore).map((c) => c.gapBefore)).toEqual([missing]);
    const before = Buffer.concat(server.slice(0, server.findIndex((c) => c.gapBefore)).map((c) => c.data));
    const kept = Buffer.concat(server.map((c) => c.data));
    expect(kept.equals(Buffer.concat([down.subarray(0, before.length), down.subarray(before.length + missing)]))).toBe(true);
  });
});
