// RSA key transport (RFC 5246, Section 7.4.7.1): the client encrypts a 48-byte pre-master secret
// to the server's certificate key, so whoever holds that private key can read the whole recorded
// session, years later. With (EC)DHE the private key only signs: it opens nothing (forward secrecy).

import { type KeyObject, X509Certificate, constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import type { DerivationStep } from '../api/decryptTypes';
import { keyValue } from './prf';

export type PremasterResult =
  | { ok: true; preMasterSecret: Uint8Array; clientVersion: number; versionMatches: boolean }
  | { ok: false; problem: string };

/** Reads a PEM (or DER PKCS#8) private key; a clear error when it is not one. */
export function readPrivateKey(pem: string | Uint8Array): KeyObject | { problem: string } {
  try {
    if (typeof pem === 'string') return createPrivateKey(pem);
    return createPrivateKey({ key: Buffer.from(pem), format: 'der', type: 'pkcs8' });
  } catch (error) {
    const text = typeof pem === 'string' ? pem : '';
    // Say what the file is when it is something else a student keeps beside the key.
    if (/-----BEGIN CERTIFICATE-----/.test(text)) return { problem: 'this is a certificate, not its private key: give the key file that goes with it (often .key or key.pem)' };
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text)) {
      return { problem: 'this private key is encrypted: decrypt it first (openssl pkey -in KEY -out plain.key) and give that file' };
    }
    const why = error instanceof Error ? error.message : String(error);
    return { problem: `this is not a readable private key (${why}); give an unencrypted PEM key such as openssl writes with -nodes` };
  }
}

/** Whether the private key belongs to the certificate (DER); a reason when it does not. */
export function keyMatchesCertificate(key: KeyObject, certificateDer: Uint8Array): { ok: boolean; problem?: string } {
  try {
    const certificate = new X509Certificate(Buffer.from(certificateDer));
    if (certificate.checkPrivateKey(key)) return { ok: true };
    return {
      ok: false,
      problem: `the private key does not match the server's certificate (${certificate.subject.replace(/\n/g, ', ')}): it cannot open this session`,
    };
  } catch (error) {
    return { ok: false, problem: `cannot compare the key with the certificate: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Decrypts EncryptedPreMasterSecret with the server's RSA key and removes the PKCS #1 v1.5
 * padding by hand (00 02 PS 00 M), so each part can be shown. Node refuses PKCS #1 v1.5 private
 * decryption (Marvin attack, CVE-2023-46809); a raw RSA operation is safe offline, where no
 * attacker sees our error behaviour.
 */
export function decryptPreMasterSecret(
  encrypted: Uint8Array,
  key: KeyObject,
  clientHelloVersion: number,
  steps?: DerivationStep[],
): PremasterResult {
  if (key.asymmetricKeyType !== 'rsa') {
    return {
      ok: false,
      problem: `the server key is ${key.asymmetricKeyType ?? 'not RSA'}: only an RSA key can decrypt an RSA ClientKeyExchange`,
    };
  }
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (encrypted.length !== modulusBytes) {
    return {
      ok: false,
      problem: `the encrypted pre-master secret is ${encrypted.length} bytes but this ${modulusBytes * 8}-bit key works on ${modulusBytes}: it is not the server's key`,
    };
  }
  let block: Uint8Array;
  try {
    block = new Uint8Array(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(encrypted)));
  } catch (error) {
    return { ok: false, problem: `RSA decryption failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const separator = block.indexOf(0, 2);
  const wellFormed = block[0] === 0 && block[1] === 2 && separator >= 10;
  const message = wellFormed ? block.subarray(separator + 1) : new Uint8Array(0);
  if (!wellFormed || message.length !== 48) {
    steps?.push({
      title: 'RSA-decrypt the ClientKeyExchange with the server key',
      operation: 'RSA decrypt (PKCS #1 v1.5)',
      rfc: 'RFC 5246, Section 7.4.7.1; RFC 8017, Section 7.2.2',
      inputs: [keyValue('EncryptedPreMasterSecret', encrypted)],
      outputs: [keyValue('decrypted block', block)],
      note: 'not 00 02 <padding> 00 <48 bytes>: this key is not the one the client encrypted to',
    });
    return { ok: false, problem: 'the decrypted block is not a PKCS #1 v1.5 padded 48-byte secret: this is not the key the client encrypted to' };
  }
  const clientVersion = (message[0] << 8) | message[1];
  steps?.push({
    title: 'pre-master secret = RSA-decrypt(server private key, EncryptedPreMasterSecret)',
    operation: 'RSA decrypt (PKCS #1 v1.5)',
    rfc: 'RFC 5246, Section 7.4.7.1; RFC 8017, Section 7.2.2',
    inputs: [keyValue('EncryptedPreMasterSecret', encrypted)],
    outputs: [
      keyValue('decrypted block: 00 02 <non-zero padding> 00 <pre-master secret>', block),
      keyValue('pre_master_secret (client_version + 46 random bytes)', message),
    ],
    note:
      clientVersion === clientHelloVersion
        ? `its first two bytes, 0x${clientVersion.toString(16).padStart(4, '0')}, repeat the ClientHello's version, as they must (a version-rollback check)`
        : `its first two bytes, 0x${clientVersion.toString(16).padStart(4, '0')}, differ from the ClientHello's version 0x${clientHelloVersion.toString(16).padStart(4, '0')}`,
  });
  return { ok: true, preMasterSecret: message, clientVersion, versionMatches: clientVersion === clientHelloVersion };
}

/** What a server key can and cannot do for a connection with this key exchange. */
export function forwardSecrecyNote(keyExchange: string): string | undefined {
  if (keyExchange.endsWith('psk')) {
    return (
      "The server's private key cannot open this session: its pre-master secret is built from a pre-shared key (RFC 4279), " +
      'which neither the recording nor the server key holds. Only the master secret in the key log opens it.'
    );
  }
  if (keyExchange === 'ecdhe' || keyExchange === 'dhe' || keyExchange === 'tls13') {
    const what = keyExchange === 'tls13' ? 'TLS 1.3 always uses ephemeral (EC)DHE' : `this suite uses ephemeral ${keyExchange.toUpperCase()}`;
    return (
      `The server's private key opens nothing here: ${what}, so the key only signed the handshake. ` +
      'The secret came from key shares both sides threw away after the handshake; without a key log this recording ' +
      'stays sealed, even to whoever steals the server key later. That is forward secrecy.'
    );
  }
  return undefined;
}
