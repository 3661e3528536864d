// What the Servers view shows about each server and its connections, as plain values.
// Connections come from two places: the session list (kept live by session.created/updated, so a
// connection shows the moment it is accepted, and again after a reload) and the server.connection
// events (sent when a connection ends, with resumption, the client's certificate and requests).
import type {
  ApiErrorInfo,
  ServerConfig,
  ServerConnectionSummary,
  ServerIdentitySpec,
  ServerInfo,
  ServerResponder,
  SessionSummary,
} from '../api/contract';
import type { ClientTarget } from './client-form';
import type { OutcomeTone } from './outcome';
import { plural } from './format';
import { firstDnsName } from './pki-tree';

export interface ServerStatusView {
  tone: OutcomeTone | 'idle';
  label: string;
}

export function serverStatus(server: Pick<ServerInfo, 'status'>): ServerStatusView {
  switch (server.status) {
    case 'running':
      return { tone: 'ok', label: 'Running' };
    case 'failed':
      return { tone: 'fail', label: 'Failed' };
    default:
      return { tone: 'idle', label: 'Stopped' };
  }
}

/** "12 connections · 1 open · 2 failed". */
export function serverCounts(server: Pick<ServerInfo, 'connections' | 'active' | 'failed'>): string {
  const parts = [plural(server.connections, 'connection')];
  if (server.active > 0) parts.push(`${server.active} open`);
  if (server.failed > 0) parts.push(`${server.failed} failed`);
  return parts.join(' · ');
}

export function identityLabel(identity: ServerIdentitySpec): string {
  if (identity.kind === 'lab') return `lab:${identity.name}`;
  return identity.certPath;
}

export function responderLabel(responder: ServerResponder | undefined): string {
  const r = responder ?? { kind: 'builtin' };
  switch (r.kind) {
    case 'builtin':
      return r.page === 'bank32' ? 'Bank login page' : r.page === 'plain' ? 'Plain page' : 'Built-in page per host';
    case 'file':
      return `Page ${r.path}`;
    case 'dir':
      return `Files from ${r.path}`;
    case 'echo':
      return 'Echo of each request';
    case 'fixed':
      return 'Fixed raw response';
    case 'plain':
      return 'Plain bytes (echo, no HTTP)';
  }
}

/** The settings worth a glance, one short phrase each. */
export function configSummary(config: ServerConfig): string[] {
  const parts: string[] = [];
  if (config.minVersion || config.maxVersion) parts.push(`${config.minVersion ?? 'any'} to ${config.maxVersion ?? 'any'}`);
  if (config.ciphers) parts.push(`ciphers ${config.ciphers}`);
  if (config.ciphersuites) parts.push(`TLS 1.3 suites ${config.ciphersuites}`);
  if (config.groups) parts.push(`groups ${config.groups}`);
  if (config.clientAuth) {
    const ca = config.clientAuth.ca.kind === 'lab' ? `lab:${config.clientAuth.ca.name}` : config.clientAuth.ca.path;
    parts.push(`client certificate ${config.clientAuth.require ? 'required' : 'requested'} from ${ca}`);
  }
  parts.push(config.tickets === false ? 'no session tickets' : 'session tickets');
  parts.push(responderLabel(config.responder));
  return parts;
}

/** One row of a server's live connection list. */
export interface ConnectionRow {
  sessionId: number;
  at: number;
  peer: string;
  sni: string | null;
  version: string | null;
  cipher: string | null;
  alpn: string | null;
  resumed: boolean | null;
  clientCertificate: string | null;
  requests: number | null;
  /** A TLS 1.2 client that left right after the handshake without a word: why an "ok" may be a refusal. */
  leftSilently: string | null;
  tone: OutcomeTone;
  outcome: string;
  error: ApiErrorInfo | null;
  /** The alert the client sent to end the handshake, by name, when that is why it failed. */
  alert: string | null;
  /** The error in a few words for the list; the whole message goes in its tooltip. */
  problem: string | null;
}

/** "the client ended the handshake with the alert "unknown_ca": ..." -> "unknown_ca". */
export function alertOf(error: ApiErrorInfo | null): string | null {
  if (!error) return null;
  return /alert "([a-z0-9_]+)"/i.exec(error.message)?.[1] ?? null;
}

/** The part of an error message before its advice: "the client sent no certificate, and ...". */
export function shortProblem(error: ApiErrorInfo | null): string | null {
  if (!error) return null;
  const alert = alertOf(error);
  if (alert) return "the client's alert ended the handshake";
  const first = error.message.split(/;\s/)[0];
  return first.length > 140 ? `${first.slice(0, 137)}…` : first;
}

function fromSession(session: SessionSummary): ConnectionRow {
  const tone: OutcomeTone = session.status === 'running' ? 'running' : session.status === 'failed' || session.error ? 'fail' : 'ok';
  return {
    sessionId: session.id,
    at: session.startedAt,
    peer: session.address ?? '—',
    sni: session.sni,
    version: session.version,
    cipher: session.cipher?.iana ?? null,
    alpn: session.alpn,
    resumed: null,
    clientCertificate: null,
    requests: null,
    leftSilently: null,
    tone,
    outcome: tone === 'running' ? (session.version ? 'open' : 'handshake…') : tone === 'fail' ? 'failed' : 'ok',
    error: session.error,
    alert: alertOf(session.error),
    problem: shortProblem(session.error),
  };
}

