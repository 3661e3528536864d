// Where recorded bytes live: a busy connection's chunks go to an append-only file per connection
// (recordings/<id>.bin) with their rows keeping offsets. The bytes read back must be the bytes
// that crossed the socket, in order — judged by decrypting them with the key log against what
// openssl served — and an engine killed mid-download must leave a readable database.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientSessionRequest, SessionDetail } from '../../src-main/api/types';
import { SessionRecording } from '../../src-main/sessions/recorder';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { freePort, waitForPort } from '../support/ports';
import { run } from '../support/run';

const ROOT = path.resolve(__dirname, '..', '..');
let pki: TestPki;
let tmp: string;
const peers: RunningPeer[] = [];

beforeAll(() => {
  pki = makeTestPki('tlslab-recstore-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-recstore-'));
});

afterAll(async () => {
  for (const peer of peers) await peer.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function request(port: number, file: string): ClientSessionRequest {
  return {
    host: 'www.bank32.com',
    port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: `/${file}` },
    timeoutMs: 60_000,
  };
}

/** The notes in a session's first connection's timeline. */
function notes(session: SessionDetail): string[] {
  return session.connections[0].timeline.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
}

function applicationData(wb: Workbench, connectionId: number): Buffer {
  const chunks = wb.sessions.getChunks(connectionId);
  const keylog = wb.sessions.getKeylog(connectionId);
  const decrypted = decryptConnection({ chunks, keylog });
  return Buffer.concat(
    decrypted.records
      .filter((r) => r.direction === 'server-to-client' && r.contentType === 23 && r.status === 'decrypted')
      .map((r) => Buffer.from(r.plaintextHex ?? '', 'hex')),
  );
}

describe('recorded bytes of a large download', () => {
  const body = crypto.randomBytes(6 * 1024 * 1024 + 123);
  let peer: RunningPeer;

  beforeAll(async () => {
    const www = path.join(tmp, 'www');
    fs.mkdirSync(www);
    fs.writeFileSync(path.join(www, 'big.bin'), body);
    peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-WWW', '-quiet'], { cwd: www });
    peers.push(peer);
  });

  /** Downloads big.bin recording every byte; checks the recording and returns the connection's notes. */
  async function downloadIntact(wb: Workbench, dataDir: string): Promise<string[]> {
    const id = await wb.recordClient(request(peer.port, 'big.bin'));
    const detail = await wb.session(id);
    expect(detail.status).toBe('ok');
    const [connection] = wb.sessions.getConnections(id);
    expect(connection.recordedServerToClient).toBe(connection.bytesServerToClient);
    const file = path.join(dataDir, 'recordings', `${connection.id}.bin`);
    expect(fs.existsSync(file)).toBe(true);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');

    const chunks = wb.sessions.getChunks(connection.id);
    const sum = (d: string) => chunks.filter((c) => c.direction === d).reduce((n, c) => n + c.data.length, 0);
    expect(sum('server-to-client')).toBe(connection.bytesServerToClient);
    expect(sum('client-to-server')).toBe(connection.bytesClientToServer);

    const plain = applicationData(wb, connection.id);
    const split = plain.indexOf('\r\n\r\n');
    expect(plain.subarray(0, split).toString('latin1')).toMatch(/^HTTP\/1\.0 200 ok/);
    expect(plain.subarray(split + 4).equals(body)).toBe(true);
    return notes(detail);
  }

  it('are kept in the connection file and decrypt to exactly the file openssl served', async () => {
    const dataDir = path.join(tmp, 'data');
    const wb = new Workbench({ dataDir, recordCapBytes: 0 });
    try {
      // Far under the default allowance: nothing waits, and the timeline says nothing about it.
      expect((await downloadIntact(wb, dataDir)).filter((n) => n.includes('disk fell behind'))).toEqual([]);
    } finally {
      await wb.close();
    }
  });

  /** A workbench with a small backlog allowance, so that a 6 MB download on any machine runs into it. */
  function pacedWorkbench(folder: string): { wb: Workbench; dataDir: string } {
    const dataDir = path.join(tmp, folder);
    const wb = new Workbench({ dataDir, recordCapBytes: 0 });
    wb.writer.backlogLimits.high = 512 * 1024;
    wb.writer.backlogLimits.low = 128 * 1024;
    return { wb, dataDir };
  }

  it('wait for the disk when they come faster than it takes them: the backlog in memory stays near its limit', async () => {
    const { wb, dataDir } = pacedWorkbench('data-paced');
    try {
      const said = await downloadIntact(wb, dataDir);
      // Over the limit by at most what the socket had already read when the tap paused it.
      expect(wb.writer.backlogPeak).toBeLessThanOrEqual(512 * 1024 + 256 * 1024);
      // Once in the timeline: the gaps after it may be the workbench's, not the network's.
      expect(said.filter((n) => n.startsWith('the disk fell behind the recording'))).toHaveLength(1);
    } finally {
      await wb.close();
    }
  });

  it('a recording server waits for the disk too, and curl still gets the whole file', async () => {
    const { wb } = pacedWorkbench('data-paced-server');
    try {
      const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.serverCert, keyPath: pki.serverKey }, responder: { kind: 'dir', path: path.join(tmp, 'www') } });
      const url = `https://www.bank32.com:${server.port}/big.bin`;
      const out = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, '-o', path.join(tmp, 'fetched.bin'), url]);
      expect(out.code, out.stderr).toBe(0);
      expect(fs.readFileSync(path.join(tmp, 'fetched.bin')).equals(body)).toBe(true);
      await wb.servers.stop(server.id);
      await wb.writer.written();
      const session = wb.listSessions(10).find((x) => x.kind === 'server');
      const [connection] = wb.sessions.getConnections(session!.id);
      expect(notes(await wb.session(session!.id)).filter((n) => n.startsWith('the disk fell behind the recording'))).toHaveLength(1);
      expect(connection.recordedServerToClient).toBe(connection.bytesServerToClient);
      const plain = applicationData(wb, connection.id);
      expect(plain.subarray(plain.indexOf('\r\n\r\n') + 4).equals(body)).toBe(true);
      // The server writes in pieces of up to about 2 MiB; one may pass before its completion is held.
      expect(wb.writer.backlogPeak).toBeLessThanOrEqual(512 * 1024 + 2.5 * 1024 * 1024);
    } finally {
      await wb.close();
    }
  });
});

