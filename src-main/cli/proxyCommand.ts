// tlslab proxy: run the man-in-the-middle proxy (lab task 5) until interrupted, one line per
// victim connection as it ends.
import type { Command } from 'commander';
import type { ProxyConfig, ProxyConnectionSummary, ProxyHostMapping, ProxyInfo, ProxyMode } from '../api/proxyTypes';
import { WorkbenchError } from '../errors';
import { parseRewriteArgument } from '../sessions/proxyRewrite';
import { parseTrustArgument } from '../sessions/trustStore';
import { CliExit, jsonText, printLine } from './common';
import { openWorkshop, withWorkbenchPassphrase } from './pkiCommon';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface ProxyOptions {
  listen: string;
  mode: string;
  connectListen: string;
  ca?: string;
  map?: string[];
  upstreamCa?: string;
  upstreamInsecure?: boolean;
  dns: boolean;
  rewrite?: string[];
  recordCap?: string;
  label?: string;
  json?: boolean;
}

export function proxyConfigFromOptions(opts: ProxyOptions): ProxyConfig {
  if (!opts.ca) throw new CliExit(2, 'choose the CA that signs the forged certificates: --ca NAME (tlslab ca list shows them)');
  if (!['transparent', 'connect', 'both'].includes(opts.mode)) throw new CliExit(2, `--mode ${opts.mode}: choose transparent, connect or both`);
  const map: ProxyHostMapping[] = (opts.map ?? []).map((m) => {
    const eq = m.indexOf('=');
    if (eq <= 0 || eq === m.length - 1) throw new CliExit(2, `--map ${m}: write it as HOST=ADDR:PORT, e.g. --map www.example.com=127.0.0.1:4433`);
    return { host: m.slice(0, eq), address: m.slice(eq + 1) };
  });
  let recordCapBytes: number | undefined;
  if (opts.recordCap !== undefined) {
    const mb = Number(opts.recordCap);
    if (!Number.isFinite(mb) || mb < 0) throw new CliExit(2, `--record-cap ${opts.recordCap}: give a number of MB (0 for no cap)`);
    recordCapBytes = Math.round(mb * 1024 * 1024);
  }
  let rewrite;
  try {
    rewrite = (opts.rewrite ?? []).map(parseRewriteArgument);
  } catch (err) {
    if (err instanceof WorkbenchError) throw new CliExit(2, err.message);
    throw err;
  }
  return {
    label: opts.label,
    mode: opts.mode as ProxyMode,
    listen: opts.listen,
    connectListen: opts.connectListen,
    ca: opts.ca,
    map,
    dns: opts.dns !== false,
    upstreamTrust: opts.upstreamCa ? parseTrustArgument(opts.upstreamCa) : { kind: 'system' },
    upstreamInsecure: opts.upstreamInsecure === true,
    rewrite,
    recordCapBytes,
  };
}

export function formatProxyConnection(c: ProxyConnectionSummary): string {
  const parts = [
    c.peer,
    c.mode,
    c.host ?? '-',
    c.upstream ? `-> ${c.upstream}` : null,
    c.victimVersion ? `victim ${c.victimVersion}` : null,
    c.upstreamVersion ? `upstream ${c.upstreamVersion}${c.upstreamVerified === false ? ' (NOT verified)' : ''}` : null,
    c.rulesFired ? `${c.rulesFired} rule firing${c.rulesFired === 1 ? '' : 's'}` : null,
    c.outcome === 'ok' ? `ok (${c.exchanges} exchange${c.exchanges === 1 ? '' : 's'})` : `FAILED: ${c.error?.message ?? 'unknown'}`,
    `session ${c.sessionId}`,
  ];
  return parts.filter((p) => p !== null).join('  ');
}

function formatListening(info: ProxyInfo): string {
  const lines: string[] = [];
  if (info.transparentAddress) lines.push(`transparent mode on ${info.transparentAddress} (victims connect here and name the site by SNI)`);
  if (info.connectAddress) lines.push(`CONNECT mode on ${info.connectAddress} (curl -x http://${info.connectAddress}, browsers' proxy setting)`);
  lines.push(`forging with "${info.ca.name}" (${info.ca.subject}, ${info.ca.keyType}); upstream verified against ${info.upstreamTrust}${info.config.upstreamInsecure ? ', going on even when that fails (--upstream-insecure)' : ''}`);
  for (const r of info.config.rewrite ?? []) lines.push(`  rewrite ${r.direction}: ${r.regex ? `/${r.find}/${r.flags ?? ''}` : JSON.stringify(r.find)} => ${JSON.stringify(r.replace)}`);
  lines.push('stop with Ctrl-C');
  return lines.join('\n');
}

export function registerProxyCommand(program: Command): void {
  withWorkbenchPassphrase(program.command('proxy'))
    .description('run the man-in-the-middle proxy on loopback, forging certificates with a workbench CA, until interrupted')
    .option('--listen <addr:port>', 'where transparent mode listens', '127.0.0.1:8443')
    .option('--mode <mode>', 'transparent, connect or both', 'transparent')
    .option('--connect-listen <addr:port>', 'where CONNECT mode listens', '127.0.0.1:8080')
    .option('--ca <name>', 'the workbench CA that signs the forged certificates')
    .option('--map <HOST=ADDR:PORT>', 'send HOST to this upstream address (repeatable)', collect)
    .option('--no-dns', 'send only names in --map or the host table upstream; never ask DNS')
    .option('--upstream-ca <FILE|DIR|system|lab:NAME>', 'what the real servers are verified against (default: system)')
    .option('--upstream-insecure', 'go on when the real server\'s certificate does not verify')
    .option('--rewrite <rule>', "find and replace, e.g. 'request:cybersecurity=>SEED+Labs' or 'response:/re/i=>TO' (repeatable)", collect)
    .option('--record-cap <MB>', 'bytes recorded per connection and direction (default 64; 0: no cap)')
    .option('--label <text>', 'a name for this proxy in the list')
    .option('--json', 'print one JSON object per line')
    .action(async (opts: ProxyOptions, command: Command) => {
      const config = proxyConfigFromOptions(opts);
      const wb = await openWorkshop(command);
      const unsubscribe = wb.subscribe((event, data) => {
        if (event !== 'proxy.connection') return;
        const summary = data as ProxyConnectionSummary;
        printLine(opts.json ? jsonText({ event: 'connection', ...summary }) : formatProxyConnection(summary));
      });
      try {
        const info = await wb.proxies.start(config);
        printLine(opts.json ? jsonText({ event: 'listening', proxy: info }) : formatListening(info));
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        const stopped = await wb.proxies.stop(info.id);
        const line = `stopped (${signal}) after ${stopped.connections} connection${stopped.connections === 1 ? '' : 's'}, ${stopped.failed} failed`;
        printLine(opts.json ? jsonText({ event: 'stopped', signal, connections: stopped.connections, failed: stopped.failed }) : line);
      } finally {
        unsubscribe();
        await wb.close();
      }
    });
}
