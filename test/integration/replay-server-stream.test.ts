// A non-HTTP session (a line protocol: `openssl s_server -rev` reverses each line) played back by
// the replay server to `openssl s_client`. A client that types something else gets no answer that
// fits; its recorded session must say why.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { loopbackGet } from '../support/clientRequest';

let tmp: string;
let pki: TestPki;
let wb: Workbench;
let rev: RunningPeer;
let id: number;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-replay-stream-'));
  pki = makeTestPki();
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Stream CA', subject: '/CN=Stream CA' });
  rev = await startOpensslServer(pki.serverCert, pki.serverKey, ['-rev']);
  id = await wb.recordClient(loopbackGet('www.bank32.com', rev.port, pki.caCert, { send: { kind: 'text', text: 'hello lab\r\n' }, timeoutMs: 1000 }));
});

afterAll(async () => {
  await rev?.stop();
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

/** openssl s_client sends `line`, then closes when its input ends; resolves with what it printed. */
function sClient(port: number, line: string): Promise<string> {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.bank32.com', '-quiet', '-no_ign_eof'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stdin.end(line);
  return new Promise((resolve) => child.once('exit', () => resolve(out)));
}

async function finishedServerSession(after: number): Promise<SessionDetail> {
  for (let i = 0; i < 400; i++) {
    const found = wb.listSessions(100).find((s) => s.kind === 'server' && s.id > after && s.status !== 'running');
    if (found) return wb.session(found.id);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no finished replay server session');
}

describe('replay-server playing back a line protocol', () => {
  it("a client that strays from the recorded bytes is told so in its session's timeline", async () => {
    const server = await wb.replay.startServer({ ids: [id], ca: 'Stream CA', listen: '127.0.0.1:0' });
    try {
      expect(server.streams).toBe(1);
      await sClient(server.port, 'goodbye\r\n');
      const session = await finishedServerSession(id);
      const notes = session.connections[0].timeline.flatMap((e) => (e.kind === 'note' ? [e.text] : []));
      expect(notes).toContain(
        `the client's bytes differ from session ${id}'s recorded client from byte 0 on: the recorded server turns are played back regardless, each once the client has sent as many bytes as the recorded client had before it`,
      );
    } finally {
      await wb.replay.stopServer(server.id);
    }
  });
});
