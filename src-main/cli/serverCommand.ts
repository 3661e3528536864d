// tlslab server: run a lab HTTPS server (lab task 2) until interrupted, one line per connection.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { ClientCaSpec, ServerConfig, ServerConnectionSummary, ServerIdentitySpec, ServerInfo, ServerResponder, SniHostConfig } from '../api/serverTypes';
import { caFileHint, serverTryCommand, shellWord } from '../api/tryIt';
import { WorkbenchError } from '../errors';
import { readDerOrPem } from '../pki/pem';
import { userFileError } from '../userFiles';
import type { Workbench } from '../workbench';
import { CliExit, integer, jsonText, listenPort, printLine, tlslabFor, tlsVersion } from './common';
import { openWorkshop, withWorkbenchPassphrase } from './pkiCommon';
import { askPassphrase, labName, readPassphraseFile } from './identityOptions';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseSni(value: string): SniHostConfig {
  const eq = value.indexOf('=');
  const colon = value.lastIndexOf(':');
  if (eq <= 0 || colon <= eq + 1 || colon === value.length - 1) {
    throw new CliExit(2, `--sni ${value}: write it as NAME=CERT:KEY, e.g. --sni www.bank32.com=bank.crt:bank.key`);
  }
  return { name: value.slice(0, eq), identity: { kind: 'files', certPath: value.slice(eq + 1, colon), keyPath: value.slice(colon + 1) } };
}


interface ServerOptions {
  host: string;
  port: number;
  cert?: string;
  key?: string;
  chain?: string;
  keyPassphraseFile?: string;
  identity?: string;
  sni?: string[];
  clientCa?: string;
  requireClientCert?: boolean;
  minVersion?: ServerConfig['minVersion'];
  maxVersion?: ServerConfig['maxVersion'];
  ciphers?: string;
  ciphersuites?: string;
  groups?: string;
  tickets: boolean;
  alpn?: string;
  handshakeTimeout?: number;
  page?: string;
  dir?: string;
  echo?: boolean;
  raw?: string | boolean;
  response?: string;
  label?: string;
  json?: boolean;
}

export function serverConfigFromOptions(opts: ServerOptions): ServerConfig {
  let identity: ServerIdentitySpec;
  if (opts.identity !== undefined) {
    if (opts.cert || opts.key) throw new CliExit(2, 'choose one: --identity lab:NAME, or --cert FILE --key FILE');
    const name = labName(opts.identity);
    if (!name) throw new CliExit(2, `--identity takes lab:NAME (an identity from the certificate workshop); for files use --cert and --key`);
    identity = { kind: 'lab', name };
  } else {
    if (!opts.cert || !opts.key) throw new CliExit(
        2,
        `give the server a certificate and key: --cert FILE --key FILE, or --identity lab:NAME for one the workbench made ` +
          `(tlslab ca create "Lab Root", then tlslab cert issue --ca "Lab Root" --cn www.bank32.com makes lab:www.bank32.com)`,
      );
    identity = {
      kind: 'files',
      certPath: opts.cert,
      keyPath: opts.key,
      chainPath: opts.chain,
      keyPassphrase: opts.keyPassphraseFile ? readPassphraseFile(opts.keyPassphraseFile) : undefined,
    };
  }
  const modes = [opts.page !== undefined, opts.dir !== undefined, opts.echo === true, opts.raw !== undefined, opts.response !== undefined].filter(Boolean).length;
  if (modes > 1) throw new CliExit(2, 'choose one of --page, --dir, --echo, --raw and --response');
  let responder: ServerResponder = { kind: 'builtin' };
  if (opts.page === 'bank32' || opts.page === 'plain') responder = { kind: 'builtin', page: opts.page };
  else if (opts.page !== undefined) responder = { kind: 'file', path: opts.page };
  else if (opts.dir !== undefined) responder = { kind: 'dir', path: opts.dir };
  else if (opts.echo) responder = { kind: 'echo' };
  else if (opts.response !== undefined) responder = { kind: 'fixed', response: readText(opts.response, 'response file') };
  else if (opts.raw !== undefined) responder = { kind: 'plain', greeting: typeof opts.raw === 'string' ? readText(opts.raw, 'greeting file') : undefined };
  let clientCa: ClientCaSpec | null = null;
  if (opts.clientCa !== undefined) {
    const name = labName(opts.clientCa);
    clientCa = name ? { kind: 'lab', name } : { kind: 'file', path: opts.clientCa };
  } else if (opts.requireClientCert) {
    throw new CliExit(2, '--require-client-cert needs --client-ca FILE|lab:NAME: the CA client certificates must come from');
  }
  return {
    label: opts.label,
    host: opts.host,
    port: opts.port,
    identity,
    sni: (opts.sni ?? []).map(parseSni),
    clientAuth: clientCa ? { ca: clientCa, require: opts.requireClientCert === true } : null,
    minVersion: opts.minVersion,
    maxVersion: opts.maxVersion,
    ciphers: opts.ciphers,
    ciphersuites: opts.ciphersuites,
    groups: opts.groups,
    tickets: opts.tickets !== false,
    alpn: opts.alpn ? opts.alpn.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    handshakeTimeoutMs: opts.handshakeTimeout,
    responder,
  };
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliExit(2, userFileError(error, file, what).message);
  }
}

