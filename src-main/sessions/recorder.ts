// Recording: the byte tap and the session runners report here; rows reach SQLite in batches,
// one transaction per flush, scheduled off the data path. Recording slows a socket only when its
// backlog outgrows the disk (BACKLOG_HIGH_BYTES), and then every tap waits alike.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ConnectionLeg, Direction, SessionKind, SessionSummary } from '../api/types';
import type { ChunkEntry, LogEntry } from '../store/connectionLog';
import {
  FILE_CHUNK_BYTES,
  recordingFile,
  toSummary,
  type ConnectionFields,
  type NewSession,
  type SessionFields,
  type SessionRow,
  type SessionStore,
} from '../store/sessionStore';
import { packBatch, packedSize, type RecordingBatch } from '../store/packedBatch';
import type { WriterReply, WriterRequest } from '../store/writerWorker';
import type { Pacer } from './byteTap';
import { BUNDLED } from '../paths';
import { RecordingFile } from './recordingFiles';

/** Past this many queued bytes a flush is scheduled at once rather than on the timer. */
const FLUSH_BYTES = 4 * 1024 * 1024;
/**
 * Rows wait this long to be written together: every transaction rewrites the pages it touches
 * (the same session, connection and index pages for several sessions at once), so larger batches
 * cost the writer less per session (0.53 -> 0.33 ms per recorded handshake from 25 to 100 ms).
 * Readers of a running session's rows flush first (writer.written()).
 */
const FLUSH_DELAY_MS = 100;
/** Packing buffers of large batches: a full batch plus one large read; a few kept for reuse. */
const SPARE_MIN_BYTES = 256 * 1024;
const PACK_BUFFER_BYTES = FLUSH_BYTES + 1024 * 1024;
const SPARE_MAX_BYTES = 16 * 1024 * 1024;
const SPARES = 4;
/**
 * Recorded bytes are copied into reused slabs as they arrive rather than kept in the buffers the
 * sockets handed over. Kept until their batch is written (up to 100 ms), those buffers outlived
 * the young generation and every few MB of them set off a full collection: for a 100 MB download,
 * about 2.4 ms of GC work per MB against 0.2 for a client that keeps nothing. A copy costs a
 * fraction of that, and the slabs are reused batch after batch.
 */
const SLAB_BYTES = 1024 * 1024;
/**
 * Recorded bytes not yet in their files or the database, past which the taps stop reading and
 * hold their writes until the backlog is back under the low mark: without it a download faster
 * than the disk kept its whole backlog in memory (about 50 MB of a 100 MB download here).
 */
export const BACKLOG_HIGH_BYTES = 32 * 1024 * 1024;
export const BACKLOG_LOW_BYTES = 16 * 1024 * 1024;
/** Slabs kept for reuse once no bytes have been recorded for SLAB_TRIM_MS. */
const IDLE_SLABS = 4;
const SLAB_TRIM_MS = 30_000;

export const DEFAULT_RECORD_CAP_BYTES = 64 * 1024 * 1024;

/** A name and tags a session is recorded with from its first row. */
export type SessionLabel = Pick<NewSession, 'name' | 'tags'>;

function emptyBatch(): RecordingBatch {
  return { sessions: [], connections: [], sessionUpdates: new Map(), connectionUpdates: new Map(), logs: new Map() };
}

/** Recording files this thread keeps open at once; past it, new busy connections keep their bytes inline. */
const OPEN_FILES = 256;
const NO_BYTES = new Uint8Array(0);
/** Write errors that mean the disk (or this user's share of it) is full. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
/** Bytes of a connection's file given back when the disk fills, so that the session's rows fit. */
const DISK_FULL_ROOM_BYTES = 1024 * 1024;

/** Ids reserved at most this many at a time; the block doubles while sessions come quickly. */
const MAX_ID_BLOCK = 256;
/** Blocks this large get their successor reserved ahead, off this thread. */
const AHEAD_FROM = 16;
type IdTable = 'sessions' | 'connections';
const QUICK_MS = 2_000;

const RESERVE_TRIES = 60;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Under a heavy write load SQLite sometimes answers a reservation with SQLITE_BUSY at once rather
 * than after its busy timeout; the id is needed now, so wait a little on this thread and try again.
 */
function reserveWithRetry(reserve: () => number): number {
  for (let attempt = 1; ; attempt++) {
    try {
      return reserve();
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') !== true || attempt >= RESERVE_TRIES) throw err;
      Atomics.wait(pause, 0, 0, Math.min(5 * attempt, 100));
    }
  }
}

