// Recording files: what lands in a file is exactly the bytes appended, in order, whether the file
// is written direct (O_DIRECT, in whole blocks, past the page cache) or through the page cache.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendToRecordingFile,
  closeRecordingFile,
  closeRecordingFileSync,
  DIRECT_ALIGN,
  openRecordingFile,
  unwritten,
  type RecordingFile,
} from '../../src-main/sessions/recordingFiles';

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

/** Appends `sizes` worth of random bytes, one call per list, as the recorder does per batch. */
async function appendBatches(file: RecordingFile, batches: number[][]): Promise<Buffer> {
  const all: Buffer[] = [];
  const origin = file.size;
  for (const sizes of batches) {
    const parts = sizes.map((n) => crypto.randomBytes(n));
    const position = file.size;
    file.size += sizes.reduce((a, b) => a + b, 0);
    await appendToRecordingFile(file, parts, position);
    all.push(...parts);
    // Every byte placed so far is readable at once, at its offset (rows point there after each batch).
    const expected = Buffer.concat(all);
    expect(fs.readFileSync(file.path).subarray(origin, origin + expected.length).equals(expected)).toBe(true);
  }
  return Buffer.concat(all);
}

/** Batches with partial blocks, exact blocks, a single byte and more than one staging buffer. */
const BATCHES = [[100, 3000], [5000], [1], [DIRECT_ALIGN], [DIRECT_ALIGN - 1, 2], [3 * 1024 * 1024 + 17, 65536, 9], [700]];

const closed = (file: RecordingFile) => new Promise<void>((resolve) => closeRecordingFile(file, resolve));

describe('a recording file', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-recfiles-'));
  const direct = takesDirectIo(folder);

  it(`holds exactly the appended bytes, and ends at their length once closed (${direct ? 'direct I/O' : 'this file system takes no direct I/O'})`, async () => {
    const file = openRecordingFile(path.join(folder, '1.bin'));
    expect(file.direct !== null).toBe(direct);
    expect((fs.statSync(file.path).mode & 0o777).toString(8)).toBe('600');
    const written = await appendBatches(file, BATCHES);
    // Still direct: no write was refused and sent through the page cache instead.
    expect(file.direct !== null).toBe(direct);
    await closed(file);
    expect(fs.readFileSync(file.path).equals(written)).toBe(true);
  });

  it('reopened after a crash (no close), goes on after what is there and leaves that untouched', async () => {
    const name = path.join(folder, '2.bin');
    const first = openRecordingFile(name);
    const before = await appendBatches(first, [[1234]]);
    fs.closeSync(first.fd); // no cut to size: what a crashed engine leaves
    const again = openRecordingFile(name);
    expect(again.size).toBeGreaterThanOrEqual(before.length);
    if (again.direct) expect(again.size % DIRECT_ALIGN).toBe(0);
    const start = again.size;
    const after = await appendBatches(again, [[10, 20], [8000]]);
    expect(again.direct !== null).toBe(direct);
    closeRecordingFileSync(again);
    const bytes = fs.readFileSync(name);
    expect(bytes.subarray(0, before.length).equals(before)).toBe(true);
    expect(bytes.subarray(start).equals(after)).toBe(true);
  });

  it('opened for the page cache (where direct I/O is refused), holds the same bytes', async () => {
    const file = openRecordingFile(path.join(folder, '3.bin'), { direct: false });
    expect(file.direct).toBeNull();
    const written = await appendBatches(file, BATCHES);
    await closed(file);
    expect(fs.readFileSync(file.path).equals(written)).toBe(true);
  });
});

// Last in this file: a refused direct write turns direct I/O off for the rest of the process.
describe.runIf(takesDirectIo(os.tmpdir()))('a direct write the kernel refuses (EINVAL)', () => {
  it('goes through the page cache instead, bytes intact, and so does the rest of the file', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-recfiles-'));
    const file = openRecordingFile(path.join(folder, '4.bin'));
    expect(file.direct).not.toBeNull();
    // A position off the block boundary, with no partial block kept to start from: the kernel
    // refuses such a direct write, as it would one from memory it cannot use.
    fs.writeFileSync(file.path, 'abc');
    file.size = 3;
    const rest = await appendBatches(file, [[5000], [20]]);
    expect(file.direct).toBeNull();
    closeRecordingFileSync(file);
    expect(fs.readFileSync(file.path).equals(Buffer.concat([Buffer.from('abc'), rest]))).toBe(true);
    expect(openRecordingFile(path.join(folder, '5.bin')).direct).toBeNull();
  });
});

describe('a short vectored write', () => {
  it('leaves exactly the bytes it did not take, in order', () => {
    const parts = [Buffer.from('abc'), Buffer.from('defg'), Buffer.from('hi')];
    const join = (p: Uint8Array[]) => Buffer.concat(p).toString();
    expect(join(unwritten(parts, 0))).toBe('abcdefghi');
    expect(join(unwritten(parts, 3))).toBe('defghi');
    expect(join(unwritten(parts, 5))).toBe('fghi');
    expect(unwritten(parts, 9)).toEqual([]);
  });
});
