// The floor of any recorder that keeps every byte: each chunk the byte tap sees goes to a file
// the way the workbench's recordings do (copied at once into reused buffers, so that the socket's
// own buffers die young; written per MiB through sessions/recordingFiles.ts, direct I/O where the
// platform has it), with no timestamps, rows or database. The files stay until the benchmark
// ends, as a recorder's do.
import {
  appendToRecordingFile,
  closeRecordingFile,
  openRecordingFile,
} from '../src-main/sessions/recordingFiles';

const SLAB_BYTES = 1024 * 1024;

export interface FloorFile {
  observe(data: Uint8Array): void;
  /** Writes what is gathered, waits for every write, closes the file. */
  close(): Promise<void>;
}

const spareSlabs: Buffer[] = [];

export function floorFile(name: string): FloorFile {
  const file = openRecordingFile(name);
  let slab = spareSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES);
  let used = 0;
  let writes = Promise.resolve();
  const write = () => {
    if (used === 0) return;
    const full = slab;
    const bytes = full.subarray(0, used);
    const at = file.size;
    file.size += used;
    slab = spareSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES);
    used = 0;
    writes = writes.then(() => appendToRecordingFile(file, [bytes], at)).finally(() => spareSlabs.push(full));
  };
  return {
    observe(data) {
      let from = 0;
      while (from < data.length) {
        const n = Math.min(data.length - from, SLAB_BYTES - used);
        slab.set(data.subarray(from, from + n), used);
        used += n;
        from += n;
        if (used === SLAB_BYTES) write();
      }
    },
    async close() {
      write();
      spareSlabs.push(slab);
      await writes;
      await new Promise<void>((resolve) => closeRecordingFile(file, resolve));
    },
  };
}
