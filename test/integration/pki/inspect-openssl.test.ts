// What `tlslab cert show` and the Inspector show (pki/inspect.ts) agrees, value for value, with
// `openssl x509 -noout -text` on unusual certificates made by openssl itself: EdDSA and RSA-PSS
// keys, P-384/P-521, odd serials, far-future dates, non-ASCII and empty names, and the less common
// extensions. Wording may differ; values may not.
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Inspection, inspect } from '../../../src-main/pki/inspect.js';
import { ipToBytes } from '../../../src-main/pki/names.js';
import { readDerOrPem } from '../../../src-main/pki/pem.js';
import { verifyCertificate } from '../../../src-main/pki/verify.js';
import { makeTempDir, openssl, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
const made: Record<string, string> = {};

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

function selfSigned(name: string, args: string[], config = '/dev/null'): string {
  const path = dir.file(`${name}.pem`);
  opensslOk(['req', '-x509', '-nodes', '-config', config, '-days', '30', '-keyout', dir.file(`${name}.key`), '-out', path, ...args]);
  made[name] = path;
  return path;
}

/** `openssl ca` writes the dates it is given, even 99991231235959Z and dates before 1950. */
function withDates(name: string, start: string, end: string): string {
  const config = dir.file(
    `${name}-ca.cnf`,
    [
      '[ca]', 'default_ca = c', '[c]', `dir = ${dir.path}/${name}-ca`, 'database = $dir/index.txt', 'serial = $dir/serial',
      'new_certs_dir = $dir', 'default_md = sha256', 'policy = p', 'unique_subject = no', '[p]', 'commonName = supplied',
    ].join('\n'),
  );
  mkdirSync(`${dir.path}/${name}-ca`);
  dir.file(`${name}-ca/index.txt`, '');
  dir.file(`${name}-ca/serial`, '1000\n');
  opensslOk(['req', '-nodes', '-config', '/dev/null', ...EC, '-keyout', dir.file(`${name}.key`), '-subj', `/CN=${name}.test`, '-out', dir.file(`${name}.csr`)]);
  const path = dir.file(`${name}.pem`);
  opensslOk(['ca', '-batch', '-config', config, '-selfsign', '-keyfile', dir.file(`${name}.key`), '-in', dir.file(`${name}.csr`), '-startdate', start, '-enddate', end, '-out', path]);
  made[name] = path;
  return path;
}

beforeAll(() => {
  dir = makeTempDir('tlslab-inspect-openssl-');
  selfSigned('ed25519', ['-newkey', 'ed25519', '-subj', '/CN=ed25519.test']);
  selfSigned('ed448', ['-newkey', 'ed448', '-subj', '/CN=ed448.test']);
  selfSigned('rsa-pss-key', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-subj', '/CN=pss-key.test']);
  selfSigned('rsa-pss-sig', ['-newkey', 'rsa:2048', '-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-subj', '/CN=pss-sig.test']);
  selfSigned('rsa-pss-mgf1-sha1', ['-newkey', 'rsa:2048', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_mgf1_md:sha1', '-sigopt', 'rsa_pss_saltlen:20', '-subj', '/CN=pss-mgf.test']);
  opensslOk(['dsaparam', '-out', dir.file('dsa.params'), '2048']);
  selfSigned('dsa', ['-newkey', `dsa:${dir.file('dsa.params')}`, '-subj', '/CN=dsa.test']);
  selfSigned('p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384', '-subj', '/CN=p384.test']);
  selfSigned('p521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521', '-sha512', '-subj', '/CN=p521.test']);
  selfSigned('serial-high-bit', [...EC, '-subj', '/CN=serial.test', '-set_serial', '0xFF0102030405060708090A0B0C0D0E0F10111213']);
  selfSigned('serial-zero', [...EC, '-subj', '/CN=serial0.test', '-set_serial', '0']);
  selfSigned('serial-negative', [...EC, '-subj', '/CN=negative.test', '-set_serial', '-0x1234']);
  selfSigned('empty-subject', [...EC, '-subj', '/', '-addext', 'subjectAltName=critical,DNS:empty.lab.test']);
  const bmp = dir.file('bmp.cnf', '[req]\ndistinguished_name = dn\nprompt = no\nstring_mask = default\nutf8 = yes\n[dn]\nCN = Ωmega 日本\nO = Plain Org\n');
  selfSigned('bmp-subject', EC, bmp);
  const everything = dir.file(
    'everything.cnf',
    [
      '[req]', 'distinguished_name = dn', 'prompt = no', 'string_mask = utf8only', 'utf8 = yes', 'x509_extensions = v3',
      '[dn]', 'CN = Zoë Łódź 日本', 'O = Ünïcode Lab',
      '[v3]',
      'basicConstraints = critical,CA:TRUE,pathlen:2',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'nameConstraints = critical,permitted;DNS:.lab.test,permitted;IP:10.0.0.0/255.0.0.0,permitted;IP:fd00::/ffff:ff00::,excluded;email:.bad.test,excluded;URI:.evil.test',
      'certificatePolicies = 2.23.140.1.2.1,@pol',
      'authorityInfoAccess = OCSP;URI:http://ocsp.lab.test/,caIssuers;URI:http://ca.lab.test/ca.crt',
      'crlDistributionPoints = URI:http://crl.lab.test/lab.crl,URI:ldap://ldap.lab.test/cn=crl',
      'subjectAltName = IP:192.0.2.7,IP:2001:db8::1:0:0:1,email:zoe@lab.test,URI:https://lab.test/path?q=1,DNS:www.lab.test,RID:1.2.3.4,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@lab.test',
      '1.3.6.1.4.1.99999.1 = ASN1:UTF8String:private value',
      '1.3.6.1.4.1.99999.2 = critical,DER:01020304',
      'policyConstraints = requireExplicitPolicy:1,inhibitPolicyMapping:2',
      'inhibitAnyPolicy = 3',
      '[pol]', 'policyIdentifier = 1.3.6.1.4.1.99999.10', 'CPS.1 = "http://cps.lab.test/"', 'userNotice.1 = @notice',
      '[notice]', 'explicitText = "UTF8:Notice text é"', 'organization = "Lab Org"', 'noticeNumbers = 1,2',
    ].join('\n'),
  );
  selfSigned('everything', EC, everything);
  withDates('until-9999', '20250101000000Z', '99991231235959Z');
  withDates('generalized-times', '19491231235959Z', '20500101000000Z');
});
afterAll(() => dir.remove());

function opensslText(path: string): string {
  return opensslOk(['x509', '-in', path, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space']);
}

/** The colon-hex block that follows `heading` in openssl's -text output, as plain lowercase hex. */
function hexBlockAfter(text: string, heading: RegExp): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  expect(start, `openssl -text has no ${heading}`).toBeGreaterThanOrEqual(0);
  let hex = '';
  // RSA-PSS puts its parameters between the heading and the bytes.
  for (const line of lines.slice(start + 1)) {
    const isHex = /^\s+([0-9a-f]{2}:)*[0-9a-f]{2}:?\s*$/i.test(line);
    if (!isHex && hex !== '') break;
    if (isHex) hex += line.replace(/[\s:]/g, '');
  }
  return hex.toLowerCase();
}

function plainHex(colonHex: string): string {
  return colonHex.replace(/[\s:]/g, '').toLowerCase();
}

function field(inspection: Inspection, label: string) {
  const found = inspection.fields.find((f) => f.label === label);
  expect(found, `no field ${label}`).toBeDefined();
  return found!;
}

function extension(inspection: Inspection, oid: string) {
  const found = inspection.extensions.find((e) => e.oid === oid);
  expect(found, `no extension ${oid}`).toBeDefined();
  return found!;
}

/** The fields every certificate has, compared with what openssl prints for them. */
function agreesOnTheBasics(name: string): { ours: Inspection; text: string } {
  const path = made[name];
  const ours = inspect(readFileSync(path, 'utf8'));
  const text = opensslText(path);
  const one = (args: string[]) => opensslOk(['x509', '-in', path, '-noout', '-nameopt', 'utf8,sep_comma_plus_space', ...args]).trim();

  expect(field(ours, 'Version').value).toBe(`v${/Version: (\d)/.exec(text)![1]}`);
  expect(plainHex(ours.serialNumber!)).toBe(one(['-serial']).split('=')[1].toLowerCase());
  expect(ours.subject).toBe(one(['-subject']).replace(/^subject=/, ''));
  expect(ours.issuer).toBe(one(['-issuer']).replace(/^issuer=/, ''));
  const [notBefore, notAfter] = one(['-dates']).split('\n').map((line) => new Date(line.split('=')[1]).toISOString());
  expect([ours.notBefore, ours.notAfter]).toEqual([notBefore, notAfter]);
  expect(ours.fingerprints.sha256).toBe(one(['-fingerprint', '-sha256']).split('=')[1]);

  const bits = /Public-Key: \((\d+) bit\)/.exec(text);
  if (bits) expect(ours.publicKey.bits).toBe(Number(bits[1]));
  const curve = /NIST CURVE: (\S+)/.exec(text);
  if (curve) expect(ours.publicKey.curve).toBe(curve[1]);
  const keyHex = hexBlockAfter(text, /^\s+(pub|Modulus):\s*$/);
  expect(plainHex(ours.publicKey.publicValue ?? '')).toBe(keyHex);
  expect(field(ours, 'Public key').details?.join(' ')).toContain(ours.publicKey.publicValue!.slice(0, 47));
  const exponent = /Exponent: (\d+)/.exec(text);
  if (exponent) expect(ours.publicKey.exponent).toBe(exponent[1]);

  const signatureText = text.slice(text.lastIndexOf('Signature Algorithm:'));
  const signatureLines = field(ours, 'Signature').details ?? [];
  /** Our hex lines after `label`, up to the next label. */
  const ourBlock = (label: string) => {
    const start = signatureLines.indexOf(label);
    expect(start, `no ${label} in our signature`).toBeGreaterThanOrEqual(0);
    const end = signatureLines.findIndex((line, i) => i > start && line.endsWith(':'));
    return plainHex(signatureLines.slice(start + 1, end < 0 ? undefined : end).join(''));
  };
  if (/Signature Value:\n\s+r:/.test(signatureText)) {
    // OpenSSL shows a DSA signature as its two integers.
    expect(ourBlock('r:')).toBe(hexBlockAfter(signatureText, /^\s+r:\s*$/));
    expect(ourBlock('s:')).toBe(hexBlockAfter(signatureText, /^\s+s:\s*$/));
  } else {
    expect(ourBlock('Value:')).toBe(hexBlockAfter(signatureText, /Signature Value:/));
  }
  expect(ours.signatureValid).toBe(true);
  return { ours, text };
}

describe('the basics agree with openssl x509 -text', () => {
  it.each([
    ['ed25519', 'ED25519', 'Ed25519'],
    ['ed448', 'ED448', 'Ed448'],
    ['p384', 'ecdsa-with-SHA384', 'EC'],
    ['p521', 'ecdsa-with-SHA512', 'EC'],
  ])('%s: key, signature and algorithm', (name, algorithm, type) => {
    const { ours, text } = agreesOnTheBasics(name);
    expect(ours.signatureAlgorithm).toBe(algorithm);
    expect(text).toContain(`Signature Algorithm: ${algorithm}`);
    expect(ours.publicKey.type).toBe(type);
  });

  it('dsa: the public value and the domain parameters P, Q and G', () => {
    const { ours, text } = agreesOnTheBasics('dsa');
    expect(ours.signatureAlgorithm).toBe('dsa_with_SHA256');
    expect(ours.publicKey.domainParameters?.map((p) => [p.label, plainHex(p.value)])).toEqual(
      ['P', 'Q', 'G'].map((label) => [label, hexBlockAfter(text, new RegExp(`^\\s+${label}:\\s*$`))]),
    );
  });

  it.each(['rsa-pss-key', 'rsa-pss-sig', 'rsa-pss-mgf1-sha1'])('%s: the PSS hash, mask hash and salt length are openssl\'s', (name) => {
    const { ours, text } = agreesOnTheBasics(name);
    const hash = /Hash Algorithm: (\w+)/.exec(text)![1];
    const mgf = /Mask Algorithm: mgf1 with (\w+)/.exec(text)![1];
    const salt = parseInt(/Salt Length: 0x([0-9A-F]+)/i.exec(text)![1], 16);
    expect(ours.signatureAlgorithm).toBe(`RSASSA-PSS (${hash.toUpperCase()}, MGF1 with ${mgf.toUpperCase()}, salt ${salt} bytes)`);
  });

  it('an RSA-PSS key without parameter restrictions says so, as openssl does', () => {
    const { ours, text } = agreesOnTheBasics('rsa-pss-key');
    expect(text).toContain('No PSS parameter restrictions');
    expect(ours.publicKey.notes.join(' ')).toContain('No PSS parameter restrictions');
  });

  it('a certificate signed with PSS whose MGF1 hash differs from its message hash verifies, as with openssl; a changed byte does not', () => {
    const ca = selfSigned('pss-ca', ['-newkey', 'rsa:2048', '-subj', '/CN=PSS Lab CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    opensslOk(['req', '-nodes', '-config', '/dev/null', ...EC, '-keyout', dir.file('pss-leaf.key'), '-subj', '/CN=pss-leaf.test', '-out', dir.file('pss-leaf.csr')]);
    const leaf = dir.file('pss-leaf.pem');
    opensslOk([
      'x509', '-req', '-in', dir.file('pss-leaf.csr'), '-CA', ca, '-CAkey', dir.file('pss-ca.key'), '-set_serial', '7', '-days', '30', '-sha256',
      '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_mgf1_md:sha1', '-sigopt', 'rsa_pss_saltlen:20', '-out', leaf,
    ]);
    expect(opensslText(leaf)).toContain('Mask Algorithm: mgf1 with sha1');
    expect(openssl(['verify', '-CAfile', ca, leaf]).stdout).toContain(': OK');
    const anchor = readDerOrPem(readFileSync(ca, 'utf8'), ['CERTIFICATE'], 'certificate');
    const der = readDerOrPem(readFileSync(leaf, 'utf8'), ['CERTIFICATE'], 'certificate');
    const result = verifyCertificate(der, { trustAnchors: [anchor] });
    expect(result.checks.find((check) => check.name === 'signature')?.ok).toBe(true);
    expect(result.ok).toBe(true);
    const tampered = Uint8Array.from(der);
    tampered[tampered.length - 10] ^= 0x01;
    expect(verifyCertificate(tampered, { trustAnchors: [anchor] }).failed?.name).toBe('signature');
  });

  it('a 20-byte serial with the high bit set, a serial of 0 and a negative serial read as openssl reads them', () => {
    expect(agreesOnTheBasics('serial-high-bit').ours.serialNumber).toBe('FF:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13');
    expect(agreesOnTheBasics('serial-zero').ours.serialNumber).toBe('00');
    const negative = agreesOnTheBasics('serial-negative');
    expect(negative.text).toContain('Serial Number: -4660 (-0x1234)');
    expect(negative.ours.serialNumber).toBe('-12:34');
    expect(field(negative.ours, 'Serial number').value).toMatch(/^-12:34 \(negative: RFC 5280 requires a positive serial/);
  });

  it('dates as GeneralizedTime: 99991231235959Z, 2050 and before 1950', () => {
    expect(agreesOnTheBasics('until-9999').ours.notAfter).toBe('9999-12-31T23:59:59.000Z');
    const generalized = agreesOnTheBasics('generalized-times').ours;
    expect([generalized.notBefore, generalized.notAfter]).toEqual(['1949-12-31T23:59:59.000Z', '2050-01-01T00:00:00.000Z']);
  });

  it('names: a BMPString, UTF8String non-ASCII, and an empty subject with a critical SAN', () => {
    expect(agreesOnTheBasics('bmp-subject').ours.subject).toBe('CN=Ωmega 日本, O=Plain Org');
    expect(opensslOk(['asn1parse', '-in', made['bmp-subject']])).toContain('BMPSTRING');
    expect(agreesOnTheBasics('everything').ours.subject).toBe('CN=Zoë Łódź 日本, O=Ünïcode Lab');
    const empty = agreesOnTheBasics('empty-subject');
    expect(empty.ours.subject).toBe('');
    expect(empty.text).toMatch(/Subject Alternative Name: critical\n\s+DNS:empty\.lab\.test/);
    expect(extension(empty.ours, '2.5.29.17')).toMatchObject({ critical: true, value: 'DNS:empty.lab.test' });
  });
});

describe('extensions agree with openssl x509 -text', () => {
  let ours: Inspection;
  let text: string;
  beforeAll(() => {
    ({ ours, text } = agreesOnTheBasics('everything'));
  });

  /** The indented lines openssl prints under an extension's heading. */
  function opensslLines(heading: string): string[] {
    const lines = text.split('\n');
    const start = lines.findIndex((line) => line.trim().startsWith(heading));
    expect(start, `openssl -text has no ${heading}`).toBeGreaterThanOrEqual(0);
    const indent = lines[start].search(/\S/);
    const out: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (line.search(/\S/) <= indent) break;
      out.push(line.trim());
    }
    return out;
  }

  it('name constraints: the same subtrees (addresses with their masks)', () => {
    const theirs = opensslLines('X509v3 Name Constraints');
    expect(theirs).toEqual(['Permitted:', 'DNS:.lab.test', 'IP:10.0.0.0/255.0.0.0', 'IP:FD00:0:0:0:0:0:0:0/FFFF:FF00:0:0:0:0:0:0', 'Excluded:', 'email:.bad.test', 'URI:.evil.test']);
    expect(extension(ours, '2.5.29.30')).toMatchObject({ critical: true, decoded: true });
    expect(extension(ours, '2.5.29.30').details).toEqual([
      'Permitted: DNS:.lab.test',
      'Permitted: IP:10.0.0.0/8',
      'Permitted: IP:fd00::/24',
      'Excluded: email:.bad.test',
      'Excluded: URI:.evil.test',
    ]);
  });

  it('an address mask that is no prefix is shown whole, as openssl shows it, not as a prefix length of the same number of bits', () => {
    const path = selfSigned('odd-mask', [...EC, '-subj', '/CN=odd-mask', '-addext', 'nameConstraints=critical,permitted;IP:10.0.0.0/255.0.255.0,excluded;IP:192.168.0.0/255.255.0.0']);
    expect(opensslText(path)).toMatch(/Permitted:\n\s+IP:10\.0\.0\.0\/255\.0\.255\.0\n\s+Excluded:\n\s+IP:192\.168\.0\.0\/255\.255\.0\.0/);
    expect(extension(inspect(readFileSync(path, 'utf8')), '2.5.29.30').details).toEqual(['Permitted: IP:10.0.0.0/255.0.255.0', 'Excluded: IP:192.168.0.0/16']);
  });

  it('certificate policies: the CPS and every part of the user notice (organization, numbers, text)', () => {
    const theirs = opensslLines('X509v3 Certificate Policies');
    expect(theirs).toEqual([
      'Policy: 2.23.140.1.2.1',
      'Policy: 1.3.6.1.4.1.99999.10',
      'CPS: http://cps.lab.test/',
      'User Notice:',
      'Organization: Lab Org',
      'Numbers: 1, 2',
      'Explicit Text: Notice text é',
    ]);
    expect(extension(ours, '2.5.29.32').details).toEqual([
      'Policy: DV (domain validated) (2.23.140.1.2.1)',
      'Policy: 1.3.6.1.4.1.99999.10',
      '  CPS: http://cps.lab.test/',
      '  User notice:',
      '    Organization: Lab Org',
      '    Numbers: 1, 2',
      '    Explicit text: Notice text é',
    ]);
  });

  it('authority information access and CRL distribution points', () => {
    expect(opensslLines('Authority Information Access')).toEqual(['OCSP - URI:http://ocsp.lab.test/', 'CA Issuers - URI:http://ca.lab.test/ca.crt']);
    expect(extension(ours, '1.3.6.1.5.5.7.1.1').details).toEqual(['OCSP - http://ocsp.lab.test/', 'CA Issuers - http://ca.lab.test/ca.crt']);
    expect(opensslLines('X509v3 CRL Distribution Points').filter((line) => line !== 'Full Name:')).toEqual([
      'URI:http://crl.lab.test/lab.crl',
      'URI:ldap://ldap.lab.test/cn=crl',
    ]);
    expect(extension(ours, '2.5.29.31').details).toEqual(['URI:http://crl.lab.test/lab.crl', 'URI:ldap://ldap.lab.test/cn=crl']);
  });

  it('CRL distribution points with reasons, a CRL issuer and a relative name', () => {
    const config = dir.file(
      'crldp.cnf',
      [
        '[req]', 'distinguished_name = dn', 'prompt = no', 'x509_extensions = v3', '[dn]', 'CN = crldp.test',
        '[v3]', 'crlDistributionPoints = dp1, dp2',
        '[dp1]', 'fullname = URI:http://crl.lab.test/a.crl', 'reasons = keyCompromise, CACompromise', 'CRLissuer = dirName:issuer',
        '[dp2]', 'relativename = relative', 'reasons = superseded, AACompromise',
        '[issuer]', 'O = CRL Org', 'CN = CRL Issuer',
        '[relative]', 'CN = Relative CRL',
      ].join('\n'),
    );
    const path = selfSigned('crldp', EC, config);
    const theirs = opensslText(path);
    for (const line of ['Key Compromise, CA Compromise', 'DirName:O = CRL Org, CN = CRL Issuer', 'Relative Name:', 'CN = Relative CRL', 'Superseded, AA Compromise']) {
      expect(theirs).toContain(line);
    }
    expect(extension(inspect(readFileSync(path, 'utf8')), '2.5.29.31').details).toEqual([
      'URI:http://crl.lab.test/a.crl',
      'Reasons: Key Compromise, CA Compromise',
      'CRL issuer: DirName:O=CRL Org, CN=CRL Issuer',
      'Relative name: CN=Relative CRL',
      'Reasons: Superseded, AA Compromise',
    ]);
  });

  it('freshest CRL, subject information access, OCSP no check and the Netscape cert type are decoded', () => {
    const path = selfSigned('misc-extensions', [
      ...EC, '-subj', '/CN=misc', '-addext', 'freshestCRL=URI:http://delta.lab.test/d.crl', '-addext', 'subjectInfoAccess=caRepository;URI:http://repo.lab.test/',
      '-addext', 'noCheck=ignored', '-addext', 'nsCertType=server,client', '-addext', 'policyMappings=1.2.3.4:1.2.3.5',
    ]);
    const theirs = opensslText(path);
    for (const line of ['X509v3 Freshest CRL', 'URI:http://delta.lab.test/d.crl', 'CA Repository - URI:http://repo.lab.test/', 'OCSP No Check', 'SSL Client, SSL Server', '1.2.3.4:1.2.3.5']) {
      expect(theirs).toContain(line);
    }
    const mine = inspect(readFileSync(path, 'utf8'));
    expect(extension(mine, '2.5.29.46')).toMatchObject({ label: 'Freshest CRL', value: 'URI:http://delta.lab.test/d.crl', decoded: true });
    expect(extension(mine, '1.3.6.1.5.5.7.1.11')).toMatchObject({ label: 'Subject Information Access', value: 'CA Repository - http://repo.lab.test/', decoded: true });
    expect(extension(mine, '1.3.6.1.5.5.7.48.1.5')).toMatchObject({ label: 'OCSP No Check', decoded: true });
    expect(extension(mine, '2.16.840.1.113730.1.1')).toMatchObject({ label: 'Netscape Cert Type', value: 'SSL Client, SSL Server', decoded: true });
    expect(extension(mine, '2.5.29.33')).toMatchObject({ label: 'Policy Mappings', value: '1.2.3.4 maps to 1.2.3.5', decoded: true });
  });

  it('subject alternative names: IPv4 and IPv6 addresses, email, URI, DNS, registered ID and the otherName value', () => {
    const theirs = opensslLines('X509v3 Subject Alternative Name')[0].split(', ');
    const mine = extension(ours, '2.5.29.17').details!;
    expect(mine).toHaveLength(theirs.length);
    theirs.forEach((entry, i) => {
      if (entry.startsWith('IP Address:')) {
        expect(mine[i]).toMatch(/^IP:/);
        expect(Buffer.from(ipToBytes(mine[i].slice(3)))).toEqual(Buffer.from(ipToBytes(entry.slice('IP Address:'.length))));
      } else if (entry.startsWith('Registered ID:')) {
        expect(mine[i]).toBe(`RID:${entry.slice('Registered ID:'.length)}`);
      } else if (entry.startsWith('othername:')) {
        expect(entry).toBe('othername: UPN::upn@lab.test');
        expect(mine[i]).toBe('othername:UPN (Microsoft user principal name) (1.3.6.1.4.1.311.20.2.3):upn@lab.test');
      } else {
        expect(mine[i]).toBe(entry);
      }
    });
  });

  it('policy constraints and inhibit any policy are decoded with their numbers', () => {
    expect(opensslLines('X509v3 Policy Constraints')).toEqual(['Require Explicit Policy:1, Inhibit Policy Mapping:2']);
    expect(extension(ours, '2.5.29.36')).toMatchObject({ label: 'Policy Constraints', value: 'Require Explicit Policy: 1, Inhibit Policy Mapping: 2', decoded: true });
    expect(opensslLines('X509v3 Inhibit Any Policy')).toEqual(['3']);
    expect(extension(ours, '2.5.29.54')).toMatchObject({ label: 'Inhibit Any Policy', value: '3', decoded: true });
  });

  it('unknown private extensions: the same bytes, the text of a string value, critical flagged', () => {
    // openssl dumps the DER bytes, tag and length as dots or control characters.
    expect(opensslLines('1.3.6.1.4.1.99999.1')[0]).toMatch(/^\.\s*private value$/);
    expect(extension(ours, '1.3.6.1.4.1.99999.1')).toMatchObject({ decoded: false, critical: false, rawHex: '0c0d707269766174652076616c7565', details: ['As text: private value'] });
    expect(text).toMatch(/1\.3\.6\.1\.4\.1\.99999\.2: critical/);
    expect(extension(ours, '1.3.6.1.4.1.99999.2')).toMatchObject({ decoded: false, critical: true, rawHex: '01020304' });
  });
});
