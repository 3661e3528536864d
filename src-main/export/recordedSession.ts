// A whole recorded session as plain values: every row the recorder wrote, bytes included. The
// exporters read it, the bundle carries it, imports and replays start from it.
import type {
  ApiErrorInfo,
  ApplicationResponse,
  CipherInfo,
  ClientSessionRequest,
  ConnectionLeg,
  Direction,
  SessionKind,
  SessionStatus,
  VerificationResult,
} from '../api/types';

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

export interface RecordedConnection {
  leg: ConnectionLeg;
  local: string | null;
  remote: string | null;
  /** Epoch milliseconds. */
  openedAt: number | null;
  closedAt: number | null;
  bytesClientToServer: number;
  bytesServerToClient: number;
  recordedClientToServer: number;
  recordedServerToClient: number;
  chunks: RecordedChunk[];
  events: RecordedEvent[];
  keylog: RecordedKeylogLine[];
  certificates: RecordedCertificate[];
}

export interface RecordedSession {
  kind: SessionKind;
  status: SessionStatus;
  /** Epoch milliseconds; chunk and event times count from here. */
  startedAt: number;
  endedAt: number | null;
  target: string;
  address: string | null;
  sni: string | null;
  version: string | null;
  cipher: CipherInfo | null;
  alpn: string | null;
  verification: VerificationResult | null;
  error: ApiErrorInfo | null;
  request: ClientSessionRequest | null;
  response: ApplicationResponse | null;
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
