// Replay commands and events (issue 7). Types only.
import type { ClientReplayRequest, ClientReplayResult, ReplayServerInfo, ReplayServerRequest } from './replayTypes';

export interface ReplayMethods {
  /** Sends a recorded session's client application data again as a new client session. */
  'replay.client': { params: ClientReplayRequest; result: ClientReplayResult };
  /** Answers new clients from recorded server responses, with certificates forged by a workshop CA. */
  'replay.servers.start': { params: ReplayServerRequest; result: ReplayServerInfo };
  'replay.servers.stop': { params: { id: number }; result: ReplayServerInfo };
  'replay.servers.list': { params: Record<string, never>; result: ReplayServerInfo[] };
}

export interface ReplayEvents {
  /** A replay server started, stopped, or its counters moved. */
  'replay.server.changed': ReplayServerInfo;
}
