// A busy connection's recording file: opened, appended to through the thread pool, closed.
//
// Where the platform has it, the file is written with direct I/O (O_DIRECT), past the page cache.
// Measured on this lab's machines (Firecracker VMs whose memory goes back to the host when unused):
// putting 100 MB of new data in the page cache costs the kernel about 250 ms of CPU, more than the
// download itself; the same bytes written direct from a reused buffer cost 4 ms of CPU and 45 ms
// of wall time. A recorder keeps every byte it saw, so it always paid the first price.
//
// Direct I/O wants the memory, the file offset and the length aligned to the disk's blocks. The
// bytes are staged in aligned buffers, each write rounded up to whole blocks; the last, partial
// block is kept in memory and written again, fuller, by the next write; the file is cut to its
// true size when it closes. Where direct I/O is not to be had (macOS and Windows have no O_DIRECT;
// some file systems refuse it) the file is written through the page cache, as it was before.
import fs from 'node:fs';

/** Alignment of direct writes: memory address, file offset and length (a page; disks ask 512 or 4096). */
export const DIRECT_ALIGN = 4096;
/** Bytes staged per direct write; a few staging buffers, shared by every file of the process. */
const STAGING_BYTES = 1024 * 1024;
const STAGING_BUFFERS = 8;

/** Node's types declare WebAssembly's types but not its global value. */
const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly;

const alignDown = (n: number) => n - (n % DIRECT_ALIGN);
const alignUp = (n: number) => alignDown(n + DIRECT_ALIGN - 1);

/**
 * Staging buffers whose memory starts on a page: a WebAssembly memory is mapped by itself, so its
 * first byte is page-aligned, which a Buffer's is not. One memory, cut in slices, for the whole
 * process (each memory reserves address space of its own). A refused direct write turns direct
 * I/O off for the files opened after, so a platform where this does not hold loses nothing.
 */
class StagingPool {
  private free: Buffer[] | null = null;
  private readonly waiting: ((buffer: Buffer) => void)[] = [];
  /** False once direct I/O failed for a reason of the platform's (no aligned memory, EINVAL). */
  usable = fs.constants.O_DIRECT !== undefined;

  private slices(): Buffer[] {
    if (!this.free) {
      this.free = [];
      try {
        const pages = (STAGING_BYTES * STAGING_BUFFERS) / 65536;
        const memory = Buffer.from(new wasm.Memory({ initial: pages, maximum: pages }).buffer);
        for (let i = 0; i < STAGING_BUFFERS; i++) this.free.push(memory.subarray(i * STAGING_BYTES, (i + 1) * STAGING_BYTES));
      } catch {
        this.usable = false;
      }
    }
    return this.free;
  }

  /** Whether new files are opened for direct I/O. */
  ready(): boolean {
    if (this.usable) this.slices();
    return this.usable;
  }

  acquire(): Promise<Buffer> {
    const buffer = this.slices().pop();
    if (buffer) return Promise.resolve(buffer);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(buffer: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(buffer);
    else this.free?.push(buffer);
  }
}

const staging = new StagingPool();

export interface RecordingFile {
  fd: number;
  path: string;
  /** Bytes placed so far (written or being written). */
  size: number;
  /** Writes in flight; the file is closed after the last one when the connection has closed. */
  pending: Promise<void>;
  closing: boolean;
  /** A write failed: later writes already queued skip, and the connection's bytes go inline. */
  failed?: boolean;
  /** Written with direct I/O: the bytes of the last, partial block, which the next write rewrites. */
  direct: { tail: Buffer; tailLength: number } | null;
}

/**
 * Opens (or reopens) a recording file for appending, direct where it can be (and `direct` is not
 * false). Bytes a crashed engine wrote without committing their rows stay, unreferenced; a direct
 * file starts again on a block boundary.
 */
export function openRecordingFile(path: string, { direct = true }: { direct?: boolean } = {}): RecordingFile {
  if (direct && staging.ready()) {
    let fd = -1;
    try {
      fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DIRECT, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
      // This file system takes no direct I/O: through the page cache.
    }
    if (fd >= 0) {
      const size = alignUp(fs.fstatSync(fd).size);
      return { fd, path, size, pending: Promise.resolve(), closing: false, direct: { tail: Buffer.alloc(DIRECT_ALIGN), tailLength: 0 } };
    }
  }
  const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
  return { fd, path, size: fs.fstatSync(fd).size, pending: Promise.resolve(), closing: false, direct: null };
}

/** What is left of `parts` after a vectored write took its first `written` bytes. */
export function unwritten(parts: Uint8Array[], written: number): Uint8Array[] {
  let skip = written;
  const rest: Uint8Array[] = [];
  for (const part of parts) {
    if (skip >= part.length) skip -= part.length;
    else {
      rest.push(skip > 0 ? part.subarray(skip) : part);
      skip = 0;
    }
  }
  return rest;
}

/** Writes every byte of `parts` at `position`, going on after short writes. */
function writeAll(fd: number, parts: Uint8Array[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (rest: Uint8Array[], at: number) =>
      fs.writev(fd, rest, at, (err, written) => {
        if (err) return reject(err);
        const left = unwritten(rest, written);
        if (left.length === 0) resolve();
        else step(left, at + written);
      });
    step(parts, position);
  });
}

