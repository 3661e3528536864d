// Opening recorded sessions on demand: reads a connection's chunks, key log and certificates from
// the store and hands them to tls/sessionKeys, one connection at a time, when someone asks.
import type { KeyObject } from 'node:crypto';
import type { ConnectionKeys, DecryptedConnection } from '../api/decryptTypes';
import { WorkbenchError } from '../errors';
import { readUserFile } from '../userFiles';
import type { ConnectionRow, SessionStore } from '../store/sessionStore';
import { readPrivateKey } from '../tls/rsaPremaster';
import { type CaptureGapInput, type ConnectionDecryption, type EarlierConnection, decryptConnection } from '../tls/sessionKeys';
import type { Direction } from '../api/types';
import type { TicketKeyEntry } from '../tls/sessionTicket';

/**
 * The gaps of an imported capture, from the connection's timeline: each is a note event with
 * code CAPTURE_GAP (written on import), saying where in which direction's stream bytes are missing.
 */
export function captureGapsOf(events: readonly { kind: string; data: Record<string, unknown> }[]): CaptureGapInput[] {
  const gaps: CaptureGapInput[] = [];
  for (const e of events) {
    if (e.kind !== 'note' || e.data.code !== 'CAPTURE_GAP') continue;
    const { direction, streamOffset, notCaptured } = e.data;
    if (direction !== 'client-to-server' && direction !== 'server-to-client') continue;
    if (typeof streamOffset !== 'number' || typeof notCaptured !== 'number' || streamOffset < 0 || notCaptured <= 0) continue;
    gaps.push({ direction: direction as Direction, streamOffset, notCaptured });
  }
  return gaps;
}

export interface DecryptRequest {
  id: number;
  connectionId?: number;
  /** First record number (TlsRecordEntry.number) to return; 1 by default. */
  fromRecord?: number;
  /** At most this many protected records per connection; 1000 by default. */
  limit?: number;
  /** A PEM file with the server's private key (for RSA key exchange without a key log). */
  serverKeyPath?: string;
  /** Open each connection from its session ticket with the server's ticket key, even when the key log could. */
  ticketKey?: boolean;
}

/** What opens the connections: the key file asked for, and whether the ticket key was asked for. */
interface Opener {
  key: KeyObject | undefined;
  keyPath: string | undefined;
  ticketKey: boolean;
}

const DEFAULT_LIMIT = 1000;
const CACHE_SIZE = 4;
/**
 * How many earlier sessions (of the same kind and target) a resumed connection looks through for
 * the one that left its session: the newest first, each opened only if the ones after it did not fit.
 */
const EARLIER_SESSIONS = 30;

export class SessionDecryption {
  /** The last few connections opened, so paging through one does not decrypt it again. */
  private readonly cache = new Map<string, ConnectionDecryption>();

  /**
   * @param keyForCertificate the private key the workbench holds for a server certificate (the
   * certificate workshop), used for RSA key exchange when there is no key log and no key file.
   * @param ticketKeys the ticket keys the workbench's servers used (the data folder's keyring).
   */
  constructor(
    private readonly store: SessionStore,
    private readonly keyForCertificate: (der: Uint8Array) => KeyObject | undefined = () => undefined,
    private readonly ticketKeys: () => readonly TicketKeyEntry[] = () => [],
  ) {}

  keys(request: { id: number; connectionId?: number; serverKeyPath?: string; ticketKey?: boolean }): ConnectionKeys[] {
    const opener = this.opener(request);
    return this.connections(request.id, request.connectionId).map((row) => ({
      sessionId: request.id,
      connectionId: row.id,
      leg: row.leg,
      ...this.open(row, opener).keys,
    }));
  }

  decrypt(request: DecryptRequest): DecryptedConnection[] {
    const opener = this.opener(request);
    const from = request.fromRecord ?? 1;
    const limit = request.limit ?? DEFAULT_LIMIT;
    return this.connections(request.id, request.connectionId).map((row) => {
      const opened = this.open(row, opener);
      return {
        sessionId: request.id,
        connectionId: row.id,
        leg: row.leg,
        source: opened.keys.source,
        total: opened.total,
        decrypted: opened.decrypted,
        records: opened.page(from, limit),
        handshake: opened.handshake,
        notes: opened.keys.notes,
      };
    });
  }

  private connections(id: number, connectionId?: number): ConnectionRow[] {
    if (!this.store.getSession(id)) {
      throw new WorkbenchError('NOT_FOUND', `there is no session ${id}; list the sessions to see their numbers`);
    }
    const rows = this.store.getConnections(id);
    if (connectionId === undefined) return rows;
    const row = rows.find((r) => r.id === connectionId);
    if (!row) {
      const ids = rows.map((r) => r.id).join(', ') || 'none';
      throw new WorkbenchError('NOT_FOUND', `session ${id} has no connection ${connectionId}; its connections are: ${ids}`);
    }
    return [row];
  }

