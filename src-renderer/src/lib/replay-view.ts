// The replay panel's pure parts: the form turned into requests (with the mistakes named), and the
// diff of the two answers laid out side by side.
import { clientRequestFate, type ClientReplayRequest, type ClientReplayResult, type ReplayDiffLine, type ReplayExchange, type ReplayServerRequest, type SessionDetail, type TlsVersionName, type UnmatchedPolicy } from '../api/contract';
import { formatBytes } from './format';
import { flattenCaTree } from './pki-tree';
import type { IdentityChoice } from './server-form';
import type { PkiCertificateSummary, PkiTree } from '../api/contract';

export interface ReplayForm {
  to: string;
  sni: string;
  /** Empty: as the original. */
  minVersion: '' | TlsVersionName;
  maxVersion: '' | TlsVersionName;
  ciphers: string;
  /** "original" keeps the original's checks; "off" sends whatever the server presents. */
  verify: 'original' | 'off';
  /** The passphrase of the original's client key file, which a recording does not keep; empty: none. */
  keyPassphrase: string;
  /** A workshop certificate to present instead of the original's; empty: as the original. */
  clientCertificate: string;
}

export function emptyReplayForm(): ReplayForm {
  return { to: '', sni: '', minVersion: '', maxVersion: '', ciphers: '', verify: 'original', keyPassphrase: '', clientCertificate: '' };
}

/** The key file of the client certificate the original presented, when it came from files (its passphrase may be asked for). */
export function clientKeyFile(detail: Pick<SessionDetail, 'request'>): string | null {
  const identity = detail.request?.clientCertificate;
  return identity?.kind === 'files' ? identity.keyPath : null;
}

const VERSIONS: TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The request for replay.client, or the first problem with the form. */
export function replayRequest(id: number, form: ReplayForm): { request: ClientReplayRequest } | { problem: string; field: keyof ReplayForm } {
  const to = form.to.trim();
  if (to && !/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(to)) {
    return { problem: 'write the address as HOST:PORT, like 127.0.0.1:4433', field: 'to' };
  }
  const port = /:(\d+)$/.exec(to)?.[1];
  if (port && (Number(port) < 1 || Number(port) > 65535)) return { problem: `the port ${port} is out of range (1 to 65535)`, field: 'to' };
  if (form.minVersion && form.maxVersion && VERSIONS.indexOf(form.minVersion) > VERSIONS.indexOf(form.maxVersion)) {
    return { problem: `the minimum version ${form.minVersion} is above the maximum ${form.maxVersion}`, field: 'minVersion' };
  }
  const tls: ClientReplayRequest['tls'] = {};
  if (form.sni.trim()) tls.servername = form.sni.trim();
  if (form.minVersion) tls.minVersion = form.minVersion;
  if (form.maxVersion) tls.maxVersion = form.maxVersion;
  if (form.ciphers.trim()) tls.ciphers = form.ciphers.trim();
  if (form.verify === 'off') {
    tls.verifyPeer = false;
    tls.checkHostname = false;
  }
  if (form.clientCertificate) tls.clientCertificate = { kind: 'lab', name: form.clientCertificate };
  else if (form.keyPassphrase) tls.clientKeyPassphrase = form.keyPassphrase;
  return { request: { id, ...(to ? { to } : {}), tls } };
}

export interface ServeForm {
  ca: string;
  listen: string;
  unmatched: UnmatchedPolicy;
  ignoreHost: boolean;
  ignoreBody: boolean;
}

export function emptyServeForm(): ServeForm {
  return { ca: '', listen: '127.0.0.1:0', unmatched: '404', ignoreHost: false, ignoreBody: false };
}

export function serveRequest(id: number, form: ServeForm): { request: ReplayServerRequest } | { problem: string; field: keyof ServeForm } {
  if (!form.ca.trim()) return { problem: 'choose the workshop CA that forges the certificates', field: 'ca' };
  const listen = form.listen.trim() || '127.0.0.1:4433';
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d{1,5}$/.test(listen)) {
    return { problem: 'a replay server listens on loopback only: write 127.0.0.1:PORT (0 picks a free port)', field: 'listen' };
  }
  return { request: { ids: [id], ca: form.ca.trim(), listen, unmatched: form.unmatched, ignoreHost: form.ignoreHost, ignoreBody: form.ignoreBody } };
}

