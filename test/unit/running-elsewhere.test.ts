// The running/ folder of a data folder: what `tlslab server`, `proxy` and `replay-server` (and the
// window's own servers) write so that other processes know them. The reader lists live ones, removes
// the records of processes that are gone (or whose process id another program now has) and files
// that do not parse, and leaves out the reading process's own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningElsewhere } from '../../src-main/api/serverTypes';
import { listRunningElsewhere, namePortHolder, PortInUseError, processStartTime, recordRunning, RunningRecords, RUNNING_FOLDER } from '../../src-main/store/runningElsewhere';

const children: ChildProcess[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A process that stays alive until the test ends. */
function liveProcess(): number {
  const child = spawn('sleep', ['120'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** The id of a process that has ended. */
async function deadProcess(): Promise<number> {
  const child = spawn('true', [], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

function record(dir: string, entry: RunningElsewhere & { processStart?: number }, n = 1): string {
  fs.mkdirSync(path.join(dir, RUNNING_FOLDER), { recursive: true });
  const file = path.join(dir, RUNNING_FOLDER, `${entry.pid}-${entry.kind}-${n}.json`);
  fs.writeFileSync(file, JSON.stringify(entry));
  return file;
}

const server = (pid: number, port = 4433): RunningElsewhere => ({
  kind: 'server',
  origin: 'terminal',
  pid,
  address: `127.0.0.1:${port}`,
  addresses: [`127.0.0.1:${port}`],
  label: `127.0.0.1:${port}`,
  startedAt: new Date(2026, 0, 5, 2, 3, 43).getTime(),
  certificate: 'CN=www.bank32.com',
  names: ['mail.bank32.com'],
});

describe('the running records of a data folder', () => {
  it('lists the live records, removes a dead process\'s record and a damaged file, and skips its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    expect(listRunningElsewhere(dir)).toEqual([]);

    const live = server(liveProcess());
    record(dir, live);
    const dead = record(dir, server(await deadProcess(), 4434));
    const damaged = path.join(dir, RUNNING_FOLDER, `${liveProcess()}-proxy-1.json`);
    fs.writeFileSync(damaged, '{"kind": "proxy", "pid"');
    // This process's own record, written as a `tlslab server` writes it: mode 0600.
    const own = recordRunning(dir, { kind: 'proxy', origin: 'terminal', address: '127.0.0.1:8443', addresses: ['127.0.0.1:8443', '127.0.0.1:8080'], label: 'mitm', mode: 'both' });
    expect(fs.statSync(own.file).mode & 0o777).toBe(0o600);

    expect(listRunningElsewhere(dir)).toEqual([live]);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(damaged)).toBe(false);
    // Another process reading the folder sees this one's record.
    const seen = listRunningElsewhere(dir, live.pid);
    expect(seen.map((e) => [e.kind, e.pid, e.addresses])).toEqual([['proxy', process.pid, ['127.0.0.1:8443', '127.0.0.1:8080']]]);

    own.remove();
    expect(fs.existsSync(own.file)).toBe(false);
    expect(listRunningElsewhere(dir, live.pid)).toEqual([]);
  });

  it('names the process that holds a port in the port-in-use message, and keeps the words otherwise', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    const holder = server(liveProcess());
    record(dir, holder);
    const busy = (port: number) =>
      new PortInUseError('127.0.0.1', port, `port ${port} on 127.0.0.1`, 'choose another port such as 4434', `port ${port} on 127.0.0.1 is already in use (another server)`);

    expect(namePortHolder(busy(4433), dir).message).toBe(
      `port 4433 on 127.0.0.1 is already in use by \`tlslab server\` (process ${holder.pid}, started 02:03:43) recording into this data folder; ` +
        'stop it with Ctrl-C in its terminal, or choose another port such as 4434',
    );
    expect(namePortHolder(busy(4435), dir).message).toBe('port 4435 on 127.0.0.1 is already in use (another server)');
  });

  it("names the workbench window's server, proxy and replay server and says where to stop them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    const pid = liveProcess();
    const at = (kind: RunningElsewhere['kind'], port: number, label: string): RunningElsewhere =>
      ({ kind, origin: 'window', pid, address: `127.0.0.1:${port}`, addresses: [`127.0.0.1:${port}`], label, startedAt: port });
    record(dir, at('server', 4433, 'Bank'), 1);
    record(dir, at('proxy', 8443, 'mitm'), 2);
    record(dir, at('replay-server', 9443, 'replay of #3'), 3);
    const busy = (port: number, instead: string) => new PortInUseError('127.0.0.1', port, `port ${port} on 127.0.0.1`, instead, 'in use');

    expect(namePortHolder(busy(4433, 'choose another port such as 4434'), dir).message).toBe(
      `port 4433 on 127.0.0.1 is already in use by the workbench window's server 'Bank' (process ${pid}); stop it in the Servers view, or choose another port such as 4434`,
    );
    expect(namePortHolder(busy(8443, 'choose another port'), dir).message).toBe(
      `port 8443 on 127.0.0.1 is already in use by the workbench window's proxy 'mitm' (process ${pid}); stop it in the Proxy view, or choose another port`,
    );
    expect(namePortHolder(busy(9443, 'choose another port'), dir).message).toContain(
      `by the workbench window's replay server 'replay of #3' (process ${pid}); stop it in the Replay panel of its session's page, or`,
    );
    expect(listRunningElsewhere(dir).map((e) => [e.kind, e.origin])).toEqual([['server', 'window'], ['proxy', 'window'], ['replay-server', 'window']]);
  });

  it('takes a record without an origin, as written before the window wrote its own, for a terminal\'s', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    const { origin: _origin, ...old } = server(liveProcess());
    fs.mkdirSync(path.join(dir, RUNNING_FOLDER));
    fs.writeFileSync(path.join(dir, RUNNING_FOLDER, `${old.pid}-server-1.json`), JSON.stringify(old));
    expect(listRunningElsewhere(dir)).toEqual([{ ...old, origin: 'terminal' }]);
  });

  it('writes its records only when it knows who started its services, and removes them when they stop', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    const unannounced = new RunningRecords(dir, null);
    unannounced.listening(1, { kind: 'server', address: '127.0.0.1:4433', addresses: ['127.0.0.1:4433'], label: 'bank' });
    expect(fs.existsSync(path.join(dir, RUNNING_FOLDER))).toBe(false);

    const window = new RunningRecords(dir, 'window');
    window.listening(1, { kind: 'server', address: '127.0.0.1:4433', addresses: ['127.0.0.1:4433'], label: 'bank' });
    window.listening(2, { kind: 'server', address: '127.0.0.1:4434', addresses: ['127.0.0.1:4434'], label: 'mail' });
    const seen = () => listRunningElsewhere(dir, pidOfNoOne).map((e) => [e.label, e.origin]);
    expect(seen()).toEqual([['bank', 'window'], ['mail', 'window']]);
    window.stopped(1);
    expect(seen()).toEqual([['mail', 'window']]);
    window.stoppedAll();
    expect(fs.readdirSync(path.join(dir, RUNNING_FOLDER))).toEqual([]);
  });
});

