import { beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, createRootCa, issueCertificate } from '../../../src-main/pki/certificates.js';
import { createCsr } from '../../../src-main/pki/csr.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import { type Asn1TreeNode, asn1Tree, inspect, timeLeft } from '../../../src-main/pki/inspect.js';
import { subjectHash, subjectHashOld } from '../../../src-main/pki/subjectHash.js';

function pkiError(action: () => unknown): PkiError {
  try {
    action();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}

let ca: CertificateAuthority;
let leafDer: Uint8Array;
beforeAll(async () => {
  ca = await createRootCa({ subject: { O: 'Lab', CN: 'Inspector CA' }, key: 'ec:P-256', pathLength: 0 });
  leafDer = (await issueCertificate(ca, { subject: { CN: 'www.bank32.com' }, subjectAltNames: 'DNS:www.bank32.com,IP:::1', key: 'rsa:2048' })).certificate;
});

describe('what is left of a validity', () => {
  it('counts days as a person does, and hours near the end', () => {
    const HOUR = 3_600_000;
    // Issued for 365 days an hour ago (the start is set back for clocks behind): a year left, not 364 days.
    expect(timeLeft(365 * 24 * HOUR - HOUR)).toBe('365 more days');
    expect(timeLeft(2 * 24 * HOUR)).toBe('2 more days');
    expect(timeLeft(47.5 * HOUR)).toBe('47 more hours');
    expect(timeLeft(1.2 * HOUR)).toBe('1 more hour');
    expect(timeLeft(0.5 * HOUR)).toBe('less than an hour more');
  });
});

describe('inspecting a certificate', () => {
  it('lists the fields with explanations and the byte range of each', () => {
    const result = inspect(leafDer, new Date());
    expect(result.summary).toMatch(/^Certificate for CN=www\.bank32\.com, issued by O=Lab, CN=Inspector CA, valid for 365 more days$/);
    expect(result.fields.map((field) => field.label)).toEqual([
      'Version', 'Serial number', 'Signature algorithm', 'Issuer', 'Validity', 'Subject', 'Public key', 'Signature',
    ]);
    for (const field of result.fields) {
      expect(field.explanation.length).toBeGreaterThan(30);
      expect(field.range).toBeDefined();
    }
    const serial = result.fields[1];
    const serialBytes = leafDer.subarray(serial.range!.offset, serial.range!.offset + serial.range!.length);
    expect(serialBytes[0]).toBe(0x02); // the INTEGER tag of the serial
    expect(Buffer.from(serialBytes.subarray(2)).toString('hex').toUpperCase()).toBe(result.serialNumber!.replace(/:/g, ''));
    expect(result.publicKey).toMatchObject({ type: 'RSA', bits: 2048, exponent: '65537' });
    expect(result.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(result.signatureValid).toBeNull(); // issued by another key: needs the issuer
    expect(result.subjectHash).toBe(subjectHash(leafDer));
    expect(result.subjectHashOld).toBe(subjectHashOld(leafDer));
    expect(result.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
  });

  it('decodes the extensions the workbench writes', () => {
    const result = inspect(leafDer);
    expect(result.extensions.map((extension) => [extension.label, extension.value])).toEqual([
      ['Basic Constraints', 'CA:FALSE'],
      ['Key Usage', 'Digital Signature, Key Encipherment'],
      ['Extended Key Usage', 'TLS Web Server Authentication'],
      ['Subject Alternative Name', 'DNS:www.bank32.com, IP:::1'],
      ['Subject Key Identifier', expect.stringMatching(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/)],
      ['Authority Key Identifier', expect.stringMatching(/^keyid:/)],
    ]);
    const caResult = inspect(ca.certificate);
    expect(caResult.extensions[0].value).toBe('CA:TRUE, pathlen:0');
    expect(caResult.signatureValid).toBe(true);
    expect(caResult.summary).toMatch(/issued by itself/);
  });

  it('says when a certificate has expired, for the moment asked', () => {
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(inspect(leafDer, later).fields.find((field) => field.label === 'Validity')?.value).toMatch(/\(EXPIRED\)$/);
  });

  it('builds an ASN.1 tree whose offsets nest and cover the whole certificate', () => {
    const tree = inspect(leafDer).asn1;
    expect(tree.offset).toBe(0);
    expect(tree.headerLength + tree.length).toBe(leafDer.length);
    expect(tree.value).toBe('Certificate');
    const check = (node: Asn1TreeNode) => {
      let next = node.offset + node.headerLength + (node.tag === 'BIT STRING' && node.encapsulates ? 1 : 0);
      for (const child of node.children) {
        expect(child.offset).toBe(next);
        next = child.offset + child.headerLength + child.length;
        check(child);
      }
      if (node.children.length > 0) expect(next).toBe(node.offset + node.headerLength + node.length);
    };
    check(tree);
    const tbs = tree.children[0];
    expect(tbs.value).toBe('tbsCertificate');
    const texts: string[] = [];
    const walk = (node: Asn1TreeNode) => {
      if (node.value) texts.push(node.value);
      node.children.forEach(walk);
    };
    walk(tree);
    expect(texts).toContain('commonName (2.5.4.3)');
    expect(texts).toContain('www.bank32.com');
    expect(texts).toContain('extension subjectAltName');
  });

  it('marks structures found inside OCTET STRINGs (extension values)', () => {
    const tree = asn1Tree(leafDer);
    const found: Asn1TreeNode[] = [];
    const walk = (node: Asn1TreeNode) => {
      if (node.encapsulates) found.push(node);
      node.children.forEach(walk);
    };
    walk(tree);
    expect(found.some((node) => node.tag === 'OCTET STRING')).toBe(true);
  });
});

describe('inspecting a CSR', () => {
  it('shows the requested subject, key, self-signature and extensions', async () => {
    const created = await createCsr({ subject: { CN: 'req.lab' }, subjectAltNames: 'DNS:req.lab', key: 'ed25519' });
    const result = inspect(created.pem);
    expect(result.kind).toBe('csr');
    expect(result.summary).toBe('Certificate signing request for CN=req.lab, Ed25519 (256 bits)');
    expect(result.signatureValid).toBe(true);
    expect(result.extensions.map((extension) => extension.value)).toEqual(['DNS:req.lab']);
    expect(inspect(created.csr).kind).toBe('csr');
    const range = result.extensions[0].range!;
    expect(created.csr[range.offset]).toBe(0x30);
  });
});

describe('inspecting bad input', () => {
  it('says plain text is not PEM', () => {
    expect(pkiError(() => inspect('just some text')).code).toBe('NOT_PEM');
  });

  it('says a truncated DER certificate is cut short', () => {
    const error = pkiError(() => inspect(leafDer.subarray(0, leafDer.length - 10)));
    expect(error.code).toBe('TRUNCATED_DER');
    expect(error.message).toMatch(/cut short/);
  });

  it('names what a PEM file holds when it is not a certificate', () => {
    const error = pkiError(() => inspect('-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n'));
    expect(error.message).toMatch(/holds "PRIVATE KEY"/);
  });
});
