// Servers, proxies and replay servers running on a data folder, so that other processes on the same
// folder know them: the window lists a terminal's `tlslab server` and the like, and a command or
// window that finds a port taken names who holds it. Each service writes one small file,
// running/<pid>-<kind>-<n>.json (mode 0600), once it listens, and removes it when it stops. A file
// whose process is gone (killed, the machine restarted, or its process id now another program's)
// or that does not parse is removed by whoever reads the folder next.
import fs from 'node:fs';
import path from 'node:path';
import type { RunningElsewhere, RunningElsewhereKind, RunningOrigin } from '../api/serverTypes';
import { WorkbenchError } from '../errors';
import { writeFilesAtomically } from '../workshop/files';
import { commandPid } from '../engineMalloc';

export const RUNNING_FOLDER = 'running';

const KINDS: readonly RunningElsewhereKind[] = ['server', 'proxy', 'replay-server'];
const NAME = /^(\d+)-(server|proxy|replay-server)-(\d+)\.json$/;

let written = 0;

/**
 * What a running/ file holds: the entry, and when its process started, so that a process id the
 * system has since given to another program does not make a killed command's record look alive.
 */
interface StoredEntry extends Omit<RunningElsewhere, 'origin'> {
  /** Absent in records written before the window wrote its own: those came from terminals. */
  origin?: RunningOrigin;
  /** Clock ticks after boot (field 22 of /proc/<pid>/stat); absent where /proc is not. */
  processStart?: number;
}

function valid(entry: unknown): entry is StoredEntry {
  const e = entry as Partial<StoredEntry> | null;
  return (
    !!e &&
    typeof e.kind === 'string' && KINDS.includes(e.kind) &&
    (e.origin === undefined || e.origin === 'terminal' || e.origin === 'window') &&
    Number.isInteger(e.pid) && (e.pid as number) > 0 &&
    (e.processStart === undefined || typeof e.processStart === 'number') &&
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

/**
 * When the process started, in clock ticks after boot (Linux: field 22 of /proc/<pid>/stat); null
 * when there is no such process, undefined when this system cannot say (no /proc, or hidden).
 */
export function processStartTime(pid: number): number | null | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    return fs.existsSync('/proc/self/stat') ? null : undefined;
  }
  // Field 2, the command's name in parentheses, may hold spaces and ')': count from the last ')'.
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(after[22 - 3]);
  return Number.isSafeInteger(start) ? start : undefined;
}

/** Whether the process that wrote the record still runs: same id, and started when it did. */
function writerAlive(entry: StoredEntry): boolean {
  const start = processStartTime(entry.pid);
  if (start === null) return false;
  if (start === undefined || entry.processStart === undefined) return processAlive(entry.pid);
  return start === entry.processStart;
}

/** This process's records, removed when it exits without reaching remove() (one listener for all). */
const removeAtExit = new Set<string>();
let exitListening = false;

function removeRecordsAtExit(): void {
  for (const file of removeAtExit) fs.rmSync(file, { force: true });
  removeAtExit.clear();
}

export interface RunningRecord {
  readonly file: string;
  /** Removes the file; again is harmless. */
  remove(): void;
}

/**
 * Writes this process's record of a service that now listens. The file goes away with remove(),
 * and on the process's exit if remove() was never reached. A record that cannot be written only
 * costs the other processes its name: the service runs all the same, and a line says why.
 */
export function recordRunning(dataDir: string, entry: Omit<RunningElsewhere, 'pid' | 'startedAt'> & { startedAt?: number }): RunningRecord {
  const folder = path.join(dataDir, RUNNING_FOLDER);
  // The process the user started: when it relaunched itself (engineMalloc.ts), the one that waits.
  const pid = commandPid();
  const file = path.join(folder, `${pid}-${entry.kind}-${++written}.json`);
  const full: StoredEntry = { ...entry, pid, startedAt: entry.startedAt ?? Date.now(), processStart: processStartTime(pid) ?? undefined };
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    removeAtExit.delete(file);
    fs.rmSync(file, { force: true });
  };
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFilesAtomically([{ path: file, data: `${JSON.stringify(full)}\n`, secret: true }]);
    removeAtExit.add(file);
    if (!exitListening) {
      exitListening = true;
      process.on('exit', removeRecordsAtExit);
    }
  } catch (err) {
    removed = true;
    const who = entry.origin === 'window' ? 'a tlslab command on this data folder cannot name it' : 'the window cannot be told';
    process.stderr.write(`tlslab: ${entry.address} runs, but ${who} (${(err as Error).message}); its connections are recorded all the same\n`);
  }
  return { file, remove };
}

