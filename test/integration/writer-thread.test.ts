// The recording writer thread starts when something is first recorded: a command that only reads
// (sessions list, show, export, the certificate commands) starts none, which took each such command
// a thread, a second database connection and a sweep of the recordings folder before. The window's
// engine, which runs for hours, starts it as it starts, and so tidies the recordings folder then.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../src-main/host/engine';
import { Workbench } from '../../src-main/workbench';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let pki: TestPki;
let server: RunningPeer;
let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-writer-thread-'));
  pki = makeTestPki('tlslab-writer-thread-pki-');
  server = await startOpensslServer(pki.serverCert, pki.serverKey);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The writer's thread, or null while none was started (a private field: no public call says it). */
const writerThread = (wb: Workbench): Worker | null => (wb.writer as unknown as { worker: Worker | null }).worker;

describe('the recording writer thread', () => {
  it('is not started by a workbench that only reads, and is by its first recording', async () => {
    const dataDir = path.join(tmp, 'reads');
    const recorder = new Workbench({ dataDir });
    let id: number;
    try {
      id = await recorder.recordClient(loopbackGet('www.bank32.com', server.port, pki.caCert));
      expect(writerThread(recorder)).not.toBeNull();
    } finally {
      await recorder.close();
    }

    const reader = new Workbench({ dataDir });
    try {
      const list = await reader.listSessions();
      expect(list.map((s) => s.id)).toContain(id);
      expect((await reader.session(id)).status).toBe('ok');
      expect(writerThread(reader)).toBeNull();
      expect(await reader.writer.threadCpuMs()).toBe(0);
    } finally {
      await reader.close();
    }
    expect(writerThread(reader)).toBeNull();
  });

  it("starts with the window's engine, which tidies the recordings folder as it starts", async () => {
    const dataDir = path.join(tmp, 'engine');
    await new Workbench({ dataDir }).close();
    // A recording file whose connection is gone (a session deleted while its file was held open),
    // old enough to be swept; and one too new to be.
    const recordings = path.join(dataDir, 'recordings');
    fs.mkdirSync(recordings, { recursive: true, mode: 0o700 });
    const stale = path.join(recordings, '9001.bin');
    const fresh = path.join(recordings, '9002.bin');
    fs.writeFileSync(stale, 'left behind', { mode: 0o600 });
    fs.writeFileSync(fresh, 'still being written', { mode: 0o600 });
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(stale, hourAgo, hourAgo);

    // A command that only reads leaves the folder as it is.
    const reader = new Workbench({ dataDir });
    await reader.listSessions();
    await reader.close();
    expect(fs.existsSync(stale)).toBe(true);

    const engine = await startEngine({ dataDir });
    try {
      await expect.poll(() => fs.existsSync(stale), { timeout: 30_000 }).toBe(false);
      expect(fs.existsSync(fresh)).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
