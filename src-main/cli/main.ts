// tlslab: the workbench from the command line. It drives the same Workbench in-process that the
// engine serves to the UI, on the same data folder.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { ClientPayload, ClientSessionRequest, TlsVersionName } from '../api/types';
import { toErrorInfo, WorkbenchError } from '../errors';
import { startEngine } from '../host/engine';
import { parseTrustArgument } from '../sessions/trustStore';
import { resolveDataDir } from '../store/dataDir';
import { ENGINE_VERSION, Workbench } from '../workbench';
import { formatClientResult, formatSessionDetail, formatSessionList } from './format';

interface GlobalOptions {
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

function integer(what: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`${what} must be a whole number`);
    return Number(value);
  };
}

function tlsVersion(value: string): TlsVersionName {
  const normal = value.replace(/^tls/i, 'TLSv').replace(/^TLSvv/, 'TLSv').replace('TLSv1_', 'TLSv1.');
  if (!['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].includes(normal)) {
    throw new InvalidArgumentError('use TLSv1.2 or TLSv1.3 (or TLSv1, TLSv1.1)');
  }
  return normal as TlsVersionName;
}

/** HOST, HOST:PORT or [V6]:PORT with 443 as the default port. */
export function parseTarget(text: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : 443 };
  const m = /^([^:]*)(?::(-?\d+))?$/.exec(text);
  if (!m) throw new WorkbenchError('BAD_INPUT', `"${text}" is not HOST or HOST:PORT (e.g. www.bank32.com:4433)`);
  return { host: m[1], port: m[2] ? Number(m[2]) : 443 };
}

