// verifyCertificate names the check that fails, and agrees with `openssl verify` on the same
// files: the same verdict, the same failing check (mapped from OpenSSL's error text), at the same
// depth in the chain. Certificates come both from pki/certificates.ts and from openssl itself.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  certificatePem,
  createIntermediateCa,
  createRootCa,
  issueCertificate,
} from '../../../src-main/pki/certificates.js';
import { readDerOrPem } from '../../../src-main/pki/pem.js';
import { type VerifyCheckName, type VerifyOptions, type VerifyResult, verifyCertificate } from '../../../src-main/pki/verify.js';
import { makeTempDir, openssl, opensslOk, type TempDir } from './openssl.js';

let dir: TempDir;
let root: CertificateAuthority;
let intermediate: CertificateAuthority;
let otherRoot: CertificateAuthority;
let leafDer: Uint8Array;

const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  dir = makeTempDir('tlslab-verify-');
  root = await createRootCa({ subject: '/C=US/O=Model CA LTD./CN=Model Root CA', key: 'rsa:2048' });
  intermediate = await createIntermediateCa(root, { subject: '/O=Model CA LTD./CN=Model Issuing CA', key: 'ec:P-256' });
  otherRoot = await createRootCa({ subject: '/O=Somebody Else/CN=Other Root CA', key: 'ec:P-256' });
  const leaf = await issueCertificate(intermediate, {
    subject: { CN: 'www.bank32.com', O: 'Bank 32' },
    subjectAltNames: 'DNS:www.bank32.com,DNS:bank32.com,IP:127.0.0.1',
    key: 'ec:P-256',
  });
  leafDer = leaf.certificate;
});
afterAll(() => dir.remove());

function pemFile(name: string, ders: Uint8Array[]): string {
  return dir.file(name, ders.map(certificatePem).join(''));
}

function der(path: string): Uint8Array {
  return readDerOrPem(readFileSync(path), ['CERTIFICATE'], 'certificate');
}

interface OpensslVerdict {
  ok: boolean;
  check?: VerifyCheckName;
  depth?: number;
  message?: string;
}

/** OpenSSL's first verify error, as one of our check names. */
const OPENSSL_ERRORS: Array<[RegExp, VerifyCheckName]> = [
  [/certificate has expired|certificate is not yet valid/, 'validity'],
  [/unable to get (local )?issuer certificate|self[- ]signed certificate/, 'chain'],
  [/certificate signature failure/, 'signature'],
  [/invalid CA certificate/, 'ca-flag'],
  [/path length constraint exceeded/, 'path-length'],
  [/hostname mismatch|IP address mismatch/i, 'hostname'],
  [/unsuitable certificate purpose/, 'extended-key-usage'],
  [/(permitted|excluded) subtree violation/, 'name-constraints'],
  [/unhandled critical extension/, 'critical-extension'],
];

function opensslVerify(leaf: string, options: { anchors: string; untrusted?: string; host?: string; ip?: string; at?: Date; purpose?: string; partialChain?: boolean }): OpensslVerdict {
  const args = ['verify', '-CAfile', options.anchors];
  if (options.untrusted) args.push('-untrusted', options.untrusted);
  if (options.host) args.push('-verify_hostname', options.host);
  if (options.ip) args.push('-verify_ip', options.ip);
  if (options.at) args.push('-attime', String(Math.floor(options.at.getTime() / 1000)));
  if (options.purpose) args.push('-purpose', options.purpose);
  if (options.partialChain) args.push('-partial_chain');
  const result = openssl([...args, leaf]);
  const output = result.stdout + result.stderr;
  if (result.status === 0 && output.includes(': OK')) return { ok: true };
  const first = /error (\d+) at (\d+) depth lookup: ?(.*)/.exec(output);
  if (!first) throw new Error(`unexpected openssl verify output:\n${output}`);
  const message = first[3].trim();
  const check = OPENSSL_ERRORS.find(([pattern]) => pattern.test(message))?.[1];
  return { ok: false, check, depth: Number(first[2]), message };
}

interface Case {
  leaf: string;
  anchors: string;
  untrusted?: string;
  host?: string;
  at?: Date;
  purpose?: 'serverAuth' | 'clientAuth';
  partialChain?: boolean;
}

