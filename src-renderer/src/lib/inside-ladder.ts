// The ladder diagram's layout: one column per party (client | proxy | server), time flowing down,
// TCP connect and close, each flight (the records one side sent before the other answered) as one
// arrow carrying its records' messages, and the round trips the client waited for before it
// could send application data. Pure: rows in, positions out; the component only draws.
import type { ConnectionLeg, RecordRow, SessionKind } from '../api/contract';
import { type RecordTone, isCloseNotify, recordTone } from './inside-records';

export const LADDER = {
  top: 64,
  lineHeight: 18,
  /** Space above a flight's first line and between its last line and its arrow. */
  flightPad: 8,
  arrowDrop: 12,
  gap: 14,
  eventHeight: 34,
  /** Lines shown per flight before "… n more records". */
  maxLines: 8,
};

export interface LadderColumn {
  label: string;
  note: string;
}

export interface LadderLine {
  text: string;
  /** The record the line stands for. */
  number: number;
  leg: ConnectionLeg;
  connectionId?: number;
  tone: RecordTone;
  /** A close_notify: drawn as the good end it is, not in an alert's red. */
  graceful: boolean;
}

export interface LadderFlight {
  kind: 'flight';
  key: string;
  leg: ConnectionLeg;
  direction: RecordRow['direction'];
  from: number;
  to: number;
  y: number;
  height: number;
  lines: LadderLine[];
  /** Records of the flight not given a line. */
  more: number;
  /** The connection goes on past the records loaded: the flight may be longer still. */
  truncated: boolean;
  numbers: number[];
  t: number;
}

export interface LadderEvent {
  kind: 'event';
  key: string;
  from: number;
  to: number;
  y: number;
  label: string;
  t: number;
}

export interface RoundTrip {
  leg: ConnectionLeg;
  index: number;
  y1: number;
  y2: number;
  /** The column the bracket stands by (the client side of the leg). */
  column: number;
}

export interface LadderLeg {
  leg: ConnectionLeg;
  /** The connection the leg's records belong to. */
  connectionId?: number;
  rows: RecordRow[];
  /** Records in the connection (more than rows when only the first page is loaded). */
  total: number;
  tcpOpen?: { t: number; label: string };
  tcpClose?: { t: number; label: string };
}

export interface LadderModel {
  columns: LadderColumn[];
  items: (LadderFlight | LadderEvent)[];
  roundTrips: RoundTrip[];
  height: number;
  /** Records not drawn (only the first page is). */
  hidden: number;
  /** "1 round trip before application data" per leg. */
  notes: string[];
}

function isProxy(legs: readonly LadderLeg[]): boolean {
  return legs.some((l) => l.leg === 'proxy-client' || l.leg === 'proxy-upstream');
}

export function ladderColumns(kind: SessionKind, legs: readonly LadderLeg[], captured = false): LadderColumn[] {
  if (isProxy(legs) || kind === 'proxy') {
    return [
      { label: 'Client', note: 'the victim' },
      { label: 'Proxy', note: 'the workbench' },
      { label: 'Server', note: 'upstream' },
    ];
  }
  // An imported capture: two programs the workbench only watched (recorded as a client session).
  if (captured) return [{ label: 'Client', note: 'in the capture' }, { label: 'Server', note: 'in the capture' }];
  if (kind === 'server') return [{ label: 'Client', note: 'the peer' }, { label: 'Server', note: 'the workbench' }];
  return [{ label: 'Client', note: 'the workbench' }, { label: 'Server', note: 'the peer' }];
}

/**
 * Who closed the TCP connection, as the ladder says it. The recording's `local` is the workbench's
 * side; in an imported capture, where the workbench was neither, it is the client's.
 */
export function tcpCloseLabel(initiator: 'local' | 'peer' | 'unknown', captured: boolean): string {
  if (initiator === 'unknown') return 'TCP close';
  if (captured) return `TCP close by the ${initiator === 'local' ? 'client' : 'server'}`;
  return `TCP close by the ${initiator === 'local' ? 'workbench' : 'peer'}`;
}

