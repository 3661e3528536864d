// A busy connection's recording file: its bytes are copied once, as they arrive, into staging
// pieces; a full piece is written at once through the thread pool, the partial last one when the
// recorder commits a batch (sync), and the file is cut to its true size when it closes.
//
// Where the platform has it, the file is written with direct I/O (O_DIRECT), past the page cache.
// Measured on this lab's machines (Firecracker VMs whose memory goes back to the host when unused):
// putting 100 MB of new data in the page cache costs the kernel about 250 ms of CPU, more than the
// download itself; the same bytes written direct from reused buffers cost 4 ms of CPU and 45 ms
// of wall time. A recorder keeps every byte it saw, so it always paid the first price. Copying
// each chunk straight into its piece (rather than into a shared slab first, then into a piece at
// flush) and writing each full piece at once took the recorded 100 MB download (bench/) from 2.11
// to 1.70 ms of process CPU per MB.
//
// Direct I/O wants the memory, the file offset and the length aligned to the disk's blocks. Each
// write is rounded up to whole blocks; after a partial write the next piece starts with a copy of
// the last, partial block and writes it again, fuller, once the first write is done. A piece is
// never written to while the kernel reads it (btrfs checksums the bytes of a direct write). Where
// direct I/O is not to be had (macOS and Windows have no O_DIRECT; some file systems refuse it)
// the same pieces are written through the page cache.
import fs from 'node:fs';

/** Alignment of direct writes: memory address, file offset and length (a page; disks ask 512 or 4096). */
export const DIRECT_ALIGN = 4096;
/** Bytes per staging piece: what one write takes when bytes come fast. */
export const PIECE_BYTES = 1024 * 1024;
/** Pieces are cut from memories of this many; a memory none of whose pieces is in use for a while goes. */
const PIECES_PER_MEMORY = 8;
const IDLE_TRIM_MS = 30_000;

/** Node's types declare WebAssembly's types but not its global value. */
const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly;

const alignDown = (n: number, align: number) => n - (n % align);
const alignUp = (n: number, align: number) => alignDown(n + align - 1, align);

interface Piece {
  buffer: Buffer;
  /** Null for a plain buffer taken when no memory could be made (not aligned: see take()). */
  memory: StagingMemory | null;
}

interface StagingMemory {
  free: Piece[];
}

/**
 * Staging pieces whose memory starts on a page: a WebAssembly memory is mapped by itself, so its
 * first byte is page-aligned, which a Buffer's is not. Pieces are taken without waiting (a chunk
 * must be copied the moment it arrives): when none is free, another memory is made; the
 * recorder's backlog limit bounds how many are in use. Memories left wholly unused go after a
 * while, but the first stays.
 */
class StagingPool {
  private readonly memories: StagingMemory[] = [];
  private trim: NodeJS.Timeout | null = null;

  take(): Piece {
    for (const memory of this.memories) {
      const piece = memory.free.pop();
      if (piece) return piece;
    }
    const memory: StagingMemory = { free: [] };
    const pages = (PIECE_BYTES * PIECES_PER_MEMORY) / 65536;
    let bytes: Buffer;
    try {
      bytes = Buffer.from(new wasm.Memory({ initial: pages, maximum: pages }).buffer);
    } catch {
      // Out of address space for memories (each reserves its own): a plain buffer, not aligned
      // for direct writes, so the file that takes it goes on through the page cache.
      return { buffer: Buffer.allocUnsafeSlow(PIECE_BYTES), memory: null };
    }
    for (let i = 0; i < PIECES_PER_MEMORY; i++) memory.free.push({ buffer: bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES), memory });
    this.memories.push(memory);
    return memory.free.pop()!;
  }

  give(piece: Piece): void {
    if (!piece.memory) return;
    piece.memory.free.push(piece);
    if (this.memories.length <= 1) return;
    if (this.trim) this.trim.refresh();
    else {
      this.trim = setTimeout(() => {
        this.trim = null;
        for (let i = this.memories.length - 1; i > 0; i--) {
          if (this.memories[i].free.length === PIECES_PER_MEMORY) this.memories.splice(i, 1);
        }
      }, IDLE_TRIM_MS);
      this.trim.unref();
    }
  }
}

const staging = new StagingPool();
/** False once a direct write was refused as such (EINVAL): later files go through the page cache. */
let directUsable = fs.constants.O_DIRECT !== undefined;

