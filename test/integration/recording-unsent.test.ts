// A batch the engine thread fails to hand to the writer (packing it throws; no known input does,
// this stands in for a bug or a failed allocation): that session says its recording was not
// stored and why, the sessions after it are still recorded, and waiting for the writer returns.
// Before, the failure broke the chain that posts batches: nothing after it reached the database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SessionRecording } from '../../src-main/sessions/recorder';
import { Workbench } from '../../src-main/workbench';

vi.mock('../../src-main/store/packedBatch', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src-main/store/packedBatch')>();
  return {
    ...real,
    packBatch: (...args: Parameters<typeof real.packBatch>) => {
      if (args[0].sessions.some((s) => s.target === 'unpackable.example:443')) throw new Error('no memory for the batch');
      return real.packBatch(...args);
    },
  };
});

describe('a batch that cannot be handed to the writer', () => {
  it('fails that session with the reason, and the sessions after it are recorded', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-unsent-'));
    const wb = new Workbench({ dataDir });
    try {
      const before = SessionRecording.start(wb.writer, { kind: 'client', target: 'before.example:443', startedAt: Date.now() });
      before.update({ status: 'ok' });
      before.flush();
      const lost = SessionRecording.start(wb.writer, { kind: 'client', target: 'unpackable.example:443', startedAt: Date.now() });
      lost.flush();
      const after = SessionRecording.start(wb.writer, { kind: 'client', target: 'after.example:443', startedAt: Date.now() });
      after.update({ status: 'ok' });
      after.flush();
      await wb.writer.written();

      await expect(wb.session(lost.id)).rejects.toThrow(/^session \d+ ran, but its recording could not be stored: .*could not hand the recording to its writer \(no memory for the batch\)/);
      expect((await wb.session(before.id)).status).toBe('ok');
      expect((await wb.session(after.id)).status).toBe('ok');
      // And later batches, after the failed one, still reach the database.
      const later = SessionRecording.start(wb.writer, { kind: 'client', target: 'later.example:443', startedAt: Date.now() });
      later.update({ status: 'ok' });
      later.flush();
      await wb.writer.written();
      expect((await wb.session(later.id)).target).toBe('later.example:443');
    } finally {
      await wb.close().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
