// Turns a connection's timeline into table rows: records with their direction and the
// messages inside them, interleaved with TCP, TLS and verification events.
import type { ConnectionLeg, Direction, TimelineEntry } from '../api/contract';
import { formatOffsetMs } from './format';
import { proxyErrorText } from './proxy-view';

export type TimelineTone = 'record' | 'encrypted' | 'malformed' | 'alert' | 'event' | 'success' | 'warning' | 'error';

export interface TimelineRow {
  key: string;
  /** Record number in wire order, empty for events. */
  number: string;
  time: string;
  arrow: '→' | '←' | '';
  /** "client → server", "server → client", or the event's side. */
  directionLabel: string;
  type: string;
  version: string;
  length: string;
  summary: string;
  tone: TimelineTone;
}

export const DIRECTION_ARROW: Record<Direction, '→' | '←'> = {
  'client-to-server': '→',
  'server-to-client': '←',
};

export const DIRECTION_LABEL: Record<Direction, string> = {
  'client-to-server': 'client → server',
  'server-to-client': 'server → client',
};

/**
 * Who the recording's "local" and "remote" were on a leg: the recording keeps its own side as
 * local, and on a server leg or the victim's leg of a proxy that side listened (an imported
 * capture is a client leg, its client as local).
 */
const SIDES: Record<ConnectionLeg, { local: string; remote: string; listened: boolean }> = {
  client: { local: 'client', remote: 'server', listened: false },
  server: { local: 'server', remote: 'client', listened: true },
  'proxy-client': { local: 'proxy', remote: 'client', listened: true },
  'proxy-upstream': { local: 'proxy', remote: 'server', listened: false },
};

export function timelineRows(entries: readonly TimelineEntry[], leg: ConnectionLeg = 'client'): TimelineRow[] {
  // A handshake that finished before its certificate was refused is no success: its row must not
  // read as one just above "not verified".
  const refused = entries.some((e) => e.kind === 'verification' && !e.accepted);
  return entries.map((entry, index) => timelineRow(entry, index, leg, refused));
}

function timelineRow(entry: TimelineEntry, index: number, leg: ConnectionLeg, certificateRefused: boolean): TimelineRow {
  const sides = SIDES[leg];
  const base = { key: `${index}`, number: '', time: formatOffsetMs(entry.t), arrow: '' as const, directionLabel: '', version: '', length: '' };
  switch (entry.kind) {
    case 'record': {
      const summary = entry.malformed
        ? `Malformed: ${entry.malformed}`
        : entry.alert
          ? `Alert: ${entry.alert.levelName} ${entry.alert.descriptionName}`
          : entry.messages.length > 0
            ? entry.messages.join(', ')
            : entry.encrypted
              ? 'encrypted'
              : '';
      const tone: TimelineTone = entry.malformed ? 'malformed' : entry.alert ? 'alert' : entry.encrypted ? 'encrypted' : 'record';
      return {
        ...base,
        key: `r${entry.number}-${index}`,
        number: String(entry.number),
        arrow: DIRECTION_ARROW[entry.direction],
        directionLabel: DIRECTION_LABEL[entry.direction],
        type: entry.contentTypeName,
        version: entry.versionName,
        length: String(entry.length),
        summary,
        tone,
      };
    }
    case 'tcp-open':
      // From the side that connected to the side that listened.
      return { ...base, type: 'TCP open', summary: sides.listened ? `${entry.remote} → ${entry.local}` : `${entry.local} → ${entry.remote}`, tone: 'event' };
    case 'tcp-close':
      return {
        ...base,
        type: 'TCP close',
        summary: entry.initiator === 'unknown' ? 'connection closed' : `closed by the ${entry.initiator === 'local' ? sides.local : sides.remote}`,
        tone: 'event',
      };
    case 'tls-established':
      return certificateRefused
        ? { ...base, type: 'TLS established', version: entry.version, summary: `${entry.cipher} · keys agreed, but the certificate was not accepted (below)`, tone: 'event' }
        : { ...base, type: 'TLS established', version: entry.version, summary: entry.cipher, tone: 'success' };
    case 'verification':
      return { ...base, type: 'Verification', summary: entry.summary, tone: entry.accepted ? 'success' : 'warning' };
    case 'note':
      return { ...base, type: 'Note', summary: entry.text, tone: 'event' };
    case 'error':
      // A proxy's reason ends in advice for its command line: the window's panel gives its own.
      return { ...base, type: 'Error', summary: leg === 'proxy-client' || leg === 'proxy-upstream' ? proxyErrorText(entry.message) : entry.message, tone: 'error' };
  }
}

/** Totals of what a timeline shows, for the section header. */
export function recordCounts(entries: readonly TimelineEntry[]): { records: number; clientToServer: number; serverToClient: number } {
  let clientToServer = 0;
  let serverToClient = 0;
  for (const entry of entries) {
    if (entry.kind !== 'record') continue;
    if (entry.direction === 'client-to-server') clientToServer += 1;
    else serverToClient += 1;
  }
  return { records: clientToServer + serverToClient, clientToServer, serverToClient };
}

/** A long connection's overview lists its first entries; the Inside tab's virtual table has them all. */
export const OVERVIEW_ENTRIES = 2000;

/**
 * What a connection's overview card shows: its first `limit` entries, while its counts are the
 * whole connection's (a card listing the first 2,000 entries of 6,400 records still says 6,400).
 */
export function overviewTimeline(entries: readonly TimelineEntry[], limit = OVERVIEW_ENTRIES): { shown: readonly TimelineEntry[]; hidden: number; counts: ReturnType<typeof recordCounts> } {
  return { shown: entries.length > limit ? entries.slice(0, limit) : entries, hidden: Math.max(0, entries.length - limit), counts: recordCounts(entries) };
}