export class RecordingFile {
  /** Bytes placed so far (in pieces, in flight or on disk). */
  size: number;
  /** Writes are direct (aligned to DIRECT_ALIGN); else through the page cache. */
  direct: boolean;
  /**
   * Set when a write failed. Bytes written after are only kept in memory (recoverBytes), and the
   * recorder keeps the connection's later bytes inline.
   */
  failed: Error | null = null;
  /** Set by the recorder once its connection has closed: the file goes after its last write. */
  closing = false;
  /** Resolves once every byte placed before the last sync() is on disk (or its write failed). */
  pending: Promise<void> = Promise.resolve();

  private piece: Piece | null = null;
  /** File offset of the current piece's first byte, and how many bytes it holds. */
  private pieceStart = 0;
  private pieceUsed = 0;
  /**
   * After a partial write, the last, partial block waits here (not in a piece of its own, so that
   * an idle connection holds 4 KiB rather than a piece) until more bytes come.
   */
  private readonly tail = Buffer.alloc(DIRECT_ALIGN);
  /** The write the current piece must wait for: the one that wrote its first, shared block. */
  private gate: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  /** Bytes whose write failed, kept so that they can still be stored elsewhere (offset -> bytes). */
  private readonly lost = new Map<number, Buffer>();
  /** The O_DIRECT descriptor, kept open once the file has gone on through the page cache (toPageCache). */
  private directFd = -1;
  /** Some write went out direct, in whole blocks: the file may run past its true size until cut. */
  private wroteDirect: boolean;

  private constructor(
    public fd: number,
    readonly path: string,
    size: number,
    direct: boolean,
  ) {
    this.size = size;
    this.direct = direct;
    this.wroteDirect = direct;
    this.pieceStart = size;
  }

  /**
   * Opens (or reopens) a recording file for appending, direct where it can be (and `direct` is not
   * false). Bytes a crashed engine wrote without committing their rows stay, unreferenced; a
   * direct file starts again on a block boundary.
   */
  static open(path: string, { direct = true }: { direct?: boolean } = {}): RecordingFile {
    if (direct && directUsable) {
      let fd = -1;
      try {
        fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DIRECT, 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        // This file system takes no direct I/O: through the page cache.
      }
      if (fd >= 0) return new RecordingFile(fd, path, alignUp(fs.fstatSync(fd).size, DIRECT_ALIGN), true);
    }
    const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
    return new RecordingFile(fd, path, fs.fstatSync(fd).size, false);
  }

  private get align(): number {
    return this.direct ? DIRECT_ALIGN : 1;
  }

  /** Copies `data` in and returns the file offset it will have; full pieces start on their way to disk. */
  append(data: Uint8Array): number {
    const offset = this.size;
    let from = 0;
    while (from < data.length) {
      if (!this.piece) {
        this.piece = staging.take();
        // A plain buffer (no staging memory could be made) may or may not start on a block, as
        // the allocator happens to place it: the file goes on through the page cache now rather
        // than leave it to the kernel to refuse the write.
        if (!this.piece.memory) this.toPageCache();
        this.tail.copy(this.piece.buffer, 0, 0, this.pieceUsed);
      }
      const n = Math.min(data.length - from, PIECE_BYTES - this.pieceUsed);
      this.piece.buffer.set(from === 0 && n === data.length ? data : data.subarray(from, from + n), this.pieceUsed);
      this.pieceUsed += n;
      from += n;
      if (this.pieceUsed === PIECE_BYTES) this.writePiece();
    }
    this.size += data.length;
    return offset;
  }

  /**
   * Sends the current piece on its way. A full piece is done with; of a partial one the last,
   * partial block is kept (in `tail`) for the next piece to start with and write again, fuller,
   * once this write is done.
   */
  private writePiece(): void {
    const piece = this.piece;
    if (!piece) return;
    const used = this.pieceUsed;
    const start = this.pieceStart;
    piece.buffer.fill(0, used, alignUp(used, this.align));
    const keep = used === PIECE_BYTES ? 0 : used % this.align;
    piece.buffer.copy(this.tail, 0, used - keep, used);
    const write = this.gate.then(() => this.writeRange(piece.buffer, used, start)).finally(() => staging.give(piece));
    const tracked = write.catch(() => undefined);
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    this.gate = keep > 0 ? tracked : Promise.resolve();
    this.piece = null;
    this.pieceStart = start + used - keep;
    this.pieceUsed = keep;
  }

