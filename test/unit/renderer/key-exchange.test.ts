import { describe, expect, it } from 'vitest';
import type { KeyExchangeInfo } from '../../../src-main/api/serverTypes';
import type { ConnectionDetail } from '../../../src-main/api/types';
import { TLS12_RESUMED, tls13KeyExchange } from '../../../src-main/tls/keyExchange';
import { forwardSecrecyWords, keyExchangeLabel, legKeyExchange, sessionKeyExchange } from '../../../src-renderer/src/lib/key-exchange';
import { detail } from './fixtures';

const RSA: KeyExchangeInfo = { method: 'RSA', ephemeral: false, group: null, resumed: false, pskMode: null, summary: 'RSA key transport' };

describe('the key exchange on the session page', () => {
  it('names the method and group, and a TLS 1.3 resumption by its PSK mode', () => {
    expect(keyExchangeLabel(tls13KeyExchange('x25519', false))).toBe('ECDHE · x25519');
    expect(keyExchangeLabel(tls13KeyExchange('secp256r1', true))).toBe('ECDHE · secp256r1 (resumed, psk_dhe_ke)');
    expect(keyExchangeLabel(tls13KeyExchange(null, true))).toBe('PSK (psk_ke)');
    expect(keyExchangeLabel(RSA)).toBe('RSA key transport');
    expect(keyExchangeLabel(TLS12_RESUMED)).toBe('resumed session (no key exchange)');
  });

  it('says forward secrecy in words: a fresh key, the server key that opens RSA, the earlier secret behind a resumption', () => {
    expect(forwardSecrecyWords(tls13KeyExchange('x25519', false))).toBe('fresh key for this connection: forward secrecy');
    expect(forwardSecrecyWords(tls13KeyExchange('x25519', true))).toBe('fresh key for this connection: forward secrecy');
    expect(forwardSecrecyWords(RSA)).toBe("no ephemeral key: whoever gets the server's private key later can decrypt this recording");
    for (const kx of [tls13KeyExchange(null, true), TLS12_RESUMED]) expect(forwardSecrecyWords(kx)).toMatch(/^no fresh key: the keys come from an earlier session's secret/);
  });

  it("reads a proxy session's victim leg for the session, and each leg on its own", () => {
    const connection = (id: number, leg: 'proxy-client' | 'proxy-upstream', keyExchange: KeyExchangeInfo | null) =>
      ({ id, leg, keyExchange }) as unknown as ConnectionDetail;
    const proxy = detail({ kind: 'proxy', connections: [connection(2, 'proxy-upstream', RSA), connection(1, 'proxy-client', tls13KeyExchange('x25519', false))] });
    expect(sessionKeyExchange(proxy)?.group).toBe('x25519');
    expect(legKeyExchange(proxy, 'proxy-upstream')).toBe(RSA);
    expect(legKeyExchange(detail({ kind: 'proxy', connections: [] }), 'proxy-upstream')).toBeNull();
  });
});
