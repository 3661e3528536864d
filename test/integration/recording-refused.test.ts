// The database refuses a session's rows (here by a trigger, standing in for a full disk or a
// damaged file): the client session still runs, and asking for it says its recording could not be
// stored and why, not "there is no session".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRecording } from '../../src-main/sessions/recorder';
import { Workbench } from '../../src-main/workbench';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let pki: TestPki;
let server: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-refused-');
  server = await startOpensslServer(pki.serverCert, pki.serverKey);
});
afterAll(async () => server?.stop());

/** A workbench whose database refuses every session row (a trigger, standing in for a full disk). */
function refusingWorkbench(): Workbench {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-refused-'));
  const wb = new Workbench({ dataDir });
  const other = new Database(path.join(dataDir, 'workbench.sqlite'));
  other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON sessions BEGIN SELECT RAISE(ABORT, 'no room for rows'); END;`);
  other.close();
  return wb;
}

describe('a recording the database refuses', () => {
  it('is reported as not stored, with the database\'s reason', async () => {
    const wb = refusingWorkbench();
    try {
      const id = await wb.recordClient(loopbackGet('www.bank32.com', server.port, pki.caCert));
      await expect(wb.session(id)).rejects.toThrow(new RegExp(`^session ${id} ran, but its recording could not be stored: recording could not be written: .*no room for rows`));
    } finally {
      await wb.close().catch(() => undefined);
    }
  });

  it('names the refusal of the session\'s first row when the rest went in a later batch (refused in turn for lack of it)', async () => {
    const wb = refusingWorkbench();
    try {
      // The session's row in one batch; its connection, which needs that row, in the next.
      const recording = SessionRecording.start(wb.writer, { kind: 'client', target: 'www.bank32.com:443', startedAt: Date.now() });
      recording.flush();
      const connection = recording.openConnection('client');
      connection.event('note', { text: 'a connection of a session whose row was refused' });
      recording.update({ status: 'failed' });
      recording.flush();
      await wb.writer.written();
      await expect(wb.session(recording.id)).rejects.toThrow(/^session \d+ ran, but its recording could not be stored: recording could not be written: .*no room for rows/);
    } finally {
      await wb.close().catch(() => undefined);
    }
  });

  it('is answered in turn: a refused batch being tried again holds back the later ones, so waiting for them knows of the refusal', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-refused-'));
    const wb = new Workbench({ dataDir });
    try {
      const other = new Database(path.join(dataDir, 'workbench.sqlite'));
      other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON sessions WHEN NEW.target = 'refused.example:443' BEGIN SELECT RAISE(ABORT, 'no room for rows'); END;`);
      other.close();
      // Two batches back to back: the first is refused (and tried again twice, 300 ms), the second is fine.
      const refused = SessionRecording.start(wb.writer, { kind: 'client', target: 'refused.example:443', startedAt: Date.now() });
      refused.flush();
      const stored = SessionRecording.start(wb.writer, { kind: 'client', target: 'www.bank32.com:443', startedAt: Date.now() });
      stored.update({ status: 'ok' });
      stored.flush();
      await wb.writer.written();
      // Everything queued is answered, the refusal included: not "there is no session".
      await expect(wb.session(refused.id)).rejects.toThrow(/^session \d+ ran, but its recording could not be stored: .*no room for rows/);
      expect((await wb.session(stored.id)).status).toBe('ok');
      // And the writer's count of answered batches did not go back: waiting again returns.
      await wb.writer.written();
    } finally {
      await wb.close();
    }
  });

  it('says why when the writer thread itself stops: waiting for it returns and each session not stored says so', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-refused-'));
    const wb = new Workbench({ dataDir });
    try {
      const stored = await wb.recordClient(loopbackGet('www.bank32.com', server.port, pki.caCert));
      // The thread dies as an uncaught error would end it.
      const worker = (wb.writer as unknown as { worker: import('node:worker_threads').Worker }).worker;
      await new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        void worker.terminate();
      });
      const lost = await wb.recordClient(loopbackGet('www.bank32.com', server.port, pki.caCert));
      await wb.writer.written();
      await expect(wb.session(lost)).rejects.toThrow(/^session \d+ ran, but its recording could not be stored: .*the recording writer stopped .*restart the workbench/);
      // What was stored before is still there.
      expect((await wb.session(stored)).status).toBe('ok');
    } finally {
      await wb.close();
    }
  });
});