/** Runs both verifiers on the same files and expects the same verdict, check and depth. */
function bothAgree(c: Case): VerifyResult {
  const options: VerifyOptions = {
    trustAnchors: splitCerts(c.anchors),
    intermediates: c.untrusted ? splitCerts(c.untrusted) : [],
    hostname: c.host,
    at: c.at,
    purpose: c.purpose,
    partialChain: c.partialChain,
  };
  const ours = verifyCertificate(der(c.leaf), options);
  const isIp = c.host !== undefined && /^[\d.]+$|:/.test(c.host);
  const theirs = opensslVerify(c.leaf, {
    anchors: c.anchors,
    untrusted: c.untrusted,
    host: isIp ? undefined : c.host,
    ip: isIp ? c.host : undefined,
    at: c.at,
    purpose: c.purpose === 'serverAuth' ? 'sslserver' : c.purpose === 'clientAuth' ? 'sslclient' : undefined,
    partialChain: c.partialChain,
  });
  expect({ ok: ours.ok, check: ours.failed?.name, depth: ours.failed?.certificateIndex }).toEqual({
    ok: theirs.ok,
    check: theirs.check,
    depth: theirs.depth,
  });
  return ours;
}

function splitCerts(path: string): Uint8Array[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) =>
    readDerOrPem(m[0], ['CERTIFICATE'], 'certificate'),
  );
}