/** The serving card's command: the first recorded request, trusting the forging CA saved as ca.pem. */
export { replayTryCommand } from '../api/contract';

const NOTHING_TO_DO = 'There is nothing to send again or to serve. Replay works on a session in which the client sent a request, such as an HTTP GET.';

/**
 * Why a session has nothing to replay, or null when it may have. Decided from what the session
 * says, without decrypting, in two cases where sending again and serving the recording would both
 * be refused: a handshake that never finished (no session has application data then), and a
 * session run by the workbench's client where nothing came back and the client sent nothing
 * (it had nothing to send, or it failed its checks, after which its payload goes out at once).
 * Everything else is left to the engine.
 */
export function nothingToReplay(detail: Pick<SessionDetail, 'kind' | 'status' | 'version' | 'request' | 'response' | 'verification'>): string | null {
  // A client session without the request it was run with is an imported capture: only the engine can tell.
  const imported = detail.kind === 'client' && !detail.request;
  if (detail.status === 'running' || imported) return null;
  if (!detail.version) return `The TLS handshake never finished, so no application data went either way. ${NOTHING_TO_DO}`;
  if (detail.kind !== 'client') return null;
  if (detail.response && detail.response.bytes > 0) return null;
  const fate = clientRequestFate(detail);
  if (fate === 'sent') return null;
  const why = fate === 'not-sent' || detail.status === 'failed'
    ? 'The session failed before the client sent any application data'
    : 'Only a handshake was recorded: the client sent no application data';
  return `${why}, and the server sent none. ${NOTHING_TO_DO}`;
}

export interface SideBySideRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  left: string | null;
  right: string | null;
}

/**
 * Diff lines as two columns: a run of removed lines followed by added ones pairs up as "changed"
 * rows; the rest stand alone on their side.
 */
export function sideBySide(lines: readonly ReplayDiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i].op === 'same') {
      rows.push({ kind: 'same', left: lines[i].text, right: lines[i].text });
      i++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (i < lines.length && lines[i].op === 'removed') removed.push(lines[i++].text);
    while (i < lines.length && lines[i].op === 'added') added.push(lines[i++].text);
    const n = Math.max(removed.length, added.length);
    for (let k = 0; k < n; k++) {
      const left = k < removed.length ? removed[k] : null;
      const right = k < added.length ? added[k] : null;
      rows.push({ kind: left !== null && right !== null ? 'changed' : left !== null ? 'removed' : 'added', left, right });
    }
  }
  return rows;
}

/** One line summary: "identical", or "2 lines differ". */
/** What was sent: all of the original's client data, part of it, or none. */
export function sentSummary(result: Pick<ClientReplayResult, 'sentBytes' | 'requestBytes' | 'requestIdentical'>): string {
  if (result.sentBytes === 0 && result.requestBytes > 0) return `Sent nothing of the ${formatBytes(result.requestBytes)} of recorded application data`;
  const amount = result.sentBytes === result.requestBytes ? formatBytes(result.requestBytes) : `${formatBytes(result.sentBytes)} of ${formatBytes(result.requestBytes)}`;
  return `Sent ${amount}${result.requestIdentical ? " (the same as the original's)" : ''}`;
}

/**
 * One sentence on the comparison. A replay that failed before any answer has nothing to compare;
 * when part of an answer was past the recording cap, only the stored parts were compared.
 */
export function diffSummary(diff: { identical: boolean; removed: number; added: number }, result?: Pick<ClientReplayResult, 'error' | 'original' | 'replayed'>): string {
  if (result?.error && result.replayed.bytes === 0 && result.original.bytes > 0) return 'No answer to compare: the replay ended before the server sent any application data.';
  const partly = Boolean(result && (result.original.notStoredBytes > 0 || result.replayed.notStoredBytes > 0));
  if (diff.identical) return partly ? 'The stored parts of the answers are identical (what was not stored could not be compared).' : 'The answers are identical, byte for byte.';
  if (diff.removed === 0 && diff.added === 0) return 'The answers differ only in line endings or bytes the text view does not show.';
  const parts = [];
  if (diff.removed) parts.push(`${diff.removed} line${diff.removed === 1 ? '' : 's'} only in the original`);
  if (diff.added) parts.push(`${diff.added} line${diff.added === 1 ? '' : 's'} only in the replay`);
  return `The answers differ: ${parts.join(', ')}.`;
}

