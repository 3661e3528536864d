// What the Proxy view and a proxy session's panel show, as plain values: a proxy's status and
// settings, its live connection list, the forged and the real certificate compared field by
// field, which rewrite rules fired where, and a failure in a student's words.
import type {
  ApiErrorInfo,
  CertificateInfo,
  ProxyConfig,
  ProxyConnectionSummary,
  ProxyInfo,
  ProxyRewriteRule,
  ProxyRuleFiring,
  ProxySessionInfo,
  SessionSummary,
} from '../api/contract';
import type { Direction, RecordDetail, RecordRow } from '../api/contract';
import type { ClientTarget } from './client-form';
import { base64ToBytes } from './pki-asn1';
import type { OutcomeTone } from './outcome';
import { describePublicKey, formatCertificateTime } from './certificate';
import { formatFingerprint, plural } from './format';
import { ruleLabel } from './proxy-form';

export function proxyStatus(proxy: Pick<ProxyInfo, 'status'>): { tone: OutcomeTone | 'idle'; label: string } {
  switch (proxy.status) {
    case 'running':
      return { tone: 'ok', label: 'Running' };
    case 'failed':
      return { tone: 'fail', label: 'Failed' };
    default:
      return { tone: 'idle', label: 'Stopped' };
  }
}

export function modeLabel(mode: ProxyInfo['mode']): string {
  return mode === 'both' ? 'transparent + CONNECT' : mode === 'connect' ? 'CONNECT (explicit)' : 'transparent (SNI)';
}

/** "12 connections · 1 open · 2 failed". */
export function proxyCounts(proxy: Pick<ProxyInfo, 'connections' | 'active' | 'failed'>): string {
  const parts = [plural(proxy.connections, 'connection')];
  if (proxy.active > 0) parts.push(`${proxy.active} open`);
  if (proxy.failed > 0) parts.push(`${proxy.failed} failed`);
  return parts.join(' · ');
}

/** The settings worth a glance, one short phrase each (the rules are listed on their own). */
export function proxySettings(config: ProxyConfig): string[] {
  const parts: string[] = [];
  const map = config.map ?? [];
  parts.push(map.length > 0 ? `${plural(map.length, 'mapped name')}, others by the host table` : 'upstreams from the host table');
  if (config.upstreamInsecure) parts.push('continues when the upstream certificate fails (careless)');
  const cap = config.recordCapBytes;
  parts.push(cap === undefined ? 'recording cap 64 MB each way' : cap === 0 ? 'no recording cap' : `recording cap ${Math.round((cap / 1048576) * 100) / 100} MB each way`);
  return parts;
}

export function rulesOf(config: ProxyConfig): string[] {
  return (config.rewrite ?? []).map(ruleLabel);
}

/** What a student types to try the proxy. */
export function proxyTryCommands(proxy: Pick<ProxyInfo, 'transparentAddress' | 'connectAddress' | 'config'>, caFile = 'ca.pem'): string[] {
  const host = proxy.config.map?.[0]?.host ?? 'www.example.com';
  const out: string[] = [];
  if (proxy.transparentAddress) {
    const at = /^(.*):(\d+)$/.exec(proxy.transparentAddress);
    if (at) {
      const address = at[1].replace(/^\[|\]$/g, '');
      out.push(`curl --cacert ${caFile} --resolve ${host}:${at[2]}:${address} https://${host}:${at[2]}/`);
    }
  }
  if (proxy.connectAddress) out.push(`curl --cacert ${caFile} -x http://${proxy.connectAddress} https://${host}/`);
  return out;
}

// --- the live connection list ---------------------------------------------------------------

export interface ProxyConnectionRow {
  sessionId: number;
  at: number;
  mode: 'transparent' | 'connect' | null;
  peer: string | null;
  host: string | null;
  upstream: string | null;
  victimVersion: string | null;
  upstreamVersion: string | null;
  upstreamVerified: boolean | null;
  exchanges: number | null;
  rulesFired: number | null;
  bytes: number | null;
  tone: OutcomeTone;
  outcome: string;
  alert: string | null;
  error: ApiErrorInfo | null;
  /** The error in a few words for the list; the whole message goes in its tooltip. */
  problem: string | null;
}

