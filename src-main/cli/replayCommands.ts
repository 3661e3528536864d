// tlslab replay ID: send a recorded client's application data again and compare the answers.
// tlslab replay-server ID...: answer new clients from recorded server responses, until interrupted.
import fs from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ClientReplayResult, ReplayServerInfo, ReplayTlsOverrides, UnmatchedPolicy } from '../api/replayTypes';
import type { SessionSummary, TrustStoreSpec } from '../api/types';
import { parseTrustArgument } from '../sessions/trustStore';
import { replayTryCommand } from '../api/tryIt';
import { CliExit, integer, jsonText, printJson, printLine, tlslabFor, tlsVersion } from './common';
import { openWorkshop, withWorkbenchPassphrase } from './pkiCommon';
import { tryItLines } from './serverCommand';
import { terminalSafe } from './format';
import { askPassphrase, clientIdentityFromOptions, isEncryptedKeyFile, readPassphraseFile } from './identityOptions';
import type { Workbench } from '../workbench';
import { plural } from '../api/words';

interface ReplayOptions {
  connection?: number;
  to?: string;
  connectTo?: string;
  ca?: string;
  caFile?: string;
  sni?: string;
  minVersion?: ReplayTlsOverrides['minVersion'];
  maxVersion?: ReplayTlsOverrides['maxVersion'];
  ciphers?: string;
  alpn?: string;
  verify?: boolean;
  timeout?: number;
  keyPassphraseFile?: string;
  cert?: string;
  key?: string;
  chain?: string;
  identity?: string;
  json?: boolean;
}

interface ReplayServerOptions {
  listen?: string;
  ca: string;
  unmatched: UnmatchedPolicy;
  ignoreHost?: boolean;
  ignoreBody?: boolean;
  json?: boolean;
}

function unmatchedPolicy(value: string): UnmatchedPolicy {
  if (value !== '404' && value !== '502' && value !== 'close') throw new InvalidArgumentError('use 404, 502 or close');
  return value;
}

function sessionId(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a session number; list them with "tlslab sessions list"`);
  return Number(value);
}

/** The line the comparison puts before each answer of a connection that carried several requests. */
const ANSWER_MARKER = /^\[answer \d+ of \d+, to /;

export function formatReplay(r: ClientReplayResult): string {
  const lines = [
    `replay of session ${r.originalId}${r.connection > 1 ? ` (connection ${r.connection})` : ''} to ${r.target}${r.connectTo ? ` (via ${r.connectTo})` : ''}: session ${r.replayId} ${r.replay.status}${r.error ? `: ${r.error.message}` : ''}`,
    r.sentBytes === 0 && r.requestBytes > 0
      ? `  sent nothing of the ${r.requestBytes} bytes of recorded application data`
      : `  sent ${r.sentBytes === r.requestBytes ? `${r.requestBytes}` : `${r.sentBytes} of ${r.requestBytes}`} bytes of application data${r.requestIdentical ? ', the same bytes as the original' : ''}`,
    `  original answer: ${r.original.bytes} bytes${r.original.httpStatus ? ` (${r.original.httpStatus})` : ''}${r.original.notStoredBytes ? ' as stored' : ''}`,
    `  replay answer:   ${r.replayed.bytes} bytes${r.replayed.httpStatus ? ` (${r.replayed.httpStatus})` : ''}${r.replayed.notStoredBytes ? ' as stored' : ''}`,
    ...r.notes.map((n) => `  note: ${n}`),
  ];
  if (r.exchanges.length > 1) {
    lines.push(`  ${r.exchanges.length} requests on the connection, each with its answer (original | replay):`);
    for (const e of r.exchanges) {
      const replayed = e.identical ? 'the same bytes' : `${e.replayed ?? 'no answer'}${e.replayed && e.original ? ', differs' : ''}`;
      lines.push(`    ${e.number}. ${e.request}: ${e.original ?? 'no answer'} | ${replayed}`);
    }
  }
  const partly = r.original.notStoredBytes > 0 || r.replayed.notStoredBytes > 0;
  if (r.error && r.replayed.bytes === 0 && r.original.bytes > 0) lines.push('  no answer to compare: the replay ended before the server sent any application data');
  else if (r.diff.identical) lines.push(partly ? '  the stored parts of the answers are identical (what was not stored could not be compared)' : '  the answers are identical');
  else if (r.diff.removed === 0 && r.diff.added === 0) {
    const cut = r.original.truncated || r.replayed.truncated;
    lines.push(`  the answers differ only in bytes the text does not show (line endings${cut ? ', or bytes past the first 256 KiB of an answer, which is all the text holds' : ''})`);
  } else {
    lines.push(`  the answers differ: ${plural(r.diff.removed, 'line')} only in the original (-), ${r.diff.added} only in the replay (+)${r.diff.truncated ? ' (first 2000 lines compared)' : ''}`);
    // Each change under the answer it is in, where the connection carried several requests.
    let marker: string | null = null;
    let shown: string | null = null;
    for (const l of r.diff.lines) {
      if (l.op === 'same') {
        if (ANSWER_MARKER.test(l.text)) marker = l.text;
        continue;
      }
      if (marker && marker !== shown) {
        lines.push(`  @ ${marker}`);
        shown = marker;
      }
      lines.push(`  ${l.op === 'added' ? '+' : '-'} ${l.text}`);
    }
  }
  return lines.join('\n');
}

/** The workbench root above the forging CA, whose certificate a client must trust. */
/** --ca as tlslab client reads it; a bare name that is no file or folder is a workshop CA, as before. */
function replayTrust(value: string): TrustStoreSpec {
  if (value !== 'system' && !value.startsWith('lab:') && !fs.existsSync(value)) return { kind: 'lab', name: value };
  return parseTrustArgument(value);
}

function rootCaOf(wb: Workbench, ca: string): string | null {
  try {
    return wb.workshop.rootCaName(ca);
  } catch {
    return null;
  }
}

function formatServer(info: ReplayServerInfo, rootCa: string | null, tlslab: string): string {
  const lines = [`replaying session${info.sessions.length > 1 ? 's' : ''} ${info.sessions.join(', ')} on https://${info.address}/ (stop with Ctrl-C)`];
  lines.push(`  certificates forged by "${info.ca}" for ${info.hostnames.join(', ')}`);
  if (info.exchanges) lines.push(`  ${plural(info.exchanges, 'recorded HTTP answer')} for: ${info.requests.join(', ')}; anything else: ${info.unmatched === 'close' ? 'connection closed' : info.unmatched}`);
  if (info.streams) lines.push(`  ${plural(info.streams, 'recorded non-HTTP connection')}, played back in order`);
  for (const note of info.notes) lines.push(`  note: ${note}`);
  if (info.exchanges) lines.push(...tryItLines(replayTryCommand(info), rootCa, `ca.pem is the root certificate above "${info.ca}", the CA that forges the certificates`, tlslab));
  return lines.join('\n');
}

