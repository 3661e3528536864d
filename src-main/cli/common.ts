// What every tlslab command shares: the data folder, JSON output, argument parsers, exits.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { shellWord } from '../api/tryIt';
import type { TlsVersionName } from '../api/types';
import { WorkbenchError } from '../errors';
import { resolveDataDir } from '../store/dataDir';
import { terminalSafe } from './format';
import { Workbench } from '../workbench';
import { isStreamOutput } from '../workshop/files';

export interface GlobalOptions {
  dataDir?: string;
}

/** Thrown to leave with a message and an exit status without a stack trace. */
export class CliExit extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A whole-number option; with `min`, a smaller one is refused here rather than quietly ignored later. */
export function integer(what: string, min?: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`${what} must be a whole number`);
    const n = Number(value);
    if (min !== undefined && n < min) throw new InvalidArgumentError(`${what} must be ${min} or more`);
    return n;
  };
}

/** A port to listen on: 0 (the system picks a free one) to 65535. */
export function listenPort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError('a port is a whole number from 1 to 65535 (0 picks a free one; the lab\'s servers use 4433)');
  }
  return Number(value);
}

export function tlsVersion(value: string): TlsVersionName {
  const normal = value.replace(/^tls/i, 'TLSv').replace(/^TLSvv/, 'TLSv').replace('TLSv1_', 'TLSv1.');
  if (!['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].includes(normal)) {
    throw new InvalidArgumentError('use TLSv1.2 or TLSv1.3 (or TLSv1, TLSv1.1)');
  }
  return normal as TlsVersionName;
}

/**
 * HOST, HOST:PORT or [V6]:PORT with 443 as the default port; or an https:// URL as a browser's
 * address bar shows it (students paste those), whose path comes back too.
 */
export function parseTarget(text: string): { host: string; port: number; path?: string } {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1].toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== 'https') {
      throw new WorkbenchError('BAD_INPUT', `"${text}" uses ${scheme}://, and the workbench's client speaks TLS: give an https:// URL or HOST:PORT`);
    }
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new WorkbenchError('BAD_INPUT', `"${text}" is not a URL the client can read; give HOST:PORT (e.g. www.bank32.com:4433)`);
    }
    return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : 443, path: `${url.pathname}${url.search}` };
  }
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : 443 };
  const m = /^([^:/]*)(?::(-?\d+))?$/.exec(text);
  if (!m && text.includes('/')) {
    throw new WorkbenchError('BAD_INPUT', `"${text}" has a path: give HOST:PORT and the path with --get (e.g. www.bank32.com:4433 --get /index.html), or the whole https:// URL`);
  }
  if (!m) throw new WorkbenchError('BAD_INPUT', `"${text}" is not HOST or HOST:PORT (e.g. www.bank32.com:4433)`);
  return { host: m[1], port: m[2] ? Number(m[2]) : 443 };
}

/**
 * "tlslab", as the start of a command the user is told to run next: with this command's
 * --data-dir (made absolute) when it was given one, so that the next command finds the same
 * workbench; without, the next one resolves the folder as this one did (TLSLAB_HOME, else the
 * user folder).
 */
export function tlslabFor(command: Command): string {
  const dataDir = command.optsWithGlobals<GlobalOptions>().dataDir;
  return dataDir === undefined ? 'tlslab' : `tlslab --data-dir ${shellWord(path.resolve(dataDir))}`;
}

export function openWorkbench(command: Command): Workbench {
  const globals = command.optsWithGlobals<GlobalOptions>();
  // A server, proxy or replay server a command starts is listed by the window on this data folder.
  return new Workbench({ dataDir: resolveDataDir(globals.dataDir), startedFrom: 'terminal' });
}

/**
 * Where a command's own lines go: standard error when one of the files it writes is standard
 * output ("-") or a device such as /dev/stdout, so that what it wrote there stays clean.
 */
export function messagesFor(...outputs: Array<string | undefined>): NodeJS.WriteStream {
  return outputs.some((output) => output !== undefined && isStreamOutput(output)) ? process.stderr : process.stdout;
}

/**
 * JSON text with DEL and the C1 controls (U+007F to U+009F) escaped as well, which JSON.stringify
 * leaves raw: the same value for a parser, and nothing a terminal acts on (terminalSafe leaves it
 * unchanged).
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function printJson(value: unknown, to: NodeJS.WritableStream = process.stdout): void {
  to.write(`${jsonText(value, 2)}\n`);
}

/** One line of a running command's output (a server's connections, say), terminal-safe. */
export function printLine(line: string): void {
  process.stdout.write(`${terminalSafe(line)}\n`);
}