export function shortProxyProblem(error: ApiErrorInfo | null, alert: string | null): string | null {
  if (!error) return null;
  if (alert || error.code === 'VICTIM_REJECTED_CERTIFICATE') return 'the victim refused the forged certificate';
  const first = error.message.split(/;\s/)[0];
  return first.length > 120 ? `${first.slice(0, 117)}…` : first;
}

function fromSummary(s: ProxyConnectionSummary): ProxyConnectionRow {
  const alert = s.victimAlert;
  return {
    sessionId: s.sessionId,
    at: s.at,
    mode: s.mode,
    peer: s.peer,
    host: s.host,
    upstream: s.upstream,
    victimVersion: s.victimVersion,
    upstreamVersion: s.upstreamVersion,
    upstreamVerified: s.upstreamVerified,
    exchanges: s.exchanges,
    rulesFired: s.rulesFired,
    bytes: s.bytesFromVictim + s.bytesFromUpstream,
    tone: s.outcome === 'ok' ? 'ok' : 'fail',
    outcome: s.outcome,
    alert,
    error: s.error,
    problem: shortProxyProblem(s.error, alert),
  };
}

function fromSession(session: SessionSummary): ProxyConnectionRow {
  const tone: OutcomeTone = session.status === 'running' ? 'running' : session.status === 'failed' || session.error ? 'fail' : 'ok';
  return {
    sessionId: session.id,
    at: session.startedAt,
    mode: null,
    peer: null,
    host: session.target,
    upstream: session.address,
    victimVersion: session.version,
    upstreamVersion: null,
    upstreamVerified: session.verification ? session.verification.accepted : null,
    exchanges: null,
    rulesFired: null,
    bytes: null,
    tone,
    outcome: tone === 'running' ? (session.version ? 'open' : 'handshake…') : tone === 'fail' ? 'failed' : 'ok',
    alert: null,
    error: session.error,
    problem: shortProxyProblem(session.error, null),
  };
}

/**
 * Whether a proxy session in the session list belongs to this proxy's run. The list does not say
 * which proxy recorded a session, so it is only claimed when no other proxy ran at that time.
 */
export function sessionBelongsToProxy(session: SessionSummary, proxy: ProxyInfo, all: readonly ProxyInfo[]): boolean {
  if (session.kind !== 'proxy') return false;
  const during = (p: ProxyInfo) =>
    p.startedAt !== null && session.startedAt >= p.startedAt && (p.status === 'running' || p.stoppedAt === null || session.startedAt <= p.stoppedAt);
  if (!during(proxy)) return false;
  return all.every((other) => other.id === proxy.id || !during(other));
}

/** The proxy's connections, newest first: the ended ones the engine reported, and those still in flight. */
export function proxyConnectionRows(
  proxy: ProxyInfo,
  all: readonly ProxyInfo[],
  sessions: readonly SessionSummary[],
  summaries: readonly ProxyConnectionSummary[],
  limit = 200,
): ProxyConnectionRow[] {
  const rows = new Map<number, ProxyConnectionRow>();
  for (const session of sessions) if (sessionBelongsToProxy(session, proxy, all)) rows.set(session.id, fromSession(session));
  for (const summary of summaries) if (summary.proxyId === proxy.id) rows.set(summary.sessionId, fromSummary(summary));
  return [...rows.values()].sort((a, b) => b.at - a.at || b.sessionId - a.sessionId).slice(0, limit);
}

export function addProxyConnection(list: readonly ProxyConnectionSummary[], summary: ProxyConnectionSummary, perProxy = 200): ProxyConnectionSummary[] {
  const next = [summary, ...list.filter((s) => s.sessionId !== summary.sessionId)];
  let kept = 0;
  return next.filter((s) => s.proxyId !== summary.proxyId || ++kept <= perProxy);
}