  /**
   * Writes `used` bytes of `buffer` at `start` (rounded up to whole blocks when direct); on a
   * failure the bytes are kept in `lost`. A refused direct write (EINVAL) is done again through
   * the page cache, which this file and later ones then use: so is every other write of this
   * file that was already on its way, direct, when the first refusal came.
   */
  private async writeRange(buffer: Buffer, used: number, start: number): Promise<void> {
    if (this.failed) {
      this.lost.set(start, Buffer.from(buffer.subarray(0, used)));
      return;
    }
    const direct = this.direct;
    try {
      await writeFully(this.fd, buffer, alignUp(used, direct ? DIRECT_ALIGN : 1), start, direct);
    } catch (err) {
      if (direct && (err as NodeJS.ErrnoException).code === 'EINVAL') {
        directUsable = false;
        try {
          this.toPageCache();
          await writeFully(this.fd, buffer, used, start, false);
          return;
        } catch (again) {
          err = again;
        }
      }
      this.failed ??= err as Error;
      this.lost.set(start, Buffer.from(buffer.subarray(0, used)));
    }
  }

  /**
   * Goes on through the page cache: a second descriptor, opened without O_DIRECT. The direct one
   * stays open until the file closes, because writes already handed to the thread pool still
   * name it: closed, its number could go to another file, and those writes with it.
   */
  private toPageCache(): void {
    if (!this.direct) return;
    this.directFd = this.fd;
    this.fd = fs.openSync(this.path, fs.constants.O_WRONLY, 0o600);
    this.direct = false;
  }

  /** Writes what is in the current piece and resolves once every byte appended so far is written (or failed). */
  sync(): Promise<void> {
    this.writePiece();
    const all = Promise.all(this.inFlight).then(() => undefined);
    this.pending = all;
    return all;
  }

  /** Whether the bytes at [offset, offset + length) were written (none of them in a failed write). */
  landed(offset: number, length: number): boolean {
    for (const [start, bytes] of this.lost) if (offset < start + bytes.length && start < offset + length) return false;
    return true;
  }

  /**
   * Once a write has failed (`failed`), the bytes at [offset, offset + length) for storing
   * elsewhere: from the copies of failed writes, and what did land read back from the file. Null
   * when some of them can be had from neither.
   */
  recoverBytes(offset: number, length: number): Buffer | null {
    const out = Buffer.alloc(length);
    let at = offset;
    const end = offset + length;
    let readFd = -1;
    try {
      while (at < end) {
        let copied = false;
        for (const [start, bytes] of this.lost) {
          if (at >= start && at < start + bytes.length) {
            const n = Math.min(end, start + bytes.length) - at;
            bytes.copy(out, at - offset, at - start, at - start + n);
            at += n;
            copied = true;
            break;
          }
        }
        if (copied) continue;
        // Not in a failed write: it landed. Read up to the next failed write's start.
        let until = end;
        for (const start of this.lost.keys()) if (start > at && start < until) until = start;
        if (readFd < 0) readFd = fs.openSync(this.path, 'r');
        const n = fs.readSync(readFd, out, at - offset, until - at, at);
        if (n <= 0) return null;
        at += n;
      }
      return out;
    } catch {
      return null;
    } finally {
      if (readFd >= 0) fs.closeSync(readFd);
    }
  }

  /**
   * Closes the file once its writes are done. A file written direct is cut to its true size
   * first (its last block went out whole), also when it went on through the page cache later.
   */
  close(done: () => void = () => undefined): void {
    void this.sync().then(() => {
      const close = () => {
        if (this.directFd >= 0) fs.close(this.directFd, () => undefined);
        fs.close(this.fd, () => done());
      };
      if (this.wroteDirect && !this.failed) fs.ftruncate(this.fd, this.size, close);
      else close();
    });
  }

  /** Closes at once, for a recorder that has already waited for every write. */
  closeSync(): void {
    if (this.wroteDirect && !this.failed) fs.ftruncateSync(this.fd, this.size);
    if (this.directFd >= 0) fs.closeSync(this.directFd);
    fs.closeSync(this.fd);
  }
}

/** Writes all of buffer[0, length) at `position`, going on after short writes (whole blocks when direct). */
function writeFully(fd: number, buffer: Buffer, length: number, position: number, direct: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (from: number) =>
      fs.write(fd, buffer, from, length - from, position + from, (err, written) => {
        if (err) return reject(err);
        const done = from + written;
        if (done >= length) resolve();
        else if (written > 0 && (!direct || done % DIRECT_ALIGN === 0)) step(done);
        else reject(new Error(`short write (${done} of ${length} bytes)`));
      });
    step(0);
  });
}
