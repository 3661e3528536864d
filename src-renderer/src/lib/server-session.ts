// How a server session (one connection a lab server accepted) reads in the session views: the
// verdict in its header, and what the server saw of the client.
import type { ServerSessionInfo, SessionSummary } from '../api/contract';
import type { SessionOutcome } from './outcome';

/** A server session's verdict: did the client finish the handshake, and was its certificate good. */
export function serverSessionOutcome(session: Pick<SessionSummary, 'status' | 'verification' | 'error'>): SessionOutcome {
  const { status, verification, error } = session;
  if (status === 'running') return { tone: 'running', label: 'Open', detail: 'The client is still connected.' };
  if (status === 'failed' || error) {
    return { tone: 'fail', label: 'Failed', detail: error?.message ?? 'The connection failed without a recorded reason.' };
  }
  if (!verification) {
    return { tone: 'ok', label: 'Served', detail: 'The client finished the handshake and the server answered it.' };
  }
  if (verification.chain.ok) return { tone: 'ok', label: 'Client verified', detail: verification.summary };
  return { tone: 'warn', label: 'Served, client not verified', detail: verification.summary };
}

export interface ClientCertificateView {
  tone: 'ok' | 'warn' | 'fail' | 'none';
  /** One line: "Verified against lab CA Lab Root", "Not sent (asked for, not required)". */
  text: string;
}

/** What the client-certificate line of a server session says. */
export function clientCertificateView(
  info: Pick<ServerSessionInfo, 'clientCertificate' | 'clientCertificateAuthorized'>,
  verification: SessionSummary['verification'],
): ClientCertificateView {
  if (info.clientCertificate) {
    if (info.clientCertificateAuthorized) return { tone: 'ok', text: verification?.summary ?? 'Sent, and it chains to the client CA.' };
    return {
      tone: verification?.verifyPeer ? 'fail' : 'warn',
      text: verification?.summary ?? 'Sent, but it does not chain to the client CA.',
    };
  }
  if (verification) {
    return verification.verifyPeer
      ? { tone: 'fail', text: 'None sent, and this server requires one.' }
      : { tone: 'warn', text: 'None sent (asked for, not required).' };
  }
  return { tone: 'none', text: 'Not asked for: this server does not request client certificates.' };
}

/** "yes — the abbreviated handshake" / "no — a full handshake". */
export function resumedText(resumed: boolean): string {
  return resumed ? 'yes: the abbreviated handshake, no certificate sent' : 'no: a full handshake';
}