export function mergeProxy(list: readonly ProxyInfo[], proxy: ProxyInfo): ProxyInfo[] {
  return [...list.filter((p) => p.id !== proxy.id), proxy].sort((a, b) => b.id - a.id);
}

export function sortProxies(list: readonly ProxyInfo[]): ProxyInfo[] {
  return [...list].sort((a, b) => b.id - a.id);
}

// --- forged vs real -------------------------------------------------------------------------

export type CertificateField = 'subject' | 'names' | 'issuer' | 'key' | 'serial' | 'validity' | 'fingerprint';

export interface CertificateDiffRow {
  field: CertificateField;
  label: string;
  forged: string;
  real: string;
  /** Whether the forged certificate shows the same as the real one here. */
  same: boolean;
  /** What the difference means, in a sentence. */
  note: string;
}

function sanSet(cert: CertificateInfo): string[] {
  return [...cert.subjectAltNames].sort();
}

/** As the certificate cards write it ("2026-11-25 08:35 UTC to …"), not the engine's ISO strings. */
function validityText(cert: CertificateInfo): string {
  return `${formatCertificateTime(cert.notBefore)} to ${formatCertificateTime(cert.notAfter)}`;
}

function attributeText(a: { type: string; value: string }): string {
  return `${a.type}=${a.value}`;
}

/** Which subject attributes the forgery left out or added, in a sentence. */
function subjectNote(forged: CertificateInfo, real: CertificateInfo): string {
  const f = forged.subjectAttributes.map(attributeText);
  const r = real.subjectAttributes.map(attributeText);
  const missing = r.filter((a) => !f.includes(a));
  const extra = f.filter((a) => !r.includes(a));
  const parts: string[] = [];
  if (missing.length) parts.push(`not copied: ${missing.join(', ')}`);
  if (extra.length) parts.push(`only in the forged one: ${extra.join(', ')}`);
  return parts.length ? `The proxy copied part of the subject; ${parts.join('; ')}.` : 'The same attributes, written in another order or encoding.';
}

/** The certificate in a chain that issued `leaf` (by subject name), when the peer sent it. */
export function issuerInChain(chain: readonly CertificateInfo[], leaf: CertificateInfo | null): CertificateInfo | null {
  if (!leaf || leaf.selfIssued) return null;
  return chain.find((c) => c.fingerprintSha256 !== leaf.fingerprintSha256 && c.subject === leaf.issuer) ?? null;
}

/**
 * What the issuer row means. When the proxy signs with the very CA that issued the real certificate
 * (the lab's one "Lab Root" for both), it said "only the real CA's key makes the real one": but the
 * proxy held that key, and the forgery verified exactly as the real certificate did.
 */
function issuerNote(sameName: boolean, forgedIssuer: CertificateInfo | null, realIssuer: CertificateInfo | null): string {
  if (!sameName) return 'Signed by the proxy\'s CA, not the real one: a victim that trusts only the real CA refuses it.';
  if (forgedIssuer && realIssuer && forgedIssuer.fingerprintSha256 === realIssuer.fingerprintSha256) {
    return 'Signed by the very CA that signed the real one: the proxy holds that CA\'s key, so the victim\'s checks pass as they do on the real certificate. Only the key and the fingerprint give the forgery away.';
  }
  if (forgedIssuer && realIssuer) {
    return 'The same issuer name, but another CA\'s key signed it: a victim that trusts only the real CA refuses it.';
  }
  return 'The same issuer name. Unless the proxy holds the real CA\'s key, another key signed it, and a victim that trusts only the real CA refuses it.';
}

/** A proxy session's verdict for its header: about both legs, not only the real server's certificate. */
/**
 * A proxy's failure in the window's words. The engine's message ends with advice for the command
 * line ("Give --upstream-ca ...", "--map HOST=ADDR:PORT"), flags a student in the window has never
 * seen; the window gives its own advice beside it. So the message stops before that advice.
 */