/**
 * Hands out session and connection ids from blocks reserved in the database (one statement per
 * block instead of one insert per row on the engine's thread). A block starts at one id, so a
 * CLI run that records one session leaves no gap; under load it grows, and what an engine leaves
 * unused when it stops is a gap in the numbering, nothing more.
 */
class IdBlock {
  private next = 0;
  private end = 0;
  private size = 1;
  private reservedAt = 0;
  /** The next block, reserved ahead by the writer thread so this thread need not wait for the database. */
  private ahead: { first: number; count: number } | null = null;
  private asked = false;

  constructor(
    private readonly store: SessionStore,
    readonly table: IdTable,
    private readonly askAhead: (table: IdTable, count: number) => void,
  ) {}

  take(): number {
    if (this.next >= this.end) {
      const now = Date.now();
      const quick = this.reservedAt > 0 && now - this.reservedAt < QUICK_MS;
      this.reservedAt = now;
      if (this.ahead && quick) {
        this.next = this.ahead.first;
        this.size = this.ahead.count;
      } else {
        this.size = quick ? Math.min(MAX_ID_BLOCK, this.size * 2) : 1;
        this.next = reserveWithRetry(() => this.store.reserveIds(this.table, this.size));
      }
      this.end = this.next + this.size;
      this.ahead = null;
      this.asked = false;
    }
    const id = this.next++;
    // Under load, ask for the next block while half of this one is left.
    if (!this.asked && this.size >= AHEAD_FROM && this.end - this.next <= this.size / 2) {
      this.asked = true;
      this.askAhead(this.table, Math.min(MAX_ID_BLOCK, this.size * 2));
    }
    return id;
  }

  /** A block the writer thread reserved (it may arrive after the need for it has passed: then it is a gap). */
  reserved(first: number, count: number): void {
    if (this.asked && !this.ahead) this.ahead = { first, count };
  }
}

/** A session row not yet acknowledged by the writer thread. */
interface UnwrittenSession {
  row: SessionRow;
  /** The batch its latest change goes in, and the one its first unacknowledged change went in. */
  seq: number;
  firstSeq: number;
  /** The first refusal of a batch from firstSeq on. */
  refusal: Error | null;
}

/**
 * Queues rows from every live recording and hands them, batch by batch, to the writer thread
 * (store/writerWorker), which writes each batch in one transaction. One per engine.
 */
export class BatchWriter implements Pacer {
  private batch = emptyBatch();
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /**
   * Sessions whose rows a refused batch carried: asked for, they are "not stored", not "unknown".
   * Each with the first refusal that touched it (the cause; later ones are its consequences).
   */
  private readonly unstoredSessions = new Map<number, Error>();
  private worker: Worker | null = null;
  private seq = 0;
  private acknowledged = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private closed = false;
  /** Set once the writer thread is gone: why, as batches are refused with it. */
  private stopped: string | null = null;
  private cpuWaiters: ((ms: number) => void)[] = [];
  /** Packing buffers the writer thread handed back, reused for the next batches. */
  private spares: ArrayBuffer[] = [];
  private readonly sessionIds: IdBlock;
  private readonly connectionIds: IdBlock;
  /**
   * Sessions whose newest state is still on its way to the database, with the batch that
   * carries it: listings on this thread read them from here until the writer has written them.
   */
  private readonly unwritten = new Map<number, UnwrittenSession>();
  /** Connections whose byte counts changed since the last flush; their totals go with it. */
  private readonly counted = new Set<ConnectionRecording>();
  /**
   * Busy connections' recording files. Their bytes are copied into the file's staging pieces as
   * they arrive (not into the batch's slabs) and written from there by the thread pool; a batch
   * goes to the writer thread only once its bytes are in the files, so no row ever points at
   * bytes that are not there. 'inline': this connection's bytes stay in its segments (no file
   * could be used, or one failed).
   */
  private readonly files = new Map<number, RecordingFile | 'inline' | 'full'>();
  private openFiles = 0;
  /** The files the batch being gathered put bytes in, by connection. */
  private batchFiles = new Map<number, RecordingFile>();
  /** Batches waiting for their file writes, in order; each posts after the one before. */
  private posting: Promise<void> = Promise.resolve();
  private waitingBatches = 0;
  /** The slabs holding the bytes of the batch being gathered; the last one is being filled. */
  private slabs: Buffer[] = [];
  private slabUsed = 0;
  private spareSlabs: Buffer[] = [];
  private slabTrim: NodeJS.Timeout | null = null;
  /** Bytes kept into the batch being gathered, and in all batches not yet handed on. */
  private batchKept = 0;
  private backlog = 0;
  private peakBacklog = 0;
  private reliefWaiters: (() => void)[] = [];
  /** The backlog's marks (see BACKLOG_HIGH_BYTES); a test may lower them. */
  readonly backlogLimits = { high: BACKLOG_HIGH_BYTES, low: BACKLOG_LOW_BYTES };

