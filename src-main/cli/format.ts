// Plain-text rendering of sessions for the terminal: what the lab's Python client prints, and a
// Wireshark-like record list. Pure functions, so tests can read them without a terminal.
import { clientRequestFate } from '../api/clientRequest';
import { responseText } from '../api/responseText';
import type { SessionImportOrigin } from '../api/exchangeTypes';
import { importOriginWords } from '../api/importOrigin';
import type {
  CertificateInfo,
  ConnectionDetail,
  SessionDetail,
  SessionSummary,
  TimelineEntry,
} from '../api/types';
import { plural } from '../api/words';

const ARROW = { 'client-to-server': 'C->S', 'server-to-client': 'S->C' } as const;

/**
 * Text that came from the network (a response head, a certificate's subject, a client's SNI)
 * made safe to print in a terminal: control characters are shown as \xHH, since ESC starts
 * sequences that move the cursor or retitle the window, and a lone CR overwrites the line. Line
 * feeds and tabs stay; CR LF becomes LF.
 */
export function terminalSafe(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A moment as the machine's clock shows it, "2026-11-26 16:06:42": what a student compares with their watch. */
export function localTimestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

export function formatCertificate(cert: CertificateInfo, index: number): string {
  const lines = [
    `  [${index}] subject: ${cert.subject || '(empty)'}`,
    `      issuer:  ${cert.issuer || '(empty)'}`,
    `      valid:   ${cert.notBefore} to ${cert.notAfter}`,
  ];
  if (cert.subjectAltNames.length) lines.push(`      names:   ${cert.subjectAltNames.join(', ')}`);
  lines.push(`      key:     ${cert.publicKey.type}${cert.publicKey.bits ? ` ${cert.publicKey.bits} bits` : ''}${cert.publicKey.curve ? ` ${cert.publicKey.curve}` : ''}${cert.isCA ? ' (CA)' : ''}`);
  lines.push(`      serial:  ${cert.serialNumber}`);
  lines.push(`      SHA-256: ${cert.fingerprintSha256}`);
  return lines.join('\n');
}

export function formatTimelineEntry(entry: TimelineEntry): string {
  const t = entry.t.toFixed(3).padStart(10);
  switch (entry.kind) {
    case 'record': {
      const what = entry.malformed ? `MALFORMED: ${entry.malformed}` : entry.messages.join(', ');
      return `${t}  #${String(entry.number).padEnd(4)} ${ARROW[entry.direction]}  ${entry.contentTypeName.padEnd(18)} ${entry.versionName.padEnd(8)} ${String(entry.length).padStart(6)}  ${what}`;
    }
    case 'tcp-open':
      return `${t}  TCP connect ${entry.local} -> ${entry.remote}`;
    case 'tcp-close':
      return `${t}  TCP close (by ${entry.initiator === 'local' ? 'this side' : entry.initiator === 'peer' ? 'the peer' : 'unknown'})`;
    case 'tls-established':
      return `${t}  TLS established: ${entry.version}, ${entry.cipher}`;
    case 'verification':
      return `${t}  Verification: ${entry.summary}`;
    case 'note':
      return `${t}  Note: ${entry.text}`;
    case 'error':
      return `${t}  Error: ${entry.message}`;
  }
}

export function formatConnection(connection: ConnectionDetail): string {
  const out = [
    `Connection ${connection.id} (${connection.leg}) ${connection.local ?? '?'} -> ${connection.remote ?? '?'}`,
    `  bytes client->server ${connection.bytesClientToServer}, server->client ${connection.bytesServerToClient}`,
    ...(connection.keyExchange ? [`  key exchange: ${connection.keyExchange.summary}`] : []),
    '  time (ms)   #    dir   type               version  length  content',
    ...connection.timeline.map((e) => `  ${formatTimelineEntry(e)}`),
  ];
  if (connection.keylog.length) out.push('  Key log:', ...connection.keylog.map((l) => `    ${l}`));
  return out.join('\n');
}

/**
 * The session's first lines. The error line is left out when it would only repeat the
 * verification line (a verification failure is its own error), or when the caller prints the
 * error itself (`tlslab client` says it once, on stderr, with the session's id).
 */
export function formatSessionHeader(s: SessionSummary, { withError = true }: { withError?: boolean } = {}): string {
  const lines = [`Session ${s.id} (${s.kind}) ${s.target}${s.address ? ` -> ${s.address}` : ''}: ${s.status}`];
  if (s.version) lines.push(`Version: ${s.version}`);
  if (s.cipher) lines.push(`Cipher:  ${s.cipher.iana} (OpenSSL: ${s.cipher.openssl})`);
  if (s.sni !== null) lines.push(`SNI:     ${s.sni}`);
  if (s.alpn) lines.push(`ALPN:    ${s.alpn}`);
  // A proxy session's verification is the real server's, printed with the proxy's lines as such:
  // here, next to "the victim refused", it read as the victim's.
  const verification = s.kind === 'proxy' ? null : s.verification;
  if (verification) lines.push(`Verification: ${verification.summary}`);
  if (verification?.chain.explanation) lines.push(`  why: ${verification.chain.explanation}`);
  if (verification?.alertSent) lines.push(`  refused: the client told the server so with the alert ${verification.alertSent}, and closed the connection`);
  if (s.error && withError && s.error.message !== s.verification?.summary) lines.push(`Error: ${s.error.message}`);
  return lines.join('\n');
}

/** How the report names the CLI in the commands it suggests: "tlslab --data-dir DIR" when one was given. */
export interface ReportOptions {
  tlslab?: string;
  /** The sessions that recorded the other end of this one's connections (sessions.otherEnds). */
  otherEnds?: readonly SessionSummary[];
}

const OTHER_END_NAMES: Record<string, string> = { client: "the workbench client's", server: "the lab server's", proxy: "the proxy's" };

/** "Other end: the lab server's session 2 (the same handshake, seen from its side)". */
function otherEndLines(ends: readonly SessionSummary[] | undefined): string[] {
  if (!ends || ends.length === 0) return [];
  const named = ends.map((e) => `${OTHER_END_NAMES[e.kind] ?? `the ${e.kind}'s`} session ${e.id}`).join(', ');
  return [`Other end: ${named} (the same connection, recorded from ${ends.length === 1 ? 'its' : 'their'} side)`];
}

/**
 * The response, or why there is none: a client whose request never went out (it failed the
 * handshake or its checks first) says so, rather than showing an empty response. A binary body
 * is not printed (it would garble the terminal): its HTTP head is, with how to save the bytes.
 */
function responseLines(s: SessionDetail, { tlslab = 'tlslab' }: ReportOptions): string[] {
  if (s.response && s.response.bytes > 0) {
    const shown = responseText(s.response);
    if (shown.binary) {
      return [
        `Response (${s.response.bytes} bytes, binary body not printed):`,
        ...(shown.head !== null ? [shown.head, ''] : []),
        `To save the body: ${tlslab} sessions export ${s.id} --format har --out session-${s.id}.har`,
      ];
    }
    return [`Response (${s.response.bytes} bytes${s.response.truncated ? ', first 1 MiB shown' : ''}):`, s.response.text];
  }
  const fate = clientRequestFate(s);
  if (fate === 'nothing' || s.status === 'running') return [];
  if (fate === 'not-sent') return ['Request not sent: the session failed before it could go out.'];
  return ['Response: none (the server sent no application data).'];
}

/** What `tlslab client` prints on stdout: the lab client's view of a finished session (its error goes to stderr). */
export function formatClientResult(s: SessionDetail, options: ReportOptions = {}): string {
  const out = [formatSessionHeader(s, { withError: false })];
  // Beside the version and cipher, as s_client prints its "Server Temp Key": the forward secrecy lesson.
  const keyExchange = s.connections[0]?.keyExchange;
  if (keyExchange) out.push(`Key exchange: ${keyExchange.summary}`);
  const peer = s.connections[0]?.peerCertificates ?? [];
  if (peer.length) {
    out.push('Server certificate chain:');
    peer.forEach((c, i) => out.push(formatCertificate(c, i)));
  }
  const own = s.connections[0]?.localCertificates ?? [];
  if (own.length) {
    out.push('Client certificate (presented when the server asks for one):');
    own.forEach((c, i) => out.push(formatCertificate(c, i)));
  }
  out.push(...responseLines(s, options));
  return terminalSafe(out.join('\n'));
}

export function formatSessionList(list: SessionSummary[]): string {
  if (list.length === 0) return 'No sessions yet. Run one with: tlslab client HOST[:PORT]';
  const rows = list.map((s) =>
    [
      String(s.id).padStart(5),
      localTimestamp(s.startedAt),
      s.kind.padEnd(6),
      s.status.padEnd(7),
      (s.version ?? '-').padEnd(7),
      // A name of hundreds of characters would push the row off any terminal; sessions show has it whole.
      // A server session's target is its own address: the name the client asked for says more.
      clip(s.kind === 'server' && s.sni ? `${s.target} (asked for ${s.sni})` : s.target, 60),
      s.error ? `  (${clip(s.error.message, 60)})` : '',
    ]
      .join('  ')
      .trimEnd(),
  );
  return terminalSafe(['   id  started              kind    status   version  target', ...rows].join('\n'));
}

/** A certificate in one line: subject, issuer, names. */
function certificateLine(cert: CertificateInfo): string {
  const names = cert.subjectAltNames.length ? `; ${cert.subjectAltNames.join(', ')}` : '';
  return `${cert.subject} (issuer ${cert.issuer}${names})`;
}

/** A server session without a client certificate, by what the server asked for and how far the handshake got. */
function noClientCertificate(policy: 'off' | 'requested' | 'required', s: SessionDetail): string {
  if (policy === 'off') return 'not asked for (this server does not request client certificates)';
  if (s.version || s.error?.code === 'CLIENT_CERT_MISSING') return policy === 'required' ? 'none sent, and this server requires one' : 'none sent (asked for, not required)';
  return `none received: the handshake ended before the client would have sent one (this server ${policy === 'required' ? 'requires' : 'requests'} one)`;
}

/** A server session's own facts: the client, resumption, key exchange, client certificate, alert. */
function serverLines(s: SessionDetail): string[] {
  const info = s.server;
  if (!info) return [];
  const out = [`Server: ${info.serverLabel}, client ${info.peer}${info.resumed ? ', resumed session (abbreviated handshake)' : ''}, ${plural(info.requests, 'HTTP request')} answered`];
  // Each connection prints the key exchange read from its bytes; a session recorded without them keeps the server's note.
  if (info.keyExchange && !s.connections.some((c) => c.keyExchange)) out.push(`  key exchange: ${info.keyExchange.summary}`);
  if (info.clientCertificate) {
    const verdict = info.clientCertificateAuthorized === true ? 'accepted' : info.clientCertificateAuthorized === false ? 'refused' : 'not checked';
    out.push(`  client certificate (${verdict}): ${certificateLine(info.clientCertificate)}`);
  } else if (info.clientCertificatePolicy) {
    out.push(`  client certificate: ${noClientCertificate(info.clientCertificatePolicy, s)}`);
  }
  if (info.clientAlert) out.push(`  the client ended the handshake with the alert "${info.clientAlert}"`);
  return out;
}

/** A proxy session's own facts: both legs, the forged and the real certificate, the rules that fired. */
function proxyLines(s: SessionDetail): string[] {
  const info = s.proxy;
  if (!info) return [];
  const leg = (l: { peer: string | null; version: string | null; cipher: string | null; alpn: string | null }) =>
    [l.peer ?? '?', l.version, l.cipher, l.alpn ? `ALPN ${l.alpn}` : null].filter(Boolean).join('  ');
  const source = info.upstreamSource === 'map' ? 'the proxy map' : info.upstreamSource === 'hosts' ? 'the host table' : info.upstreamSource === 'dns' ? 'DNS' : null;
  const out = [`Proxy: ${info.proxyLabel} (${info.mode === 'connect' ? 'CONNECT' : 'transparent'}), the victim asked for ${info.host ?? '(no name)'}${source ? `, upstream address from ${source}` : ''}`];
  out.push(`  victim leg:   ${leg(info.victim)}`, `  upstream leg: ${leg(info.upstream)}`);
  if (info.forgedCertificate) {
    const how = [info.forgedFromCache ? 'from the cache' : null, info.namesFromUpstream ? 'names copied from the real certificate' : null].filter(Boolean).join(', ');
    out.push(`  forged by "${info.caName}"${how ? ` (${how})` : ''}: ${certificateLine(info.forgedCertificate)}`);
  }
  if (info.upstreamCertificate) out.push(`  real certificate: ${certificateLine(info.upstreamCertificate)}`);
  if (info.upstreamVerification) {
    out.push(`  real certificate verification: ${info.upstreamVerification.summary}${info.upstreamInsecure && !info.upstreamVerification.accepted ? ' (gone on anyway: --upstream-insecure)' : ''}`);
  }
  if (info.victimAlert) out.push(`  the victim ended the handshake with the alert "${info.victimAlert}"`);
  if (info.failedLeg) out.push(`  failed first: the ${info.failedLeg} leg`);
  if (info.closedFirst) out.push(`  closed first: ${info.closedFirst === 'victim' ? 'the victim' : 'the real server'}`);
  out.push(`  ${info.rawForwarding ? 'not HTTP/1.1: forwarded as bytes' : `${plural(info.exchanges, 'HTTP exchange')} forwarded`}`);
  for (const f of info.rulesFired) {
    out.push(`  rule ${f.rule + 1} fired on the ${f.event.replace('-', ' ')} of exchange ${f.exchange}: ${plural(f.replacements, 'replacement')}`);
  }
  return out;
}

/** Where an imported session came from, in one line (api/importOrigin.ts), or null for one recorded here. */
export const importOriginLine = (origin: SessionImportOrigin | null | undefined): string | null => importOriginWords(origin, localTimestamp);

export function formatSessionDetail(s: SessionDetail, options: ReportOptions = {}): string {
  // Where an imported session came from goes right under its first line, before the TLS facts.
  const [first, ...facts] = formatSessionHeader(s).split('\n');
  const origin = importOriginLine(s.imported);
  const out = [first, ...(origin ? [origin] : []), ...facts, ...otherEndLines(options.otherEnds), ...serverLines(s), ...proxyLines(s)];
  for (const c of s.connections) {
    out.push(formatConnection(c));
    c.peerCertificates.forEach((cert, i) => out.push(`Peer certificate ${i}: ${cert.subject}`, cert.pem.trimEnd()));
    c.localCertificates.forEach((cert, i) => out.push(`Local certificate ${i}: ${cert.subject}`, cert.pem.trimEnd()));
  }
  out.push(...responseLines(s, options));
  return terminalSafe(out.join('\n'));
}