export function proxyErrorText(message: string): string {
  // The proxy command's own flags only: advice for the victim's program (curl --http1.1) stays.
  const flag = message.search(/ --(upstream-ca|upstream-insecure|map)\b/);
  if (flag < 0) return message;
  const before = message.slice(0, flag);
  const cut = Math.max(before.lastIndexOf('. '), before.lastIndexOf('; '));
  if (cut <= 0) return message;
  return `${message.slice(0, cut)}.`;
}

/** "www.example.com:4433" -> "www.example.com", "[::1]:443" -> "::1". */
function withoutPort(endpoint: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint) ?? /^([^:]+):\d+$/.exec(endpoint);
  return m ? m[1] : endpoint;
}

export function proxyOutcome(session: Pick<SessionSummary, 'status' | 'error' | 'target'> & { proxy?: ProxySessionInfo | null }): {
  tone: OutcomeTone;
  label: string;
  detail: string;
} {
  if (session.status === 'running') return { tone: 'running', label: 'Running', detail: 'The victim is still connected through the proxy.' };
  if (session.status === 'failed' || session.error) {
    return { tone: 'fail', label: 'Failed', detail: session.error ? proxyErrorText(session.error.message) : 'The proxy session failed without a recorded reason.' };
  }
  const p = session.proxy;
  if (!p) return { tone: 'ok', label: 'Forwarded', detail: 'The proxy forwarded this connection.' };
  // A certificate names a host, never a port.
  const host = withoutPort(p.host ?? session.target);
  const verified = p.upstreamVerification?.accepted;
  const real = verified === true
    ? "the real server's certificate verified"
    : verified === false
      ? "the real server's certificate did not verify, and the proxy went on anyway"
      : "the real server's certificate was not checked";
  const traffic = p.rawForwarding ? 'bytes forwarded as they came' : `${plural(p.exchanges, 'HTTP exchange')} forwarded`;
  return {
    tone: verified === false ? 'warn' : 'ok',
    label: 'Intercepted',
    detail: `The victim accepted the certificate forged for ${host} by "${p.caName}"; ${real}; ${traffic}${p.rulesFired.length ? `, ${plural(p.rulesFired.length, 'rewrite')}` : ''}.`,
  };
}

/**
 * The forged and the real certificate side by side, field by field, with whether they match.
 * A perfect forgery copies the names; it can never copy the issuer's signature, the key, the
 * serial or the fingerprint — those give the man in the middle away to anyone who looks.
 */
