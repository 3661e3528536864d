// A server session left recording all lesson long can hold more than 65,535 connections. Its
// pcapng must keep every connection's bytes on its own TCP stream (tshark is the judge) and its
// bundle must bring every chunk back to its own connection; a bundle of an ordinary session stays
// in format 1, which every workbench reads.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle, writeBundle } from '../../src-main/export/bundle';
import { sessionCapture, writePcapng } from '../../src-main/export/pcapng';
import type { RecordedConnection, RecordedSession } from '../../src-main/export/recordedSession';
import { tshark } from '../support/loopbackCapture';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).error === undefined;
const COUNT = 65_536 + 3;
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-many-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Connection i: client 127.0.0.(1 + i / 60000) port 1024 + i % 60000, sending its own number. */
function connection(i: number): RecordedConnection {
  const data = Buffer.alloc(4);
  data.writeUInt32BE(i);
  return {
    leg: 'server',
    local: '127.0.0.1:4433',
    remote: `127.0.0.${1 + Math.floor(i / 60_000)}:${1024 + (i % 60_000)}`,
    openedAt: 1_800_000_000_000 + i,
    closedAt: 1_800_000_000_001 + i,
    bytesClientToServer: 4,
    bytesServerToClient: 0,
    recordedClientToServer: 4,
    recordedServerToClient: 0,
    chunks: [{ direction: 'client-to-server', t: i, data }],
    events: [],
    keylog: [],
    certificates: [],
  };
}

function session(count: number): RecordedSession {
  return {
    kind: 'server',
    status: 'ok',
    startedAt: 1_800_000_000_000,
    endedAt: 1_800_000_000_000 + count,
    target: '127.0.0.1:4433',
    address: '127.0.0.1:4433',
    sni: null,
    version: null,
    cipher: null,
    alpn: null,
    verification: null,
    error: null,
    request: null,
    response: null,
    name: null,
    tags: [],
    connections: Array.from({ length: count }, (_, i) => connection(i)),
  };
}

describe('a session of more than 65,535 connections', () => {
  const many = session(COUNT);

  it('comes back from its bundle with every chunk on its own connection; a small session stays in bundle format 1', () => {
    const bytes = writeBundle(many, { application: 'TLS Lab Workbench', version: 'test' });
    const back = readBundle(bytes);
    expect(back.connections).toHaveLength(COUNT);
    const misplaced = back.connections.filter((c, i) => c.chunks.length !== 1 || Buffer.from(c.chunks[0].data).readUInt32BE(0) !== i);
    expect(misplaced.map((c) => c.remote)).toEqual([]);

    const small = writeBundle(session(3), { application: 'TLS Lab Workbench', version: 'test' });
    expect(Buffer.from(small).readUInt16BE(14)).toBe(1);
    expect(readBundle(small).connections.map((c) => c.chunks[0].data[3])).toEqual([0, 1, 2]);
  });

  it.skipIf(!hasTshark)('keeps every connection on its own TCP stream in the pcapng, as tshark reads it', () => {
    const file = path.join(tmp, 'many.pcapng');
    fs.writeFileSync(file, writePcapng(sessionCapture(many)));
    // One pass of tshark over the 65,539 connections (each pass takes a minute on a slow machine):
    // every data segment with its client and the bytes it carries.
    const rows = tshark(['-r', file, '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'tcp.payload'])
      .trim()
      .split('\n');
    // Nobody's bytes appear twice: one data segment per connection.
    expect(rows).toHaveLength(COUNT);
    // The last connections, past index 65,535, each carry their own number from their own client.
    expect(rows.filter((r) => r.startsWith('127.0.0.2\t') && Number(r.split('\t')[1]) >= 6560)).toEqual(
      [65_536, 65_537, 65_538].map((i) => `127.0.0.2\t${1024 + (i % 60_000)}\t${i.toString(16).padStart(8, '0')}`),
    );
  });
});