export function registerReplayCommands(program: Command): void {
  withWorkbenchPassphrase(program.command('replay'))
    .description("send a recorded session's client application data again, as a new session, and compare the answers")
    .argument('<id>', 'the recorded session', sessionId)
    .option('--connection <n>', 'send this connection of the session again (numbered as "tlslab sessions show" lists them; default: the first on which the client sent data)', integer('--connection', 1))
    .option('--connect-to <addr:port>', 'connect here instead of the original address, as tlslab client --connect-to (SNI and Host stay the original)')
    // --to, its first name, still works; --connect-to is the client's name for the same thing.
    .addOption(new Option('--to <host:port>', 'the first name of --connect-to').hideHelp())
    .option('--ca <trust>', 'verify the server against this trust store, as tlslab client takes it: lab:NAME (or a workshop CA\'s bare name), a PEM FILE, a hash-link DIR or "system"')
    .option('--ca-file <file>', 'verify the server against the CA certificates in this PEM file')
    .option('--sni <name>', 'send this SNI ("" for none)')
    .option('--min-version <v>', 'lowest TLS version to offer', tlsVersion)
    .option('--max-version <v>', 'highest TLS version to offer', tlsVersion)
    .option('--ciphers <list>', 'cipher list to offer')
    .option('--alpn <list>', 'ALPN protocols, comma separated')
    .option('--no-verify', 'do not verify the server certificate (the default unless the original did or --ca is given)')
    .option('--timeout <ms>', 'give up after this long', integer('--timeout', 1))
    .option('--key-passphrase-file <file>', "passphrase of the client key (the original's or --key's): a recording does not keep it; asked for in a terminal")
    .option('--cert <file>', "client certificate (PEM) to present instead of the original's, for a server that now asks for one")
    .option('--key <file>', "that client certificate's private key (PEM)")
    .option('--chain <file>', 'PEM intermediates to send after that client certificate')
    .option('--identity <lab:NAME>', 'client certificate and key from the certificate workshop')
    .option('--json', 'print the result as JSON')
    .action(async (id: number, opts: ReplayOptions, command: Command) => {
      if (opts.ca && opts.caFile) throw new CliExit(2, 'choose one of --ca and --ca-file');
      opts.to = opts.connectTo ?? opts.to;
      const tls: ReplayTlsOverrides = {};
      if (opts.ca) tls.trust = replayTrust(opts.ca);
      if (opts.caFile) tls.trust = { kind: 'file', path: opts.caFile };
      if (tls.trust) {
        tls.verifyPeer = opts.verify !== false;
        tls.checkHostname = opts.verify !== false;
      } else if (opts.verify === false) {
        tls.verifyPeer = false;
        tls.checkHostname = false;
      }
      if (opts.sni !== undefined) tls.servername = opts.sni;
      if (opts.minVersion) tls.minVersion = opts.minVersion;
      if (opts.maxVersion) tls.maxVersion = opts.maxVersion;
      if (opts.ciphers) tls.ciphers = opts.ciphers;
      if (opts.alpn) tls.alpn = opts.alpn.split(',').map((s) => s.trim()).filter(Boolean);
      const wb = await openWorkshop(command);
      try {
        // --key-passphrase-file alone is for the original's own key, so only --cert, --key or --identity choose another.
        const clientCertificate = opts.cert || opts.key || opts.identity !== undefined ? await clientIdentityFromOptions(opts) : undefined;
        if (clientCertificate) tls.clientCertificate = clientCertificate;
        else if (opts.keyPassphraseFile) tls.clientKeyPassphrase = readPassphraseFile(opts.keyPassphraseFile);
        else {
          // The original presented a certificate whose key file is encrypted: ask, as openssl would.
          const identity = wb.sessions.getSession(id)?.request?.clientCertificate;
          if (identity?.kind === 'files' && isEncryptedKeyFile(identity.keyPath) && process.stdin.isTTY) {
            tls.clientKeyPassphrase = await askPassphrase(`Enter PEM pass phrase for ${identity.keyPath}:`);
          }
        }
        const result = await wb.replay.replayClient({ id, connection: opts.connection, to: opts.to, tls, timeoutMs: opts.timeout });
        if (opts.json) printJson(result);
        else process.stdout.write(`${terminalSafe(formatReplay(result))}\n`);
        if (result.error?.code === 'PASSPHRASE_REQUIRED') {
          throw new CliExit(1, "the original's client key is encrypted and a recording does not keep passphrases: give it with --key-passphrase-file FILE");
        }
        if (result.error) throw new CliExit(1, '');
      } finally {
        await wb.close();
      }
    });

  withWorkbenchPassphrase(program.command('replay-server'))
    .description('answer new clients from recorded server responses, offline, until interrupted')
    .argument('<ids...>', 'the recorded sessions to answer from', (value: string, previous: number[] = []) => [...previous, sessionId(value)])
    .option('--listen <addr:port>', 'loopback address and port (0 picks a free one)', '127.0.0.1:4433')
    .requiredOption('--ca <name>', 'the workshop CA that forges a certificate for each recorded host name')
    .option('--unmatched <404|502|close>', 'what a request with no recorded answer gets', unmatchedPolicy, '404' as UnmatchedPolicy)
    .option('--ignore-host', 'match requests whatever host they name')
    .option('--ignore-body', 'match requests whatever body they carry')
    .option('--json', 'print one JSON object per line')
    .addHelpText(
      'after',
      '\nHTTP requests are answered by method, path and query, host and body (see --ignore-host and\n--ignore-body). A session that is not HTTP is played back turn by turn: each recorded server\nturn goes out once the client has sent as many lines as the recorded client had before it (as\nmany bytes when the recorded client did not send whole lines).',
    )
    .action(async (ids: number[], opts: ReplayServerOptions, command: Command) => {
      const wb = await openWorkshop(command);
      let serverId = 0;
      const unsubscribe = wb.subscribe((event, data) => {
        if (event !== 'session.updated') return;
        const s = data as SessionSummary;
        if (s.kind !== 'server' || s.status === 'running' || !serverId) return;
        printLine(opts.json ? jsonText({ event: 'connection', session: s }) : `${s.address ?? '?'}  sni=${s.sni ?? '-'}  ${s.version ?? '-'}  ${s.status}${s.error ? `: ${s.error.message}` : ''}  session ${s.id}`);
      });
      try {
        const info = await wb.replay.startServer({ ids, listen: opts.listen, ca: opts.ca, unmatched: opts.unmatched, ignoreHost: opts.ignoreHost, ignoreBody: opts.ignoreBody });
        serverId = info.id;
        printLine(opts.json ? jsonText({ event: 'listening', server: info }) : formatServer(info, rootCaOf(wb, info.ca), tlslabFor(command)));
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        const stopped = await wb.replay.stopServer(info.id);
        const line = `stopped (${signal}) after ${plural(stopped.connections, 'connection')}: ${plural(stopped.matched, 'request')} answered from the recording, ${stopped.unmatchedRequests} unmatched`;
        printLine(opts.json ? jsonText({ event: 'stopped', signal, server: stopped }) : line);
      } finally {
        unsubscribe();
        await wb.close();
      }
    });
}
