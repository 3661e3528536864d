// The recorder's writer thread: batches of recorded rows arrive by message and are written in
// one transaction each, so SQLite's work runs beside the TLS sockets instead of between them.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database';
import { unpackBatch, type PackedBatch } from './packedBatch';
import { SessionStore, sweepRecordingFiles } from './sessionStore';

export type WriterRequest =
  | { type: 'batch'; seq: number; batch: PackedBatch }
  /** A batch the engine thread could not hand over (it failed to pack it): answered 'failed' in turn. */
  | { type: 'unsent'; seq: number; message: string }
  | { type: 'reserve'; table: 'sessions' | 'connections'; count: number }
  | { type: 'close' }
  | { type: 'cpu' };
export type WriterReply =
  | { type: 'done'; seq: number; spare?: ArrayBuffer }
  | { type: 'failed'; seq: number; message: string }
  | { type: 'reserved'; table: 'sessions' | 'connections'; first: number; count: number }
  | { type: 'closed' }
  | { type: 'cpu'; ms: number };

/** This thread's CPU time in ms (Linux; NaN elsewhere), for the benchmarks. */
function threadCpuMs(): number {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const RETRIES = 20;
export const WRITER_ROLE = 'tlslab-recording-writer';

if (parentPort && (workerData as { role?: string } | null)?.role === WRITER_ROLE) {
  const port = parentPort;
  const db = openDatabase((workerData as { dataDir: string }).dataDir);
  const store = new SessionStore(db);
  // Files of deleted sessions' connections go when the next engine starts (a command on the
  // command line starts this thread only when it records).
  try {
    sweepRecordingFiles(db);
  } catch (err) {
    process.stderr.write(`tlslab: could not tidy the recordings folder: ${(err as Error).message}\n`);
  }
  const closeInTurn = () => {
    db.close();
    port.postMessage({ type: 'closed' } satisfies WriterReply);
  };
  const writeInTurn = async (request: Extract<WriterRequest, { type: 'batch' }>) => {
    for (let attempt = 0; ; attempt++) {
      try {
        store.writeBatch(unpackBatch(request.batch));
        // The packed bytes are written: hand the buffer back for the next batch.
        const spare = request.batch.bytes;
        port.postMessage({ type: 'done', seq: request.seq, spare } satisfies WriterReply, [spare]);
        return;
      } catch (err) {
        // A busy database is a reason to wait, not to drop recorded bytes; a full disk or a
        // damaged file does not go away in the 20 s the retries take.
        const busy = /^SQLITE_(BUSY|LOCKED)/.test((err as { code?: string }).code ?? '');
        if (attempt >= (busy ? RETRIES : 2)) {
          port.postMessage({ type: 'failed', seq: request.seq, message: (err as Error).message } satisfies WriterReply);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  };
  /**
   * Batches are written one after the other, in the order they came: a batch waiting to try again
   * (a busy database) holds back the ones after it. Otherwise a later batch could be written
   * before an earlier one (a connection before its session's row) and its answer would come first,
   * so that the engine took an earlier batch's late answer for the newest.
   */
  let inOrder: Promise<void> = Promise.resolve();
  port.on('message', (request: WriterRequest) => {
    if (request.type === 'batch' || request.type === 'close') {
      inOrder = inOrder.then(() => (request.type === 'batch' ? writeInTurn(request) : closeInTurn()));
      return;
    }
    if (request.type === 'unsent') {
      const { seq, message } = request;
      inOrder = inOrder.then(() => port.postMessage({ type: 'failed', seq, message } satisfies WriterReply));
      return;
    }
    if (request.type === 'cpu') {
      port.postMessage({ type: 'cpu', ms: threadCpuMs() } satisfies WriterReply);
      return;
    }
    if (request.type === 'reserve') {
      // Ids for the engine thread's next block; if this fails it reserves them itself when it must.
      try {
        const first = store.reserveIds(request.table, request.count);
        port.postMessage({ type: 'reserved', table: request.table, first, count: request.count } satisfies WriterReply);
      } catch {
        // nothing: the engine thread falls back to reserving on its own
      }
      return;
    }
  });
}
