// How a server session (one connection a lab server accepted) reads in the session views: the
// verdict in its header, and what the server saw of the client.
import type { ServerInfo, ServerSessionInfo, SessionSummary } from '../api/contract';
import type { SessionOutcome } from './outcome';
import { windowText } from './window-text';

/** A server session's verdict: did the client finish the handshake, and was its certificate good. */
export function serverSessionOutcome(session: Pick<SessionSummary, 'status' | 'verification' | 'error'>): SessionOutcome {
  const { status, verification, error } = session;
  if (status === 'running') return { tone: 'running', label: 'Open', detail: 'The client is still connected.' };
  if (status === 'failed' || error) {
    return { tone: 'fail', label: 'Failed', detail: error ? windowText(error.message) : 'The connection failed without a recorded reason.' };
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

/** Whether the server asked for a client certificate: known from its settings while it is listed. */
export type ClientCertPolicy = 'required' | 'requested' | 'off' | 'unknown';

/** What the client-certificate line of a server session says. */
export function clientCertificateView(
  info: Pick<ServerSessionInfo, 'clientCertificate' | 'clientCertificateAuthorized'>,
  session: Pick<SessionSummary, 'verification' | 'version' | 'error'>,
  policy: ClientCertPolicy = 'unknown',
): ClientCertificateView {
  const { verification } = session;
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
  if (session.error?.code === 'CLIENT_CERT_MISSING') return { tone: 'fail', text: 'None sent, and this server requires one.' };
  // A finished handshake with no verification recorded: the server did not ask.
  if (session.version || policy === 'off') return { tone: 'none', text: 'Not asked for: this server does not request client certificates.' };
  if (policy === 'required' || policy === 'requested') {
    return { tone: 'none', text: `None received: the handshake ended before the client would have sent one (this server ${policy === 'required' ? 'requires' : 'requests'} one).` };
  }
  return { tone: 'none', text: "None received: the handshake ended before the client's certificate would have been sent." };
}

/**
 * What the server that accepted a session asked of the client: as recorded with the session, or
 * for a session recorded before that was kept, from the server's settings if it is still listed.
 */
export function clientCertPolicy(
  servers: readonly ServerInfo[],
  info: Pick<ServerSessionInfo, 'serverId' | 'clientCertificatePolicy'> | null | undefined,
): ClientCertPolicy {
  if (info?.clientCertificatePolicy) return info.clientCertificatePolicy;
  const server = info?.serverId == null ? undefined : servers.find((s) => s.id === info.serverId);
  if (!server) return 'unknown';
  if (!server.config.clientAuth) return 'off';
  return server.config.clientAuth.require ? 'required' : 'requested';
}

/** "yes — the abbreviated handshake" / "no — a full handshake". */
export function resumedText(resumed: boolean): string {
  return resumed ? 'yes: the abbreviated handshake, no certificate sent' : 'no: a full handshake';
}
