// 0-RTT in the key material: openssl s_client resumes a session with openssl s_server and sends
// early data. The early traffic secret's step shows the ClientHello's transcript hash; with the
// PSK OpenSSL kept in its session file, Derive-Secret(Early Secret, "c e traffic", that hash) is
// the CLIENT_EARLY_TRAFFIC_SECRET OpenSSL logged.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSecret, hkdfExtract } from '../../src-main/tls/hkdf';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { recordingRelay } from '../support/recordingRelay';
import { waitUntil } from '../support/waitUntil';

let pki: TestPki;
let dir: string;
let peer: RunningPeer | undefined;
const clients: ChildProcess[] = [];

/** s_client kept connected (-ign_eof, the server does not close) until `done` says so, then stopped. */
async function sClient(port: number, args: string[], input: string, done: () => boolean): Promise<void> {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-ign_eof', '-quiet', ...args], { stdio: ['pipe', 'ignore', 'ignore'] });
  clients.push(child);
  child.stdin.write(input);
  try {
    await waitUntil(`s_client ${args.join(' ')} to get what the test waits for`, done);
  } finally {
    child.kill();
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

beforeAll(() => {
  pki = makeTestPki('tlslab-inside-early-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-inside-early-'));
});

afterAll(async () => {
  for (const c of clients) c.kill();
  await peer?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the early traffic secret of a 0-RTT connection', () => {
  it('shows the ClientHello hash it is derived from; with OpenSSL\'s PSK that gives the logged secret', async () => {
    peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-early_data', '-no_anti_replay']);
    const server = peer;
    // s_client rewrites its -sess_out file for each ticket: a whole one, once there, is kept aside.
    const written = path.join(dir, 'ticket.sess_out');
    const session = path.join(dir, 'ticket.sess');
    await sClient(server.port, ['-sess_out', written], '', () => {
      if (fs.existsSync(session)) return true;
      const text = fs.existsSync(written) ? fs.readFileSync(written, 'utf8') : '';
      if (!/-----BEGIN SSL SESSION PARAMETERS-----[^-]+-----END SSL SESSION PARAMETERS-----/.test(text)) return false;
      fs.writeFileSync(session, text);
      return true;
    });
    const text = execFileSync('openssl', ['sess_id', '-in', session, '-text', '-noout']).toString();
    const psk = Buffer.from(/Resumption PSK: ([0-9A-F]+)/.exec(text)![1], 'hex');
    const hash = psk.length === 48 ? 'sha384' : 'sha256';

    const early = path.join(dir, 'early.txt');
    fs.writeFileSync(early, 'GET /early HTTP/1.0\r\n\r\n');
    const keylog = path.join(dir, 'keys.txt');
    const middle = await recordingRelay(server.port);
    await sClient(middle.port, ['-sess_in', session, '-early_data', early, '-keylogfile', keylog], 'after handshake\n', () => server.output().includes('after handshake'));
    middle.close();
    expect(server.output()).toContain('Early data received');
    const lines = fs.readFileSync(keylog, 'utf8').split('\n');
    const logged = lines.find((l) => l.startsWith('CLIENT_EARLY_TRAFFIC_SECRET '))!.split(' ')[2];

    const opened = decryptConnection({ chunks: middle.chunks, keylog: lines });
    const step = opened.keys.steps.find((s) => s.title.startsWith('client_early_traffic_secret from the key log'))!;
    expect(step.inputs.find((v) => v.name === 'Early Secret (from the PSK)')?.unknown).toBeTruthy();
    const helloHash = step.inputs.find((v) => v.name === 'Transcript-Hash(ClientHello)');
    expect(helloHash).toBeDefined();
    const earlySecret = hkdfExtract(hash, new Uint8Array(psk.length), psk);
    const derived = deriveSecret(hash, earlySecret, 'c e traffic', Buffer.from(helloHash!.hex, 'hex'));
    expect(Buffer.from(derived).toString('hex')).toBe(logged);
    expect(step.outputs[0].hex).toBe(logged);
  });
});