export function formatConnection(c: ServerConnectionSummary): string {
  const parts = [
    c.peer,
    `sni=${c.sni ?? '-'}`,
    c.version ?? '-',
    c.cipher ?? '-',
    c.resumed ? 'resumed' : null,
    c.clientCertificate ? `client-cert="${c.clientCertificate}"` : null,
    c.outcome === 'ok'
      ? `ok (${c.requests} request${c.requests === 1 ? '' : 's'}${c.note ? '; then the client left without a word: it may have refused the certificate after its handshake' : ''})`
      : `FAILED: ${c.error?.message ?? 'unknown'}`,
    `session ${c.sessionId}`,
  ];
  return parts.filter((p) => p !== null).join('  ');
}

/**
 * The lines that show how to reach a server or replay server: where ca.pem comes from (the
 * workbench root CA, exported; else the issuer to find), then the command. `tlslab` is how to
 * call this workbench's command (tlslabFor: with its --data-dir, if any).
 */
export function tryItLines(command: string, rootCa: string | null, caHint: string, tlslab = 'tlslab'): string[] {
  const lines = ['  try it:'];
  if (rootCa) lines.push(`    ${tlslab} ca export ${shellWord(rootCa)} --out ca.pem`);
  else lines.push(`    (${caHint})`);
  lines.push(`    ${command}`);
  return lines;
}

export function formatListening(info: ServerInfo, rootCa: string | null, tlslab = 'tlslab'): string {
  const lines = [`listening on https://${info.address}/ (stop with Ctrl-C)`];
  for (const n of info.names) {
    lines.push(`  ${n.name ?? 'default'}: ${n.certificate.subject} (issuer ${n.certificate.issuer}${n.chainLength > 1 ? `, chain of ${n.chainLength}` : ''})`);
  }
  lines.push(...tryItLines(serverTryCommand(info), rootCa, caFileHint(info.names[0]?.certificate), tlslab));
  return lines.join('\n');
}

/** The workbench root CA above the server's default certificate, or null (a file's certificate from elsewhere). */
function rootCaOf(wb: Workbench, identity: ServerIdentitySpec): string | null {
  try {
    if (identity.kind === 'lab') return wb.workshop.rootCaName(identity.name);
    return wb.workshop.rootCaName(readDerOrPem(fs.readFileSync(identity.certPath), ['CERTIFICATE'], 'certificate'));
  } catch {
    return null;
  }
}