export function certificateDiff(
  forged: CertificateInfo,
  real: CertificateInfo,
  /** The certificates that signed each one, when their chains carry them (the real server may not send its root). */
  issuers: { forged?: CertificateInfo | null; real?: CertificateInfo | null } = {},
): CertificateDiffRow[] {
  const rows: CertificateDiffRow[] = [];
  const same = (a: string, b: string) => a === b;

  rows.push({
    field: 'subject',
    label: 'Subject',
    forged: forged.subject,
    real: real.subject,
    same: same(forged.subject, real.subject),
    note: same(forged.subject, real.subject) ? 'Copied from the real certificate.' : subjectNote(forged, real),
  });
  const fNames = sanSet(forged);
  const rNames = sanSet(real);
  const namesSame = fNames.join(',') === rNames.join(',');
  const missing = rNames.filter((n) => !fNames.includes(n));
  const extra = fNames.filter((n) => !rNames.includes(n));
  rows.push({
    field: 'names',
    label: 'Names (SAN)',
    forged: fNames.join(', ') || 'none',
    real: rNames.join(', ') || 'none',
    same: namesSame,
    note: namesSame
      ? 'Copied: the victim\'s hostname check passes on the forged certificate as on the real one.'
      : [missing.length ? `only in the real one: ${missing.join(', ')}` : '', extra.length ? `only in the forged one: ${extra.join(', ')}` : '']
          .filter(Boolean)
          .join('; ') + '.',
  });
  const issuerSame = same(forged.issuer, real.issuer);
  rows.push({
    field: 'issuer',
    label: 'Issuer',
    forged: forged.issuer,
    real: real.issuer,
    same: issuerSame,
    note: issuerNote(issuerSame, issuers.forged ?? null, issuers.real ?? null),
  });
  const fKey = describePublicKey(forged.publicKey);
  const rKey = describePublicKey(real.publicKey);
  rows.push({
    field: 'key',
    label: 'Public key',
    forged: fKey,
    real: rKey,
    // Two different keys of one type still differ; the fingerprints below prove it.
    same: false,
    note: fKey === rKey ? 'Same type and size, but a different key: the proxy holds the forged one\'s private key, not the real server\'s.' : 'A different key, of another type or size.',
  });
  const serialSame = same(forged.serialNumber.toLowerCase(), real.serialNumber.toLowerCase());
  rows.push({
    field: 'serial',
    label: 'Serial',
    forged: forged.serialNumber,
    real: real.serialNumber,
    same: serialSame,
    note: serialSame ? 'The same serial number.' : 'The proxy\'s CA numbers its own certificates.',
  });
  const validitySame = same(forged.notBefore, real.notBefore) && same(forged.notAfter, real.notAfter);
  rows.push({
    field: 'validity',
    label: 'Valid',
    forged: validityText(forged),
    real: validityText(real),
    same: validitySame,
    note: validitySame ? 'The same validity period.' : 'Its own validity period, set when the proxy forged it.',
  });
  const fpSame = same(forged.fingerprintSha256, real.fingerprintSha256);
  rows.push({
    field: 'fingerprint',
    label: 'SHA-256',
    forged: formatFingerprint(forged.fingerprintSha256),
    real: formatFingerprint(real.fingerprintSha256),
    same: fpSame,
    note: fpSame ? 'Identical: this is the same certificate.' : 'A different certificate: pinning the real fingerprint would catch the proxy.',
  });
  return rows;
}

export function diffCounts(rows: readonly CertificateDiffRow[]): { same: number; different: number } {
  const same = rows.filter((r) => r.same).length;
  return { same, different: rows.length - same };
}

// --- rules fired ----------------------------------------------------------------------------

export interface RuleFiringRow {
  rule: number;
  /** "request: "cybersecurity" → "SEED+Labs"", or "rule 2" when the proxy's rules are no longer known. */
  label: string;
  /** Which leg carried the rewritten bytes: the request goes out on the upstream leg, the response on the victim leg. */
  where: string;
  event: ProxyRuleFiring['event'];
  exchange: number;
  replacements: number;
  t: number;
}

const EVENT_WHERE: Record<ProxyRuleFiring['event'], string> = {
  'request-head': "request head, victim → proxy → server",
  'request-body': 'request body, victim → proxy → server',
  'response-head': 'response head, server → proxy → victim',
  'response-body': 'response body, server → proxy → victim',
};

export function ruleFiringRows(fired: readonly ProxyRuleFiring[], rules: readonly ProxyRewriteRule[] | null): RuleFiringRow[] {
  return fired.map((f) => ({
    rule: f.rule,
    label: rules?.[f.rule] ? ruleLabel(rules[f.rule]) : `rule ${f.rule + 1}`,
    where: EVENT_WHERE[f.event],
    event: f.event,
    exchange: f.exchange,
    replacements: f.replacements,
    t: f.t,
  }));
}

// --- failures -------------------------------------------------------------------------------

export interface ProxyFailureView {
  /** Which half failed: "victim ↔ proxy" or "proxy ↔ server". */
  leg: string;
  title: string;
  /** The victim's alert, by name, when that is how it ended. */
  alert: string | null;
  message: string;
  /** What the student can do about it. */
  advice: string;
}