/**
 * The connections the ladder draws for the connection picked (indexes into the session's list):
 * that connection alone, and for a proxy the other leg of the same victim connection (the k-th
 * client leg goes with the k-th upstream leg). A session of several connections of one leg (a
 * ticket fetched, then resumed) draws one at a time: two connections on one pair of columns
 * would mix their records and read as one handshake.
 */
export function ladderConnections(legs: readonly ConnectionLeg[], picked: number): number[] {
  const leg = legs[picked];
  if (leg === undefined) return [];
  if (leg !== 'proxy-client' && leg !== 'proxy-upstream') return [picked];
  const other: ConnectionLeg = leg === 'proxy-client' ? 'proxy-upstream' : 'proxy-client';
  const rank = legs.slice(0, picked).filter((l) => l === leg).length;
  const partner = legs.flatMap((l, i) => (l === other ? [i] : []))[rank];
  return partner === undefined ? [picked] : [picked, partner].sort((a, b) => a - b);
}

/**
 * The ladder's TCP connect label, written from the side that connected to the side that listened
 * (client column to server column). The recording keeps the workbench's own address as `local`:
 * on a server leg, and on the victim's leg of a proxy, that is the side that listened.
 */
export function tcpConnectLabel(leg: ConnectionLeg, local: string, remote: string): string {
  return `TCP connect ${connectionEnds(leg, local, remote)}`;
}

/** A connection's two ends, the side that connected first: "client address → server address". */
export function connectionEnds(leg: ConnectionLeg, local: string, remote: string): string {
  const listened = leg === 'server' || leg === 'proxy-client';
  return listened ? `${remote} → ${local}` : `${local} → ${remote}`;
}

const LEG_NAME: Record<ConnectionLeg, string> = {
  client: 'client',
  server: 'server',
  'proxy-client': 'client to proxy',
  'proxy-upstream': 'proxy to server',
};

/**
 * A connection as the Connection list names it: its number, its leg, and its two ends written
 * client to server ("2: client, 127.0.0.1:45742 → 127.0.0.1:4433"), so that two connections of one
 * leg (a ticket fetched, then resumed) can be told apart.
 */
export function connectionLabel(index: number, leg: ConnectionLeg, local: string | null, remote: string | null): string {
  const name = `${index + 1}: ${LEG_NAME[leg]}`;
  if (!local || !remote) return name;
  return `${name}, ${connectionEnds(leg, local, remote)}`;
}

/** Which columns a leg's records travel between: [client side, server side]. */
function legColumns(leg: ConnectionLeg, proxy: boolean): [number, number] {
  if (!proxy) return [0, 1];
  return leg === 'proxy-upstream' ? [1, 2] : [0, 1];
}

/** The line a record shows: its messages, or its type. */
export function ladderText(row: RecordRow): string {
  const text = row.messages.length > 0 ? row.messages.join(', ') : row.contentTypeName;
  return row.malformed ? `${text} (malformed)` : text;
}

interface Piece {
  t: number;
  order: number;
  make: (y: number) => LadderFlight | LadderEvent;
  height: number;
}

/** A ClientHello starts a handshake: a renegotiation's, sent after data, is no part of the data's flight. */
function startsHandshake(row: RecordRow, previous: RecordRow): boolean {
  // The compatibility ChangeCipherSpec goes with the second ClientHello after a HelloRetryRequest.
  return row.messages[0] === 'ClientHello' && previous.contentType !== 20;
}

/** Splits a leg's rows into flights: consecutive records in one direction, a new handshake apart. */
export function flights(rows: readonly RecordRow[]): RecordRow[][] {
  const out: RecordRow[][] = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    if (last && last[0].direction === row.direction && !startsHandshake(row, last[last.length - 1])) last.push(row);
    else out.push([row]);
  }
  return out;
}

/** A TLS 1.3 client's data sent with its ClientHello: "Application Data (0-RTT)" or "(0-RTT, encrypted)". */
export function isEarlyData(row: RecordRow): boolean {
  return row.direction === 'client-to-server' && row.messages.some((m) => m.startsWith('Application Data (0-RTT'));
}

export type EarlyDataFate = 'none' | 'accepted' | 'rejected' | 'unknown';

