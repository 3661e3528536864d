// Certificates for the server tests, made by the workbench's own pki/ and written as PEM files
// (keys with mode 0600), so that openssl, curl and Python judge what the servers present.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRootCa, certificatePem, issueCertificate, createIntermediateCa } from '../../src-main/pki/certificates';
import { exportPrivateKeyPem } from '../../src-main/pki/keys';

export interface PemPair {
  cert: string;
  key: string;
}

export interface ServerTestPki {
  dir: string;
  caCert: string;
  /** A second, unrelated CA: what a client trusting the wrong CA has. */
  otherCaCert: string;
  rsa: PemPair;
  /** An ECDSA P-256 leaf under an intermediate; `chain` holds the intermediate. */
  ecdsa: PemPair & { chain: string };
  /** www.bank32.com and www.example.lab on one server by SNI. */
  bank: PemPair;
  example: PemPair;
  clientCaCert: string;
  client: PemPair;
  /** A client certificate from a CA the server does not trust. */
  strangerClient: PemPair;
  /** The RSA server key encrypted with the passphrase "lab-secret". */
  encryptedKey: string;
}

function write(dir: string, name: string, text: string, mode = 0o644): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode });
  return file;
}

export async function makeServerPki(): Promise<ServerTestPki> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-pki-'));
  const ca = await createRootCa({ subject: 'CN=Server Lab Root CA,O=TLS Lab' });
  const other = await createRootCa({ subject: 'CN=Somebody Else CA' });
  const intermediate = await createIntermediateCa(ca, { subject: 'CN=Server Lab Issuing CA,O=TLS Lab', key: 'ec:P-256' });
  const clientCa = await createRootCa({ subject: 'CN=Client Lab CA' });
  const pair = async (issuer: typeof ca, name: string, options: Parameters<typeof issueCertificate>[1]): Promise<PemPair> => {
    const issued = await issueCertificate(issuer, options);
    return {
      cert: write(dir, `${name}.crt`, issued.pem),
      key: write(dir, `${name}.key`, exportPrivateKeyPem(issued.privateKey), 0o600),
    };
  };
  const rsa = await pair(ca, 'rsa', { subject: 'CN=localhost', subjectAltNames: 'DNS:localhost,DNS:www.bank32.com,IP:127.0.0.1' });
  const ecdsaPair = await pair(intermediate, 'ecdsa', { subject: 'CN=www.bank32.com', subjectAltNames: 'DNS:www.bank32.com,IP:127.0.0.1', key: 'ec:P-256' });
  const bank = await pair(ca, 'bank', { subject: 'CN=www.bank32.com', subjectAltNames: 'DNS:www.bank32.com' });
  const example = await pair(ca, 'example', { subject: 'CN=www.example.lab', subjectAltNames: 'DNS:www.example.lab' });
  const client = await pair(clientCa, 'client', { subject: 'CN=alice,O=TLS Lab students', profile: 'client' });
  const strangerClient = await pair(other, 'stranger', { subject: 'CN=mallory', profile: 'client' });
  const rsaIssued = fs.readFileSync(rsa.key, 'utf8');
  const { importPrivateKey } = await import('../../src-main/pki/keys');
  const encryptedKey = write(dir, 'rsa-encrypted.key', exportPrivateKeyPem(importPrivateKey(rsaIssued), 'lab-secret'), 0o600);
  return {
    dir,
    caCert: write(dir, 'ca.crt', certificatePem(ca.certificate)),
    otherCaCert: write(dir, 'other-ca.crt', certificatePem(other.certificate)),
    rsa,
    ecdsa: { ...ecdsaPair, chain: write(dir, 'intermediate.crt', certificatePem(intermediate.certificate)) },
    bank,
    example,
    clientCaCert: write(dir, 'client-ca.crt', certificatePem(clientCa.certificate)),
    client,
    strangerClient,
    encryptedKey,
  };
}