/** A failed proxy session in a student's words: which leg, what happened, what to try. */
export function proxyFailure(error: ApiErrorInfo | null, proxy: ProxySessionInfo | null | undefined): ProxyFailureView | null {
  if (!error) return null;
  const victimLeg = 'victim ↔ proxy';
  const upstreamLeg = 'proxy ↔ server';
  const leg = proxy?.failedLeg === 'upstream' ? upstreamLeg : victimLeg;
  const alert = proxy?.victimAlert ?? /alert "([a-z0-9_]+)"/i.exec(error.message)?.[1] ?? null;
  switch (error.code) {
    case 'VICTIM_REJECTED_CERTIFICATE':
      return {
        leg: victimLeg,
        title: 'The victim refused the forged certificate',
        alert,
        message: proxyErrorText(error.message),
        advice:
          alert === 'unknown_ca'
            ? `The victim does not trust "${proxy?.caName ?? 'the signing CA'}". That is the defence working: the attack needs the victim to trust the proxy's CA (pass it as --cacert, or install it), or a CA it already trusts.`
            : alert === 'certificate_unknown'
              ? `The victim refused the certificate without saying why: browsers send this alert for any certificate they refuse. Either it does not trust "${proxy?.caName ?? 'the signing CA'}", or the name it asked for is not in the forged certificate; the browser's own error page names which (NET::ERR_CERT_AUTHORITY_INVALID or NET::ERR_CERT_COMMON_NAME_INVALID).`
              : 'Compare the forged certificate with what the victim expects: the name, the key type and the validity.',
      };
    case 'UPSTREAM_UNREACHABLE':
    case 'UPSTREAM_ECONNREFUSED':
    case 'UPSTREAM_NOT_MAPPED':
    case 'UPSTREAM_NOT_RESOLVED':
    case 'UPSTREAM_NOT_LOOPBACK':
    case 'PROXY_LOOP':
      return {
        leg: upstreamLeg,
        title: 'The real server could not be reached',
        alert,
        message: proxyErrorText(error.message),
        advice: 'Start the real server, or point the name at it: a map entry HOST=127.0.0.1:PORT in the proxy, or a line in the Host table.',
      };
    case 'UPSTREAM_CERT_INVALID':
      return {
        leg: upstreamLeg,
        title: "The real server's certificate did not verify",
        alert,
        message: proxyErrorText(error.message),
        advice:
          'A careful proxy refuses, as this one did, and the victim never got a forged certificate. Give the proxy the real server\'s CA as its upstream trust store, or tick "continue anyway" to play the careless proxy.',
      };
    case 'UPSTREAM_CLOSED':
      return { leg: upstreamLeg, title: 'The real server hung up during the handshake', alert, message: error.message, advice: 'Check that TLS, not plain HTTP, is spoken at that address.' };
    case 'NOT_TLS':
      return {
        leg: victimLeg,
        title: 'The victim did not speak TLS',
        alert,
        message: proxyErrorText(error.message),
        advice: 'It probably sent plain HTTP (http://) to the TLS port: use https:// in the victim, or CONNECT mode with -x for a proxy-aware client.',
      };
    case 'NO_SNI':
      return { leg: victimLeg, title: 'The victim named no site', alert, message: error.message, advice: 'Connect by name (curl --resolve NAME:PORT:127.0.0.1), not by address; or use CONNECT mode.' };
    case 'CLOSED_DURING_HANDSHAKE':
    case 'CLOSED_BEFORE_HELLO':
    case 'HANDSHAKE_TIMEOUT':
      return { leg: victimLeg, title: 'The victim went away during the handshake', alert, message: error.message, advice: 'A victim that silently rejects the forged certificate looks like this too; its own output says why.' };
    default:
      return {
        leg,
        title: proxy?.failedLeg === 'upstream' ? 'The proxy ↔ server leg failed' : 'The victim ↔ proxy leg failed',
        alert,
        message: proxyErrorText(error.message),
        advice: 'Both legs\' timelines below show the last thing that happened on each.',
      };
  }
}