describe('verifying workbench certificates', () => {
  it('a good chain through an intermediate passes every named check, as with openssl -untrusted', () => {
    const result = bothAgree({
      leaf: pemFile('leaf.pem', [leafDer]),
      anchors: pemFile('root.pem', [root.certificate]),
      untrusted: pemFile('intermediate.pem', [intermediate.certificate]),
      host: 'www.bank32.com',
      purpose: 'serverAuth',
    });
    expect(result.ok).toBe(true);
    expect(result.failed).toBeUndefined();
    expect(result.chain.map((entry) => entry.subject)).toEqual([
      'O=Bank 32, CN=www.bank32.com',
      'O=Model CA LTD., CN=Model Issuing CA',
      'C=US, O=Model CA LTD., CN=Model Root CA',
    ]);
    expect(result.chain[2].fingerprintSha256).toBe(
      opensslOk(['x509', '-in', dir.file('root.pem'), '-noout', '-fingerprint', '-sha256']).trim().split('=')[1],
    );
    const names = result.checks.map((check) => `${check.name}@${check.certificateIndex}`);
    for (const expected of ['chain@2', 'signature@0', 'signature@1', 'validity@0', 'validity@1', 'validity@2', 'ca-flag@1', 'ca-flag@2', 'key-usage@1', 'key-usage@0', 'extended-key-usage@0', 'hostname@0']) {
      expect(names).toContain(expected);
    }
    expect(result.checks.every((check) => check.ok && check.detail.length > 20)).toBe(true);
  });

  it('without the intermediate the chain fails, naming the issuer it looked for', () => {
    const result = bothAgree({ leaf: dir.file('leaf.pem'), anchors: dir.file('root.pem') });
    expect(result.failed?.name).toBe('chain');
    expect(result.failed?.detail).toContain('No certificate named "O=Model CA LTD., CN=Model Issuing CA"');
    expect(result.chain).toHaveLength(1);
  });

  it('an unknown issuer (another CA in the trust store) fails the chain check', () => {
    const result = bothAgree({
      leaf: dir.file('leaf.pem'),
      anchors: pemFile('other-root.pem', [otherRoot.certificate]),
      untrusted: dir.file('intermediate.pem'),
    });
    expect(result.ok).toBe(false);
    expect(result.failed).toMatchObject({ name: 'chain', certificateIndex: 1, subject: 'O=Model CA LTD., CN=Model Issuing CA' });
    expect(result.failed?.detail).toContain('"C=US, O=Model CA LTD., CN=Model Root CA"');
    expect(result.failed?.detail).toMatch(/add the CA that issued it to the trust store/);
  });

  it('an expired certificate fails validity with its dates', async () => {
    const expired = await issueCertificate(intermediate, {
      subject: { CN: 'old.bank32.com' },
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    const result = bothAgree({
      leaf: pemFile('expired.pem', [expired.certificate]),
      anchors: dir.file('root.pem'),
      untrusted: dir.file('intermediate.pem'),
    });
    expect(result.failed).toMatchObject({ name: 'validity', certificateIndex: 0, subject: 'CN=old.bank32.com' });
    expect(result.failed?.detail).toContain('has expired: it was valid until 2021-01-01 00:00:00 UTC');
    // Back in 2020 the leaf was valid but its CAs did not exist yet: like OpenSSL, the first
    // failure reported is the root's, as dates are checked from the anchor down.
    const then = bothAgree({ leaf: dir.file('expired.pem'), anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem'), at: new Date('2020-06-01T00:00:00Z') });
    expect(then.failed).toMatchObject({ name: 'validity', certificateIndex: 2 });
    expect(then.checks.find((check) => check.name === 'validity' && check.certificateIndex === 0)?.ok).toBe(true);
  });

  it('a certificate that is not yet valid fails validity with its start date', async () => {
    const future = await issueCertificate(intermediate, {
      subject: { CN: 'soon.bank32.com' },
      notBefore: new Date(Date.now() + 30 * DAY),
      days: 30,
    });
    const result = bothAgree({ leaf: pemFile('future.pem', [future.certificate]), anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem') });
    expect(result.failed?.name).toBe('validity');
    expect(result.failed?.detail).toMatch(/is not yet valid: it is valid from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  });

  it('a tampered signature byte fails the signature check', () => {
    const tampered = Uint8Array.from(leafDer);
    tampered[tampered.length - 3] ^= 0x01;
    const result = bothAgree({ leaf: pemFile('tampered.pem', [tampered]), anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem') });
    expect(result.failed).toMatchObject({ name: 'signature', certificateIndex: 0 });
    expect(result.failed?.detail).toContain('does not verify with the public key of "O=Model CA LTD., CN=Model Issuing CA"');
    expect(result.checks.filter((check) => !check.ok)).toHaveLength(1);
  });

  it('a hostname mismatch lists the names the certificate is valid for', () => {
    const result = bothAgree({ leaf: dir.file('leaf.pem'), anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem'), host: 'www.evil.com' });
    expect(result.failed?.name).toBe('hostname');
    expect(result.failed?.detail).toContain('valid for DNS:www.bank32.com, DNS:bank32.com, IP:127.0.0.1, not for www.evil.com');
  });

  it('an IP address matches IP SANs only', () => {
    expect(bothAgree({ leaf: dir.file('leaf.pem'), anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem'), host: '127.0.0.1' }).ok).toBe(true);
    const wrong = bothAgree({ leaf: dir.file('leaf.pem'), anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem'), host: '127.0.0.2' });
    expect(wrong.failed?.detail).toMatch(/not for the IP address 127\.0\.0\.2: an address matches only an IP SAN/);
  });

  it('a path length of 1 under the root is exceeded by two intermediates', async () => {
    const limited = await createRootCa({ subject: '/CN=Limited Root', key: 'ec:P-256', pathLength: 1 });
    const first = await createIntermediateCa(limited, { subject: '/CN=First Intermediate', key: 'ec:P-256' });
    const second = await createIntermediateCa(first, { subject: '/CN=Second Intermediate', key: 'ec:P-256' });
    const leaf = await issueCertificate(second, { subject: { CN: 'deep.lab.test' }, key: 'ec:P-256' });
    const result = bothAgree({
      leaf: pemFile('deep.pem', [leaf.certificate]),
      anchors: pemFile('limited-root.pem', [limited.certificate]),
      untrusted: pemFile('deep-chain.pem', [second.certificate, first.certificate]),
    });
    expect(result.failed).toMatchObject({ name: 'path-length', certificateIndex: 3, subject: 'CN=Limited Root' });
    expect(result.failed?.detail).toContain('has pathLenConstraint 1: at most 1 intermediate CA may stand below it, but this chain has 2');
    // One intermediate is within the limit.
    const shallow = await issueCertificate(first, { subject: { CN: 'shallow.lab.test' }, key: 'ec:P-256' });
    expect(bothAgree({ leaf: pemFile('shallow.pem', [shallow.certificate]), anchors: dir.file('limited-root.pem'), untrusted: dir.file('deep-chain.pem') }).ok).toBe(true);
  });

  it('a client certificate is refused for serverAuth (extended key usage)', async () => {
    const client = await issueCertificate(intermediate, { subject: { CN: 'Alice' }, profile: 'client' });
    const file = pemFile('client.pem', [client.certificate]);
    const result = bothAgree({ leaf: file, anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem'), purpose: 'serverAuth' });
    expect(result.failed).toMatchObject({ name: 'extended-key-usage', certificateIndex: 0 });
    expect(result.failed?.detail).toContain('allows clientAuth but not serverAuth');
    expect(bothAgree({ leaf: file, anchors: dir.file('root.pem'), untrusted: dir.file('intermediate.pem'), purpose: 'clientAuth' }).ok).toBe(true);
  });

  it('name constraints: DNS and IP names outside the permitted trees, or inside excluded ones, fail', async () => {
    const constrained = await createRootCa({
      subject: '/CN=Constrained Lab CA',
      key: 'ec:P-256',
      nameConstraints: { permitted: ['DNS:lab.test', 'IP:10.0.0.0/8'], excluded: ['DNS:secret.lab.test'] },
    });
    const anchors = pemFile('constrained.pem', [constrained.certificate]);
    const make = async (name: string, sans: string) =>
      pemFile(`nc-${name}.pem`, [(await issueCertificate(constrained, { subject: { CN: name }, subjectAltNames: sans, key: 'ec:P-256' })).certificate]);

    expect(bothAgree({ leaf: await make('inside', 'DNS:www.lab.test,IP:10.1.2.3'), anchors }).ok).toBe(true);
    const outside = bothAgree({ leaf: await make('outside', 'DNS:www.bank32.com'), anchors });
    expect(outside.failed?.detail).toContain('carries the name DNS:www.bank32.com, outside the names the CA "CN=Constrained Lab CA" may certify (DNS:lab.test)');
    const badIp = bothAgree({ leaf: await make('badip', 'DNS:a.lab.test,IP:192.168.1.1'), anchors });
    expect(badIp.failed?.detail).toContain('IP:192.168.1.1');
    const excluded = bothAgree({ leaf: await make('excluded', 'DNS:x.secret.lab.test'), anchors });
    expect(excluded.failed?.detail).toContain('which the CA "CN=Constrained Lab CA" excludes (DNS:secret.lab.test)');
  });

  it('a trusted intermediate without its root is refused, as by openssl verify and the TLS client, and says what to do', () => {
    const result = bothAgree({ leaf: dir.file('leaf.pem'), anchors: dir.file('intermediate.pem'), host: 'www.bank32.com' });
    expect(result.failed).toMatchObject({ name: 'chain', certificateIndex: 1, subject: 'O=Model CA LTD., CN=Model Issuing CA' });
    expect(result.failed?.detail).toContain('is in the trust list but is not self-signed');
    expect(result.failed?.detail).toContain('Add the root CA "C=US, O=Model CA LTD., CN=Model Root CA" to the trust store');
    expect(result.failed?.detail).toContain('--partial-chain');
  });

  it('with partialChain a trusted intermediate ends the chain, as with openssl -partial_chain', () => {
    const result = bothAgree({ leaf: dir.file('leaf.pem'), anchors: dir.file('intermediate.pem'), host: 'www.bank32.com', partialChain: true });
    expect(result.ok).toBe(true);
    expect(result.chain.map((entry) => entry.subject)).toEqual(['O=Bank 32, CN=www.bank32.com', 'O=Model CA LTD., CN=Model Issuing CA']);
  });

  it('a self-signed certificate verifies when it is itself the trust anchor, and fails the chain check otherwise', () => {
    const rootFile = dir.file('root.pem');
    expect(bothAgree({ leaf: rootFile, anchors: rootFile }).ok).toBe(true);
    const alone = bothAgree({ leaf: rootFile, anchors: dir.file('other-root.pem') });
    expect(alone.failed?.detail).toMatch(/is self-signed and is not one of the trust anchors/);
  });
});

describe('verifying certificates made by openssl', () => {
  function opensslCa(name: string, subject: string, extensions: string, signer?: string, keyArgs = ['-newkey', 'rsa:2048'], sigopts: string[] = []): string {
    const key = dir.file(`${name}.key`);
    const cert = dir.file(`${name}.crt`);
    const ext = dir.file(`${name}.ext`, `${extensions.split(';').join('\n')}\n`);
    if (!signer) {
      const config = dir.file(`${name}.cnf`, `[req]\ndistinguished_name = dn\n[dn]\n[v3]\n${extensions.split(';').join('\n')}\n`);
      opensslOk(['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-subj', subject, '-days', '30', ...sigopts, '-config', config, '-extensions', 'v3', '-out', cert]);
    } else {
      const csr = dir.file(`${name}.csr`);
      opensslOk(['req', ...keyArgs, '-nodes', '-keyout', key, '-subj', subject, '-config', '/dev/null', '-out', csr]);
      opensslOk(['x509', '-req', '-in', csr, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-days', '30', ...sigopts, '-extfile', ext, '-out', cert]);
    }
    return cert;
  }

  it('an issuer without the CA flag fails the ca-flag check, as OpenSSL says "invalid CA certificate"', () => {
    const rootCert = opensslCa('o-root', '/CN=OpenSSL Root', 'basicConstraints=critical,CA:TRUE;keyUsage=critical,keyCertSign,cRLSign;subjectKeyIdentifier=hash');
    const notCa = opensslCa('o-notca', '/CN=Not A CA', 'basicConstraints=critical,CA:FALSE;subjectKeyIdentifier=hash;authorityKeyIdentifier=keyid', dir.file('o-root'));
    const leaf = opensslCa('o-leaf', '/CN=victim.lab.test', 'subjectAltName=DNS:victim.lab.test;authorityKeyIdentifier=keyid', dir.file('o-notca'));
    const result = bothAgree({ leaf, anchors: rootCert, untrusted: notCa });
    expect(result.failed).toMatchObject({ name: 'ca-flag', certificateIndex: 1, subject: 'CN=Not A CA' });
    expect(result.failed?.detail).toContain('is not a CA: its basicConstraints say CA:FALSE');
    expect(result.chain).toHaveLength(3);
  });

  it('a leaf with an unknown critical extension fails critical-extension, as OpenSSL says "unhandled critical extension"', () => {
    const rootCert = dir.file('o-root.crt');
    const leaf = opensslCa('o-critical', '/CN=critical.lab.test', 'subjectAltName=DNS:critical.lab.test;1.3.6.1.4.1.55555.1=critical,ASN1:UTF8String:lab', dir.file('o-root'));
    const result = bothAgree({ leaf, anchors: rootCert });
    expect(result.failed).toMatchObject({ name: 'critical-extension', certificateIndex: 0 });
    expect(result.failed?.detail).toContain('1.3.6.1.4.1.55555.1');
  });

  it('a CA whose keyUsage lacks keyCertSign fails key-usage (OpenSSL: invalid CA certificate)', () => {
    const rootCert = dir.file('o-root.crt');
    const noSign = opensslCa('o-nosign', '/CN=No CertSign CA', 'basicConstraints=critical,CA:TRUE;keyUsage=critical,digitalSignature,cRLSign', dir.file('o-root'));
    const leaf = opensslCa('o-leaf2', '/CN=leaf2.lab.test', 'subjectAltName=DNS:leaf2.lab.test', dir.file('o-nosign'));
    const ours = verifyCertificate(der(leaf), { trustAnchors: [der(rootCert)], intermediates: [der(noSign)] });
    expect(ours.failed).toMatchObject({ name: 'key-usage', certificateIndex: 1 });
    expect(ours.failed?.detail).toContain('lacks keyCertSign');
    expect(opensslVerify(leaf, { anchors: rootCert, untrusted: noSign })).toMatchObject({ ok: false, depth: 1, message: 'invalid CA certificate' });
  });

  it('RSA-PSS and Ed25519 signatures made by openssl verify, and a pathlen:0 root refuses an intermediate', () => {
    const pss = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sha256'];
    const pssRoot = opensslCa('pss-root', '/CN=PSS Root', 'basicConstraints=critical,CA:TRUE,pathlen:0;keyUsage=critical,keyCertSign', undefined, ['-newkey', 'rsa:2048'], pss);
    const pssLeaf = opensslCa('pss-leaf', '/CN=pss.lab.test', 'subjectAltName=DNS:pss.lab.test', dir.file('pss-root'), ['-newkey', 'rsa:2048'], pss);
    expect(opensslOk(['x509', '-in', pssLeaf, '-noout', '-text'])).toContain('rsassaPss');
    expect(bothAgree({ leaf: pssLeaf, anchors: pssRoot, host: 'pss.lab.test' }).ok).toBe(true);

    const edRoot = opensslCa('ed-root', '/CN=Ed Root', 'basicConstraints=critical,CA:TRUE,pathlen:0;keyUsage=critical,keyCertSign', undefined, ['-newkey', 'ed25519']);
    const edInter = opensslCa('ed-inter', '/CN=Ed Intermediate', 'basicConstraints=critical,CA:TRUE;keyUsage=critical,keyCertSign', dir.file('ed-root'), ['-newkey', 'ed25519']);
    const edLeaf = opensslCa('ed-leaf', '/CN=ed.lab.test', 'subjectAltName=DNS:ed.lab.test', dir.file('ed-inter'), ['-newkey', 'ed25519']);
    const result = bothAgree({ leaf: edLeaf, anchors: edRoot, untrusted: edInter });
    expect(result.failed).toMatchObject({ name: 'path-length', certificateIndex: 2 });
    expect(result.checks.filter((check) => check.name === 'signature').every((check) => check.ok)).toBe(true);
  });

  it('wildcards match one whole left-most label only; the CN counts only without DNS SANs', () => {
    const rootCert = dir.file('o-root.crt');
    const wild = opensslCa('wild', '/CN=www.other.test', 'subjectAltName=DNS:*.bank32.com,DNS:exact.test', dir.file('o-root'));
    const cnOnly = opensslCa('cnonly', '/CN=cn.lab.test', 'basicConstraints=CA:FALSE', dir.file('o-root'));
    const cases: Array<[string, string, boolean]> = [
      [wild, 'www.bank32.com', true],
      [wild, 'WWW.Bank32.COM', true],
      [wild, 'bank32.com', false],
      [wild, 'a.b.bank32.com', false],
      [wild, 'exact.test', true],
      [wild, 'www.other.test', false], // the CN is ignored when DNS SANs exist
      [cnOnly, 'cn.lab.test', true],
      [cnOnly, 'other.lab.test', false],
    ];
    for (const [leaf, host, ok] of cases) {
      expect({ host, ok: bothAgree({ leaf, anchors: rootCert, host }).ok }).toEqual({ host, ok });
    }
    const ignoredCn = verifyCertificate(der(wild), { trustAnchors: [der(rootCert)], hostname: 'www.other.test' });
    expect(ignoredCn.failed?.detail).toContain('Its CN matches, but a certificate with DNS SANs is matched on its SANs only');
    // The two near misses say why the wildcard did not cover them.
    const bare = verifyCertificate(der(wild), { trustAnchors: [der(rootCert)], hostname: 'bank32.com' });
    expect(bare.failed?.detail).toContain('*.bank32.com covers www.bank32.com but not bank32.com itself');
    const deep = verifyCertificate(der(wild), { trustAnchors: [der(rootCert)], hostname: 'a.b.bank32.com' });
    expect(deep.failed?.detail).toContain('*.bank32.com covers b.bank32.com but not a.b.bank32.com, which has 2 labels before bank32.com');
    const unrelated = verifyCertificate(der(wild), { trustAnchors: [der(rootCert)], hostname: 'www.other.test' });
    expect(unrelated.failed?.detail).not.toContain('wildcard');
  });

  it('two CAs with the same name: the issuer is picked by key identifier and signature', () => {
    const twinA = opensslCa('twin-a', '/CN=Twin CA', 'basicConstraints=critical,CA:TRUE;keyUsage=critical,keyCertSign;subjectKeyIdentifier=hash');
    const twinB = opensslCa('twin-b', '/CN=Twin CA', 'basicConstraints=critical,CA:TRUE;keyUsage=critical,keyCertSign;subjectKeyIdentifier=hash');
    const leaf = opensslCa('twin-leaf', '/CN=twin.lab.test', 'subjectAltName=DNS:twin.lab.test;authorityKeyIdentifier=keyid', dir.file('twin-b'));
    const both = dir.file('twins.pem', readFileSync(twinA, 'utf8') + readFileSync(twinB, 'utf8'));
    const result = bothAgree({ leaf, anchors: both });
    expect(result.chain[1].der).toEqual(der(twinB));
    expect(bothAgree({ leaf, anchors: twinA }).failed?.name).toBe('chain');
  });

  it('a certificate backdated by `openssl ca` (2020-2021) is expired for both', () => {
    const leafPath = dir.file('support-expired.crt');
    const caKey = dir.file('s-ca.key');
    const caCert = dir.file('s-ca.crt');
    opensslOk(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-subj', '/CN=Support CA', '-days', '10', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', caCert]);
    const db = dir.file('s-db');
    opensslOk(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=old.lab.test', '-keyout', dir.file('s-old.key'), '-out', dir.file('s-old.csr')]);
    writeFileSync(`${db}.index`, '');
    writeFileSync(`${db}.serial`, '1000\n');
    const conf = dir.file(
      's-ca.cnf',
      `[ca]\ndefault_ca=lab\n[lab]\ndatabase=${db}.index\nserial=${db}.serial\nnew_certs_dir=${dir.path}\ncertificate=${caCert}\nprivate_key=${caKey}\ndefault_md=sha256\npolicy=any\nunique_subject=no\n[any]\ncommonName=supplied\n`,
    );
    opensslOk(['ca', '-batch', '-config', conf, '-in', dir.file('s-old.csr'), '-out', leafPath, '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-notext']);
    const result = bothAgree({ leaf: leafPath, anchors: caCert });
    expect(result.failed?.detail).toContain('valid until 2021-01-01 00:00:00 UTC');
  });
});

describe('partial chains: the same verdict as openssl verify, with and without -partial_chain', () => {
  const files: Record<string, string> = {};
  const inFiveDays = new Date(Date.now() + 5 * DAY);

  beforeAll(() => {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    const ext = (name: string, lines: string[]) => dir.file(`pc-${name}.ext`, `${lines.join('\n')}\n`);
    const caExt = ext('ca', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid']);
    const leafExt = (eku: string) =>
      ext(eku, ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', `extendedKeyUsage=${eku}`, 'subjectAltName=DNS:www.partial.test', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid']);
    const sign = (csr: string, signer: string, days: string, extfile: string, out: string) => {
      opensslOk(['x509', '-req', '-in', csr, '-CA', files[signer], '-CAkey', dir.file(`pc-${signer}.key`), '-set_serial', String(Object.keys(files).length + 10), '-days', days, '-extfile', extfile, '-out', dir.file(`pc-${out}.pem`)]);
      files[out] = dir.file(`pc-${out}.pem`);
    };
    opensslOk(['req', '-x509', ...ec, '-keyout', dir.file('pc-root.key'), '-subj', '/O=Partial Lab/CN=Partial Root', '-days', '3650', '-config', '/dev/null', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash', '-out', dir.file('pc-root.pem')]);
    files.root = dir.file('pc-root.pem');
    opensslOk(['req', ...ec, '-keyout', dir.file('pc-intermediate.key'), '-subj', '/O=Partial Lab/CN=Partial Issuing CA', '-config', '/dev/null', '-out', dir.file('pc-intermediate.csr')]);
    sign(dir.file('pc-intermediate.csr'), 'root', '365', caExt, 'intermediate');
    // The same CA (name and key) again, valid for one day only: expired five days from now.
    sign(dir.file('pc-intermediate.csr'), 'root', '1', caExt, 'short-intermediate');
    opensslOk(['req', ...ec, '-keyout', dir.file('pc-leaf.key'), '-subj', '/CN=www.partial.test', '-config', '/dev/null', '-out', dir.file('pc-leaf.csr')]);
    sign(dir.file('pc-leaf.csr'), 'intermediate', '30', leafExt('serverAuth'), 'leaf');
    sign(dir.file('pc-leaf.csr'), 'intermediate', '30', leafExt('clientAuth'), 'client-leaf');
    files['intermediate+root'] = dir.file('pc-intermediate+root.pem', readFileSync(files.intermediate, 'utf8') + readFileSync(files.root, 'utf8'));
  });

  interface PartialCase {
    what: string;
    leaf: string;
    anchors: string;
    untrusted?: string;
    at?: Date;
    purpose?: 'serverAuth';
    /** Our verdict without and with partialChain (OpenSSL's must be the same). */
    ok: [boolean, boolean];
  }
  const cases: PartialCase[] = [
    { what: 'root-only trust, intermediate given as untrusted', leaf: 'leaf', anchors: 'root', untrusted: 'intermediate', ok: [true, true] },
    { what: 'intermediate-only trust', leaf: 'leaf', anchors: 'intermediate', ok: [false, true] },
    { what: 'intermediate and root trusted', leaf: 'leaf', anchors: 'intermediate+root', ok: [true, true] },
    { what: 'intermediate trusted, its root given only as untrusted', leaf: 'leaf', anchors: 'intermediate', untrusted: 'root', ok: [false, true] },
    { what: 'leaf-only trust', leaf: 'leaf', anchors: 'leaf', ok: [false, true] },
    { what: 'missing intermediate', leaf: 'leaf', anchors: 'root', ok: [false, false] },
    { what: 'expired intermediate given as untrusted', leaf: 'leaf', anchors: 'root', untrusted: 'short-intermediate', at: inFiveDays, ok: [false, false] },
    { what: 'expired intermediate trusted', leaf: 'leaf', anchors: 'short-intermediate', at: inFiveDays, ok: [false, false] },
    { what: 'wrong-purpose leaf under the root', leaf: 'client-leaf', anchors: 'root', untrusted: 'intermediate', purpose: 'serverAuth', ok: [false, false] },
    { what: 'wrong-purpose leaf trusted itself', leaf: 'client-leaf', anchors: 'client-leaf', purpose: 'serverAuth', ok: [false, false] },
    { what: 'wrong-purpose leaf under a trusted intermediate', leaf: 'client-leaf', anchors: 'intermediate', purpose: 'serverAuth', ok: [false, false] },
  ];

  for (const partialChain of [false, true]) {
    it.each(cases)(`${partialChain ? 'with' : 'without'} -partial_chain: $what`, (c) => {
      const result = bothAgree({
        leaf: files[c.leaf],
        anchors: files[c.anchors],
        untrusted: c.untrusted ? files[c.untrusted] : undefined,
        at: c.at,
        purpose: c.purpose,
        partialChain,
      });
      expect(result.ok).toBe(c.ok[partialChain ? 1 : 0]);
    });
  }

  it('without partial chains the path climbs past a trusted intermediate to the trusted root, as OpenSSL builds it', () => {
    const result = verifyCertificate(der(files.leaf), { trustAnchors: splitCerts(files['intermediate+root']) });
    expect(result.chain.map((entry) => entry.subject)).toEqual(['CN=www.partial.test', 'O=Partial Lab, CN=Partial Issuing CA', 'O=Partial Lab, CN=Partial Root']);
    const partial = verifyCertificate(der(files.leaf), { trustAnchors: splitCerts(files['intermediate+root']), partialChain: true });
    expect(partial.chain).toHaveLength(2);
  });

  it('a trusted leaf that is not self-signed is refused without partial chains, and the message says why', () => {
    const result = bothAgree({ leaf: files.leaf, anchors: files.leaf });
    expect(result.failed).toMatchObject({ name: 'chain', certificateIndex: 0 });
    expect(result.failed?.detail).toContain('is itself in the trust list, but it is not self-signed');
    expect(result.failed?.detail).toContain('--partial-chain');
  });
});
