// The floor of any recorder that keeps every byte: each chunk the byte tap sees goes to a file
// the way the workbench's recordings do (sessions/recordingFiles.ts: copied at once into staging
// pieces, each full piece written off the main thread, direct I/O where the platform has it),
// with no timestamps, rows or database. The files stay until the benchmark ends, as a recorder's do.
import { RecordingFile } from '../src-main/sessions/recordingFiles';

export interface FloorFile {
  observe(data: Uint8Array): void;
  /** Writes the rest, waits for every write, closes the file. */
  close(): Promise<void>;
}

export function floorFile(name: string): FloorFile {
  const file = RecordingFile.open(name);
  return {
    observe: (data) => void file.append(data),
    close: () => new Promise<void>((resolve) => file.close(resolve)),
  };
}