/**
 * What the server did with 0-RTT data (RFC 8446, Section 4.2.10). A client sends EndOfEarlyData
 * only when the server accepted it (Section 4.5); with every record of the client opened and no
 * EndOfEarlyData among them, the server turned it down and skipped those records. With records of
 * the client still closed, the answer is in them.
 */
export function earlyDataFate(rows: readonly RecordRow[]): EarlyDataFate {
  if (!rows.some(isEarlyData)) return 'none';
  if (rows.some((r) => r.direction === 'client-to-server' && r.messages.includes('EndOfEarlyData'))) return 'accepted';
  if (rows.some((r) => r.direction === 'client-to-server' && r.protected && !r.decrypted && !isEarlyData(r))) return 'unknown';
  return 'rejected';
}

/**
 * How many times the client waited for the server before its first application data: the server
 * flights before it (two in a full TLS 1.2 handshake, one in TLS 1.3, none with 0-RTT data the
 * server accepted; 0-RTT data it turned down reached nobody). Null when no data was sent.
 */
export function roundTripsBeforeData(rows: readonly RecordRow[]): number | null {
  const list = flights(rows);
  const earlyCounts = earlyDataFate(rows) === 'accepted';
  let serverFlights = 0;
  for (const flight of list) {
    if (flight[0].direction === 'server-to-client') {
      serverFlights++;
      continue;
    }
    if (flight.some((r) => r.contentType === 23 && (earlyCounts || !isEarlyData(r)))) return serverFlights;
  }
  return null;
}

const EARLY_NOTE: Record<EarlyDataFate, string> = {
  none: '',
  accepted: ' (its 0-RTT data, sent with the ClientHello, was accepted)',
  rejected: ' (its 0-RTT data was turned down: the server skipped it)',
  unknown: ' (0-RTT data went with the ClientHello; whether the server took it is in records not opened)',
};

/**
 * The server's CertificateRequests sent after the handshake ended (the client's Finished) with no
 * new ClientHello: TLS 1.3 post-handshake client authentication (RFC 8446, 4.6.2). A TLS 1.2
 * renegotiation's CertificateRequest follows its own ClientHello, and is no such thing.
 */
export function postHandshakeRequests(rows: readonly RecordRow[]): Set<number> {
  const out = new Set<number>();
  let done = false;
  for (const row of rows) {
    if (row.direction === 'client-to-server') {
      if (row.messages.includes('ClientHello')) done = false;
      else if (row.messages.includes('Finished')) done = true;
    } else if (done && row.messages.includes('CertificateRequest')) out.add(row.number);
  }
  return out;
}

/**
 * The ladder line of a record: a 0-RTT record the server turned down says so, and a ClientHello
 * says which handshake it begins when it is not the first: the one a HelloRetryRequest asked for
 * (RFC 8446, 4.1.4), or a TLS 1.2 renegotiation (sent under the keys in use, RFC 5246, 7.4.1.2).
 */
function lineText(row: RecordRow, fate: EarlyDataFate, retried: boolean, postHandshake: boolean): string {
  const text = ladderText(row);
  if (fate === 'rejected' && isEarlyData(row)) return `${text}: turned down`;
  if (postHandshake) return text.replace('CertificateRequest', 'CertificateRequest (post-handshake)');
  if (row.messages[0] === 'ClientHello') {
    if (row.protected) return text.replace('ClientHello', 'ClientHello (renegotiation)');
    if (retried) return text.replace('ClientHello', 'ClientHello (after HelloRetryRequest)');
  }
  return text;
}