export type FoldedRow = SideBySideRow | { kind: 'fold'; count: number };

/** The line the engine puts before each answer when the connection carried several requests. */
const ANSWER_MARKER = /^\[answer \d+ of \d+, to /;

/**
 * Long runs of unchanged rows folded to `context` rows either side of each change. The line that
 * names the request a change's answer was to stays in view however far above the change it is.
 */
export function foldUnchanged(rows: readonly SideBySideRow[], context = 3): FoldedRow[] {
  const keep = rows.map((r) => r.kind !== 'same');
  const near = rows.map((_, i) => keep.slice(Math.max(0, i - context), i + context + 1).some(Boolean));
  let marker = -1;
  rows.forEach((row, i) => {
    if (row.kind === 'same' && row.left !== null && ANSWER_MARKER.test(row.left)) marker = i;
    else if (keep[i] && marker >= 0) near[marker] = true;
  });
  const out: FoldedRow[] = [];
  let folded = 0;
  rows.forEach((row, i) => {
    if (near[i]) {
      if (folded) out.push({ kind: 'fold', count: folded });
      folded = 0;
      out.push(row);
    } else folded++;
  });
  if (folded) out.push({ kind: 'fold', count: folded });
  return out;
}

/**
 * The replay's column of the table of requests: its answer's status line, or that the bytes are
 * the original's, so that a student sees which request's answer changed.
 */
export function replayedAnswer(e: ReplayExchange): string {
  if (e.identical) return 'the same bytes as the original';
  if (!e.replayed) return 'no answer';
  return e.original ? `${e.replayed} (differs)` : e.replayed;
}

/** clientAuth and anyExtendedKeyUsage. */
const CLIENT_PURPOSES = ['1.3.6.1.5.5.7.3.2', '2.5.29.37.0'];
const LACKS_CLIENT_AUTH = /lacks clientAuth/;

/**
 * Whether a server that asks for a client's certificate accepts this one, by its extendedKeyUsage:
 * none at all, or one that names clientAuth (or any use). A summary that does not carry it
 * falls back on what the workshop made it for.
 */
export function allowsClientAuth(certificate: Pick<PkiCertificateSummary, 'extendedKeyUsage' | 'kind' | 'cautions'>): boolean {
  const purposes = certificate.extendedKeyUsage;
  if (purposes === undefined) return certificate.kind === 'client' && !(certificate.cautions ?? []).some((caution) => LACKS_CLIENT_AUTH.test(caution));
  return purposes === null || purposes.some((p) => CLIENT_PURPOSES.includes(p.oid));
}

/** Workshop certificates with their key and no CA: what the replay's client could present. */
function leafCertificatesWithKey(tree: PkiTree | null): Array<{ certificate: PkiCertificateSummary; issuerName: string | null }> {
  if (!tree) return [];
  const rows = [...flattenCaTree(tree.cas), ...tree.others.map((certificate) => ({ certificate, issuerName: null as string | null }))];
  return rows.filter((r) => !r.certificate.isCa && r.certificate.hasPrivateKey);
}

/**
 * The workshop certificates a replay may present instead of the original's: made for client
 * authentication, with their key, whether made here or imported. A server certificate (extended
 * key usage serverAuth alone) would be refused by any server that asks for a client's. `whyNone`
 * says why the list is empty, so that a student does not look for a certificate that cannot be there.
 */
export function replayClientCertificates(tree: PkiTree | null): { choices: IdentityChoice[]; whyNone: string | null } {
  const leaves = leafCertificatesWithKey(tree);
  const usable = leaves.filter(({ certificate: c }) => allowsClientAuth(c));
  const choices = usable.map(({ certificate: c, issuerName }) => ({
    name: c.name,
    label: `${c.name} (${c.kind}${issuerName ? `, by ${issuerName}` : ''})`,
    expired: c.expired,
  }));
  if (choices.length > 0) return { choices, whyNone: null };
  const others = leaves.map((r) => r.certificate.name);
  const whyNone = others.length === 0
    ? 'No certificate with its key in the workshop yet: issue a client certificate under Certificates to present another than the original\'s.'
    : `None of the workshop's certificates with a key is made for client authentication (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}: server certificates, which a server asking for a client's refuses); issue a client certificate under Certificates.`;
  return { choices, whyNone };
}