function openWorkbench(command: Command): Workbench {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return new Workbench({ dataDir: resolveDataDir(globals.dataDir) });
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function buildProgram(): Command {
  const program = new Command('tlslab')
    .description('TLS Lab Workbench: run, record and inspect real TLS sessions')
    .version(ENGINE_VERSION)
    .option('--data-dir <dir>', 'where sessions are kept (default: $TLSLAB_HOME, else the user data folder)')
    .showHelpAfterError('(run "tlslab --help" for the commands)')
    .exitOverride();

  program
    .command('client')
    .description('connect to a TLS server, verify it, send a request and record the session')
    .argument('<target>', 'HOST[:PORT], port 443 by default')
    .option('--connect-to <addr>', 'open the TCP connection to ADDR[:PORT] instead of resolving HOST')
    .option('--ca <trust>', 'trust store: a PEM FILE, a hash-link DIR, "system" or lab:NAME', 'system')
    .option('--insecure', 'do not let verification failures stop the session (they are still shown)')
    .option('--no-check-hostname', 'verify the chain but not that it names HOST')
    .option('--servername <name>', 'SNI to send (default HOST; "" sends none)')
    .option('--min-version <v>', 'lowest TLS version to offer', tlsVersion)
    .option('--max-version <v>', 'highest TLS version to offer', tlsVersion)
    .option('--ciphers <list>', 'OpenSSL cipher list, e.g. ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256')
    .option('--alpn <list>', 'ALPN protocols, comma separated, e.g. h2,http/1.1')
    .option('--get <path>', 'send an HTTP GET for PATH with a Host header')
    .option('--send <text>', 'send TEXT (newlines become CRLF)')
    .option('--timeout <ms>', 'give up after this many ms without progress', integer('--timeout'), 10_000)
    .option('--json', 'print one JSON object')
    .action(async (targetText: string, opts, command: Command) => {
      if (opts.get !== undefined && opts.send !== undefined) {
        throw new CliExit(2, 'choose one of --get PATH and --send TEXT');
      }
      const { host, port } = parseTarget(targetText);
      const send: ClientPayload =
        opts.get !== undefined ? { kind: 'http-get', path: opts.get } : opts.send !== undefined ? { kind: 'text', text: opts.send } : { kind: 'none' };
      const request: ClientSessionRequest = {
        host,
        port,
        connectTo: opts.connectTo,
        trust: parseTrustArgument(opts.ca),
        verifyPeer: !opts.insecure,
        checkHostname: opts.checkHostname !== false,
        servername: opts.servername,
        minVersion: opts.minVersion,
        maxVersion: opts.maxVersion,
        ciphers: opts.ciphers,
        alpn: opts.alpn ? String(opts.alpn).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined,
        send,
        timeoutMs: opts.timeout,
      };
      const wb = openWorkbench(command);
      try {
        const session = await wb.runClient(request);
        const verified = session.verification?.accepted === true && session.verification.verifyPeer;
        if (opts.json) {
          printJson({
            sessionId: session.id,
            status: session.status,
            target: session.target,
            address: session.address,
            sni: session.sni,
            version: session.version,
            cipher: session.cipher,
            alpn: session.alpn,
            verified,
            verification: session.verification,
            error: session.error,
            peerCertificates: session.connections[0]?.peerCertificates ?? [],
            response: session.response,
          });
        } else {
          process.stdout.write(`${formatClientResult(session)}\n`);
        }
        if (session.status === 'failed') {
          throw new CliExit(1, opts.json ? '' : `${session.error?.message ?? 'the session failed'} (recorded as session ${session.id})`);
        }
      } finally {
        await wb.close();
      }
    });

  const sessions = program.command('sessions').description('recorded sessions');
  sessions
    .command('list')
    .description('every recorded session, newest first')
    .option('--limit <n>', 'at most this many', integer('--limit'), 500)
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const list = wb.listSessions(opts.limit);
        if (opts.json) printJson(list);
        else process.stdout.write(`${formatSessionList(list)}\n`);
      } finally {
        await wb.close();
      }
    });
  sessions
    .command('show')
    .description('one session: records, key log lines, certificates')
    .argument('<id>', 'session number', integer('the session id'))
    .option('--json', 'print JSON')
    .action(async (id: number, opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const detail = await wb.session(id);
        if (opts.json) printJson(detail);
        else process.stdout.write(`${formatSessionDetail(detail)}\n`);
      } finally {
        await wb.close();
      }
    });

  const hosts = program.command('hosts').description("the workbench's host table (name -> address)");
  hosts
    .command('list')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const list = wb.listHosts();
        if (opts.json) printJson(list);
        else process.stdout.write(list.length ? `${list.map((h) => `${h.address}\t${h.name}`).join('\n')}\n` : 'The host table is empty.\n');
      } finally {
        await wb.close();
      }
    });
  hosts
    .command('set')
    .argument('<name>')
    .argument('<address>')
    .action(async (name: string, address: string, _opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        wb.setHost({ name, address });
        process.stdout.write(`${name} -> ${address}\n`);
      } finally {
        await wb.close();
      }
    });
  hosts
    .command('remove')
    .argument('<name>')
    .action(async (name: string, _opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        wb.removeHost(name);
      } finally {
        await wb.close();
      }
    });

  program
    .command('engine')
    .description('run the engine (UI and API) on loopback until interrupted')
    .option('--host <addr>', 'loopback address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free one)', integer('--port'), 0)
    .option('--json', 'print {"url","port","token"} as one line when ready')
    .action(async (opts, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const engine = await startEngine({ dataDir: resolveDataDir(globals.dataDir), host: opts.host, port: opts.port });
      if (opts.json) process.stdout.write(`${JSON.stringify({ url: engine.url, port: engine.port, token: engine.token })}\n`);
      else process.stdout.write(`TLS Lab Workbench engine ready: ${engine.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        process.stdin.on('end', () => {
          // A parent that hands us a pipe on stdin (the Electron shell) ends it when it exits.
          if (!process.stdin.isTTY && process.env.TLSLAB_EXIT_WITH_PARENT) stop();
        });
        if (process.env.TLSLAB_EXIT_WITH_PARENT) process.stdin.resume();
      });
      await engine.close();
    });

  program
    .command('about')
    .description('versions and available TLS features')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const about = wb.about();
        if (opts.json) printJson(about);
        else {
          process.stdout.write(
            [
              `TLS Lab Workbench ${about.engineVersion}`,
              `Node ${about.nodeVersion}, ${about.tlsLibrary}, ${about.platform}`,
              `Data folder: ${about.dataDir}`,
              ...about.features.map((f) => `  [${f.available ? 'x' : ' '}] ${f.name}: ${f.detail}`),
            ].join('\n') + '\n',
          );
        }
      } finally {
        await wb.close();
      }
    });

  return program;
}

/** Runs the CLI; returns the exit status instead of exiting so tests can call it. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliExit) {
      if (err.message) process.stderr.write(`tlslab: ${err.message}\n`);
      return err.status;
    }
    const info = toErrorInfo(err);
    process.stderr.write(`tlslab: ${info.message}\n`);
    return 1;
  }
}
