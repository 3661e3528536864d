// tlslab run as a student runs it, each command its own process on one data folder: short
// commands (`cli`) and long-running ones (servers, proxies) read until they print a given line.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, type RunResult } from './run';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');

export interface Started {
  /** What it printed up to `last`, line by line. */
  lines: string[];
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far. */
  output(): string;
}

export interface CliFolder {
  dataDir: string;
  /** Where commands run (files they write with relative names go here). */
  cwd: string;
  cli(...args: string[]): Promise<RunResult>;
  /** A long-running command, read until `last` appears. */
  startUntil(args: string[], last: string): Promise<Started>;
  stop(child: ChildProcessWithoutNullStreams): Promise<void>;
  /** Stops every command started and removes both folders. */
  close(): Promise<void>;
}

/** tlslab `args` on `dataDir` as its own process, read until it prints `last`; fails with its standard error if it exits first. */
export async function startTlslabUntil(dataDir: string, args: string[], last: string, cwd?: string): Promise<Started> {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], { cwd });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(last)) resolve();
    });
    child.once('exit', () => reject(new Error(`tlslab ${args[0]} exited: ${err}`)));
  });
  return { lines: out.split('\n'), child, output: () => out };
}

export function cliFolder(prefix: string): CliFolder {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}cwd-`));
  const children: ChildProcessWithoutNullStreams[] = [];
  const stop = async (child: ChildProcessWithoutNullStreams): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return {
    dataDir,
    cwd,
    cli: (...args) => run(process.execPath, [BIN, '--data-dir', dataDir, ...args], { cwd }),
    async startUntil(args, last) {
      const started = await startTlslabUntil(dataDir, args, last, cwd);
      children.push(started.child);
      return started;
    },
    stop,
    async close() {
      await Promise.all(children.map(stop));
      fs.rmSync(cwd, { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
