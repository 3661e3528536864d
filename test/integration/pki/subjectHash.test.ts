import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerHash, subjectHash, subjectHashOld } from '../../../src-main/pki/subjectHash.js';
import { makeTempDir, opensslOk, type TempDir } from './openssl.js';

// Each case is a certificate made by `openssl req -x509` with a tricky subject; OpenSSL's own
// `x509 -subject_hash` / `-subject_hash_old` are the expected answers.
interface NameCase {
  title: string;
  subject: string;
  /** Extra `openssl req` flags, e.g. -utf8, -multivalue-rdn. */
  flags?: string[];
  /** string_mask for the request config: utf8only (UTF8String everywhere) or default (Printable/T61/BMP/IA5). */
  stringMask?: 'utf8only' | 'default' | 'pkix' | 'nombstr';
}

const cases: NameCase[] = [
  { title: 'mixed case', subject: '/C=US/O=Model CA LTD./CN=www.ModelCA.COM' },
  { title: 'runs of inner spaces', subject: '/CN=Hello     World/O=A  B   C' },
  { title: 'leading and trailing spaces', subject: '/CN=   padded name   /OU=  x' },
  { title: 'a tab and a newline inside a value', subject: '/CN=tab\there/O=line\nbreak  end', stringMask: 'default' },
  { title: 'PrintableString values', subject: '/C=DE/O=Printable Org/CN=Mixed CASE  Name', stringMask: 'default' },
  { title: 'IA5String email address', subject: '/CN=Mail/emailAddress=Student@Example.ORG', stringMask: 'default' },
  { title: 'UTF8String non-ASCII (-utf8)', subject: '/CN=Ünïcödé Straße/O=東京 大学/L=ÅÄÖ', flags: ['-utf8'] },
  { title: 'T61String Latin-1 (-utf8, string_mask default)', subject: '/CN=Ärger ÉCOLE/O=Plain', flags: ['-utf8'], stringMask: 'default' },
  { title: 'BMPString (-utf8, string_mask pkix)', subject: '/CN=Äpfel  und  BIRNEN/O=東京', flags: ['-utf8'], stringMask: 'pkix' },
  { title: 'non-ASCII bytes read as Latin-1 (no -utf8)', subject: '/CN=Grüße AUS Köln' },
  {
    title: 'multi-valued RDNs',
    subject: '/C=US/OU=Lab  Group+CN=Mixed Case+O=Second Org/L=Town',
    flags: ['-multivalue-rdn'],
  },
  {
    title: 'multi-valued RDN with PrintableString and IA5String',
    subject: '/CN=Zed+emailAddress=ZED@EXAMPLE.COM+C=GB',
    flags: ['-multivalue-rdn'],
    stringMask: 'default',
  },
  { title: 'an empty subject', subject: '/' },
  { title: 'a single character', subject: '/CN=A' },
  { title: 'only spaces', subject: '/CN=     /O=x' },
];

let dir: TempDir;

beforeAll(() => {
  dir = makeTempDir('tlslab-subject-hash-');
  opensslOk(['genpkey', '-algorithm', 'ed25519', '-out', dir.file('key.pem')]);
});

afterAll(() => dir.remove());

function makeCertificate(index: number, nameCase: NameCase): { der: Uint8Array; path: string } {
  const config = dir.file(
    `req-${index}.cnf`,
    `[req]\ndistinguished_name = dn\nstring_mask = ${nameCase.stringMask ?? 'utf8only'}\n[dn]\n`,
  );
  const path = dir.file(`cert-${index}.der`);
  opensslOk([
    'req', '-config', config, '-x509', '-new', '-key', dir.file('key.pem'), '-days', '1',
    '-subj', nameCase.subject, ...(nameCase.flags ?? []), '-outform', 'DER', '-out', path,
  ]);
  return { der: new Uint8Array(readFileSync(path)), path };
}

function opensslHashes(path: string): { hash: string; old: string; issuer: string } {
  const [hash, old, issuer] = opensslOk(['x509', '-inform', 'DER', '-in', path, '-noout', '-subject_hash', '-subject_hash_old', '-issuer_hash'])
    .trim()
    .split('\n');
  return { hash, old, issuer };
}

describe('subjectHash equals `openssl x509 -subject_hash` on tricky names', () => {
  cases.forEach((nameCase, index) => {
    it(`${nameCase.title}: ${JSON.stringify(nameCase.subject)}`, () => {
      const { der, path } = makeCertificate(index, nameCase);
      const expected = opensslHashes(path);
      expect(expected.hash).toMatch(/^[0-9a-f]{8}$/);
      expect(subjectHash(der)).toBe(expected.hash);
      expect(subjectHashOld(der)).toBe(expected.old);
      expect(issuerHash(der)).toBe(expected.issuer);
    });
  });

  it('names differing only in case and spacing share the new hash but not the old one', () => {
    const a = makeCertificate(100, { title: 'a', subject: '/O=Lab/CN=Same Name' });
    const b = makeCertificate(101, { title: 'b', subject: '/O=LAB/CN=  same    NAME ' });
    expect(subjectHash(a.der)).toBe(subjectHash(b.der));
    expect(subjectHashOld(a.der)).not.toBe(subjectHashOld(b.der));
    expect(subjectHash(a.der)).toBe(opensslHashes(b.path).hash);
  });

  it('a multi-valued RDN stored out of DER order hashes as OpenSSL sorts it', () => {
    // OU (2.5.4.11) and CN (2.5.4.3) values of equal length: swapping them keeps every length
    // and leaves a SET whose members are not in DER order; OpenSSL re-sorts when it canonicalises.
    const { der } = makeCertificate(102, { title: 'swap', subject: '/OU=a+CN=b', flags: ['-multivalue-rdn'] });
    const cn = Buffer.from('300806035504030c0162', 'hex');
    const ou = Buffer.from('3008060355040b0c0161', 'hex');
    const bytes = Buffer.from(der);
    const sorted = Buffer.concat([cn, ou]);
    let at = bytes.indexOf(sorted);
    expect(at).toBeGreaterThan(0);
    while (at >= 0) {
      Buffer.concat([ou, cn]).copy(bytes, at);
      at = bytes.indexOf(sorted, at + 1);
    }
    const path = dir.file('unsorted.der', bytes);
    const expected = opensslHashes(path);
    expect(subjectHash(bytes)).toBe(expected.hash);
    expect(subjectHashOld(bytes)).toBe(expected.old);
  });
});
