// A whole recorded session as plain values: every row the recorder wrote, bytes included. The
// exporters read it, the bundle carries it, imports and replays start from it.
import type { Direction } from '../api/types';
import type { ConnectionRow, SessionRow } from '../store/sessionStore';

export interface RecordedChunk {
  direction: Direction;
  /** Milliseconds since the session started (monotonic). */
  t: number;
  data: Uint8Array;
}

export interface RecordedEvent {
  t: number;
  kind: string;
  data: Record<string, unknown>;
}

export interface RecordedKeylogLine {
  t: number;
  line: string;
}

export interface RecordedCertificate {
  role: 'peer' | 'local';
  position: number;
  der: Uint8Array;
}

/** A connection's row (its times in epoch milliseconds) with everything recorded under it. */
export interface RecordedConnection extends Omit<ConnectionRow, 'id' | 'sessionId'> {
  chunks: RecordedChunk[];
  events: RecordedEvent[];
  keylog: RecordedKeylogLine[];
  certificates: RecordedCertificate[];
}

/** A session's row; `startedAt` (epoch milliseconds) is where chunk and event times count from. */
export interface RecordedSession extends Omit<SessionRow, 'id'> {
  name: string | null;
  tags: string[];
  connections: RecordedConnection[];
}

/** The side of a connection that played the TLS client, and the one that played the server. */
export function connectionRoles(c: Pick<RecordedConnection, 'leg' | 'local' | 'remote'>): {
  client: string | null;
  server: string | null;
} {
  // The workbench dialled out on client and upstream legs; it answered on server and victim legs.
  const weDialled = c.leg === 'client' || c.leg === 'proxy-upstream';
  return weDialled ? { client: c.local, server: c.remote } : { client: c.remote, server: c.local };
}

/**
 * What an export of the session will lack because its recording lacks it: the store leaves out the
 * bytes a missing or cut recording file no longer has and says so in a note (RECORDING_FILE_MISSING);
 * a bundle carries that note on. Null when the recording is whole.
 */
export function incompleteRecording(session: RecordedSession): string | null {
  const connections = session.connections.flatMap((c, i) =>
    c.events.some((e) => e.kind === 'note' && e.data.code === 'RECORDING_FILE_MISSING') ? [i + 1] : [],
  );
  if (connections.length === 0) return null;
  const which = connections.length === 1 ? `connection ${connections[0]} lacks` : `connections ${connections.join(', ')} lack`;
  return (
    `incomplete: ${which} recorded bytes (the recording file is missing or cut short; the note in the timeline says which), ` +
    "so the file holds only what is left: put the data folder's recordings/ back next to workbench.sqlite and export again " +
    '(a session imported from a bundle lacked them already: ask for a bundle exported with them)'
  );
}