function writeBlocks(fd: number, buffer: Buffer, length: number, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (from: number) =>
      fs.write(fd, buffer, from, length - from, position + from, (err, written) => {
        if (err) return reject(err);
        const done = from + written;
        if (done >= length) resolve();
        else if (written > 0 && done % DIRECT_ALIGN === 0) step(done);
        else reject(new Error(`short direct write (${done} of ${length} bytes)`));
      });
    step(0);
  });
}

/**
 * Appends `parts` at `position` (the file's size before them). Calls on one file must not overlap:
 * the recorder chains them on `file.pending`. A direct file's bytes go out in staging-sized
 * pieces written side by side: one after another, each waited for the one before.
 */
export async function appendToRecordingFile(file: RecordingFile, parts: Uint8Array[], position: number): Promise<void> {
  const direct = file.direct;
  if (!direct) return writeAll(file.fd, parts, position);
  const writes: Promise<void>[] = [];
  let part = 0;
  let partOffset = 0;
  let at = position;
  while (part < parts.length) {
    const buffer = await staging.acquire();
    // The partial block first, then as many new bytes as fit.
    const start = at - direct.tailLength;
    let filled = direct.tail.copy(buffer, 0, 0, direct.tailLength);
    while (part < parts.length && filled < buffer.length) {
      const from = parts[part];
      const n = Math.min(from.length - partOffset, buffer.length - filled);
      buffer.set(from.subarray(partOffset, partOffset + n), filled);
      filled += n;
      partOffset += n;
      if (partOffset === from.length) {
        part++;
        partOffset = 0;
      }
    }
    const padded = alignUp(filled);
    buffer.fill(0, filled, padded);
    writes.push(writeBlocks(file.fd, buffer, padded, start).finally(() => staging.release(buffer)));
    direct.tailLength = filled % DIRECT_ALIGN;
    buffer.copy(direct.tail, 0, filled - direct.tailLength, filled);
    at = start + filled;
  }
  const failures = (await Promise.allSettled(writes)).flatMap((r) => (r.status === 'rejected' ? [r.reason as NodeJS.ErrnoException] : []));
  if (failures.length === 0) return;
  if (failures.some((err) => err.code !== 'EINVAL')) throw failures[0];
  // Direct I/O refused after all: this file and those opened after go through the page cache.
  staging.usable = false;
  await toBuffered(file, parts, position);
}

/** Reopens a direct file through the page cache and writes `parts` at `position` there. */
async function toBuffered(file: RecordingFile, parts: Uint8Array[], position: number): Promise<void> {
  const fd = fs.openSync(file.path, fs.constants.O_WRONLY, 0o600);
  fs.closeSync(file.fd);
  file.fd = fd;
  file.direct = null;
  await writeAll(fd, parts, position);
}

/** Closes the file once its writes are done; a direct file is cut to its true size first. */
export function closeRecordingFile(file: RecordingFile, done: () => void = () => undefined): void {
  const close = () => fs.close(file.fd, () => done());
  if (file.direct && !file.failed) fs.ftruncate(file.fd, file.size, close);
  else close();
}

export function closeRecordingFileSync(file: RecordingFile): void {
  if (file.direct && !file.failed) fs.ftruncateSync(file.fd, file.size);
  fs.closeSync(file.fd);
}
