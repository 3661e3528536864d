// What the TLS library under this engine can do, probed at start so the UI can show a missing
// feature with its reason instead of failing later.
import crypto from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import type { TlsFeature } from './api/types';

function ciphersInclude(name: string): boolean {
  return tls.getCiphers().includes(name.toLowerCase());
}

/**
 * Whether this OpenSSL is at least `major.minor`. Known by its version rather than by trying: a
 * secure context refused for an unknown group leaves an error in OpenSSL's queue, which Node then
 * reports from the next, unrelated key operation (createPrivateKey failed with "passed invalid
 * argument" after the About page had been opened).
 */
function opensslAtLeast(major: number, minor: number): boolean {
  const [a, b] = (process.versions.openssl ?? '0.0').split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

export function probeTlsFeatures(): TlsFeature[] {
  const library = process.versions.openssl ? `OpenSSL ${process.versions.openssl}` : 'an unknown TLS library';
  const isBoring = /boringssl/i.test(process.versions.openssl ?? '') || 'electron' in process.versions;
  const features: TlsFeature[] = [];
  features.push({
    name: 'TLS 1.3',
    available: ciphersInclude('tls_aes_128_gcm_sha256'),
    detail: `${library} offers TLS 1.3 with ${tls.getCiphers().filter((c) => c.startsWith('tls_')).length} suites`,
  });
  features.push({ name: 'TLS 1.2', available: true, detail: `${library} speaks TLS 1.2` });
  const rsaKx = ciphersInclude('aes128-gcm-sha256');
  features.push({
    name: 'RSA key exchange (TLS 1.2)',
    available: rsaKx && !isBoring,
    detail: rsaKx ? 'suites such as AES128-GCM-SHA256 (TLS_RSA_WITH_AES_128_GCM_SHA256) can be chosen' : 'this TLS library has no RSA key-exchange suites',
  });
  features.push({
    name: 'ChaCha20-Poly1305',
    available: ciphersInclude('ecdhe-rsa-chacha20-poly1305'),
    detail: 'ECDHE-RSA-CHACHA20-POLY1305 and TLS_CHACHA20_POLY1305_SHA256',
  });
  features.push({
    name: 'Key log (SSLKEYLOGFILE lines)',
    available: typeof tls.TLSSocket.prototype.on === 'function' && Number(process.versions.node.split('.')[0]) >= 12,
    detail: "every session's secrets are recorded from the TLS socket's keylog event",
  });
  features.push({
    name: 'Ed25519 certificates',
    available: crypto.getCurves !== undefined && (() => {
      try {
        crypto.generateKeyPairSync('ed25519');
        return true;
      } catch {
        return false;
      }
    })(),
    detail: 'Ed25519 keys can be generated and used in certificates',
  });
  const systemBundle = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'].find((f) => fs.existsSync(f));
  features.push({
    name: 'System trust store',
    available: true,
    detail: systemBundle ? `read from ${systemBundle}` : `Node's built-in ${tls.rootCertificates.length} Mozilla roots (no system bundle file found)`,
  });
  // ML-KEM and the hybrid groups came with OpenSSL 3.5.
  const hybrid = !isBoring && opensslAtLeast(3, 5);
  features.push({
    name: 'Post-quantum key exchange (X25519MLKEM768)',
    available: hybrid,
    detail: hybrid
      ? 'the hybrid group X25519MLKEM768 (X25519 with ML-KEM-768) can be offered and chosen'
      : `${library} has no ML-KEM groups (they came with OpenSSL 3.5): sessions cannot use X25519MLKEM768, though its key shares from browsers such as Chromium are named and skipped`,
  });
  features.push({
    name: 'TLS 1.0 / 1.1',
    available: true,
    detail: `only with @SECLEVEL=0 in the cipher list: ${library} refuses them at its default security level (the session says so)`,
  });
  return features;
}

export function tlsLibraryName(): string {
  return process.versions.openssl ? `OpenSSL ${process.versions.openssl}` : 'unknown';
}
