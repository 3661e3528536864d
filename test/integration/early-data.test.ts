// TLS 1.3 0-RTT between two real OpenSSL peers (Node's TLS has none): s_client resumes a session
// and sends early data with its ClientHello. A relay in the middle records the bytes both ways,
// as the workbench records any connection; the decryptor must open the early data, the
// EndOfEarlyData that ends it (under the early keys too) and everything after, and say what the
// server did with it.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import type { RecordedChunk } from '../../src-main/tls/records';
import { recordingRelay } from '../support/recordingRelay';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { waitUntil } from '../support/waitUntil';

let pki: TestPki;
let dir: string;
const peers: RunningPeer[] = [];
const clients: ChildProcess[] = [];

beforeAll(() => {
  pki = makeTestPki('tlslab-early-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-early-'));
});
afterAll(async () => {
  for (const c of clients) c.kill();
  for (const p of peers) await p.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function server(args: string[]): Promise<RunningPeer> {
  const peer = await startOpensslServer(pki.serverCert, pki.serverKey, args);
  peers.push(peer);
  return peer;
}

/** Runs s_client until `done` says so (it stays connected: -ign_eof), then stops it. */
async function sClient(port: number, args: string[], input: string, done: () => boolean): Promise<void> {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', '-quiet', ...args], { stdio: ['pipe', 'ignore', 'ignore'] });
  clients.push(child);
  child.stdin.write(input);
  try {
    await waitUntil(`s_client ${args.join(' ')} to get what the test waits for`, done);
  } finally {
    child.kill();
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

/**
 * A session ticket that allows early data, from a server with -early_data. s_client rewrites its
 * -sess_out file (opened with O_TRUNC) for each ticket the server sends, two by default: stopped
 * between the two, it could leave the file empty. A whole ticket, once read, is kept in a file of
 * the test's own.
 */
async function ticket(peer: RunningPeer, name: string): Promise<string> {
  const written = path.join(dir, `${name}.sess_out`);
  const session = path.join(dir, `${name}.session`);
  const kept = () => {
    if (fs.existsSync(session)) return true;
    const text = fs.existsSync(written) ? fs.readFileSync(written, 'utf8') : '';
    if (!/-----BEGIN SSL SESSION PARAMETERS-----[^-]+-----END SSL SESSION PARAMETERS-----/.test(text)) return false;
    fs.writeFileSync(session, text);
    return true;
  };
  await sClient(peer.port, ['-sess_out', written], '', kept);
  return session;
}

const EARLY = 'GET /early HTTP/1.0\r\n\r\n';

async function earlyDataSession(name: string, target: RunningPeer, session: string): Promise<{ chunks: RecordedChunk[]; keylog: string[] }> {
  const earlyFile = path.join(dir, `${name}.early`);
  fs.writeFileSync(earlyFile, EARLY);
  const keylog = path.join(dir, `${name}.keys`);
  const middle = await recordingRelay(target.port);
  // Done once the server has seen the data sent after the handshake.
  await sClient(middle.port, ['-sess_in', session, '-early_data', earlyFile, '-keylogfile', keylog], 'after handshake\n', () => target.output().includes('after handshake'));
  middle.close();
  return { chunks: middle.chunks, keylog: fs.readFileSync(keylog, 'utf8').split('\n') };
}

const text = (hex: string | undefined) => Buffer.from(hex ?? '', 'hex').toString('latin1');

describe('TLS 1.3 early data (0-RTT)', () => {
  it('accepted: the early data and the EndOfEarlyData open under the early keys, then every record after', async () => {
    const peer = await server(['-early_data', '-no_anti_replay']);
    const session = await ticket(peer, 'accepted');
    const { chunks, keylog } = await earlyDataSession('accepted', peer, session);
    expect(peer.output()).toContain('Early data received');

    const result = decryptConnection({ chunks, keylog });
    expect(result.decrypted).toBe(result.total);
    const client = result.records.filter((r) => r.direction === 'client-to-server');
    expect(client[0]).toMatchObject({ keyEpoch: 'early data (0-RTT)', sequenceNumber: 0, contentTypeName: 'Application Data' });
    expect(text(client[0].plaintextHex)).toBe(EARLY);
    expect(client[0].messages).toEqual(['Application Data (0-RTT)']);
    expect(client[1]).toMatchObject({ keyEpoch: 'early data (0-RTT)', sequenceNumber: 1, messages: ['EndOfEarlyData'] });
    expect(client[2]).toMatchObject({ keyEpoch: 'handshake', sequenceNumber: 0, messages: ['Finished'] });
    expect(client.some((r) => text(r.plaintextHex) === 'after handshake\n')).toBe(true);
    expect(result.keys.keys.map((k) => k.name)).toContain('client_early_write_key');
    // The client's Finished covers the EndOfEarlyData (RFC 8446, 4.4.1): both checks match.
    expect(result.keys.steps.filter((s) => s.title.includes('Finished check')).map((s) => s.note)).toEqual([
      'they match: these keys are the ones the peers used',
      'they match: these keys are the ones the peers used',
    ]);
    const note = result.keys.notes.find((n) => n.includes('0-RTT'));
    expect(note).toContain('The server accepted it');
    expect(note).toContain('replay');
  });

  it('turned down by a server that cannot resume the ticket: the early data still opens, and the handshake after it', async () => {
    const first = await server(['-early_data', '-no_anti_replay']);
    const session = await ticket(first, 'rejected');
    // Another process has other ticket keys: a full handshake, and the early data is skipped.
    const other = await server([]);
    const { chunks, keylog } = await earlyDataSession('rejected', other, session);

    const result = decryptConnection({ chunks, keylog });
    expect(result.decrypted).toBe(result.total);
    const client = result.records.filter((r) => r.direction === 'client-to-server');
    expect(client[0].keyEpoch).toBe('early data (0-RTT)');
    expect(text(client[0].plaintextHex)).toBe(EARLY);
    expect(client.find((r) => r.messages.includes('Finished'))).toMatchObject({ keyEpoch: 'handshake', sequenceNumber: 0 });
    expect(client.some((r) => r.messages.includes('EndOfEarlyData'))).toBe(false);
    expect(result.keys.notes.find((n) => n.includes('0-RTT'))).toContain('The server turned it down');
  });

  it('without the early secret in the key log: the early records say why they stay closed, the rest opens', async () => {
    const peer = await server(['-early_data', '-no_anti_replay']);
    const session = await ticket(peer, 'nokey');
    const { chunks, keylog } = await earlyDataSession('nokey', peer, session);

    const result = decryptConnection({ chunks, keylog: keylog.filter((line) => !line.startsWith('CLIENT_EARLY_TRAFFIC_SECRET')) });
    const client = result.records.filter((r) => r.direction === 'client-to-server');
    expect(client[0]).toMatchObject({ status: 'no-keys' });
    expect(client[0].problem).toContain('no CLIENT_EARLY_TRAFFIC_SECRET');
    // The timeline, which needs no keys, still tells early data from the rest.
    expect(result.decoded.records.find((r) => r.number === client[0].number)?.messages).toEqual(['Application Data (0-RTT, encrypted)']);
    expect(client[1]).toMatchObject({ status: 'no-keys' });
    expect(client[1].problem).toContain('EndOfEarlyData');
    // The handshake keys start at the Finished, sequence number 0, and all later records open.
    expect(client[2]).toMatchObject({ status: 'decrypted', keyEpoch: 'handshake', sequenceNumber: 0, messages: ['Finished'] });
    expect(result.decrypted).toBe(result.total - 2);
    expect(result.keys.notes.find((n) => n.includes('0-RTT'))).toContain('no CLIENT_EARLY_TRAFFIC_SECRET line');
  });
});
