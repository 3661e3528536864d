// Two sessions side by side: the facts a student compares (one row each, marked where they
// differ), the handshake's flights of both in two columns (messages one side sent and the other
// did not, marked), and one sentence naming the lab's lesson when the difference is one of them.
// Pure: sessions and record rows in, rows and words out; CompareView only draws.
import type { CertificateInfo, ConnectionDetail, Direction, RecordRow, SessionDetail } from '../api/contract';
import { flights, ladderText, roundTripsBeforeData } from './inside-ladder';
import { keyExchangeLabel, sessionKeyExchange } from './key-exchange';
import { sessionOutcome } from './outcome';
import { proxyOutcome } from './proxy-view';
import { formatBytes, formatDuration, formatFingerprint } from './format';

/** What the compare page has of one session: its detail, and the records of the connection compared. */
export interface CompareSide {
  session: SessionDetail;
  /** The compared connection's records from the first (as the ladder loads them). */
  rows: readonly RecordRow[];
  /** Records the connection holds (more than rows when only the first page was loaded). */
  total: number;
}

export interface CompareFactRow {
  key: string;
  label: string;
  values: [string, string];
  /** The two values differ: the row carries a "differs" mark. */
  differs: boolean;
  /** Said under the row when there is something to say about the pair ("same certificate"). */
  note?: string;
}

/** The session ids a compare page takes, or why it cannot show them. */
export function compareRefusal(a: number, b: number): string | null {
  if (a === b) return `Session #${a} compared with itself shows no difference: pick two different sessions.`;
  return null;
}

/** "Compare #A and #B": the page's title. */
export function compareTitle(a: number, b: number): string {
  return `Compare #${a} and #${b}`;
}

/**
 * The Sessions view's picks after a row's compare box changed: at most two, the newest pick
 * pushing out the oldest, so a third box ticked never leaves the button asking which two.
 */
export function togglePick(picked: readonly number[], id: number, on: boolean): number[] {
  const rest = picked.filter((p) => p !== id);
  if (!on) return rest;
  return [...rest, id].slice(-2);
}

/** The connection a session is compared by: the one the ladder opens first, the victim's leg for a proxy. */
export function comparedConnection(session: SessionDetail): ConnectionDetail | undefined {
  if (session.kind === 'proxy') return session.connections.find((c) => c.leg === 'proxy-client') ?? session.connections[0];
  return session.connections[0];
}

/**
 * The server's leaf certificate as the session saw it: a client's peer, a lab server's own, and
 * for a proxy session the real server's (the one the proxy got upstream, not the forged one).
 */
export function serverLeaf(session: SessionDetail): CertificateInfo | null {
  if (session.kind === 'server') return session.connections.find((c) => c.localCertificates.length > 0)?.localCertificates[0] ?? null;
  if (session.kind === 'proxy') return session.connections.find((c) => c.leg === 'proxy-upstream' && c.peerCertificates.length > 0)?.peerCertificates[0] ?? null;
  return session.connections.find((c) => c.peerCertificates.length > 0)?.peerCertificates[0] ?? null;
}

export interface KeyExchangeFact {
  /** "ECDHE · x25519", "RSA key transport", "PSK (psk_ke)" (lib/key-exchange.ts). */
  text: string;
  /** A fresh key for this connection alone: forward secrecy. Null when not known. */
  ephemeral: boolean | null;
}

/** The key exchange the engine read from the handshake bytes (null before a ServerHello was recorded). */
export function keyExchangeFact(session: SessionDetail): KeyExchangeFact | null {
  const kx = sessionKeyExchange(session);
  return kx ? { text: keyExchangeLabel(kx), ephemeral: kx.ephemeral } : null;
}

/**
 * Whether the handshake resumed an earlier session: a lab server records it; for the others the
 * server's flights say it, once a Finished of the server was read: no Certificate among them is
 * an abbreviated handshake (RFC 5246 7.3; RFC 8446 2.2). Null when the records cannot tell.
 */