  constructor(
    readonly store: SessionStore,
    private readonly dataDir: string,
  ) {
    const askAhead = (table: IdTable, count: number) => this.thread()?.postMessage({ type: 'reserve', table, count } satisfies WriterRequest);
    this.sessionIds = new IdBlock(store, 'sessions', askAhead);
    this.connectionIds = new IdBlock(store, 'connections', askAhead);
  }

  /**
   * The writer thread, started when something is first handed to it (or by start()): a command
   * that only reads (sessions list, show, export) never starts one. Null once it is gone.
   */
  private thread(): Worker | null {
    if (this.stopped) return null;
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      worker = startWriterThread(this.dataDir);
    } catch (err) {
      this.writerStopped(`it could not start: ${(err as Error).message}`);
      return null;
    }
    this.worker = worker;
    worker.on('message', (reply: WriterReply) => this.answered(reply));
    worker.on('error', (err) => this.writerStopped(err.message));
    worker.on('exit', (code) => {
      if (!this.closed) this.writerStopped(`it exited with code ${code}`);
    });
    // The writer thread must not keep a finished CLI command alive.
    worker.unref();
    return worker;
  }

  /**
   * Starts the writer thread now rather than with the first recording: a long-running engine does,
   * so that the recordings folder is tidied as it starts (the thread sweeps it first).
   */
  start(): void {
    this.thread();
  }

  /** A reply of the writer thread. */
  private answered(reply: WriterReply): void {
    if (reply.type === 'cpu') {
      this.cpuWaiters.shift()?.(reply.ms);
      return;
    }
    if (reply.type === 'reserved') {
      (reply.table === 'sessions' ? this.sessionIds : this.connectionIds).reserved(reply.first, reply.count);
      return;
    }
    const refusal = reply.type === 'failed' ? new Error(`recording could not be written: ${reply.message}`) : null;
    // Once the writer is gone that was said once (writerStopped), not again for every batch.
    if (refusal && !this.stopped) process.stderr.write(`tlslab: ${refusal.message}\n`);
    const spare = reply.type === 'done' ? reply.spare : undefined;
    if (spare && spare.byteLength >= SPARE_MIN_BYTES && spare.byteLength <= SPARE_MAX_BYTES && this.spares.length < SPARES) {
      this.spares.push(spare);
    }
    if (reply.type === 'done' || reply.type === 'failed') {
      // The writer answers in order; a late answer must never take the count back.
      this.acknowledged = Math.max(this.acknowledged, reply.seq);
      for (const [id, entry] of this.unwritten) {
        // A refused batch that held some of this session's rows (its first row, say), though
        // later ones are still on their way: the refusal is what became of the session.
        if (refusal && entry.firstSeq <= reply.seq) entry.refusal ??= refusal;
        if (entry.seq > reply.seq) continue;
        this.unwritten.delete(id);
        if (entry.refusal) this.unstoredSessions.set(id, entry.refusal);
      }
      this.waiters = this.waiters.filter((w) => (w.seq <= reply.seq ? (w.resolve(), false) : true));
    }
  }

  /**
   * The writer thread is gone (an uncaught error, its database not opening): every batch not yet
   * answered, and every later one, is refused with the reason, so that waiting for the writer
   * returns and the sessions say why they were not stored, instead of waiting for ever.
   */
  private writerStopped(why: string): void {
    if (this.stopped) return;
    this.stopped = `the recording writer stopped (${why}); restart the workbench to record again`;
    process.stderr.write(`tlslab: ${this.stopped}\n`);
    for (const resolve of this.cpuWaiters.splice(0)) resolve(Number.NaN);
    if (this.acknowledged < this.seq) this.answered({ type: 'failed', seq: this.seq, message: this.stopped });
  }

  /** Where a connection's next entries go: its list in the batch being gathered. */
  entries(connectionId: number): LogEntry[] {
    let entries = this.batch.logs.get(connectionId);
    if (!entries) this.batch.logs.set(connectionId, (entries = []));
    return entries;
  }

  /**
   * Queues a chunk of a connection's bytes. A busy connection's go to its recording file (opened
   * at its first chunk of FILE_CHUNK_BYTES or more) and the chunk keeps where; the rest are kept
   * in the batch's slabs. Either way they are copied at once, so the socket's buffer is free.
   */
  keepChunk(connectionId: number, chunk: Omit<ChunkEntry, 'type' | 'data'>, data: Uint8Array): void {
    // One lookup per chunk (a hot path): a disk that filled under this connection stops its bytes.
    const state = this.files.get(connectionId);
    if (state === 'full') return;
    const entries = this.entries(connectionId);
    const file = this.fileFor(connectionId, data.length, state);
    if (!file) {
      entries.push({ type: 'chunk', ...chunk, data: this.keep(data) });
      return;
    }
    const offset = file.append(data);
    entries.push({ type: 'chunk', ...chunk, data: NO_BYTES, inFile: { offset, length: data.length } });
    this.batchFiles.set(connectionId, file);
    this.holdBytes(data.length);
  }

  /** `n` more bytes held in memory for the batch being gathered, until it is handed on. */
  private holdBytes(n: number): void {
    this.batchKept += n;
    this.backlog += n;
    if (this.backlog > this.peakBacklog) this.peakBacklog = this.backlog;
  }

  /**
   * The connection's recording file (`file`: what `files` holds for it), opened now when this chunk
   * is its first large one; null: inline.
   */
  private fileFor(connectionId: number, length: number, file = this.files.get(connectionId)): RecordingFile | null {
    if (file === 'inline' || file === 'full') return null;
    if (file) {
      file.closing = false;
      return file;
    }
    const folder = this.store.folder;
    if (!folder || length < FILE_CHUNK_BYTES) return null;
    const opened = this.openFile(folder, connectionId);
    return opened === 'inline' ? null : opened;
  }

  /**
   * A copy of `data` in the current batch's slab: the caller's buffer is free to go as soon as
   * the socket is done with it. The copy stays valid until the batch has been handed on.
   */
  keep(data: Uint8Array): Uint8Array {
    const n = data.length;
    if (n === 0) return data;
    let slab = this.slabs[this.slabs.length - 1];
    if (!slab || this.slabUsed + n > slab.length) {
      // A piece larger than a slab (a server's bulk write comes in pieces of 1-2 MiB) gets a
      // slab of its own, rounded up to whole MiB so that it can be reused for the next one.
      const size = Math.ceil(n / SLAB_BYTES) * SLAB_BYTES;
      const spare = this.spareSlabs.findIndex((s) => s.length >= size);
      slab = spare >= 0 ? this.spareSlabs.splice(spare, 1)[0] : Buffer.allocUnsafeSlow(size);
      this.slabs.push(slab);
      this.slabUsed = 0;
    }
    const at = this.slabUsed;
    slab.set(data, at);
    this.slabUsed = at + n;
    this.holdBytes(n);
    return slab.subarray(at, at + n);
  }

  /** True while the backlog of recorded bytes is over its high mark: the taps pause (Pacer). */
  get busy(): boolean {
    return this.backlog > this.backlogLimits.high;
  }

  /** Calls `resume` once the backlog is under its low mark (at once when it is already). */
  whenRelieved(resume: () => void): void {
    if (this.backlog <= this.backlogLimits.low || this.closed) resume();
    else this.reliefWaiters.push(resume);
  }

  /** The largest backlog so far, in bytes. */
  get backlogPeak(): number {
    return this.peakBacklog;
  }

  private relieve(bytes: number): void {
    this.backlog -= bytes;
    if (this.backlog > this.backlogLimits.low && !this.closed) return;
    const waiters = this.reliefWaiters;
    this.reliefWaiters = [];
    for (const resume of waiters) resume();
  }

  /** Slabs whose batch has been packed (its bytes copied) or written to files: ready for reuse. */
  private releaseSlabs(slabs: Buffer[]): void {
    if (slabs.length === 0) return;
    // Every slab comes back into use while bytes keep coming (dropping some made the same churn as
    // keeping the sockets' buffers); a few stay once the recorder has been idle for a while.
    this.spareSlabs.push(...slabs);
    if (this.spareSlabs.length <= IDLE_SLABS) return;
    if (this.slabTrim) this.slabTrim.refresh();
    else {
      this.slabTrim = setTimeout(() => {
        this.slabTrim = null;
        if (this.spareSlabs.length > IDLE_SLABS) this.spareSlabs.length = IDLE_SLABS;
      }, SLAB_TRIM_MS);
      this.slabTrim.unref();
    }
  }

  /** Entries gathered and not yet handed to the writer thread. */
  get queuedEntries(): number {
    let n = 0;
    for (const entries of this.batch.logs.values()) n += entries.length;
    return n;
  }

  queued(bytes: number): void {
    this.queuedBytes += bytes;
    if (this.queuedBytes >= FLUSH_BYTES) {
      if (!this.immediate) this.immediate = setImmediate(() => this.flush());
    } else if (!this.timer && !this.immediate) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
    }
  }

  /**
   * Queues a new session and returns its row as listings show it until the writer has written it;
   * the session's recording keeps that object up to date (updateSession).
   */
  createSession(session: NewSession): SessionRow {
    const id = this.sessionIds.take();
    this.batch.sessions.push({ ...session, id });
    const row: SessionRow = {
      id,
      kind: session.kind,
      status: 'running',
      startedAt: session.startedAt,
      endedAt: null,
      target: session.target,
      address: session.address ?? null,
      sni: session.sni ?? null,
      version: null,
      cipher: null,
      alpn: null,
      verification: null,
      error: null,
      request: session.request ?? null,
      response: null,
    };
    this.unwritten.set(id, { row, seq: this.seq + 1, firstSeq: this.seq + 1, refusal: null });
    this.queued(0);
    return row;
  }

  createConnection(sessionId: number, leg: ConnectionLeg): number {
    const id = this.connectionIds.take();
    this.batch.connections.push({ id, sessionId, leg });
    this.queued(0);
    return id;
  }

  /** Queues `fields` for session `id`; `row` is the session's row with them applied already. */
  updateSession(id: number, fields: SessionFields, row: SessionRow): void {
    const existing = this.batch.sessionUpdates.get(id);
    this.batch.sessionUpdates.set(id, existing ? Object.assign(existing, fields) : { ...fields });
    const earlier = this.unwritten.get(id);
    this.unwritten.set(id, { row, seq: this.seq + 1, firstSeq: earlier?.firstSeq ?? this.seq + 1, refusal: earlier?.refusal ?? null });
    this.queued(0);
  }

  /** The newest sessions, those still on their way to the database included. */
  listSessions(limit = 500, kind?: SessionKind): SessionRow[] {
    const rows = this.store.listSessions(limit, kind);
    if (this.unwritten.size === 0) return rows;
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [id, entry] of this.unwritten) if (!kind || entry.row.kind === kind) byId.set(id, { ...entry.row });
    return [...byId.values()].sort((a, b) => b.startedAt - a.startedAt || b.id - a.id).slice(0, limit);
  }

  /** A connection's byte counts changed: they are written with the next batch. */
  countedBytes(connection: ConnectionRecording): void {
    this.counted.add(connection);
  }

  updateConnection(id: number, fields: ConnectionFields): void {
    const existing = this.batch.connectionUpdates.get(id);
    this.batch.connectionUpdates.set(id, existing ? Object.assign(existing, fields) : { ...fields });
    this.queued(0);
  }

  /** Send everything queued to the writer thread now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    for (const connection of this.counted) {
      const existing = this.batch.connectionUpdates.get(connection.id);
      this.batch.connectionUpdates.set(connection.id, Object.assign(existing ?? {}, connection.counts()));
    }
    this.counted.clear();
    const batch = this.batch;
    if (batch.sessions.length + batch.connections.length + batch.logs.size + batch.connectionUpdates.size + batch.sessionUpdates.size === 0) {
      return;
    }
    this.batch = emptyBatch();
    this.queuedBytes = 0;
    const slabs = this.slabs;
    const kept = this.batchKept;
    this.slabs = [];
    this.slabUsed = 0;
    this.batchKept = 0;
    this.thread()?.ref();
    const seq = ++this.seq;
    const files = this.batchFiles;
    this.batchFiles = new Map();
    const writes = this.writeFiles(batch, files);
    if (writes.length === 0 && this.waitingBatches === 0) {
      this.post(seq, batch, slabs, kept);
      return;
    }
    this.waitingBatches++;
    // Never a rejected chain: a batch whose files could not be settled is refused in turn, and the
    // ones after it still go.
    this.posting = Promise.all([this.posting, ...writes]).then(
      () => {
        this.waitingBatches--;
        this.post(seq, batch, slabs, kept);
      },
      (err: unknown) => {
        this.waitingBatches--;
        this.unsent(seq, slabs, kept, err);
      },
    );
  }

  /**
   * A batch that could not be handed to the writer thread (an error packing it): the writer
   * answers it 'failed' in its turn, so its sessions say their recording was not stored and the
   * batches before it are still waited for.
   */
  private unsent(seq: number, slabs: Buffer[], kept: number, err: unknown): void {
    this.releaseSlabs(slabs);
    this.relieve(kept);
    if (this.stopped) {
      this.answered({ type: 'failed', seq, message: this.stopped });
      return;
    }
    const message = `this engine could not hand the recording to its writer (${err instanceof Error ? err.message : String(err)})`;
    this.thread()?.postMessage({ type: 'unsent', seq, message } satisfies WriterRequest);
  }

  /**
   * Packs the batch (its remaining bytes are copied) and sends it to the writer thread; its slabs
   * go back for reuse and its `kept` bytes leave the backlog.
   */
  private post(seq: number, batch: RecordingBatch, slabs: Buffer[], kept: number): void {
    const worker = this.thread();
    if (!worker) {
      this.releaseSlabs(slabs);
      this.relieve(kept);
      this.answered({ type: 'failed', seq, message: this.stopped ?? 'the recording writer stopped' });
      return;
    }
    let packed: ReturnType<typeof packBatch>;
    try {
      const total = packedSize(batch);
      let spare: ArrayBuffer | undefined;
      if (total >= SPARE_MIN_BYTES) {
        const at = this.spares.findIndex((b) => b.byteLength >= total);
        if (at >= 0) spare = this.spares.splice(at, 1)[0];
        // A new buffer gets room for a full batch, so that it can be reused.
        else spare = Buffer.allocUnsafeSlow(Math.max(total, PACK_BUFFER_BYTES)).buffer as ArrayBuffer;
      }
      packed = packBatch(batch, spare, total);
    } catch (err) {
      this.unsent(seq, slabs, kept, err);
      return;
    }
    worker.postMessage({ type: 'batch', seq, batch: packed } satisfies WriterRequest, [packed.bytes]);
    this.releaseSlabs(slabs);
    this.relieve(kept);
  }

  /**
   * Writes the rest of the batch's bytes in busy connections' files (sync); the batch goes on once
   * they are there. Chunks whose write failed get their bytes back and go inline, and so does the
   * rest of that connection.
   */
  private writeFiles(batch: RecordingBatch, files: Map<number, RecordingFile>): Promise<void>[] {
    const writes: Promise<void>[] = [];
    for (const [connectionId, file] of files) {
      writes.push(
        file.sync().then(() => {
          if (!file.failed) return;
          const entries = batch.logs.get(connectionId) ?? [];
          if (DISK_FULL.has((file.failed as NodeJS.ErrnoException).code ?? '')) {
            this.diskFull(connectionId, file, entries);
            return;
          }
          for (const c of entries) {
            if (c.type !== 'chunk' || !c.inFile) continue;
            const bytes = file.recoverBytes(c.inFile.offset, c.inFile.length);
            if (!bytes) continue;
            c.data = bytes;
            c.inFile = undefined;
          }
          if (this.files.get(connectionId) !== file) return;
          process.stderr.write(`tlslab: a recording file could not be written (${file.failed.message}); its bytes go into the database instead\n`);
          this.files.set(connectionId, 'inline');
          this.openFiles--;
          file.close();
        }),
      );
    }
    for (const [id, fields] of batch.connectionUpdates) {
      const file = this.files.get(id);
      if (fields.closedAt == null || !file) continue;
      if (file === 'inline' || file === 'full') {
        this.files.delete(id);
        continue;
      }
      // A closed connection gets no more bytes: its file goes once written.
      file.closing = true;
      void file.pending.then(() => {
        if (!file.closing || this.files.get(id) !== file) return;
        this.files.delete(id);
        this.openFiles--;
        file.close();
      });
    }
    return writes;
  }

  /**
   * The disk is full under a connection's file. The database is on the same disk, so its bytes do
   * not go there instead (that filled it too, and then the session's own rows failed and it was
   * lost): the chunks that landed keep pointing at the file, those that did not are left out, and
   * the connection's later bytes are counted, not stored, with a note in its timeline saying so.
   */
  private diskFull(connectionId: number, file: RecordingFile, entries: LogEntry[]): void {
    // Room for the rows: this batch's last MiB that did land goes too, and the file is cut there
    // (only bytes of this batch, whose rows are not written yet).
    let first = Infinity;
    let landedEnd = 0;
    for (const c of entries) {
      if (c.type !== 'chunk' || !c.inFile) continue;
      first = Math.min(first, c.inFile.offset);
      if (file.landed(c.inFile.offset, c.inFile.length)) landedEnd = Math.max(landedEnd, c.inFile.offset + c.inFile.length);
    }
    const keepEnd = Number.isFinite(first) ? Math.max(first, landedEnd - DISK_FULL_ROOM_BYTES) : file.size;
    let dropped = 0;
    let t = 0;
    for (let i = entries.length - 1; i >= 0; i--) {
      const c = entries[i];
      if (c.type !== 'chunk' || !c.inFile) continue;
      if (c.inFile.offset + c.inFile.length <= keepEnd && file.landed(c.inFile.offset, c.inFile.length)) continue;
      dropped += c.inFile.length;
      t = c.t;
      entries.splice(i, 1);
    }
    try {
      if (Number.isFinite(first)) fs.truncateSync(file.path, keepEnd);
    } catch {
      // nothing: the rows say which bytes count
    }
    if (this.files.get(connectionId) !== file) return;
    entries.push({
      type: 'event',
      t,
      kind: 'note',
      data: {
        text: `the disk is full (${file.failed?.message}): the recording of this connection stops here (${dropped} bytes and all later ones are counted, not stored); what was recorded before is kept. Free some space in the data folder's disk for the next sessions`,
        code: 'DISK_FULL',
      },
    });
    process.stderr.write(`tlslab: the disk under the data folder is full: connection ${connectionId}'s later bytes are counted, not stored\n`);
    this.files.set(connectionId, 'full');
    this.openFiles--;
    file.close();
  }

  private openFile(folder: string, connectionId: number): RecordingFile | 'inline' {
    let opened: RecordingFile | 'inline' = 'inline';
    if (this.openFiles < OPEN_FILES) {
      try {
        fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
        opened = RecordingFile.open(recordingFile(folder, connectionId));
        this.openFiles++;
      } catch (err) {
        process.stderr.write(`tlslab: recording file for connection ${connectionId} not opened (${(err as Error).message}); its bytes go into the database\n`);
      }
    }
    this.files.set(connectionId, opened);
    return opened;
  }

  /** Resolves once everything queued before the call is in the database. */
  written(): Promise<void> {
    this.flush();
    const seq = this.seq;
    if (this.acknowledged >= seq) {
      this.worker?.unref();
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiters.push({
        seq,
        resolve: () => {
          if (this.acknowledged >= this.seq) this.worker?.unref();
          resolve();
        },
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.written();
    this.relieve(0);
    if (this.slabTrim) clearTimeout(this.slabTrim);
    this.spareSlabs = [];
    for (const file of this.files.values()) if (file instanceof RecordingFile) file.closeSync();
    this.files.clear();
    // Never started (nothing was recorded) or gone: nothing to close.
    const worker = this.worker;
    if (this.stopped || !worker) return;
    worker.ref();
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.once('message', (reply: WriterReply) => {
        if (reply.type === 'closed') void worker.terminate();
      });
      worker.postMessage({ type: 'close' } satisfies WriterRequest);
    });
  }

  /** CPU time the writer thread has spent so far, in ms (Linux only; NaN elsewhere). */
  threadCpuMs(): Promise<number> {
    if (this.closed) return Promise.resolve(Number.NaN);
    // A thread not started has spent nothing.
    const worker = this.worker;
    if (!worker) return Promise.resolve(this.stopped ? Number.NaN : 0);
    return new Promise((resolve) => {
      this.cpuWaiters.push(resolve);
      worker.postMessage({ type: 'cpu' } satisfies WriterRequest);
    });
  }

  /** Why this session's rows are not all stored: the first refusal of a batch that held some of them (a full disk, a damaged file); null when none was refused. */
  unstored(id: number): Error | null {
    return this.unstoredSessions.get(id) ?? null;
  }
}