export function registerServerCommand(program: Command): void {
  withWorkbenchPassphrase(program.command('server'))
    .description('run a TLS server on loopback and record every connection, until interrupted')
    .option('--host <addr>', 'loopback address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', listenPort, 4433)
    .option('--cert <file>', 'PEM certificate (may include the chain)')
    .option('--key <file>', 'PEM private key')
    .option('--chain <file>', 'PEM intermediates to send after the certificate')
    .option('--key-passphrase-file <file>', 'file whose first line is the key passphrase')
    .option('--identity <lab:NAME>', 'certificate, key and chain from the certificate workshop')
    .option('--sni <NAME=CERT:KEY>', 'serve NAME with its own certificate (repeatable)', collect)
    .option('--client-ca <file|lab:NAME>', 'ask clients for a certificate from this CA')
    .option('--require-client-cert', 'refuse clients without a certificate from --client-ca')
    .option('--min-version <v>', 'lowest TLS version to accept', tlsVersion)
    .option('--max-version <v>', 'highest TLS version to accept', tlsVersion)
    .option('--ciphers <list>', 'TLS 1.2 cipher list, e.g. AES128-GCM-SHA256 (RSA key exchange)')
    .option('--ciphersuites <list>', 'TLS 1.3 suites, e.g. TLS_AES_128_GCM_SHA256')
    .option('--groups <list>', 'key exchange groups, e.g. X25519:P-256')
    .option('--no-tickets', 'send no session tickets: TLS 1.2 clients resume by session ID instead, TLS 1.3 ones do not resume')
    .option('--alpn <list>', 'ALPN protocols to accept, comma separated')
    .option('--handshake-timeout <ms>', 'drop clients that have not finished the handshake by then', integer('--handshake-timeout', 1))
    .option('--page <file|bank32|plain>', 'serve this HTML file (or built-in page) for every path')
    .option('--dir <dir>', 'serve the files of this folder (index.html answers a folder; a folder without one is listed)')
    .option('--echo', 'answer each HTTP request with the request itself')
    .option('--raw [file]', 'no HTTP: send FILE (if given) after the handshake, then echo bytes back')
    .option('--response <file>', 'answer every HTTP request with the exact bytes of FILE')
    .option('--label <text>', 'a name for this server in the list')
    .option('--json', 'print one JSON object per line')
    .action(async (opts: ServerOptions, command: Command) => {
      const config = serverConfigFromOptions(opts);
      const wb = await openWorkshop(command);
      let info: ServerInfo;
      const unsubscribe = wb.subscribe((event, data) => {
        if (event !== 'server.connection') return;
        const summary = data as ServerConnectionSummary;
        printLine(opts.json ? jsonText({ event: 'connection', ...summary }) : formatConnection(summary));
      });
      try {
        try {
          info = await wb.servers.start(config);
        } catch (err) {
          if (err instanceof WorkbenchError && err.code === 'PASSPHRASE_REQUIRED' && config.identity.kind === 'files') {
            if (!process.stdin.isTTY) {
              throw new CliExit(1, `the key ${config.identity.keyPath} is encrypted; give its passphrase with --key-passphrase-file FILE (or run in a terminal to be asked)`);
            }
            config.identity.keyPassphrase = await askPassphrase('Enter PEM pass phrase:');
            info = await wb.servers.start(config);
          } else throw err;
        }
        printLine(opts.json ? jsonText({ event: 'listening', server: info }) : formatListening(info, rootCaOf(wb, config.identity), tlslabFor(command)));
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        const stopped = await wb.servers.stop(info.id);
        const line = `stopped (${signal}) after ${stopped.connections} connection${stopped.connections === 1 ? '' : 's'}, ${stopped.failed} failed`;
        printLine(opts.json ? jsonText({ event: 'stopped', signal, connections: stopped.connections, failed: stopped.failed }) : line);
      } finally {
        unsubscribe();
        await wb.close();
      }
    });
}