export function resumedFact(session: SessionDetail, rows: readonly RecordRow[]): boolean | null {
  if (session.server && session.version) return session.server.resumed;
  const server = rows.filter((r) => r.direction === 'server-to-client');
  if (server.some((r) => r.messages.includes('Certificate'))) return false;
  if (!server.some((r) => r.messages.includes('ServerHello')) || !server.some((r) => r.messages.includes('Finished'))) return null;
  return true;
}

function handshakeEnd(connection: ConnectionDetail | undefined, session: SessionDetail): string {
  const established = connection?.timeline.find((e) => e.kind === 'tls-established');
  if (!established) return session.status === 'failed' ? 'never: the handshake failed' : '—';
  const open = connection?.timeline.find((e) => e.kind === 'tcp-open');
  const since = open ? established.t - open.t : established.t;
  return `${formatDuration(since)} after the TCP connect`;
}

function recordsEachWay(side: CompareSide, direction: Direction): string {
  const count = side.rows.filter((r) => r.direction === direction).length;
  const more = side.total > side.rows.length ? '+' : '';
  return `${count}${more}`;
}

function bytesEachWay(connection: ConnectionDetail | undefined, direction: Direction): string {
  if (!connection) return '—';
  return formatBytes(direction === 'client-to-server' ? connection.bytesClientToServer : connection.bytesServerToClient);
}

const KIND_WORDS: Record<SessionDetail['kind'], string> = {
  client: "client (the workbench's)",
  server: 'server (a lab server)',
  proxy: 'proxy (the man in the middle)',
};

function versionWords(version: string | null): string {
  if (!version) return '—';
  return version.replace(/^TLSv/, 'TLS ').replace(/^TLS 1$/, 'TLS 1.0');
}

function outcomeLabel(session: SessionDetail): string {
  return (session.kind === 'proxy' ? proxyOutcome(session) : sessionOutcome(session)).label;
}

function roundTripsText(rows: readonly RecordRow[]): string {
  const trips = roundTripsBeforeData(rows);
  if (trips === null) return rows.length === 0 ? '—' : 'no application data sent';
  return `${trips} round trip${trips === 1 ? '' : 's'}`;
}

function sniText(session: SessionDetail): string {
  if (session.sni) return session.sni;
  if (session.kind === 'client' && session.request?.servername === '') return 'none sent';
  return session.kind === 'server' ? 'none received' : '—';
}

function resumedText(resumed: boolean | null): string {
  if (resumed === null) return '—';
  return resumed ? 'yes: abbreviated handshake' : 'no: full handshake';
}

function keyExchangeText(fact: KeyExchangeFact | null): string {
  if (!fact) return '—';
  if (fact.ephemeral === null) return fact.text;
  return `${fact.text} · ${fact.ephemeral ? 'forward secrecy' : 'no forward secrecy'}`;
}

/** Values that are measures of one run (a time, a byte count): never marked as a difference. */
const MEASURES = new Set(['handshake-time', 'bytes-out', 'bytes-in']);

