// Certificates with keys and signatures the workbench never makes but a student meets: Ed448,
// RSA-PSS keys, DSA, brainpool curves, SHA-3 signatures. Made by openssl; the inspector must name
// each key with its size, the verifier must agree with `openssl verify`, and a CSR with such a key
// must still open.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../../../src-main/pki/certificateInfo.js';
import { inspect } from '../../../src-main/pki/inspect.js';
import { readDerOrPem } from '../../../src-main/pki/pem.js';
import { verifyCertificate } from '../../../src-main/pki/verify.js';
import { makeTempDir, openssl, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
beforeAll(() => {
  dir = makeTempDir('tlslab-key-kinds-');
  opensslOk(['dsaparam', '-out', dir.file('dsa-params.pem'), '2048']);
});
afterAll(() => dir.remove());

const KINDS = [
  { name: 'ed448', newkey: ['-newkey', 'ed448'], type: 'Ed448', bits: 456, summary: 'Ed448 (456 bits)', algorithm: 'ED448', note: /ed448 scheme/ },
  {
    name: 'rsa-pss',
    newkey: ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'],
    type: 'RSA-PSS',
    bits: 2048,
    summary: 'RSA-PSS 2048 bits',
    // openssl req signs with the longest salt the key allows: 256 - 32 - 2 bytes.
    algorithm: 'RSASSA-PSS (SHA256, MGF1 with SHA256, salt 222 bytes)',
    note: /rsa_pss_pss_/,
  },
  { name: 'dsa', newkey: ['-newkey', 'dsa:DSA'], type: 'DSA', bits: 2048, summary: 'DSA 2048 bits (q: 224 bits)', algorithm: 'dsa_with_SHA256', note: /DHE-DSS/ },
  {
    name: 'brainpool',
    newkey: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:brainpoolP256r1'],
    type: 'EC',
    bits: 256,
    summary: 'EC brainpoolP256r1 (256 bits)',
    algorithm: 'ecdsa-with-SHA256',
    note: /not one of the NIST curves/,
  },
] as const;

function newkeyArgs(kind: (typeof KINDS)[number]): string[] {
  return kind.newkey.map((arg) => (arg === 'dsa:DSA' ? `dsa:${dir.file('dsa-params.pem')}` : arg));
}

/** A self-signed CA of this kind and a P-256 leaf for www.bank32.com that it signed. */
function makePair(kind: (typeof KINDS)[number]): { ca: string; leaf: string } {
  const ca = dir.file(`${kind.name}-ca.pem`);
  const caKey = dir.file(`${kind.name}-ca.key`);
  opensslOk(['req', '-x509', ...newkeyArgs(kind), '-nodes', '-keyout', caKey, '-out', ca, '-subj', `/CN=${kind.name} root`, '-days', '30']);
  const csr = dir.file(`${kind.name}-leaf.csr`);
  opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', dir.file(`${kind.name}-leaf.key`), '-subj', '/CN=www.bank32.com', '-out', csr]);
  const ext = dir.file(`${kind.name}.ext`, 'subjectAltName=DNS:www.bank32.com\nbasicConstraints=CA:FALSE\n');
  const leaf = dir.file(`${kind.name}-leaf.pem`);
  opensslOk(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-days', '10', '-extfile', ext, '-out', leaf]);
  return { ca, leaf };
}

const der = (file: string) => readDerOrPem(readFileSync(file), ['CERTIFICATE'], 'certificate');

describe('certificates with keys the workbench does not make', () => {
  for (const kind of KINDS) {
    it(`${kind.name}: named with its size, its self-signature checked, and a leaf it signed verifies as openssl says`, () => {
      const { ca, leaf } = makePair(kind);
      const inspection = inspect(readFileSync(ca));
      expect(inspection.publicKey).toMatchObject({ type: kind.type, bits: kind.bits, summary: kind.summary });
      expect(inspection.publicKey.notes.join(' ')).toMatch(kind.note);
      expect(inspection.signatureAlgorithm).toBe(kind.algorithm);
      expect(inspection.signatureValid).toBe(true);
      expect(inspection.fields.find((f) => f.label === 'Signature')?.value).toContain('verified with its own key');

      const session = describeCertificate(der(ca));
      expect(session.publicKey).toMatchObject({ type: kind.type, bits: kind.bits });

      expect(openssl(['verify', '-CAfile', ca, leaf]).status).toBe(0);
      const result = verifyCertificate(der(leaf), { trustAnchors: [der(ca)], hostname: 'www.bank32.com' });
      expect(result.checks.find((c) => c.name === 'signature' && c.certificateIndex === 0)).toMatchObject({ ok: true });
      expect(result.ok).toBe(true);
    });
  }

  it('a leaf signed with SHA-3 (RSA and ECDSA) verifies, and a tampered one does not', () => {
    for (const [name, keyArgs, algorithm] of [
      ['sha3-rsa', ['-newkey', 'rsa:2048'], 'RSA-SHA3-256'],
      ['sha3-ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ecdsa_with_SHA3-256'],
    ] as const) {
      const caKey = dir.file(`${name}.key`);
      const ca = dir.file(`${name}.pem`);
      opensslOk(['req', '-x509', ...keyArgs, '-sha3-256', '-nodes', '-keyout', caKey, '-out', ca, '-subj', `/CN=${name}`, '-days', '30']);
      const inspection = inspect(readFileSync(ca));
      expect(inspection.signatureAlgorithm).toBe(algorithm);
      expect(inspection.signatureValid).toBe(true);
      const tampered = der(ca).slice();
      // One byte of the CN in both issuer and subject (so it stays self-issued): the signed bytes
      // change, the signature does not.
      for (let at = Buffer.from(tampered).indexOf(Buffer.from(name)); at >= 0; at = Buffer.from(tampered).indexOf(Buffer.from(name), at + 1)) {
        tampered[at + name.length - 1] ^= 0x01;
      }
      const other = dir.file(`${name}-tampered.der`, tampered);
      expect(inspect(readFileSync(other)).signatureValid).toBe(false);
    }
  });

  it('a CSR with an Ed448 or DSA key opens in the inspector, its signature checked', () => {
    for (const kind of [KINDS[0], KINDS[2]]) {
      const csr = dir.file(`${kind.name}-own.csr`);
      opensslOk(['req', '-new', ...newkeyArgs(kind), '-nodes', '-keyout', dir.file(`${kind.name}-own.key`), '-subj', '/CN=requester', '-out', csr]);
      const inspection = inspect(readFileSync(csr));
      expect(inspection.kind).toBe('csr');
      expect(inspection.publicKey.summary).toBe(kind.summary);
      expect(inspection.fields.find((f) => f.label === 'Signature')?.value).toContain('verifies with the key inside');
    }
  });
});
