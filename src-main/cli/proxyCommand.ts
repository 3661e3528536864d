// tlslab proxy: run the man-in-the-middle proxy (lab task 5) until interrupted, one line per
// victim connection as it ends.
import type { Command } from 'commander';
import type { ProxyConfig, ProxyConnectionSummary, ProxyHostMapping, ProxyInfo, ProxyMode } from '../api/proxyTypes';
import type { HostEntry } from '../api/types';
import { WorkbenchError } from '../errors';
import { parseRewriteArgument } from '../sessions/proxyRewrite';
import { parseTrustArgument } from '../sessions/trustStore';
import { shellWord } from '../api/tryIt';
import { CliExit, jsonText, printLine, tlslabFor } from './common';
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

/**
 * How to send a victim through the proxy, as the server's "try it" shows how to reach a server:
 * the victim names the real site and connects to the proxy, trusting the proxy's root CA (saved
 * as proxy-ca.pem, so that a ca.pem saved for the real server stays as it is). `site` is a name
 * the proxy can reach upstream (from --map or the host table), or null when there is none yet.
 */
export function proxyTryItLines(info: Pick<ProxyInfo, 'transparentAddress' | 'connectAddress' | 'ca'>, rootCa: string, site: string | null, tlslab = 'tlslab'): string[] {
  const lines = [`  try it (the victim trusts "${rootCa}", so it takes the forged certificate; leave proxy-ca.pem out and it refuses it):`];
  lines.push(`    ${tlslab} ca export ${shellWord(rootCa)} --out proxy-ca.pem`);
  if (site === null) {
    lines.push('    (no site to send victims to yet: name one with --map HOST=ADDR:PORT, the lab server that plays the real site)');
    return lines;
  }
  if (info.transparentAddress) {
    lines.push(`    ${tlslab} client ${site} --connect-to ${info.transparentAddress} --ca proxy-ca.pem --get /`);
    lines.push(`    curl --cacert proxy-ca.pem --connect-to ${site}:443:${info.transparentAddress} https://${site}/`);
  }
  if (info.connectAddress) lines.push(`    curl --cacert proxy-ca.pem -x http://${info.connectAddress} https://${site}/`);
  return lines;
}

/**
 * Where transparent mode sends the names its victims send, in one line: a ClientHello names the
 * site but not the port, so a name without --map goes to port 443, and the lab's servers are on
 * 4433. Said at start, because forgetting --map shows only later, as a refused victim.
 */
export function upstreamLine(config: Pick<ProxyConfig, 'map' | 'dns'>, hosts: readonly HostEntry[], site: string | null): string {
  const where = config.dns === false ? 'its address in the host table' : 'its address in the host table or by DNS';
  const withPort = (address: string) => {
    if (address.startsWith('[')) return /\]:\d+$/.test(address) ? address : `${address}:443`;
    if (address.split(':').length > 2) return `[${address}]:443`;
    return /:\d+$/.test(address) ? address : `${address}:443`;
  };
  const mapped = (config.map ?? []).map((m) => `${m.host} -> ${withPort(m.address)}`);
  if (mapped.length) {
    return `real servers: ${mapped.join(', ')} (--map); any other name: port 443 at ${where} (a ClientHello names no port); add --map NAME=ADDR:PORT for a server on another port`;
  }
  const entry = hosts.find((h) => h.name === site) ?? hosts[0];
  const example = entry ? `: ${entry.name} -> ${withPort(entry.address)}` : '';
  const name = entry?.name ?? 'NAME';
  const ip = entry ? (entry.address.includes(':') ? `[${entry.address}]` : entry.address) : 'ADDR';
  return `real servers: without --map a name goes to port 443 at ${where} (a ClientHello names no port)${example}; for a server on another port (the lab's use 4433) add --map ${name}=${ip}:PORT`;
}

function formatListening(info: ProxyInfo, rootCa: string, site: string | null, tlslab: string, hosts: readonly HostEntry[]): string {
  const lines: string[] = [];
  if (info.transparentAddress) {
    lines.push(`transparent mode on ${info.transparentAddress} (victims connect here and name the site by SNI)`);
    lines.push(upstreamLine(info.config, hosts, site));
  }
  if (info.connectAddress) lines.push(`CONNECT mode on ${info.connectAddress} (curl -x http://${info.connectAddress}, browsers' proxy setting)`);
  lines.push(`forging with "${info.ca.name}" (${info.ca.subject}, ${info.ca.keyType}); upstream verified against ${info.upstreamTrust}${info.config.upstreamInsecure ? ', going on even when that fails (--upstream-insecure)' : ''}`);
  for (const r of info.config.rewrite ?? []) lines.push(`  rewrite ${r.direction}: ${r.regex ? `/${r.find}/${r.flags ?? ''}` : JSON.stringify(r.find)} => ${JSON.stringify(r.replace)}`);
  lines.push(...proxyTryItLines(info, rootCa, site, tlslab));
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
        // A site victims can be sent to: the first named in --map, else the first of the host table.
        const site = (config.map ?? []).find((m) => !m.host.includes('*'))?.host ?? wb.listHosts()[0]?.name ?? null;
        let rootCa = info.ca.name;
        try {
          rootCa = wb.workshop.rootCaName(info.ca.name) ?? rootCa;
        } catch {
          // The signing CA itself is then what the victim trusts.
        }
        printLine(opts.json ? jsonText({ event: 'listening', proxy: info }) : formatListening(info, rootCa, site, tlslabFor(command), wb.listHosts()));
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