/**
 * The records one manager's services keep while they listen, by the manager's number for them;
 * with no origin (the engine used as a library, in tests) nothing is written.
 */
export class RunningRecords {
  private readonly records = new Map<number, RunningRecord>();

  constructor(
    readonly dataDir: string,
    private readonly origin: RunningOrigin | null,
  ) {}

  listening(id: number, entry: Omit<RunningElsewhere, 'pid' | 'startedAt' | 'origin'>): void {
    this.stopped(id);
    if (this.origin !== null) this.records.set(id, recordRunning(this.dataDir, { ...entry, origin: this.origin }));
  }

  stopped(id: number): void {
    this.records.get(id)?.remove();
    this.records.delete(id);
  }

  stoppedAll(): void {
    for (const id of [...this.records.keys()]) this.stopped(id);
  }

  /** A listen error, naming the process that holds the port when a record says which. */
  named<E>(err: E): E | PortInUseError {
    return namePortHolder(err, this.dataDir);
  }
}

/**
 * The services other processes run on this data folder (terminals' commands and windows' engines),
 * oldest first. Files of processes that are gone, and files that do not parse, are removed; the
 * reading process's own records are skipped.
 */
export function listRunningElsewhere(dataDir: string, ownPid = commandPid()): RunningElsewhere[] {
  const folder = path.join(dataDir, RUNNING_FOLDER);
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  const found: Array<{ entry: RunningElsewhere; n: number }> = [];
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
    if (!valid(entry) || entry.pid !== pid || !writerAlive(entry)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    const { processStart: _start, origin = 'terminal', ...rest } = entry;
    found.push({ entry: { ...rest, origin }, n: Number(match[3]) });
  }
  // One process's services started in the same millisecond: in the order it wrote them.
  return found.sort((a, b) => a.entry.startedAt - b.entry.startedAt || a.entry.pid - b.entry.pid || a.n - b.n).map((f) => f.entry);
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

/**
 * Who holds a port and how to stop it: "`tlslab server` (process 1234, started 02:03:43) recording
 * into this data folder; stop it with Ctrl-C in its terminal", or "the workbench window's server
 * 'Bank' (process 1234); stop it in the Servers view".
 */
export function describeHolder(entry: RunningElsewhere): string {
  if (entry.origin === 'window') {
    const where = { server: 'in the Servers view', proxy: 'in the Proxy view', 'replay-server': "in the Replay panel of its session's page" }[entry.kind];
    return `the workbench window's ${entry.kind.replace('-', ' ')} '${entry.label}' (process ${entry.pid}); stop it ${where}`;
  }
  return `\`tlslab ${entry.kind}\` (process ${entry.pid}, started ${clock(entry.startedAt)}) recording into this data folder; stop it with Ctrl-C in its terminal`;
}

/**
 * A port already in use. `where` says which ("port 4433 on 127.0.0.1", "--listen 127.0.0.1:8443")
 * and `instead` what to do ("choose another port such as 4434"): with the data folder known, the
 * message can name the tlslab command or the window that holds the port.
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
 * The error again, naming the `tlslab` command or workbench window that holds its port when a
 * running record in the data folder says one does; any other error, or a port held by something
 * else, as it was.
 */
export function namePortHolder<E>(err: E, dataDir: string): E | PortInUseError {
  if (!(err instanceof PortInUseError)) return err;
  let holder: RunningElsewhere | null;
  try {
    holder = runningAt(dataDir, err.host, err.port);
  } catch {
    holder = null;
  }
  if (!holder) return err;
  return new PortInUseError(err.host, err.port, err.where, err.instead, `${err.where} is already in use by ${describeHolder(holder)}, or ${err.instead}`);
}
