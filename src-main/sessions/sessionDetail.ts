// A recorded session put back together for the views: its rows, and per connection the
// timeline decoded from the raw bytes, interleaved with what the runner noted.
import type { SessionImportOrigin } from '../api/exchangeTypes';
import type { ProxySessionInfo } from '../api/proxyTypes';
import type { ServerSessionInfo } from '../api/serverTypes';
import type { ConnectionDetail, SessionDetail, TimelineEntry } from '../api/types';
import { WorkbenchError } from '../errors';
import { describeCertificate } from '../pki/certificateInfo';
import { certificatesOf } from '../store/connectionLog';
import type { SessionStore } from '../store/sessionStore';
import { keyExchangeOfHandshake } from '../tls/keyExchange';
import { decodeConnection } from '../tls/records';

function eventEntry(kind: string, t: number, data: Record<string, unknown>): TimelineEntry | null {
  switch (kind) {
    case 'tcp-open':
      return { kind, t, local: String(data.local ?? ''), remote: String(data.remote ?? '') };
    case 'tcp-close': {
      const initiator = data.initiator === 'local' || data.initiator === 'peer' ? data.initiator : 'unknown';
      return { kind, t, initiator };
    }
    case 'tls-established':
      return { kind, t, version: String(data.version ?? ''), cipher: String(data.cipher ?? '') };
    case 'verification':
      return { kind, t, accepted: Boolean(data.accepted), summary: String(data.summary ?? '') };
    case 'note':
      return { kind, t, text: String(data.text ?? '') };
    case 'error':
      return { kind, t, message: String(data.message ?? '') };
    default:
      return null;
  }
}

/** Merge two time-ordered lists; on equal times the runner's events come first. */
function mergeByTime(events: TimelineEntry[], records: TimelineEntry[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < events.length || j < records.length) {
    if (j >= records.length || (i < events.length && events[i].t <= records[j].t)) out.push(events[i++]);
    else out.push(records[j++]);
  }
  return out;
}

/** Reads where an imported session came from (store/importIdentity.ts). */
export type ImportOriginReader = (sessionId: number) => SessionImportOrigin | null;

/** `importedFrom` reads where an imported session came from; without it the detail says null. */
export function loadSessionDetail(store: SessionStore, id: number, importedFrom?: ImportOriginReader): SessionDetail {
  const row = store.getSession(id);
  if (!row) throw new WorkbenchError('NOT_FOUND', `there is no session ${id}; list the sessions to see their numbers`);
  let server: ServerSessionInfo | null = null;
  let proxy: ProxySessionInfo | null = null;
  const connections: ConnectionDetail[] = store.getConnections(id).map((c) => {
    const log = store.connectionLog(c.id);
    const rows = log.events;
    // A server session's facts travel as one event (no schema change): resumption, key exchange, client certificate.
    for (const e of rows) if (e.kind === 'server-session') server = e.data as unknown as ServerSessionInfo;
    // Likewise a proxy session's facts, on its victim leg.
    for (const e of rows) if (e.kind === 'proxy-session') proxy = e.data as unknown as ProxySessionInfo;
    const events = rows
      .map((e) => eventEntry(e.kind, e.t, e.data))
      .filter((e): e is TimelineEntry => e !== null);
    // Read at load time from the recorded bytes, so imported hand-outs and sessions recorded by
    // older versions name their key exchange too; the decode is the timeline's own.
    const decoded = decodeConnection(log.chunks);
    const records = decoded.records;
    return {
      id: c.id,
      leg: c.leg,
      local: c.local,
      remote: c.remote,
      openedAt: c.openedAt,
      closedAt: c.closedAt,
      bytesClientToServer: c.bytesClientToServer,
      bytesServerToClient: c.bytesServerToClient,
      recordedClientToServer: c.recordedClientToServer,
      recordedServerToClient: c.recordedServerToClient,
      timeline: mergeByTime(events, records),
      keylog: log.keylog.map((k) => k.line),
      peerCertificates: certificatesOf(log, 'peer').map((der) => describeCertificate(der)),
      localCertificates: certificatesOf(log, 'local').map((der) => describeCertificate(der)),
      keyExchange: keyExchangeOfHandshake(decoded),
    };
  });
  const imported = importedFrom?.(id) ?? null;
  if (row.kind === 'proxy') return { ...row, proxy, connections, imported };
  return row.kind === 'server' ? { ...row, server, connections, imported } : { ...row, connections, imported };
}