/** A reader's own process id that no record has, so this process's own records are listed. */
const pidOfNoOne = 0;

describe('a record whose process id another program has taken', () => {
  it('is gone when the process with its id started at another time, and listed when it started then', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    const pid = liveProcess();
    const started = processStartTime(pid);
    expect(typeof started).toBe('number');

    // A `tlslab server` SIGKILLed long ago whose process id now belongs to this `sleep`.
    const reused = record(dir, { ...server(pid), processStart: started! - 1000 }, 1);
    expect(listRunningElsewhere(dir)).toEqual([]);
    expect(fs.existsSync(reused)).toBe(false);

    record(dir, { ...server(pid), processStart: started! }, 2);
    expect(listRunningElsewhere(dir).map((e) => e.pid)).toEqual([pid]);
    // What the API hands on is the entry, not the start time it was checked by.
    expect(listRunningElsewhere(dir)[0]).not.toHaveProperty('processStart');
  });

  it('is written with the start time of the process that writes it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    const own = recordRunning(dir, { kind: 'server', origin: 'terminal', address: '127.0.0.1:4433', addresses: ['127.0.0.1:4433'], label: 'bank' });
    const written = JSON.parse(fs.readFileSync(own.file, 'utf8')) as { processStart?: number };
    expect(written.processStart).toBe(processStartTime(process.pid));
    expect(listRunningElsewhere(dir, pidOfNoOne).map((e) => e.label)).toEqual(['bank']);
    own.remove();
  });

  it('falls back on asking whether the process id is alive where there is no /proc', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-running-'));
    const pid = liveProcess();
    record(dir, { ...server(pid), processStart: 1 }, 1);
    const noProc = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    const readFileSync = fs.readFileSync;
    vi.spyOn(fs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, options?: unknown) => {
      if (String(file).startsWith('/proc/')) throw noProc;
      return readFileSync(file, options as BufferEncoding);
    }) as typeof fs.readFileSync);
    const existsSync = fs.existsSync;
    vi.spyOn(fs, 'existsSync').mockImplementation((file) => (String(file).startsWith('/proc/') ? false : existsSync(file)));

    expect(processStartTime(pid)).toBeUndefined();
    expect(listRunningElsewhere(dir).map((e) => e.pid)).toEqual([pid]);
  });
});
