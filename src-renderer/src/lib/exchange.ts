// What the Response panel says about the request the client sent (or could not send). Whether it
// went out follows the rule the CLI's report and the replay card use (clientRequestFate).
import { clientRequestFate, type SessionDetail } from '../api/contract';
import { formatBytes } from './format';

export interface ExchangeView {
  /** "Sent", "Not sent", or null when there was nothing to send. */
  verb: 'Sent' | 'Not sent' | null;
  /** What the request was: "GET / HTTP/1.1", "6 bytes of text". */
  request: string | null;
  /** Why it was not sent, when it was not. */
  reason: string | null;
  /** Shown instead of the response text when there is none. */
  emptyText: string;
}

export type ExchangeSession = Pick<SessionDetail, 'kind' | 'status' | 'request' | 'verification'>;

export function exchangeView(session: ExchangeSession): ExchangeView {
  const send = session.request?.send;
  if (!send || send.kind === 'none') {
    return { verb: null, request: null, reason: null, emptyText: 'Nothing was sent (handshake only), and the server sent nothing on its own.' };
  }
  const request =
    send.kind === 'http-get' ? `GET ${send.path} HTTP/1.1` : `${formatBytes(new TextEncoder().encode(send.text).length)} of text`;
  if (session.status === 'running') return { verb: null, request, reason: null, emptyText: 'Waiting for the server…' };
  if (clientRequestFate(session) === 'not-sent') {
    return { verb: 'Not sent', request, reason: 'the session failed before the request could go out.', emptyText: 'Nothing came back.' };
  }
  const emptyText = session.status === 'failed' ? 'Nothing came back before the session failed.' : 'The server sent no application data back.';
  return { verb: 'Sent', request, reason: null, emptyText };
}

interface ImportedSession {
  id: number;
  alreadyImportedAs: number | null;
  session?: { name: string | null; kind?: string; target?: string };
}

/** A session of a hand-out as the panel names it: its number and name, or what it was when it has none. */
function importedName(s: ImportedSession): string {
  const id = s.alreadyImportedAs ?? s.id;
  if (s.session?.name) return `${id} "${s.session.name}"`;
  return s.session?.kind && s.session.target ? `${id} (${s.session.kind} ${s.session.target})` : String(id);
}

/**
 * The sessions the Import panel offers to open: every one the file brought now, in the file's
 * order; when it brought none (imported before), the ones it already is.
 */
export function importedSessionIds(result: ImportedSession & { sessions?: ImportedSession[] }): number[] {
  const sessions = result.sessions?.length ? result.sessions : [result];
  const made = sessions.filter((s) => s.alreadyImportedAs === null).map((s) => s.id);
  return made.length ? made : [...new Set(sessions.map((s) => s.alreadyImportedAs ?? s.id))];
}

/** What the Import panel says about a file it was given: imported now, or imported before; every session of a hand-out. */
export function importResultMessage(
  result: ImportedSession & { source: string; connections: number; keylogLines: number; sessions?: ImportedSession[] },
  fileName: string,
): string {
  const sessions = result.sessions ?? [];
  if (sessions.length > 1) {
    const made = sessions.filter((s) => s.alreadyImportedAs === null);
    const earlier = sessions.filter((s) => s.alreadyImportedAs !== null);
    const before = earlier.length ? `${earlier.length === 1 ? 'session' : 'sessions'} ${earlier.map(importedName).join(', ')}` : '';
    if (made.length === 0) {
      return `${fileName} is already imported (${sessions.length} sessions): ${before}; nothing was copied. Use "Import a copy anyway" for second copies.`;
    }
    const now = `Imported ${made.length} session${made.length === 1 ? '' : 's'} from ${fileName}: ${made.map(importedName).join(', ')}.`;
    return earlier.length ? `${now} Already imported before, not copied: ${before}.` : now;
  }
  // The teacher's name for it ("Refused certificate") is what tells a student where to start.
  const named = result.session?.name ? ` "${result.session.name}"` : '';
  if (result.alreadyImportedAs !== null) {
    return `${fileName} is already imported as session ${result.alreadyImportedAs}${named}; nothing was copied. Use "Import a copy anyway" for a second copy.`;
  }
  const parts = [`${result.connections} connection${result.connections === 1 ? '' : 's'}`];
  if (result.source !== 'bundle' || result.keylogLines > 0) parts.push(`${result.keylogLines} key log line${result.keylogLines === 1 ? '' : 's'}`);
  return `Imported ${fileName} as session ${result.id}${named} (${parts.join(', ')}).`;
}
