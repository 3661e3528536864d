// The About page's list of what the TLS library under the engine can do: the post-quantum hybrid
// group that Chromium offers by default is there, available exactly when the OpenSSL has ML-KEM.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { probeTlsFeatures } from '../../src-main/tlsFeatures';

describe('TLS features', () => {
  it('X25519MLKEM768 is available from OpenSSL 3.5 on, and otherwise says why', () => {
    const feature = probeTlsFeatures().find((f) => f.name === 'Post-quantum key exchange (X25519MLKEM768)');
    expect(feature).toBeDefined();
    const [major, minor] = (process.versions.openssl ?? '0.0').split('.').map(Number);
    const hasMlKem = major > 3 || (major === 3 && minor >= 5);
    expect(feature!.available).toBe(hasMlKem);
    if (!hasMlKem) expect(feature!.detail).toBe(`OpenSSL ${process.versions.openssl} has no ML-KEM groups (they came with OpenSSL 3.5): sessions cannot use X25519MLKEM768, though its key shares from browsers such as Chromium are named and skipped`);
  });

  it('probing leaves OpenSSL able to load a key afterwards (a failed probe once poisoned the next key operation)', () => {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    probeTlsFeatures();
    expect(crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ec');
  });

  it('every feature has a name and a detail a student can read', () => {
    for (const f of probeTlsFeatures()) {
      expect(f.name.length).toBeGreaterThan(2);
      expect(f.detail.length).toBeGreaterThan(10);
    }
  });
});
