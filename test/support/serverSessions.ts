// Which recorded sessions belong to one run of a lab server. Session summaries carry no server id,
// and a port given back by a stopped server can be handed to the next one: the address alone
// could find an earlier server's sessions, so the run's start time must match too.
import type { ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionSummary } from '../../src-main/api/types';

export function isSessionOf(session: SessionSummary, server: ServerInfo): boolean {
  return session.kind === 'server' && session.target === server.address && session.startedAt >= (server.startedAt ?? 0);
}