/** The facts table: one row per fact, the two sessions' values, marked where they differ. */
export function compareFacts(a: CompareSide, b: CompareSide): CompareFactRow[] {
  const sides = [a, b] as const;
  const pair = (f: (side: CompareSide) => string): [string, string] => [f(a), f(b)];
  const connections = sides.map((s) => comparedConnection(s.session));
  const leaves = sides.map((s) => serverLeaf(s.session));
  const rows: Omit<CompareFactRow, 'differs'>[] = [
    { key: 'kind', label: 'Kind', values: pair((s) => KIND_WORDS[s.session.kind]) },
    { key: 'target', label: 'Target', values: pair((s) => s.session.target) },
    { key: 'address', label: 'Address', values: pair((s) => s.session.address ?? '—') },
    { key: 'outcome', label: 'Outcome', values: pair((s) => outcomeLabel(s.session)) },
    { key: 'version', label: 'TLS version', values: pair((s) => versionWords(s.session.version)) },
    { key: 'cipher', label: 'Cipher (IANA)', values: pair((s) => s.session.cipher?.iana ?? 'none negotiated') },
    { key: 'key-exchange', label: 'Key exchange', values: pair((s) => keyExchangeText(keyExchangeFact(s.session))) },
    { key: 'sni', label: 'SNI', values: pair((s) => sniText(s.session)) },
    { key: 'alpn', label: 'ALPN', values: pair((s) => s.session.alpn ?? 'none agreed') },
    { key: 'resumed', label: 'Resumed', values: pair((s) => resumedText(resumedFact(s.session, s.rows))) },
    { key: 'verification', label: 'Verification', values: pair((s) => s.session.verification?.summary ?? '—') },
    { key: 'cert-subject', label: "Server's certificate: subject", values: [leaves[0]?.subject ?? 'none', leaves[1]?.subject ?? 'none'] },
    { key: 'cert-issuer', label: "Server's certificate: issuer", values: [leaves[0]?.issuer ?? 'none', leaves[1]?.issuer ?? 'none'] },
    {
      key: 'cert-fingerprint',
      label: "Server's certificate: SHA-256",
      values: [leaves[0] ? formatFingerprint(leaves[0].fingerprintSha256) : 'none', leaves[1] ? formatFingerprint(leaves[1].fingerprintSha256) : 'none'],
    },
    { key: 'round-trips', label: 'Round trips before data', values: pair((s) => roundTripsText(s.rows)) },
    { key: 'handshake-time', label: 'Handshake done', values: [handshakeEnd(connections[0], a.session), handshakeEnd(connections[1], b.session)] },
    { key: 'records-out', label: 'Records client → server', values: pair((s) => recordsEachWay(s, 'client-to-server')) },
    { key: 'records-in', label: 'Records server → client', values: pair((s) => recordsEachWay(s, 'server-to-client')) },
    { key: 'bytes-out', label: 'Bytes client → server', values: [bytesEachWay(connections[0], 'client-to-server'), bytesEachWay(connections[1], 'client-to-server')] },
    { key: 'bytes-in', label: 'Bytes server → client', values: [bytesEachWay(connections[0], 'server-to-client'), bytesEachWay(connections[1], 'server-to-client')] },
  ];
  return rows.map((row) => {
    const differs = !MEASURES.has(row.key) && row.values[0] !== row.values[1];
    const out: CompareFactRow = { ...row, differs };
    if (row.key === 'cert-fingerprint' && leaves[0] && leaves[1]) {
      out.note = differs ? 'different certificates' : 'same certificate';
    }
    return out;
  });
}

export interface CompareMessage {
  text: string;
  record: number;
  /** The other session's handshake has no message of this name. */
  onlyHere: boolean;
}

export interface CompareFlight {
  direction: Direction;
  messages: CompareMessage[];
}

export interface CompareFlightRow {
  /** From 1: the n-th flight of each side. */
  index: number;
  left: CompareFlight | null;
  right: CompareFlight | null;
}

/** A message's name without what tells two of a kind apart on one side only ("(compatibility)"). */
function messageKey(text: string): string {
  return text.replace(/ \((compatibility|after HelloRetryRequest|renegotiation)\)$/, '').replace(/\s+/g, '').toLowerCase();
}

function recordMessages(row: RecordRow): string[] {
  return row.messages.length > 0 ? row.messages.map((m) => (row.malformed ? `${m} (malformed)` : m)) : [ladderText(row)];
}

/**
 * The two handshakes flight by flight (the ladder's flights: records one side sent before the
 * other answered), the n-th flight of one beside the n-th of the other, every message that the
 * other session never sent marked: ServerKeyExchange in TLS 1.2 against 1.3, Certificate in a
 * full handshake against a resumed one.
 */