/**
 * Where the client form should go to send a session through the transparent proxy: the first
 * mapped site, by its name and port, with "connect to" the proxy, trusting the forging CA.
 * Null for a CONNECT-only proxy (the client form speaks no HTTP proxy).
 */
export function proxyClientTarget(
  proxy: Pick<ProxyInfo, 'transparentAddress' | 'config'>,
  rootCaOf: (certificate: string) => { name: string } | null,
): ClientTarget | null {
  if (!proxy.transparentAddress) return null;
  const site = proxy.config.map?.[0];
  const sitePort = site ? /:(\d+)$/.exec(site.address)?.[1] : undefined;
  return {
    host: site?.host ?? 'www.bank32.com',
    port: sitePort ? Number(sitePort) : 443,
    connectTo: proxy.transparentAddress,
    trustCa: rootCaOf(proxy.config.ca)?.name ?? null,
  };
}

/**
 * The same victim, but one that trusts only the CA the real site's certificate chains to (the
 * workshop CA the proxy checks the real server against): it refuses the forged certificate, the
 * first half of the lesson. Null when that CA is unknown or is the one that signs the forgeries.
 */
export function carefulVictimTarget(
  proxy: Pick<ProxyInfo, 'transparentAddress' | 'config'>,
  rootCaOf: (certificate: string) => { name: string } | null,
): ClientTarget | null {
  const target = proxyClientTarget(proxy, rootCaOf);
  const upstream = proxy.config.upstreamTrust;
  if (!target || upstream?.kind !== 'lab') return null;
  const realCa = rootCaOf(upstream.name)?.name ?? upstream.name;
  if (realCa === target.trustCa) return null;
  return { ...target, trustCa: realCa };
}

/** One turn of the conversation on a leg, decrypted: the bytes one side sent before the other answered. */
export interface PlaintextTurn {
  direction: Direction;
  text: string;
  bytes: number;
  /** Only the first PLAINTEXT_SHOWN bytes are in `text`. */
  cut: boolean;
}

export const PLAINTEXT_SHOWN = 16 * 1024;

/**
 * The application data a leg carried, as the key log opened it, in turns: consecutive records one
 * way join up. Records the key log did not open are left out (`unopened` counts them).
 */
export function plaintextTurns(rows: readonly RecordRow[], details: readonly RecordDetail[]): { turns: PlaintextTurn[]; unopened: number } {
  const byNumber = new Map(details.map((d) => [d.number, d]));
  const turns: { direction: Direction; chunks: Uint8Array[]; bytes: number }[] = [];
  let unopened = 0;
  for (const row of rows) {
    const detail = byNumber.get(row.number);
    const plaintext = detail?.plaintext;
    if (!plaintext) {
      if (row.contentTypeName === 'Application Data' && row.encrypted) unopened++;
      continue;
    }
    if (plaintext.contentTypeName !== 'Application Data') continue;
    const bytes = base64ToBytes(plaintext.base64);
    if (bytes.length === 0) continue;
    const last = turns[turns.length - 1];
    if (last && last.direction === row.direction) {
      last.chunks.push(bytes);
      last.bytes += bytes.length;
    } else {
      turns.push({ direction: row.direction, chunks: [bytes], bytes: bytes.length });
    }
  }
  const decoder = new TextDecoder('utf-8');
  return {
    unopened,
    turns: turns.map((turn) => {
      const joined = new Uint8Array(Math.min(turn.bytes, PLAINTEXT_SHOWN));
      let at = 0;
      for (const chunk of turn.chunks) {
        if (at >= joined.length) break;
        const part = chunk.subarray(0, joined.length - at);
        joined.set(part, at);
        at += part.length;
      }
      return { direction: turn.direction, text: decoder.decode(joined), bytes: turn.bytes, cut: turn.bytes > PLAINTEXT_SHOWN };
    }),
  };
}
