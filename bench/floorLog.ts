// The floor of any recorder that keeps each connection's bytes and keys: every chunk the byte
// tap sees and every key log line goes, with a small header (connection, what it is, length,
// time), into one file shared by all connections, written in batches every 100 ms as the
// workbench's recorder flushes. No sessions, events, rows or database: what a capture written
// with its key log (dumpcap and SSLKEYLOGFILE) keeps, and no less.
import fs from 'node:fs';

const FLUSH_MS = 100;
const HEAD_BYTES = 17;

export type FloorEntry = 'client-to-server' | 'server-to-client' | 'keylog' | 'closed';
const KINDS: Record<FloorEntry, number> = { 'client-to-server': 1, 'server-to-client': 2, keylog: 3, closed: 4 };

export interface FloorLog {
  /** One connection's writer: its entries carry its number and the time since it opened. */
  connection(): (kind: FloorEntry, data?: Uint8Array) => void;
  /** Writes what is queued and closes the file. */
  close(): Promise<void>;
}

export function floorLog(file: string): FloorLog {
  const fd = fs.openSync(file, 'a', 0o600);
  let queued: Uint8Array[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing = Promise.resolve();
  let connections = 0;
  const flush = () => {
    timer = null;
    const pieces = queued;
    queued = [];
    const batch = Buffer.concat(pieces);
    writing = writing.then(() => new Promise<void>((resolve) => fs.write(fd, batch, () => resolve())));
  };
  return {
    connection() {
      const id = ++connections;
      const opened = performance.now();
      return (kind, data) => {
        const head = Buffer.allocUnsafe(HEAD_BYTES);
        head[0] = KINDS[kind];
        head.writeUInt32LE(id, 1);
        head.writeUInt32LE(data?.length ?? 0, 5);
        head.writeDoubleLE(performance.now() - opened, 9);
        queued.push(head);
        // A copy: the socket's buffer is free as soon as this returns, as with the recorder.
        if (data) queued.push(Buffer.from(data));
        timer ??= setTimeout(flush, FLUSH_MS);
      };
    },
    async close() {
      if (timer) clearTimeout(timer);
      flush();
      await writing;
      fs.closeSync(fd);
    },
  };
}