export function compareFlights(left: readonly RecordRow[], right: readonly RecordRow[]): CompareFlightRow[] {
  const keysOf = (rows: readonly RecordRow[]) => new Set(rows.flatMap(recordMessages).map(messageKey));
  const leftKeys = keysOf(left);
  const rightKeys = keysOf(right);
  const shape = (flight: RecordRow[] | undefined, others: Set<string>): CompareFlight | null =>
    flight
      ? {
          direction: flight[0].direction,
          messages: flight.flatMap((r) => recordMessages(r).map((text) => ({ text, record: r.number, onlyHere: !others.has(messageKey(text)) }))),
        }
      : null;
  const a = flights(left);
  const b = flights(right);
  const out: CompareFlightRow[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    out.push({ index: i + 1, left: shape(a[i], rightKeys), right: shape(b[i], leftKeys) });
  }
  return out;
}

function hostName(session: SessionDetail): string {
  return session.sni ?? session.target.replace(/:\d+$/, '');
}

/**
 * The one sentence above the tables when the difference is one of the lab's lessons, the most
 * telling first: another certificate for one name (a man in the middle?), another version (the
 * round trip TLS 1.3 saves), a resumed handshake (no certificate), a key exchange without an
 * ephemeral key (no forward secrecy). Null when none of these tells the two apart.
 */
export function compareSummary(a: CompareSide, b: CompareSide): string | null {
  const ids = [a.session.id, b.session.id];
  const leafA = serverLeaf(a.session);
  const leafB = serverLeaf(b.session);
  const name = hostName(a.session);
  if (leafA && leafB && name === hostName(b.session) && leafA.fingerprintSha256 !== leafB.fingerprintSha256) {
    return `The two sessions got different certificates for ${name}: one of them may come from a man in the middle (issuers: ${leafA.issuer} in #${ids[0]}, ${leafB.issuer} in #${ids[1]}).`;
  }

  const va = a.session.version;
  const vb = b.session.version;
  if (va && vb && va !== vb) {
    const newer = va > vb ? a : b;
    const older = newer === a ? b : a;
    const tripsNew = roundTripsBeforeData(newer.rows);
    const tripsOld = roundTripsBeforeData(older.rows);
    const vNew = versionWords(newer.session.version);
    const vOld = versionWords(older.session.version);
    if (tripsNew !== null && tripsOld !== null) {
      const trips = (n: number) => `${n} round trip${n === 1 ? '' : 's'}`;
      return `${vNew} (#${newer.session.id}) finished its handshake in ${trips(tripsNew)}, ${vOld} (#${older.session.id}) in ${tripsOld}.`;
    }
    return `#${newer.session.id} spoke ${vNew}, #${older.session.id} ${vOld}.`;
  }

  const ra = resumedFact(a.session, a.rows);
  const rb = resumedFact(b.session, b.rows);
  if (ra !== null && rb !== null && ra !== rb) {
    const resumed = ra ? a : b;
    const full = ra ? b : a;
    return `The resumed handshake (#${resumed.session.id}) sent no certificate: it took up a session that an earlier full handshake had set up; #${full.session.id} made a full handshake and sent one.`;
  }

  const ka = keyExchangeFact(a.session);
  const kb = keyExchangeFact(b.session);
  if (ka && kb && ka.ephemeral !== null && kb.ephemeral !== null && ka.ephemeral !== kb.ephemeral) {
    const fixed = ka.ephemeral ? b : a;
    const fresh = ka.ephemeral ? a : b;
    const fixedKx = (ka.ephemeral ? kb : ka).text;
    const freshKx = (ka.ephemeral ? ka : kb).text;
    return `#${fixed.session.id} used ${fixedKx}: no ephemeral key, no forward secrecy (whoever gets the server's private key later can decrypt it); #${fresh.session.id} used ${freshKx}.`;
  }
  return null;
}
