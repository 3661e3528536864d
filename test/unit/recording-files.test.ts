// Recording files: what lands in a file is exactly the bytes appended, in order, whether the file
// is written direct (O_DIRECT, in whole blocks, past the page cache) or through the page cache;
// bytes whose write failed can still be had, to be stored elsewhere.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DIRECT_ALIGN, PIECE_BYTES, RecordingFile } from '../../src-main/sessions/recordingFiles';

/** Whether the file system under `folder` takes direct I/O, asked of the kernel directly. */
function takesDirectIo(folder: string): boolean {
  if (fs.constants.O_DIRECT === undefined) return false;
  const probe = path.join(folder, 'probe');
  try {
    fs.closeSync(fs.openSync(probe, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_DIRECT, 0o600));
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/**
 * Appends random chunks of the given sizes, one list per batch, syncing after each as the recorder
 * does before it commits a batch; checks each chunk's offset and that every byte is readable then.
 */
async function appendBatches(file: RecordingFile, batches: number[][]): Promise<Buffer> {
  const all: Buffer[] = [];
  const origin = file.size;
  for (const sizes of batches) {
    for (const n of sizes) {
      const chunk = crypto.randomBytes(n);
      expect(file.append(chunk)).toBe(origin + all.reduce((a, b) => a + b.length, 0));
      all.push(chunk);
    }
    await file.sync();
    const expected = Buffer.concat(all);
    expect(fs.readFileSync(file.path).subarray(origin, origin + expected.length).equals(expected)).toBe(true);
  }
  return Buffer.concat(all);
}

/** Batches with partial blocks, exact blocks, a single byte, a chunk larger than a piece, and pieces filled exactly. */
const BATCHES = [[100, 3000], [5000], [1], [DIRECT_ALIGN], [DIRECT_ALIGN - 1, 2], [3 * PIECE_BYTES + 17, 65536, 9], [PIECE_BYTES - 65536 - 26], [700]];

const closed = (file: RecordingFile) => new Promise<void>((resolve) => file.close(resolve));

describe('a recording file', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-recfiles-'));
  const direct = takesDirectIo(folder);

  it(`holds exactly the appended bytes, and ends at their length once closed (${direct ? 'direct I/O' : 'this file system takes no direct I/O'})`, async () => {
    const file = RecordingFile.open(path.join(folder, '1.bin'));
    expect(file.direct).toBe(direct);
    expect((fs.statSync(file.path).mode & 0o777).toString(8)).toBe('600');
    const written = await appendBatches(file, BATCHES);
    // Still direct: no write was refused and sent through the page cache instead.
    expect(file.direct).toBe(direct);
    expect(file.failed).toBeNull();
    await closed(file);
    expect(fs.readFileSync(file.path).equals(written)).toBe(true);
  });

  it('reopened after a crash (no close), goes on after what is there and leaves that untouched', async () => {
    const name = path.join(folder, '2.bin');
    const first = RecordingFile.open(name);
    const before = await appendBatches(first, [[1234]]);
    fs.closeSync(first.fd); // no cut to size: what a crashed engine leaves
    const again = RecordingFile.open(name);
    expect(again.size).toBeGreaterThanOrEqual(before.length);
    if (again.direct) expect(again.size % DIRECT_ALIGN).toBe(0);
    const start = again.size;
    const after = await appendBatches(again, [[10, 20], [8000]]);
    expect(again.direct).toBe(direct);
    again.closeSync();
    const bytes = fs.readFileSync(name);
    expect(bytes.subarray(0, before.length).equals(before)).toBe(true);
    expect(bytes.subarray(start).equals(after)).toBe(true);
  });

  it('opened for the page cache (where direct I/O is refused), holds the same bytes', async () => {
    const file = RecordingFile.open(path.join(folder, '3.bin'), { direct: false });
    expect(file.direct).toBe(false);
    const written = await appendBatches(file, BATCHES);
    await closed(file);
    expect(fs.readFileSync(file.path).equals(written)).toBe(true);
  });

  it('whose write fails keeps the bytes, and gives them back with those that landed before', async () => {
    const file = RecordingFile.open(path.join(folder, '4.bin'));
    const landed = await appendBatches(file, [[6000]]);
    // From now on every write fails (EBADF), as on a disk that went away.
    const good = file.fd;
    file.fd = fs.openSync(file.path, 'r');
    const lostChunk = crypto.randomBytes(PIECE_BYTES + 5000);
    const at = file.append(lostChunk);
    await file.sync();
    expect(file.failed).not.toBeNull();
    expect(file.recoverBytes(at, lostChunk.length)?.equals(lostChunk)).toBe(true);
    // A range across what landed and what did not.
    expect(file.recoverBytes(landed.length - 100, 300)?.equals(Buffer.concat([landed.subarray(-100), lostChunk.subarray(0, 200)]))).toBe(true);
    fs.closeSync(file.fd);
    fs.closeSync(good);
  });
});

// Last in this file: a refused direct write turns direct I/O off for the rest of the process.
describe.runIf(takesDirectIo(os.tmpdir()))('a direct write the kernel refuses (EINVAL)', () => {
  it('goes through the page cache instead, bytes intact, even for the pieces already on their way, and so do the files opened after', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-recfiles-'));
    fs.writeFileSync(path.join(folder, '5.bin'), 'abc');
    const file = RecordingFile.open(path.join(folder, '5.bin'));
    expect(file.direct).toBe(true);
    // A piece that starts off the block boundary: the kernel refuses such a direct write, as it
    // would one from memory it cannot use. (Only a test puts a file in this state.)
    file.size = 3;
    (file as unknown as { pieceStart: number }).pieceStart = 3;
    // Four full pieces go to the thread pool at once, each refused, then a partial one, then more.
    const rest = await appendBatches(file, [[4 * PIECE_BYTES + 5000], [20]]);
    expect(file.direct).toBe(false);
    expect(file.failed).toBeNull();
    file.closeSync();
    expect(fs.readFileSync(file.path).equals(Buffer.concat([Buffer.from('abc'), rest]))).toBe(true);
    expect(RecordingFile.open(path.join(folder, '6.bin')).direct).toBe(false);
  });
});