/** A Python ssl server that sends a header and `bytes` of body, then holds the connection open. */
async function stallingServer(bytes: number): Promise<{ port: number; body: Buffer; stop(): void }> {
  const port = await freePort();
  const body = crypto.randomBytes(bytes);
  const bodyFile = path.join(tmp, 'stall.bin');
  fs.writeFileSync(bodyFile, body);
  const script = `
import socket, ssl, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(${JSON.stringify(pki.serverCert)}, ${JSON.stringify(pki.serverKey)})
srv = socket.create_server(("127.0.0.1", ${port}))
while True:  # the port probe connects first and goes without a handshake
    conn, _ = srv.accept()
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
        break
    except (ssl.SSLError, OSError):
        conn.close()
req = b""
while b"\\r\\n\\r\\n" not in req:
    req += tls.recv(4096)
body = open(${JSON.stringify(bodyFile)}, "rb").read()
tls.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % (len(body) * 2) + body)
time.sleep(120)
`;
  const child = spawn('python3', ['-c', script], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, body, stop: () => void child.kill('SIGKILL') };
}

/** Bytes from the server committed so far (counted in the same transaction as their rows), read by a connection of our own. */
function recordedBytes(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 1000');
    return db.prepare('SELECT coalesce(sum(recorded_s2c), 0) FROM connections').pluck().get() as number;
  } catch {
    return 0; // not created yet
  } finally {
    db.close();
  }
}

describe('bytes handed to the recorder', () => {
  it('are kept as they were when handed over, even when the caller reuses its buffer (through several flushes and reused slabs)', async () => {
    const wb = new Workbench({ dataDir: path.join(tmp, 'reuse'), recordCapBytes: 0 });
    try {
      const recording = SessionRecording.start(wb.writer, { kind: 'client', target: 'reuse.test:443', startedAt: Date.now() });
      const connection = recording.openConnection('client');
      // One buffer, refilled before every call, as a socket that reuses its read buffer would.
      const scratch = Buffer.alloc(300 * 1024);
      const expected: Buffer[] = [];
      const sizes = [5, 16 * 1024 + 5, 64 * 1024, 300 * 1024, 200 * 1024, 1, 999 * 1024 - 7];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 40; i++) {
          const n = Math.min(sizes[(i + round) % sizes.length], scratch.length);
          const piece = scratch.subarray(0, n);
          crypto.randomFillSync(piece);
          expected.push(Buffer.from(piece));
          connection.bytes(i % 5 === 0 ? 'client-to-server' : 'server-to-client', piece);
          piece.fill(0xee);
        }
        // A batch reaches the files and the database, and its slabs go back for the next round.
        await wb.writer.written();
      }
      const chunks = wb.sessions.getChunks(connection.id);
      expect(chunks.length).toBe(expected.length);
      chunks.forEach((chunk, i) => expect(Buffer.from(chunk.data).equals(expected[i]), `chunk ${i} (${expected[i].length} bytes)`).toBe(true));
      expect(chunks.filter((c) => c.direction === 'client-to-server').length).toBe(24);
    } finally {
      await wb.close();
    }
  });
});

describe('an engine killed in the middle of a download', () => {
  it('leaves the database readable: the session is marked interrupted and what was written decrypts in order', async () => {
    const server = await stallingServer(3 * 1024 * 1024);
    const dataDir = path.join(tmp, 'crash-data');
    const script = path.join(tmp, 'record.mts');
    fs.writeFileSync(
      script,
      `import { Workbench } from ${JSON.stringify(path.join(ROOT, 'src-main', 'workbench.ts'))};
const wb = new Workbench({ dataDir: ${JSON.stringify(dataDir)}, recordCapBytes: 0 });
await wb.recordClient(${JSON.stringify({ ...request(server.port, 'stall'), timeoutMs: 120_000 })});
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let childErr = '';
    child.stderr!.on('data', (d) => (childErr += d));
    try {
      // Wait until the rows of nearly all the sent body are committed (read from beside the
      // engine, as another process would), then kill the engine without warning. The client
      // would close on its own only after 1.5 s without data.
      const dbFile = path.join(dataDir, 'workbench.sqlite');
      for (;;) {
        if (fs.existsSync(dbFile) && recordedBytes(dbFile) >= server.body.length - 64 * 1024) break;
        if (child.exitCode !== null) throw new Error(`the recording engine exited on its own: ${childErr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      server.stop();
    }

    const wb = new Workbench({ dataDir });
    try {
      const [session] = wb.listSessions(10);
      expect(session.status).toBe('failed');
      expect(session.error?.code).toBe('INTERRUPTED');
      const [connection] = wb.sessions.getConnections(session.id);
      const plain = applicationData(wb, connection.id);
      const split = plain.indexOf('\r\n\r\n');
      expect(plain.subarray(0, split).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
      const got = plain.subarray(split + 4);
      // Every row written before the kill is there, in order: a prefix of what was sent.
      expect(got.length).toBeGreaterThan(0);
      expect(got.equals(server.body.subarray(0, got.length))).toBe(true);
    } finally {
      await wb.close();
    }
  });
});
