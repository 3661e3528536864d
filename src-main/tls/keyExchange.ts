// The key exchange of one recorded handshake, read from the bytes that crossed the wire in the
// clear: the ServerHello (TLS 1.3 key_share and pre_shared_key, RFC 8446 4.2.8 and 4.2.11), the
// ServerKeyExchange (TLS 1.2 named curve, RFC 8422 5.4) and the suite (RFC 5246 Appendix A.5).
import type { KeyExchangeInfo } from '../api/serverTypes';
import { sameBytes } from '../bytes';
import type { DecodedConnection } from './records';
import { keyExchangeOf, namedGroupName } from './registry';

const PRE_SHARED_KEY = 41;
const CHANGE_CIPHER_SPEC = 20;

/** TLS 1.3: (EC)DHE on a group, or a pre-shared key alone (psk_ke, RFC 8446 4.2.9). */
export function tls13KeyExchange(group: string | null, resumed: boolean): KeyExchangeInfo {
  if (!group) {
    return {
      method: 'PSK',
      ephemeral: false,
      group: null,
      resumed: true,
      pskMode: 'psk_ke',
      summary: 'resumed with a pre-shared key only (psk_ke): no ephemeral key, no forward secrecy for this connection',
    };
  }
  const method = /ffdhe/i.test(group) ? 'DHE' : 'ECDHE';
  return {
    method,
    ephemeral: true,
    group,
    resumed,
    pskMode: resumed ? 'psk_dhe_ke' : null,
    summary: `${method} with ${group}${resumed ? ' (resumed with psk_dhe_ke: a fresh key share)' : ''}: ephemeral key, forward secrecy`,
  };
}

/** TLS 1.2 resumed: no key exchange at all (RFC 5246 7.3, abbreviated handshake). */
export const TLS12_RESUMED: KeyExchangeInfo = {
  method: 'resumed',
  ephemeral: false,
  group: null,
  resumed: true,
  pskMode: null,
  summary: "resumed TLS 1.2 session: no key exchange; the keys come from the earlier session's master secret",
};


/**
 * Whether a TLS 1.2 server resumed: it echoed the client's session id (RFC 5246 7.4.1.3; a
 * ticket resumption echoes it too, RFC 5077 3.4), or it changed cipher spec without a
 * ServerHelloDone (an abbreviated handshake).
 */
function tls12Resumed(decoded: DecodedConnection): boolean {
  const offered = decoded.clientHello?.sessionId;
  const echoed = decoded.serverHello?.sessionId;
  if (offered && echoed && offered.length > 0 && sameBytes(offered, echoed)) return true;
  const fromServer = decoded.records.filter((r) => r.direction === 'server-to-client');
  const ccs = fromServer.findIndex((r) => r.contentType === CHANGE_CIPHER_SPEC);
  return ccs >= 0 && !fromServer.slice(0, ccs).some((r) => r.messages.includes('ServerHelloDone'));
}

/** TLS 1.2 full handshake: the ServerKeyExchange names the group; without one, the suite says what it was. */
function tls12KeyExchange(decoded: DecodedConnection): KeyExchangeInfo {
  const ske = decoded.handshakeMessages.find((m) => m.direction === 'server-to-client' && m.body.kind === 'server_key_exchange')?.body;
  const base = { resumed: false, pskMode: null };
  if (ske?.kind === 'server_key_exchange' && ske.ecdh) {
    const group = namedGroupName(ske.ecdh.namedCurve.code);
    return { ...base, method: 'ECDHE', ephemeral: true, group, summary: `ECDHE with ${group}: ephemeral key, forward secrecy` };
  }
  if (ske?.kind === 'server_key_exchange' && ske.dh) {
    const bits = ske.dh.dhP.length * 8;
    return { ...base, method: 'DHE', ephemeral: true, group: `ffdhe ${bits}-bit`, summary: `DHE with a ${bits}-bit group: ephemeral key, forward secrecy` };
  }
  const kx = decoded.cipherSuite ? keyExchangeOf(decoded.cipherSuite.code) : 'unknown';
  if (kx === 'rsa') {
    return {
      ...base,
      method: 'RSA',
      ephemeral: false,
      group: null,
      summary: "RSA key transport: the client encrypts the premaster secret to the certificate's key; no ephemeral key, no forward secrecy",
    };
  }
  return { ...base, method: kx.toUpperCase(), ephemeral: false, group: null, summary: `${kx} key exchange (no ServerKeyExchange seen)` };
}

/**
 * The key exchange a decoded handshake shows, or null when no ServerHello was recorded (the
 * handshake ended before the server chose). `resumed` overrides what the bytes say, for a caller
 * that knows it from the TLS library.
 */
export function keyExchangeOfHandshake(decoded: DecodedConnection, resumed?: boolean): KeyExchangeInfo | null {
  const hello = decoded.serverHello;
  if (!hello) return null;
  if (hello.selectedVersion) {
    const psk = hello.extensions.some((e) => e.type === PRE_SHARED_KEY);
    return tls13KeyExchange(hello.keyShareGroup?.name ?? null, resumed ?? psk);
  }
  if (resumed ?? tls12Resumed(decoded)) return TLS12_RESUMED;
  return tls12KeyExchange(decoded);
}
