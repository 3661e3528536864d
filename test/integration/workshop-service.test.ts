// The certificate workshop as the engine, the servers and the proxy use it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Workbench } from '../../src-main/workbench';
import { importInto, exportFrom } from '../../src-main/workshop/exchange';
import { ExpiringLru } from '../../src-main/workshop/forgeCache';
import { startOpensslServer } from '../support/opensslServer';
import { openssl, opensslOk } from './pki/openssl';

let dataDir: string;
let work: string;
let wb: Workbench;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-workshop-svc-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-workshop-svc-files-'));
  wb = new Workbench({ dataDir });
  await wb.workshop.createCa({ name: 'Proxy CA', subject: '/O=Lab/CN=Proxy CA' });
  await wb.workshop.createCa({ name: 'Proxy Sub', subject: '/O=Lab/CN=Proxy Sub CA', parent: 'Proxy CA', key: 'ec:P-256' });
});
afterAll(async () => wb?.close());

const file = (name: string) => path.join(work, name);

describe('serverIdentity and trustAnchorsPem (what the TLS servers use)', () => {
  it('gives a certificate, key and chain that openssl s_server serves and openssl s_client verifies', async () => {
    await wb.workshop.issue({ ca: 'Proxy Sub', subject: { CN: 'www.bank32.com' } });
    const identity = await wb.workshop.serverIdentity('www.bank32.com');
    expect(identity.chainPem).toHaveLength(2);
    fs.writeFileSync(file('id.pem'), identity.certificatePem);
    fs.writeFileSync(file('id.key'), identity.keyPem, { mode: 0o600 });
    fs.writeFileSync(file('id-chain.pem'), identity.chainPem.join(''));
    fs.writeFileSync(file('anchors.pem'), wb.workshop.trustAnchorsPem('Proxy CA').join(''));
    const server = await startOpensslServer(file('id.pem'), file('id.key'), ['-www', '-cert_chain', file('id-chain.pem')]);
    try {
      const out = openssl(['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'www.bank32.com', '-verify_hostname', 'www.bank32.com', '-CAfile', file('anchors.pem'), '-verify_return_error'], { input: Buffer.from('') });
      expect(out.stdout).toContain('Verify return code: 0 (ok)');
    } finally {
      await server.stop();
    }
  });
});

describe('a name the workshop does not have', () => {
  it('lists the names it has, and in an empty workshop says how to make the first', async () => {
    await expect(wb.workshop.serverIdentity('nobody')).rejects.toThrow(/there is no certificate or CA named "nobody" in the workbench; it has: Proxy CA, Proxy Sub/);
    const empty = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-workshop-empty-')) });
    try {
      await expect(empty.workshop.serverIdentity('alice')).rejects.toThrow(
        'there is no certificate or CA named "alice" in the workbench; the workshop is empty: make a CA (tlslab ca create NAME), then issue certificates with it (tlslab cert issue --ca NAME --cn HOST)',
      );
    } finally {
      await empty.close();
    }
  });
});

describe('forgeForHost (what the proxy calls)', () => {
  it('makes a leaf for the host that verifies under the CA, reuses one leaf key, and caches per host', async () => {
    const a = await wb.workshop.forgeForHost('Proxy CA', 'www.victim.test');
    const b = await wb.workshop.forgeForHost('Proxy CA', 'mail.victim.test');
    const again = await wb.workshop.forgeForHost('Proxy CA', 'WWW.victim.test');
    expect(again).toBe(a);
    expect(b.certificatePem).not.toBe(a.certificatePem);
    expect(b.keyPem).toBe(a.keyPem);
    fs.writeFileSync(file('proxy-ca.pem'), wb.workshop.trustAnchorsPem('Proxy CA').join(''));
    fs.writeFileSync(file('forged.pem'), a.certificatePem);
    expect(opensslOk(['verify', '-CAfile', file('proxy-ca.pem'), '-verify_hostname', 'www.victim.test', file('forged.pem')])).toContain(': OK');
    // An EC CA gets EC leaves.
    const ec = await wb.workshop.forgeForHost('Proxy Sub', 'www.victim.test');
    expect(opensslOk(['x509', '-noout', '-text'], { input: Buffer.from(ec.certificatePem) })).toContain('id-ecPublicKey');
    // An internationalised name is forged as certificates carry it: IDNA ASCII, valid for that name.
    const idn = await wb.workshop.forgeForHost('Proxy CA', 'bücher.victim.test');
    fs.writeFileSync(file('forged-idn.pem'), idn.certificatePem);
    expect(opensslOk(['x509', '-noout', '-ext', 'subjectAltName', '-in', file('forged-idn.pem')])).toContain('DNS:xn--bcher-kva.victim.test');
    expect(opensslOk(['verify', '-CAfile', file('proxy-ca.pem'), '-verify_hostname', 'xn--bcher-kva.victim.test', file('forged-idn.pem')])).toContain(': OK');
  });

  it('forges leaves OpenSSL accepts for every CA key type, with serverAuth and the host as SAN', async () => {
    for (const key of ['ec:P-384', 'ed25519', 'rsa:3072'] as const) {
      const name = `Forge ${key}`;
      await wb.workshop.createCa({ name, subject: `/CN=${name}`, key });
      fs.writeFileSync(file('fca.pem'), wb.workshop.trustAnchorsPem(name).join(''));
      for (const host of ['shop.victim.test', '10.1.2.3']) {
        const forged = await wb.workshop.forgeForHost(name, host);
        fs.writeFileSync(file('fleaf.pem'), forged.certificatePem);
        const hostFlag = host.startsWith('10.') ? '-verify_ip' : '-verify_hostname';
        expect(opensslOk(['verify', '-purpose', 'sslserver', '-CAfile', file('fca.pem'), hostFlag, host, file('fleaf.pem')])).toContain(': OK');
        const text = opensslOk(['x509', '-noout', '-text', '-in', file('fleaf.pem')]);
        expect(text).toContain('TLS Web Server Authentication');
        expect(text).toContain(host.startsWith('10.') ? 'IP Address:10.1.2.3' : 'DNS:shop.victim.test');
      }
    }
  });

  it('the forge cache serves a leaf until an hour before it expires, then forgets it, and keeps the most recent', () => {
    const lru = new ExpiringLru<{ notAfter: number; host: string }>(2);
    const now = Date.UTC(2030, 0, 1);
    lru.set('a', { notAfter: now + 2 * 3_600_000, host: 'a' });
    lru.set('b', { notAfter: now + 30 * 86_400_000, host: 'b' });
    expect(lru.get('a', now)?.host).toBe('a');
    expect(lru.get('a', now + 3_600_000)).toBeUndefined();
    lru.set('c', { notAfter: now + 30 * 86_400_000, host: 'c' });
    lru.set('d', { notAfter: now + 30 * 86_400_000, host: 'd' });
    expect(lru.get('b', now)).toBeUndefined();
    expect(lru.get('c', now)?.host).toBe('c');
    expect(lru.get('d', now)?.host).toBe('d');
  });

  it('copies names from a template certificate', async () => {
    opensslOk(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('real.key'), '-out', file('real.pem'),
      '-subj', '/O=Real Bank Inc./CN=www.realbank.test', '-addext', 'subjectAltName=DNS:www.realbank.test,DNS:realbank.test', '-days', '2']);
    const forged = await wb.workshop.forgeForHost('Proxy CA', 'www.realbank.test', fs.readFileSync(file('real.pem')));
    const text = opensslOk(['x509', '-noout', '-subject', '-ext', 'subjectAltName'], { input: Buffer.from(forged.certificatePem) });
    expect(text).toContain('O = Real Bank Inc.');
    expect(text).toContain('DNS:realbank.test');
  });
});

describe('import', () => {
  it('imports PKCS#12 made by openssl (modern and legacy) with the key matched to the certificate', () => {
    opensslOk(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('p12.key'), '-out', file('p12.pem'), '-subj', '/CN=p12.lab.test', '-days', '2']);
    opensslOk(['pkcs12', '-export', '-in', file('p12.pem'), '-inkey', file('p12.key'), '-out', file('modern.p12'), '-passout', 'pass:pw', '-name', 'modern one']);
    const modern = importInto(wb.workshop, { bytes: fs.readFileSync(file('modern.p12')), passphrase: 'pw', fileName: 'modern.p12' });
    expect(modern.certificates).toHaveLength(1);
    expect(modern.certificates[0].hasPrivateKey).toBe(true);
    expect(modern.keysMatched).toBe(1);
    opensslOk(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('p12b.key'), '-out', file('p12b.pem'), '-subj', '/CN=legacy.lab.test', '-days', '2']);
    opensslOk(['pkcs12', '-export', '-in', file('p12b.pem'), '-inkey', file('p12b.key'), '-out', file('legacy.p12'), '-passout', 'pass:pw', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    const legacy = importInto(wb.workshop, { bytes: fs.readFileSync(file('legacy.p12')), passphrase: 'pw', fileName: 'legacy.p12' });
    expect(legacy.certificates[0].hasPrivateKey).toBe(true);
  });

  it('imports many PEM blocks at once, links a leaf to its imported CA, and a later key finds its certificate', () => {
    opensslOk(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('oca.key'), '-out', file('oca.pem'), '-subj', '/CN=Outside CA', '-days', '5', '-addext', 'basicConstraints=critical,CA:TRUE']);
    opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('oleaf.key'), '-out', file('oleaf.csr'), '-subj', '/CN=leaf.outside.test']);
    opensslOk(['x509', '-req', '-in', file('oleaf.csr'), '-CA', file('oca.pem'), '-CAkey', file('oca.key'), '-CAcreateserial', '-out', file('oleaf.pem'), '-days', '2']);
    const bundle = fs.readFileSync(file('oleaf.pem'), 'utf8') + fs.readFileSync(file('oca.pem'), 'utf8');
    const result = importInto(wb.workshop, { bytes: Buffer.from(bundle), fileName: 'bundle.pem' });
    expect(result.certificates).toHaveLength(2);
    const leaf = result.certificates.find((c) => c.subject === 'CN=leaf.outside.test')!;
    const ca = result.certificates.find((c) => c.subject === 'CN=Outside CA')!;
    expect(leaf.issuerId).toBe(ca.id);
    expect(leaf.hasPrivateKey).toBe(false);
    const keyOnly = importInto(wb.workshop, { bytes: fs.readFileSync(file('oleaf.key')), fileName: 'oleaf.key' });
    expect(keyOnly.keysMatched).toBe(1);
    expect(wb.workshop.summary(wb.workshop.certificate(leaf.id)).hasPrivateKey).toBe(true);
    const twice = importInto(wb.workshop, { bytes: Buffer.from(bundle), fileName: 'bundle.pem' });
    expect(twice.certificates).toHaveLength(0);
    expect(twice.duplicates).toHaveLength(2);
  });

  it('a CA imported after a certificate it issued takes that certificate under it', () => {
    opensslOk(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('lca.key'), '-out', file('lca.pem'), '-subj', '/CN=Later CA', '-days', '5', '-addext', 'basicConstraints=critical,CA:TRUE']);
    opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('early.key'), '-out', file('early.csr'), '-subj', '/CN=early.outside.test']);
    opensslOk(['x509', '-req', '-in', file('early.csr'), '-CA', file('lca.pem'), '-CAkey', file('lca.key'), '-CAcreateserial', '-out', file('early.pem'), '-days', '2']);
    // Another CA with the same name, whose key did not sign the leaf: not its issuer.
    opensslOk(['req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('twin.key'), '-out', file('twin.pem'), '-subj', '/CN=Later CA', '-days', '5', '-addext', 'basicConstraints=critical,CA:TRUE']);
    const [leaf] = importInto(wb.workshop, { bytes: fs.readFileSync(file('early.pem')), fileName: 'early.pem' }).certificates;
    expect(leaf.issuerId).toBeNull();
    importInto(wb.workshop, { bytes: fs.readFileSync(file('twin.pem')), fileName: 'twin.pem' });
    expect(wb.workshop.certificate(leaf.id).issuer_id).toBeNull();
    const [ca] = importInto(wb.workshop, { bytes: fs.readFileSync(file('lca.pem')), fileName: 'lca.pem' }).certificates;
    expect(wb.workshop.certificate(leaf.id).issuer_id).toBe(ca.id);
    expect(wb.workshop.rootCaName(wb.workshop.certificate(leaf.id).name)).toBe(ca.name);
  });
});