/** `captured`: the session is an imported capture, not a connection the workbench made or took. */
export function buildLadder(kind: SessionKind, legs: readonly LadderLeg[], captured = false): LadderModel {
  const proxy = isProxy(legs) || kind === 'proxy';
  const columns = ladderColumns(kind, legs, captured);
  const pieces: Piece[] = [];
  const roundTripFlights: { leg: ConnectionLeg; index: number; clientKey: string; serverKey: string; column: number }[] = [];
  const notes: string[] = [];
  let hidden = 0;
  let order = 0;

  for (const leg of legs) {
    const [c, s] = legColumns(leg.leg, proxy);
    hidden += Math.max(0, leg.total - leg.rows.length);
    if (leg.tcpOpen) {
      const open = leg.tcpOpen;
      pieces.push({ t: open.t, order: order++, height: LADDER.eventHeight, make: (y) => ({ kind: 'event', key: `${leg.leg}-open`, from: c, to: s, y, label: open.label, t: open.t }) });
    }
    const list = flights(leg.rows);
    const fate = earlyDataFate(leg.rows);
    const retryAt = leg.rows.find((r) => r.messages.includes('HelloRetryRequest'))?.number ?? Infinity;
    const afterHandshake = postHandshakeRequests(leg.rows);
    const flightKeys: string[] = [];
    const legHidden = Math.max(0, leg.total - leg.rows.length);
    for (const [fi, flight] of list.entries()) {
      const first = flight[0];
      const truncated = legHidden > 0 && fi === list.length - 1;
      const key = `${leg.leg}-f${first.number}`;
      flightKeys.push(key);
      const lines: LadderLine[] = flight.slice(0, LADDER.maxLines).map((r) => ({ text: lineText(r, fate, r.number > retryAt, afterHandshake.has(r.number)), number: r.number, leg: leg.leg, connectionId: leg.connectionId, tone: recordTone(r), graceful: isCloseNotify(r) }));
      const more = flight.length - lines.length;
      const lineCount = lines.length + (more > 0 || truncated ? 1 : 0);
      const height = LADDER.flightPad + lineCount * LADDER.lineHeight + LADDER.arrowDrop + LADDER.flightPad;
      const toServer = first.direction === 'client-to-server';
      pieces.push({
        t: first.t,
        order: order++,
        height,
        make: (y) => ({
          kind: 'flight',
          key,
          leg: leg.leg,
          direction: first.direction,
          from: toServer ? c : s,
          to: toServer ? s : c,
          y,
          height,
          lines,
          more,
          truncated,
          numbers: flight.map((r) => r.number),
          t: first.t,
        }),
      });
    }
    // Round trips: each server flight the client waited for, paired with the client flight before it.
    const trips = roundTripsBeforeData(leg.rows);
    if (trips !== null) {
      let index = 0;
      for (let i = 0; i < list.length && index < trips; i++) {
        if (list[i][0].direction !== 'server-to-client' || i === 0) continue;
        index++;
        roundTripFlights.push({ leg: leg.leg, index, clientKey: flightKeys[i - 1], serverKey: flightKeys[i], column: c });
      }
      const where = proxy ? (leg.leg === 'proxy-upstream' ? 'proxy ↔ server: ' : 'client ↔ proxy: ') : '';
      notes.push(`${where}${trips} round trip${trips === 1 ? '' : 's'} before the client's first application data${EARLY_NOTE[fate]}`);
    } else if (leg.rows.length > 0) {
      notes.push(`${proxy ? `${leg.leg}: ` : ''}no application data from the client in the records shown`);
    }
    if (leg.tcpClose) {
      const close = leg.tcpClose;
      pieces.push({ t: close.t, order: order++, height: LADDER.eventHeight, make: (y) => ({ kind: 'event', key: `${leg.leg}-close`, from: c, to: s, y, label: close.label, t: close.t }) });
    }
  }

  // Time flows down: pieces of all legs in time order (a leg's own order on ties).
  pieces.sort((a, b) => a.t - b.t || a.order - b.order);
  const items: (LadderFlight | LadderEvent)[] = [];
  let y = LADDER.top;
  for (const piece of pieces) {
    items.push(piece.make(y));
    y += piece.height + LADDER.gap;
  }
  const byKey = new Map(items.map((i) => [i.key, i]));
  const roundTrips: RoundTrip[] = [];
  for (const rt of roundTripFlights) {
    const a = byKey.get(rt.clientKey);
    const b = byKey.get(rt.serverKey);
    if (!a || !b) continue;
    roundTrips.push({ leg: rt.leg, index: rt.index, y1: a.y, y2: b.y + (b.kind === 'flight' ? b.height : LADDER.eventHeight), column: rt.column });
  }
  return { columns, items, roundTrips, height: y + 8, hidden, notes };
}
