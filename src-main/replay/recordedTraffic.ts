// What replay starts from: a recorded session's application data in plaintext, per connection
// and direction, decrypted with the key log recorded alongside (src-main/tls/sessionKeys).
import type { ConnectionLeg, Direction } from '../api/types';
import { WorkbenchError } from '../errors';
import type { RecordedConnection, RecordedSession } from '../export/recordedSession';
import { decryptConnection } from '../tls/sessionKeys';
import { concatBytes as concat } from '../bytes';
import { captureGapsOf } from '../sessions/decryption';

export interface PlainSegment {
  direction: Direction;
  /** Milliseconds since the session started. */
  t: number;
  data: Uint8Array;
}

export interface ConnectionTraffic {
  /** Position of the connection in the session, from 0. */
  index: number;
  leg: ConnectionLeg;
  /** Application data records in wire order. */
  segments: PlainSegment[];
  clientBytes: Uint8Array;
  serverBytes: Uint8Array;
  /** Protected application records that did not open (no key log, wrong keys). */
  unopened: number;
  /** The side that played the server closed the TCP connection first. */
  serverClosed: boolean;
  /** Why nothing opened, when nothing did. */
  problem: string | null;
  /** Wire bytes each way that were counted but not stored (past the recording cap). */
  notStored: { clientToServer: number; serverToClient: number };
}

/** The legs where the peer across the wire is the real server (the upstream leg of a proxy). */
function serverFacing(c: RecordedConnection): boolean {
  return c.leg === 'client' || c.leg === 'proxy-upstream';
}

export function connectionTraffic(c: RecordedConnection, index: number): ConnectionTraffic {
  const opened = decryptConnection({ chunks: c.chunks, keylog: c.keylog.map((k) => k.line), gaps: captureGapsOf(c.events) });
  const segments: PlainSegment[] = [];
  let unopened = 0;
  for (const r of opened.records) {
    if (r.status === 'decrypted') {
      if (r.contentType === 23 && r.plaintextHex) segments.push({ direction: r.direction, t: r.t, data: Buffer.from(r.plaintextHex, 'hex') });
    } else if (r.outerContentType === 23 && r.keyEpoch !== 'handshake') unopened++;
  }
  const close = c.events.find((e) => e.kind === 'tcp-close');
  const initiator = close?.data.initiator;
  // The recorder says who closed from the workbench's side: "peer" is the server on the legs where the workbench dialled.
  const serverClosed = serverFacing(c) ? initiator === 'peer' : initiator === 'local';
  // Only records that stayed shut make the data undecryptable; a connection whose records all
  // opened (handshake, tickets) simply carried no application data.
  const shut = opened.records.find((r) => r.status !== 'decrypted');
  const problem = segments.length === 0 && shut ? (shut.problem ?? opened.keys.notes[0] ?? 'no record could be decrypted') : null;
  return {
    index,
    leg: c.leg,
    segments,
    clientBytes: concat(segments.filter((s) => s.direction === 'client-to-server').map((s) => s.data)),
    serverBytes: concat(segments.filter((s) => s.direction === 'server-to-client').map((s) => s.data)),
    unopened,
    serverClosed,
    problem,
    notStored: {
      clientToServer: Math.max(0, c.bytesClientToServer - c.recordedClientToServer),
      serverToClient: Math.max(0, c.bytesServerToClient - c.recordedServerToClient),
    },
  };
}

/**
 * The connections whose application data replay uses: a proxy session's upstream leg (what the
 * real server said), otherwise every connection.
 */
export function replayableConnections(session: RecordedSession): RecordedConnection[] {
  const upstream = session.connections.filter((c) => c.leg === 'proxy-upstream');
  return upstream.length ? upstream : session.connections.filter((c) => c.leg !== 'proxy-client');
}

/** Every replayable connection's traffic; throws a clear error when there is no application data at all. */
export function sessionTraffic(session: RecordedSession, id: number): ConnectionTraffic[] {
  const connections = replayableConnections(session);
  const traffic = connections.map((c) => connectionTraffic(c, session.connections.indexOf(c)));
  if (!traffic.some((t) => t.segments.length > 0)) {
    const cut = traffic.find((t) => t.notStored.clientToServer + t.notStored.serverToClient > 0);
    if (cut) {
      const n = cut.notStored.clientToServer + cut.notStored.serverToClient;
      throw new WorkbenchError('NOT_STORED', `session ${id}'s application data lies past the recording cap (${n} bytes were counted, not stored), so there is nothing to replay; record the session again with a larger recording cap`);
    }
    const problem = traffic.find((t) => t.problem)?.problem;
    if (problem) {
      throw new WorkbenchError('NOT_DECRYPTABLE', `session ${id}'s application data cannot be decrypted (${problem}); replay needs the key log recorded with the session`);
    }
    throw new WorkbenchError(
      'NO_APPLICATION_DATA',
      `session ${id} has no application data to replay (${session.status === 'failed' ? 'it failed before any was sent' : 'only a handshake was recorded'}); choose a session where the client sent a request`,
    );
  }
  return traffic;
}

/** The host names a session was for: its SNI, its request's host, or its target's name. */
export function sessionHostnames(session: RecordedSession): string[] {
  const names = new Set<string>();
  const add = (name: string | null | undefined) => {
    const clean = name?.trim().toLowerCase().replace(/\.$/, '');
    if (clean && !/^[\d.]+$/.test(clean) && !clean.includes(':')) names.add(clean);
  };
  add(session.sni);
  add(session.request?.host);
  const target = /^\[?([^\]]+?)\]?(?::\d+)?$/.exec(session.target)?.[1];
  add(target);
  return [...names];
}
