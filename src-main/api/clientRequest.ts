// Whether a session run by the workbench's client sent its request: shared by the CLI's report
// and the window's replay card, so that both say the same of the same session.
import type { SessionDetail } from './types';

/**
 * 'nothing' when there was no request to send (a handshake-only run, or not a client session run
 * with a request, such as an imported capture); 'sent' once the client passed the handshake and
 * its checks, after which its payload goes out at once; 'not-sent' when it failed before that.
 */
export function clientRequestFate(s: Pick<SessionDetail, 'kind' | 'request' | 'verification'>): 'nothing' | 'sent' | 'not-sent' {
  const send = s.request?.send;
  if (s.kind !== 'client' || !send || send.kind === 'none') return 'nothing';
  return s.verification?.accepted ? 'sent' : 'not-sent';
}