describe('the workbench passphrase', () => {
  it('keeps keys out of the database in the clear; locked keys give one clear error and work after unlocking', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-workshop-pass-'));
    const own = new Workbench({ dataDir: dir });
    try {
      const made = await own.workshop.createCa({ name: 'Locked CA', subject: '/CN=Locked CA', key: 'ec:P-256' });
      const pkcs8 = made.privateKey.export({ type: 'pkcs8', format: 'der' });
      expect(own.workshop.keyProtection().status).toBe('not-protected');
      await own.workshop.setPassphrase('a long lab passphrase');
      expect(own.workshop.keyProtection().status).toBe('unlocked');
      own.workshop.lock();
      await expect(own.workshop.issue({ ca: 'Locked CA', subject: { CN: 'x.lab.test' } })).rejects.toMatchObject({ code: 'KEYS_LOCKED' });
      await expect(own.workshop.serverIdentity('Locked CA')).rejects.toThrow(/workbench passphrase/);
      expect(() => exportFrom(own.workshop, { id: made.certificate.id, format: 'key-pem', path: path.join(dir, 'k.pem') })).toThrow(/workbench passphrase/);
      expect(fs.existsSync(path.join(dir, 'k.pem'))).toBe(false);
      await expect(own.workshop.unlock('not it')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
      await own.workshop.unlock('a long lab passphrase');
      const issued = await own.workshop.issue({ ca: 'Locked CA', subject: { CN: 'x.lab.test' } });
      expect(issued.certificate.hasPrivateKey).toBe(true);
      // No stored key is in the clear.
      const db = new Database(path.join(dir, 'workbench.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT protection, data FROM pki_keys').all() as Array<{ protection: string; data: Buffer }>;
      db.close();
      expect(rows.every((r) => r.protection === 'sealed')).toBe(true);
      expect(rows.some((r) => r.data.includes(pkcs8.subarray(20, 60)))).toBe(false);
    } finally {
      await own.close();
    }
    // A new engine (a new process) starts locked.
    const reopened = new Workbench({ dataDir: dir });
    try {
      expect(reopened.workshop.keyProtection().status).toBe('locked');
      expect(reopened.about().keyProtection?.status).toBe('locked');
      await reopened.workshop.unlock('a long lab passphrase');
      expect((await reopened.workshop.serverIdentity('x.lab.test')).keyPem).toContain('BEGIN PRIVATE KEY');
    } finally {
      await reopened.close();
    }
  });
});
