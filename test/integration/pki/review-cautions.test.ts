// Certificates no client will accept are called out when they are made and when they are shown:
// each caution is checked here against what openssl itself says of the same file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, tlslabInProcess, tlslabOk } from '../../support/cliInProcess';
import { openssl, opensslOk } from './openssl';

let dataDir: string;
let work: string;

const tlslab = (args: string[]): Promise<CliRun> => tlslabInProcess(dataDir, args);
const file = (name: string): string => path.join(work, name);

const ok = (args: string[]): Promise<string> => tlslabOk(dataDir, args);

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-review-cautions-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-review-cautions-files-'));
  await ok(['ca', 'create', 'Caution Root', '--subject', '/O=Lab/CN=Caution Root CA', '--key', 'ec:P-256']);
  await ok(['ca', 'export', 'Caution Root', '--out', file('root.pem')]);
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('issuing a certificate clients will refuse says so', () => {
  it('a sound server certificate carries no caution, and openssl agrees', async () => {
    const out = await ok(['cert', 'issue', '--ca', 'Caution Root', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com', '--out-cert', file('sound.pem')]);
    expect(out).not.toContain('Clients will object');
    expect(opensslOk(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', file('root.pem'), file('sound.pem')])).toContain('OK');
    expect(await ok(['cert', 'show', file('sound.pem')])).not.toContain('Clients will object');
  });

  it('a leaf with Certificate Sign: the strict check openssl has refuses it, and the issue says so', async () => {
    const out = await ok(['cert', 'issue', '--ca', 'Caution Root', '--cn', 'signer.test', '--key-usage', 'digitalSignature,keyCertSign', '--out-cert', file('signer.pem')]);
    expect(out).toContain('! Clients will object to this certificate:');
    expect(out).toContain('Its key usage includes Certificate Sign, but its basicConstraints say CA:FALSE');
    const strict = openssl(['verify', '-x509_strict', '-CAfile', file('root.pem'), file('signer.pem')]);
    expect(strict.status).not.toBe(0);
    expect(strict.stdout + strict.stderr).toContain('Key usage keyCertSign invalid for non-CA cert');
    expect(await ok(['cert', 'show', file('signer.pem')])).toContain('Its key usage includes Certificate Sign');
  });

  it('a server certificate whose extended key usage lacks serverAuth', async () => {
    const out = await ok(['cert', 'issue', '--ca', 'Caution Root', '--cn', 'clientish.test', '--eku', 'clientAuth', '--out-cert', file('clientish.pem')]);
    expect(out).toContain('Its extended key usage lacks serverAuth');
    const theirs = openssl(['verify', '-purpose', 'sslserver', '-CAfile', file('root.pem'), file('clientish.pem')]);
    expect(theirs.stdout + theirs.stderr).toContain('unsuitable certificate purpose');
    // A client certificate with clientAuth only is what it should be: nothing to say.
    expect(await ok(['cert', 'issue', '--ca', 'Caution Root', '--cn', 'alice', '--client'])).not.toContain('Clients will object');
  });

  it('a server certificate without subjectAltName (a CN that is no host name)', async () => {
    const json = JSON.parse(await ok(['cert', 'issue', '--ca', 'Caution Root', '--cn', 'my web server', '--json']));
    expect(json.certificate.subjectAltNames).toEqual([]);
    expect(json.cautions).toEqual([expect.stringContaining('It has no Subject Alternative Name: Chromium and Firefox ignore the CN')]);
  });

  it('an EC key whose key usage lacks Digital Signature', async () => {
    const out = await ok(['cert', 'issue', '--ca', 'Caution Root', '--cn', 'ecenc.test', '--key', 'ec:P-256', '--key-usage', 'keyEncipherment']);
    expect(out).toContain('Its key usage lacks Digital Signature, and an EC key can only sign in TLS');
  });

  it('a CSR signed into a certificate whose CN is not among its SANs', async () => {
    opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('csr.key'), '-out', file('req.csr'), '-subj', '/CN=www.shop.test', '-addext', 'subjectAltName=DNS:shop.test']);
    const out = await ok(['csr', 'sign', file('req.csr'), '--ca', 'Caution Root', '--copy-extensions', '--out', file('shop.pem')]);
    expect(out).toContain('Its CN "www.shop.test" is not among its Subject Alternative Names');
    const theirs = openssl(['verify', '-CAfile', file('root.pem'), '-verify_hostname', 'www.shop.test', file('shop.pem')]);
    expect(theirs.stdout + theirs.stderr).toContain('hostname mismatch');
  });
});

describe('a certificate that outlives its CA', () => {
  it('is called out when issued, in the list and by cert show lab:NAME; openssl refuses it once the CA has expired', async () => {
    await ok(['ca', 'create', 'Short CA', '--days', '10', '--key', 'ec:P-256']);
    await ok(['ca', 'export', 'Short CA', '--out', file('short-ca.pem')]);
    const out = await ok(['cert', 'issue', '--ca', 'Short CA', '--cn', 'long.test', '--days', '365', '--out-cert', file('long.pem')]);
    expect(out).toMatch(/! - It is valid until \d{4}-\d\d-\d\d, but the CA "Short CA" above it expires on \d{4}-\d\d-\d\d: from then on every client refuses it/);
    expect(await ok(['cert', 'show', 'lab:long.test'])).toContain('but the CA "Short CA" above it expires on');
    const tree = JSON.parse(await ok(['ca', 'list', '--json']));
    const short = tree.cas.find((ca: { name: string }) => ca.name === 'Short CA');
    expect(short.issued[0].cautions).toEqual([expect.stringContaining('but the CA "Short CA" above it expires on')]);
    // Twenty days on, the leaf's own dates are fine but the CA's are not.
    const later = Math.floor(Date.now() / 1000) + 20 * 86_400;
    const theirs = openssl(['verify', '-attime', String(later), '-CAfile', file('short-ca.pem'), file('long.pem')]);
    expect(theirs.stdout + theirs.stderr).toContain('certificate has expired');
  });
});

describe('signing a request that asks for too much', () => {
  it('names each extension by its openssl name, says which were copied and why the others were not, and what clients will refuse', async () => {
    opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('sneaky.key'), '-out', file('sneaky.csr'), '-subj', '/CN=sneaky.test',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,digitalSignature', '-addext', 'subjectAltName=DNS:sneaky.test', '-addext', 'extendedKeyUsage=clientAuth']);
    const out = await ok(['csr', 'sign', file('sneaky.csr'), '--ca', 'Caution Root', '--copy-extensions', '--out', file('sneaky.pem')]);
    expect(out).toMatch(/copied from the request: .*subjectAltName \(2\.5\.29\.17\)/);
    expect(out).toContain('not copied: basicConstraints (2.5.29.19): a request cannot make itself a CA');
    expect(out).toContain('Its extended key usage lacks serverAuth');
    expect(opensslOk(['x509', '-in', file('sneaky.pem'), '-noout', '-ext', 'basicConstraints'])).toContain('CA:FALSE');
  });
});

describe('showing a certificate made elsewhere says what clients will refuse', () => {
  it('a CA whose basicConstraints are not critical, and one without basicConstraints', async () => {
    opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('soft.key'), '-out', file('soft.pem'), '-subj', '/CN=Soft CA', '-days', '30',
      '-addext', 'basicConstraints=CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    expect(await ok(['cert', 'show', file('soft.pem')])).toContain('Its basicConstraints extension is not marked critical');
    opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('nobc.key'), '-out', file('nobc.pem'), '-subj', '/CN=No BC CA', '-days', '30',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'basicConstraints=CA:FALSE']);
    expect(await ok(['cert', 'show', file('nobc.pem')])).toContain('Its key usage includes Certificate Sign, but its basicConstraints say CA:FALSE');
  });

  it('a 1024-bit RSA key signed with SHA-1: both are named, as openssl at level 2 refuses them', async () => {
    opensslOk(['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', file('weak.key'), '-out', file('weak.pem'), '-subj', '/CN=weak.test', '-days', '30', '-sha1',
      '-addext', 'subjectAltName=DNS:weak.test', '-addext', 'basicConstraints=critical,CA:FALSE']);
    const shown = await ok(['cert', 'show', file('weak.pem')]);
    expect(shown).toContain('Its RSA key has 1024 bits');
    expect(shown).toContain('It is signed with SHA1');
    const theirs = openssl(['verify', '-auth_level', '2', '-CAfile', file('weak.pem'), file('weak.pem')]);
    expect(theirs.status).not.toBe(0);
  });
});
