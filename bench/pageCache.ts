// What keeping bytes costs this machine before any recorder code runs: the CPU to put 100 MB of
// new data in files. On this lab's VMs (Firecracker, free page reporting on) memory the guest has
// not touched lately comes back from the host page by page, so a write into fresh page cache costs
// several times what a write into recycled pages does; a recorder keeps its files, so through the
// page cache it always paid the fresh price. Recordings are now written direct where the platform
// allows (sessions/recordingFiles.ts), past the page cache; all three are printed next to the
// download figures so they can be read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordingFile } from '../src-main/sessions/recordingFiles';

const CHUNK = 1024 * 1024;

/** CPU ms to write `bytes` of new data into a new file in 1 MiB writes; the file stays. */
function writeNew(folder: string, name: string, bytes: number): number {
  const chunk = Buffer.alloc(CHUNK, 0x5a);
  const fd = fs.openSync(path.join(folder, name), 'w', 0o600);
  const before = process.cpuUsage();
  for (let written = 0; written < bytes; written += CHUNK) fs.writeSync(fd, chunk, 0, Math.min(CHUNK, bytes - written));
  const spent = process.cpuUsage(before);
  fs.closeSync(fd);
  return (spent.user + spent.system) / 1000;
}

/** Process CPU ms to write `bytes` as a recording is written (direct where it can be), in 64 KiB chunks; the first use of the staging memory is paid before. */
async function writeRecording(folder: string, name: string, bytes: number): Promise<{ ms: number; direct: boolean }> {
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const warm = RecordingFile.open(path.join(folder, `${name}-warm`));
  for (let i = 0; i < 64; i++) warm.append(chunk);
  await warm.sync();
  warm.closeSync();
  const file = RecordingFile.open(path.join(folder, name));
  const before = process.cpuUsage();
  // Synced every 4 MiB, as the recorder commits a batch: the pieces in flight stay few.
  for (let written = 0; written < bytes; written += chunk.length) {
    file.append(chunk);
    if ((written + chunk.length) % (4 * 1024 * 1024) === 0) await file.sync();
  }
  await file.sync();
  const spent = process.cpuUsage(before);
  file.closeSync();
  return { ms: (spent.user + spent.system) / 1000, direct: file.direct };
}

/** Pages freed this long ago are back with the host (measured: after 5 s, fresh again). */
const SETTLE_MS = 5000;

/**
 * CPU ms for `bytes` of new file data, twice: into fresh pages (three files kept side by side,
 * as a recorder keeps its recordings; the median) and into recycled ones (a file written, removed
 * and written again at once). Waits first, so that memory freed just before counts as fresh.
 */
export async function pageCacheCost(bytes: number): Promise<{ freshMs: number; recycledMs: number; recording: { ms: number; direct: boolean } }> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-pages-'));
  try {
    const fresh = [0, 1, 2].map((i) => writeNew(folder, `kept-${i}`, bytes)).sort((a, b) => a - b)[1];
    writeNew(folder, 'again', bytes);
    fs.rmSync(path.join(folder, 'again'));
    const recycled = writeNew(folder, 'again', bytes);
    const recording = await writeRecording(folder, 'recording', bytes);
    return { freshMs: fresh, recycledMs: recycled, recording };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** One line for a download benchmark: what storing its bytes costs this machine, as recordings are written and through the page cache, against the download itself. */
export async function pageCacheText(bytes: number, plainDownloadMs: number): Promise<string> {
  const { freshMs, recycledMs, recording } = await pageCacheCost(bytes);
  const how = recording.direct ? 'direct I/O' : 'the page cache: this file system takes no direct I/O';
  return `this machine: writing the download's bytes to new files costs ${recording.ms.toFixed(0)} ms of CPU as recordings are written (${how}); through the page cache ${freshMs.toFixed(0)} ms in fresh pages, ${recycledMs.toFixed(0)} ms in recycled ones; the plain download itself takes ${plainDownloadMs.toFixed(0)} ms`;
}
