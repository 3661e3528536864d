// How a connection's key exchange (read by the engine from the recorded handshake) reads in the
// session views: a short badge, and forward secrecy said in words.
import type { ConnectionDetail, ConnectionLeg, KeyExchangeInfo, SessionDetail } from '../api/contract';

const METHOD_WORDS: Record<string, string> = { RSA: 'RSA key transport', resumed: 'resumed session (no key exchange)' };

/** "ECDHE · x25519", "RSA key transport", "PSK (psk_ke)", "ECDHE · x25519 (resumed, psk_dhe_ke)". */
export function keyExchangeLabel(kx: KeyExchangeInfo): string {
  const group = kx.group ? ` · ${kx.group}` : '';
  const how = kx.method === 'resumed' ? '' : kx.pskMode === 'psk_ke' ? ' (psk_ke)' : kx.resumed ? ` (resumed${kx.pskMode ? `, ${kx.pskMode}` : ''})` : '';
  return `${METHOD_WORDS[kx.method] ?? kx.method}${group}${how}`;
}

/** Forward secrecy in words: who could open this recording later. */
export function forwardSecrecyWords(kx: KeyExchangeInfo): string {
  if (kx.ephemeral) return 'fresh key for this connection: forward secrecy';
  if (kx.resumed || kx.method === 'resumed' || kx.pskMode === 'psk_ke') {
    return "no fresh key: the keys come from an earlier session's secret; whoever gets that secret (or the server's ticket key) can decrypt this recording";
  }
  if (kx.method === 'RSA') return "no ephemeral key: whoever gets the server's private key later can decrypt this recording";
  return 'no ephemeral key: whoever gets the long-term key later can decrypt this recording';
}

/** The leg of a session whose key exchange stands for it: a proxy's victim leg, else the first. */
function mainConnection(session: SessionDetail): ConnectionDetail | undefined {
  if (session.kind === 'proxy') return session.connections.find((c) => c.leg === 'proxy-client') ?? session.connections[0];
  return session.connections[0];
}

/**
 * The session's key exchange as the engine read it from the handshake bytes; a server session
 * recorded before connections carried it keeps the one its server noted.
 */
export function sessionKeyExchange(session: SessionDetail): KeyExchangeInfo | null {
  return mainConnection(session)?.keyExchange ?? session.server?.keyExchange ?? null;
}

/** A proxy leg's key exchange, or null when that leg's handshake recorded no ServerHello. */
export function legKeyExchange(session: SessionDetail, leg: ConnectionLeg): KeyExchangeInfo | null {
  return session.connections.find((c) => c.leg === leg)?.keyExchange ?? null;
}