// A fresh copy of the module (its staging pool and its "direct I/O usable" flag start anew) in a
// process where WebAssembly memories run out after `memories` of them: pieces are then plain
// buffers, not page-aligned, and the kernel refuses every direct write from them.
async function withMemoriesRunningOut(memories: number, body: (fresh: typeof import('../../src-main/sessions/recordingFiles')) => Promise<void>): Promise<void> {
  // Node's types declare WebAssembly's types but not its global value.
  type Memory = new (descriptor: { initial: number; maximum?: number }) => object;
  const wasm = (globalThis as unknown as { WebAssembly: { Memory: Memory } }).WebAssembly;
  const real = wasm.Memory;
  let made = 0;
  wasm.Memory = function LimitedMemory(descriptor: { initial: number; maximum?: number }) {
    if (made++ >= memories) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    return new real(descriptor);
  } as unknown as Memory;
  try {
    vi.resetModules();
    await body(await import('../../src-main/sessions/recordingFiles'));
  } finally {
    wasm.Memory = real;
    vi.resetModules();
  }
}

describe.runIf(takesDirectIo(os.tmpdir()))('staging memory that cannot be made', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-recfiles-'));

  it('sends every piece through the page cache, bytes intact', async () => {
    await withMemoriesRunningOut(0, async (fresh) => {
      const file = fresh.RecordingFile.open(path.join(folder, '7.bin'));
      expect(file.direct).toBe(true);
      const written = await appendBatches(file, [[4 * fresh.PIECE_BYTES + 5000], [3000, fresh.PIECE_BYTES]]);
      expect(file.failed).toBeNull();
      expect(file.direct).toBe(false);
      await closed(file);
      expect(fs.readFileSync(file.path).equals(written)).toBe(true);
    });
  });

  it('cuts a file that went on through the page cache to its true size: its last direct write was whole blocks', async () => {
    await withMemoriesRunningOut(1, async (fresh) => {
      const file = fresh.RecordingFile.open(path.join(folder, '8.bin'));
      const first = await appendBatches(file, [[5000]]);
      expect(fs.statSync(file.path).size).toBe(2 * DIRECT_ALIGN); // direct: the last block went out whole
      // Busy connections hold every piece of the one memory there is; the next piece is a plain buffer.
      const others = Array.from({ length: 8 }, (_, i) => fresh.RecordingFile.open(path.join(folder, `8-${i}.bin`)));
      for (const other of others) other.append(Buffer.from('busy'));
      const second = await appendBatches(file, [[100]]);
      expect(file.direct).toBe(false);
      expect(file.failed).toBeNull();
      await closed(file);
      expect(fs.readFileSync(file.path).equals(Buffer.concat([first, second]))).toBe(true);
      for (const other of others) await closed(other);
    });
  });
});
