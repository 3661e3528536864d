// The verdict a session header shows: green verified, amber accepted with checks off or
// failing, red failed, blue still running.
import type { SessionKind, SessionSummary } from '../api/contract';
import { serverSessionOutcome } from './server-session';
import { windowText } from './window-text';

export type OutcomeTone = 'ok' | 'warn' | 'fail' | 'running';

export interface SessionOutcome {
  tone: OutcomeTone;
  label: string;
  detail: string;
}

export function sessionOutcome(session: Pick<SessionSummary, 'status' | 'verification' | 'error'> & { kind?: SessionKind }): SessionOutcome {
  // A server session has no server certificate to verify: its verdict is about the client.
  if (session.kind === 'server') return serverSessionOutcome(session);
  const { status, verification, error } = session;
  if (status === 'running') return { tone: 'running', label: 'Running', detail: 'The session is still in progress.' };
  if (status === 'failed' || error) {
    return {
      tone: 'fail',
      label: 'Failed',
      detail: (error ? windowText(error.message) : null) ?? verification?.summary ?? 'The session failed without a recorded reason.',
    };
  }
  if (verification && verification.chain.ok && verification.hostname?.ok === true) {
    return { tone: 'ok', label: 'Verified', detail: verification.summary };
  }
  if (verification && (!verification.verifyPeer || !verification.checkHostname)) {
    return { tone: 'warn', label: 'Not verified (checks off)', detail: verification.summary };
  }
  return { tone: 'warn', label: 'Not verified', detail: verification?.summary ?? 'No certificate verification was recorded.' };
}


/**
 * The line under "Certificate chain" when it failed. OpenSSL's reason often comes as its bare code
 * ("SELF_SIGNED_CERT_IN_CHAIN"), which the code chip beside it already shows: then a plain sentence.
 */
export function chainResultText(chain: { message?: string; code?: string }): string {
  const message = chain.message?.trim();
  if (!message || message === chain.code || /^[A-Z0-9_]+$/.test(message)) return 'Not trusted.';
  return message;
}