function fromSummary(summary: ServerConnectionSummary): ConnectionRow {
  return {
    sessionId: summary.sessionId,
    at: summary.at,
    peer: summary.peer,
    sni: summary.sni,
    version: summary.version,
    cipher: summary.cipher,
    alpn: summary.alpn,
    resumed: summary.resumed,
    clientCertificate: summary.clientCertificate,
    requests: summary.requests,
    leftSilently: summary.note ?? null,
    tone: summary.outcome === 'ok' ? 'ok' : 'fail',
    outcome: summary.outcome,
    error: summary.error,
    alert: alertOf(summary.error),
    problem: shortProblem(summary.error),
  };
}

/** Whether a recorded session was accepted by this server during its current (or last) run. */
export function sessionBelongsTo(session: SessionSummary, server: Pick<ServerInfo, 'address' | 'startedAt' | 'stoppedAt' | 'status'>): boolean {
  if (session.kind !== 'server' || session.target !== server.address || server.startedAt === null) return false;
  if (session.startedAt < server.startedAt) return false;
  return server.status === 'running' || server.stoppedAt === null || session.startedAt <= server.stoppedAt;
}

/**
 * The server's connections, newest first: every ended one the engine reported, and every session
 * recorded at its address since it started (still open ones included). A reported summary wins
 * over the session row, since it knows more; a later session update wins where it is newer.
 */
export function connectionRows(
  server: ServerInfo,
  sessions: readonly SessionSummary[],
  summaries: readonly ServerConnectionSummary[],
  limit = 200,
): ConnectionRow[] {
  const rows = new Map<number, ConnectionRow>();
  for (const session of sessions) {
    if (sessionBelongsTo(session, server)) rows.set(session.id, fromSession(session));
  }
  for (const summary of summaries) {
    if (summary.serverId !== server.id) continue;
    const fromList = rows.get(summary.sessionId);
    const row = fromSummary(summary);
    // The session list may have the cipher's IANA name where the summary has the same; keep the summary's.
    rows.set(summary.sessionId, fromList ? { ...fromList, ...row } : row);
  }
  return [...rows.values()].sort((a, b) => b.at - a.at || b.sessionId - a.sessionId).slice(0, limit);
}

/** Keeps the newest connection summaries per server, so a load test does not fill the memory. */
export function addConnectionSummary(
  list: readonly ServerConnectionSummary[],
  summary: ServerConnectionSummary,
  perServer = 200,
): ServerConnectionSummary[] {
  const next = [summary, ...list.filter((s) => s.sessionId !== summary.sessionId)];
  let kept = 0;
  return next.filter((s) => s.serverId !== summary.serverId || ++kept <= perServer);
}

/** Inserts or replaces a server, keeping them in the order they were started (newest first). */
export function mergeServer(list: readonly ServerInfo[], server: ServerInfo): ServerInfo[] {
  const next = list.filter((s) => s.id !== server.id);
  next.push(server);
  return next.sort((a, b) => b.id - a.id);
}

export function sortServers(list: readonly ServerInfo[]): ServerInfo[] {
  return [...list].sort((a, b) => b.id - a.id);
}

/** What a curl or openssl command to try this server looks like, for the card's hint. */
export { serverTryCommand as tryCommand } from '../api/contract';

/** Where the client form should go to reach this server: the name its certificate holds, at its address, trusting its workshop CA. */
export function serverClientTarget(
  server: Pick<ServerInfo, 'host' | 'port' | 'names' | 'config'>,
  rootCaOf: (certificate: string) => { name: string } | null,
  clientCertificateUnder: (ca: string) => string | null = () => null,
): ClientTarget {
  const san = firstDnsName(server.names[0]?.certificate.subjectAltNames ?? []);
  const named = server.names.find((n) => n.name !== null && !n.name.startsWith('*.'))?.name;
  const identity = server.config.identity;
  const clientAuth = server.config.clientAuth;
  return {
    host: san ?? named ?? 'localhost',
    port: server.port,
    connectTo: server.host,
    trustCa: identity.kind === 'lab' ? (rootCaOf(identity.name)?.name ?? null) : null,
    clientCertificate: clientAuth?.require === true,
    // The one workshop client certificate the server would accept is chosen: nothing to pick by hand.
    clientIdentity: clientAuth?.require === true && clientAuth.ca.kind === 'lab' ? clientCertificateUnder(clientAuth.ca.name) : null,
  };
}

/**
 * The client form aimed at each further name the server answers by SNI (wildcards left out: no one
 * name to ask for), trusting the CA of that name's certificate: the second half of the SNI lesson.
 */
export function sniClientTargets(
  server: Pick<ServerInfo, 'config'>,
  main: ClientTarget | null,
  rootCaOf: (certificate: string) => { name: string } | null,
): ClientTarget[] {
  if (!main) return [];
  return (server.config.sni ?? [])
    .filter((entry) => !entry.name.includes('*') && entry.name !== main.host)
    .map((entry) => ({
      ...main,
      host: entry.name,
      trustCa: entry.identity.kind === 'lab' ? (rootCaOf(entry.identity.name)?.name ?? null) : null,
    }));
}