/**
 * The writer thread runs TypeScript like the rest of the engine: a two-line bootstrap registers
 * tsx inside the worker before importing it. In the bundle, it is the bundle's own writerWorker.mjs.
 */
function startWriterThread(dataDir: string): Worker {
  const workerData = { dataDir, role: 'tlslab-recording-writer' };
  if (BUNDLED) return new Worker(new URL('./writerWorker.mjs', import.meta.url), { workerData });
  const entry = new URL('../store/writerWorker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * One recorded session: its clock, its connections and its row. The summary published to
 * listeners is kept here rather than read back from the database after every change.
 */
export class SessionRecording {
  private readonly origin = process.hrtime.bigint();

  private constructor(
    private readonly row: SessionRow,
    private readonly writer: BatchWriter,
    private readonly recordCapBytes: number,
  ) {}

  /** Queues the session row (its id is reserved at once) and starts the recording for it. */
  static start(writer: BatchWriter, session: NewSession, recordCapBytes: number = DEFAULT_RECORD_CAP_BYTES): SessionRecording {
    return new SessionRecording(writer.createSession(session), writer, recordCapBytes);
  }

  get id(): number {
    return this.row.id;
  }

  /** What the session's byte taps pace themselves by: the writer's backlog. */
  get pacer(): Pacer {
    return this.writer;
  }

  /** The session as listeners see it, with every update so far (stored or still queued). */
  summary(): SessionSummary {
    return toSummary(this.row);
  }

  /** Milliseconds since the session started, from the monotonic clock. */
  now(): number {
    return Number(process.hrtime.bigint() - this.origin) / 1e6;
  }

  openConnection(leg: ConnectionLeg): ConnectionRecording {
    const id = this.writer.createConnection(this.id, leg);
    return new ConnectionRecording(id, this, this.writer, this.recordCapBytes);
  }

  update(fields: SessionFields): void {
    const row = this.row as unknown as Record<string, unknown>;
    for (const key in fields) row[key] = fields[key as keyof SessionFields] ?? null;
    // Written by the writer thread with the rest; listings on this thread see it at once
    // (BatchWriter.listSessions), other readers await writer.written() first.
    this.writer.updateSession(this.id, fields, this.row);
  }

  flush(): void {
    this.writer.flush();
  }

  written(): Promise<void> {
    return this.writer.written();
  }
}

export class ConnectionRecording {
  private seq = 0;
  private readonly total: Record<Direction, number> = { 'client-to-server': 0, 'server-to-client': 0 };
  private readonly kept: Record<Direction, number> = { 'client-to-server': 0, 'server-to-client': 0 };
  private capNoted = false;
  private heldNoted = false;

  constructor(
    readonly id: number,
    readonly session: SessionRecording,
    private readonly writer: BatchWriter,
    private readonly capBytes: number,
  ) {}

  bytes(direction: Direction, data: Uint8Array): void {
    const t = this.session.now();
    this.total[direction] += data.length;
    let keep = data;
    if (this.capBytes > 0) {
      const room = this.capBytes - this.kept[direction];
      if (room <= 0) keep = data.subarray(0, 0);
      else if (data.length > room) keep = data.subarray(0, room);
    }
    if (keep.length > 0) {
      this.kept[direction] += keep.length;
      this.writer.keepChunk(this.id, { seq: this.seq++, direction, t }, keep);
    }
    if (keep.length < data.length && !this.capNoted) {
      this.capNoted = true;
      this.event('note', {
        text: `recording cap of ${Math.round(this.capBytes / 1048576)} MiB reached (${direction}): further bytes are counted, not stored`,
      });
    }
    this.writer.countedBytes(this);
    this.writer.queued(keep.length);
  }

  /**
   * The connection's tap waited for the disk: said once in the timeline, since the gaps that follow
   * may be the workbench's doing rather than the network's.
   */
  heldForDisk(): void {
    if (this.heldNoted) return;
    this.heldNoted = true;
    this.event('note', {
      text: 'the disk fell behind the recording: the workbench paused this connection until it caught up (later gaps in the timeline may be its doing, not the network\'s)',
    });
  }

  /** Bytes seen and bytes kept so far, each way. */
  counts(): ConnectionFields {
    return {
      bytesClientToServer: this.total['client-to-server'],
      bytesServerToClient: this.total['server-to-client'],
      recordedClientToServer: this.kept['client-to-server'],
      recordedServerToClient: this.kept['server-to-client'],
    };
  }

  event(kind: string, data: Record<string, unknown>): void {
    this.writer.entries(this.id).push({ type: 'event', t: this.session.now(), kind, data });
    this.writer.queued(64);
  }

  keylog(line: string): void {
    this.writer.entries(this.id).push({ type: 'keylog', t: this.session.now(), line });
    this.writer.queued(line.length);
  }

  certificates(role: 'peer' | 'local', ders: Uint8Array[]): void {
    const entries = this.writer.entries(this.id);
    ders.forEach((der, position) => entries.push({ type: 'certificate', role, position, der }));
    this.writer.queued(ders.reduce((n, d) => n + d.length, 0));
  }

  update(fields: ConnectionFields): void {
    this.writer.updateConnection(this.id, fields);
  }
}
