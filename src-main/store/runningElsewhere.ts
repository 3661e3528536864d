// Servers, proxies and replay servers started from a terminal (`tlslab server` and the like) on a
// data folder, so that the window open on the same folder knows them: each writes one small file,
// running/<pid>-<kind>-<n>.json (mode 0600), once it listens, and removes it when it stops. A file
// whose process is gone (killed, or the machine restarted) or that does not parse is removed by
// whoever reads the folder next. The engine's own services are not written here: it lists them.
import fs from 'node:fs';
import path from 'node:path';
import type { RunningElsewhere, RunningElsewhereKind } from '../api/serverTypes';
import { WorkbenchError } from '../errors';
import { writeFilesAtomically } from '../workshop/files';

export const RUNNING_FOLDER = 'running';

const KINDS: readonly RunningElsewhereKind[] = ['server', 'proxy', 'replay-server'];
const NAME = /^(\d+)-(server|proxy|replay-server)-(\d+)\.json$/;

let written = 0;

function valid(entry: unknown): entry is RunningElsewhere {
  const e = entry as Partial<RunningElsewhere> | null;
  return (
    !!e &&
    typeof e.kind === 'string' && KINDS.includes(e.kind) &&
    Number.isInteger(e.pid) && (e.pid as number) > 0 &&
    typeof e.address === 'string' &&
    Array.isArray(e.addresses) && e.addresses.every((a) => typeof a === 'string') &&
    typeof e.label === 'string' &&
    typeof e.startedAt === 'number' &&
    (e.certificate === undefined || typeof e.certificate === 'string') &&
    (e.names === undefined || (Array.isArray(e.names) && e.names.every((n) => typeof n === 'string')))
  );
}

/** Whether a process with this id is alive; one of another user (EPERM) is. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export interface RunningRecord {
  readonly file: string;
  /** Removes the file; again is harmless. */
  remove(): void;
}

/**
 * Writes this process's record of a service that now listens. The file goes away with remove(),
 * and on the process's exit if remove() was never reached. A record that cannot be written only
 * costs the window its card: the service runs all the same, and a line says why.
 */
export function recordRunning(dataDir: string, entry: Omit<RunningElsewhere, 'pid' | 'startedAt'> & { startedAt?: number }): RunningRecord {
  const folder = path.join(dataDir, RUNNING_FOLDER);
  const file = path.join(folder, `${process.pid}-${entry.kind}-${++written}.json`);
  const full: RunningElsewhere = { ...entry, pid: process.pid, startedAt: entry.startedAt ?? Date.now() };
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    fs.rmSync(file, { force: true });
  };
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFilesAtomically([{ path: file, data: `${JSON.stringify(full)}\n`, secret: true }]);
    process.on('exit', remove);
  } catch (err) {
    removed = true;
    process.stderr.write(`tlslab: ${entry.address} runs, but the window cannot be told (${(err as Error).message}); its connections are recorded all the same\n`);
  }
  return { file, remove };
}

/**
 * The services other processes run on this data folder, oldest first. Files of processes that are
 * gone, and files that do not parse, are removed; the reading process's own records are skipped.
 */
export function listRunningElsewhere(dataDir: string, ownPid = process.pid): RunningElsewhere[] {
  const folder = path.join(dataDir, RUNNING_FOLDER);
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const found: RunningElsewhere[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === ownPid) continue;
    const file = path.join(folder, name);
    let entry: unknown;
    try {
      entry = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      // Gone between the listing and the read: nothing to do.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      entry = null;
    }
    if (!valid(entry) || entry.pid !== pid || !processAlive(pid)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    found.push(entry);
  }
  return found.sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid);
}

/** "127.0.0.1:4433", "[::1]:4433": how the workbench writes an address. */
export function addressOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The running record that listens on host:port, if one does. */
export function runningAt(dataDir: string, host: string, port: number): RunningElsewhere | null {
  const address = addressOf(host, port);
  return listRunningElsewhere(dataDir).find((entry) => entry.addresses.includes(address)) ?? null;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "`tlslab server` (process 1234, started 02:03:43)". */
export function describeHolder(entry: RunningElsewhere): string {
  return `\`tlslab ${entry.kind}\` (process ${entry.pid}, started ${clock(entry.startedAt)})`;
}

/**
 * A port already in use. `where` says which ("port 4433 on 127.0.0.1", "--listen 127.0.0.1:8443")
 * and `instead` what to do ("choose another port such as 4434"): with the data folder known, the
 * message can name a terminal's tlslab command that holds the port.
 */
export class PortInUseError extends WorkbenchError {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly where: string,
    readonly instead: string,
    /** The words when no running record names the holder: the message as it always was. */
    message: string,
  ) {
    super('PORT_IN_USE', message);
  }
}

/**
 * The error again, naming the `tlslab` command that holds its port when a running record in the
 * data folder says one does; any other error, or a port held by something else, as it was.
 */
export function namePortHolder<E>(err: E, dataDir: string | undefined): E | PortInUseError {
  if (!(err instanceof PortInUseError) || dataDir === undefined) return err;
  let holder: RunningElsewhere | null;
  try {
    holder = runningAt(dataDir, err.host, err.port);
  } catch {
    holder = null;
  }
  if (!holder) return err;
  return new PortInUseError(
    err.host,
    err.port,
    err.where,
    err.instead,
    `${err.where} is already in use by ${describeHolder(holder)} recording into this data folder; stop it with Ctrl-C in its terminal, or ${err.instead}`,
  );
}