  private opener(request: { serverKeyPath?: string; ticketKey?: boolean }): Opener {
    const ticketKey = request.ticketKey === true;
    if (ticketKey && this.ticketKeys().length === 0) {
      throw new WorkbenchError(
        'NOT_FOUND',
        "this data folder keeps no session ticket keys: only the servers the workbench runs keep theirs (in ticket-keys.json); start a server here, connect to it, and ask again",
      );
    }
    return { key: this.serverKey(request.serverKeyPath), keyPath: request.serverKeyPath, ticketKey };
  }

  private serverKey(path: string | undefined): KeyObject | undefined {
    if (path === undefined) return undefined;
    const pem = readUserFile(path, 'server key file', { folderHint: "give the path of the server's PEM private key" }, 'utf8');
    const key = readPrivateKey(pem);
    if ('problem' in key) throw new WorkbenchError('BAD_INPUT', `${path}: ${key.problem}`);
    return key;
  }

  /**
   * The connections recorded before `row`, newest first, opened one at a time as they are asked
   * for: first the earlier ones of its own session (a proxy's or a server's), then those of earlier
   * sessions of the same kind and target. They are opened without a look further back.
   */
  private *earlierConnections(row: ConnectionRow, opener: Opener): Generator<EarlierConnection> {
    const own = this.store.getConnections(row.sessionId);
    for (const [i, other] of [...own.entries()].reverse()) {
      if (other.id >= row.id || other.leg !== row.leg) continue;
      yield { sessionId: row.sessionId, connectionId: other.id, connectionNumber: i + 1, sameSession: true, openedAt: other.openedAt ?? undefined, opened: this.open(other, opener, false) };
    }
    const session = this.store.getSession(row.sessionId);
    if (!session) return;
    let looked = 0;
    for (const earlier of this.store.listSessions(EARLIER_SESSIONS * 4)) {
      if (earlier.id === row.sessionId || earlier.kind !== session.kind || earlier.target !== session.target) continue;
      if (earlier.startedAt > session.startedAt || (earlier.startedAt === session.startedAt && earlier.id > session.id)) continue;
      if (++looked > EARLIER_SESSIONS) return;
      for (const [i, other] of [...this.store.getConnections(earlier.id).entries()].reverse()) {
        if (other.leg !== row.leg || (other.openedAt ?? 0) > (row.openedAt ?? Infinity)) continue;
        yield { sessionId: earlier.id, connectionId: other.id, connectionNumber: i + 1, openedAt: other.openedAt ?? undefined, opened: this.open(other, opener, false) };
      }
    }
  }

  private open(row: ConnectionRow, opener: Opener, lookBack = true): ConnectionDecryption {
    const { key: serverPrivateKey, keyPath } = opener;
    const recorded = row.recordedClientToServer + row.recordedServerToClient;
    const keylog = this.store.getKeylog(row.id);
    // The server's certificate is the peer's for the legs where the workbench is the client.
    const serverSide = row.leg === 'client' || row.leg === 'proxy-upstream' ? 'peer' : 'local';
    const [serverCertificate] = this.store.getCertificates(row.id, serverSide);
    // No key file: the workshop may hold the server's key. Without a key log it opens an RSA key
    // exchange; with one, it shows (for RSA) how the pre-master secret gives the logged master secret.
    const workshopKey = !serverPrivateKey && serverCertificate ? this.keyForCertificate(serverCertificate) : undefined;
    const key = serverPrivateKey ?? workshopKey;
    const ticketKeys = this.ticketKeys();
    const cacheKey = `${row.id}:${recorded}:${keyPath ?? (workshopKey ? 'workshop' : '')}${lookBack ? '' : ':alone'}:${ticketKeys.length}${opener.ticketKey ? ':ticket' : ''}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const gaps = captureGapsOf(this.store.getEvents(row.id));
    const opened = decryptConnection({
      chunks: this.store.getChunks(row.id),
      keylog,
      ...(gaps.length > 0 ? { gaps } : {}),
      serverPrivateKey: key,
      serverCertificate: key ? serverCertificate : undefined,
      ...(workshopKey && keylog.length > 0 ? { serverKeyForRsaOnly: true } : {}),
      openedAt: row.openedAt ?? undefined,
      ...(ticketKeys.length > 0 ? { ticketKeys } : {}),
      ...(opener.ticketKey ? { preferTicketKey: true } : {}),
      ...(lookBack ? { earlier: () => this.earlierConnections(row, opener) } : {}),
    });
    this.cache.set(cacheKey, opened);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return opened;
  }
}
