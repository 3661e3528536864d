// Which recorded sessions belong to one run of a lab server. Session summaries carry no server id,
// and a port given back by a stopped server can be handed to the next one: the address alone
// could find an earlier server's sessions, so the run's start time must match too.
import { execFileSync } from 'node:child_process';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionSummary } from '../../src-main/api/types';
import { waitUntil } from './waitUntil';

export function isSessionOf(session: SessionSummary, server: ServerInfo): boolean {
  return session.kind === 'server' && session.target === server.address && session.startedAt >= (server.startedAt ?? 0);
}

/** The finished sessions of one server run, oldest first, once `count` of them are recorded. */
export async function finishedSessionsOf(wb: { listSessions(limit?: number): SessionSummary[] }, server: ServerInfo, count: number): Promise<SessionSummary[]> {
  let seen = 0;
  return waitUntil(
    () => `${count} finished session(s) of the server on ${server.address} (${seen} recorded)`,
    () => {
      const found = wb.listSessions(50).filter((s) => isSessionOf(s, server) && s.status !== 'running');
      seen = found.length;
      return found.length >= count ? found.reverse() : null;
    },
  );
}

/** What `openssl sess_id -text` says of a session file (-sess_out): the named hex field, lower case. */
export function opensslSessionField(file: string, field: 'Resumption PSK' | 'Master-Key'): string {
  const out = execFileSync('openssl', ['sess_id', '-in', file, '-text', '-noout']).toString();
  const match = new RegExp(`${field}: ([0-9A-F]+)`).exec(out);
  if (!match) throw new Error(`no ${field} in ${out}`);
  return match[1].toLowerCase();
}
