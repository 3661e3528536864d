// The workshop over the engine's WebSocket API, as the Certificates view uses it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { opensslOk } from './pki/openssl';

let engine: RunningEngine;
let api: ApiConnection;

beforeAll(async () => {
  engine = await startEngine({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-workshop-api-')) });
  api = await connectApi(engine);
});
afterAll(async () => {
  api?.close();
  await engine?.close();
});

const call = (method: string, params: object) => api.call(method, params);
const result = <T>(method: string, params: object) => api.result<T>(method, params);

describe('pki.* over the engine API', () => {
  it('creates a CA, issues www.bank32.com, lists them as a tree, and announces the changes', async () => {
    const ca = await result<{ certificate: { id: number; isCa: boolean } }>('pki.ca.create', { name: 'API Root', subject: { CN: 'API Root', O: 'Lab' }, key: 'ec:P-256' });
    expect(ca.certificate.isCa).toBe(true);
    const issued = await result<{ certificate: { id: number; subjectAltNames: string[] }; certificatePem: string; chainPem: string[] }>('pki.cert.issue', {
      ca: 'API Root',
      subject: { CN: 'www.bank32.com' },
      subjectAltNames: ['DNS:www.bank32.com', 'IP:127.0.0.1'],
    });
    expect(issued.certificate.subjectAltNames).toEqual(['DNS:www.bank32.com', 'IP:127.0.0.1']);
    expect(issued).not.toHaveProperty('privateKey');
    const tree = await result<{ cas: Array<{ name: string; issued: Array<{ name: string }> }>; keyProtection: { status: string } }>('pki.cas.list', {});
    expect(tree.cas[0].name).toBe('API Root');
    expect(tree.cas[0].issued[0].name).toBe('www.bank32.com');
    expect(tree.keyProtection.status).toBe('not-protected');
    expect(api.events.filter((e) => e.event === 'pki.changed').map((e) => (e.data as { reason: string }).reason)).toEqual(['ca.created', 'certificate.issued']);
  });

  it('announces an RSA 4096 key generation as a job that starts and ends, and answers other calls meanwhile', async () => {
    const creating = call('pki.ca.create', { name: 'Big Root', subject: '/CN=Big Root', key: 'rsa:4096' });
    let createdFirst = false;
    void creating.then(() => (createdFirst = true));
    const list = await call('pki.cas.list', {});
    expect(list.ok).toBe(true);
    expect(createdFirst).toBe(false);
    const created = await creating;
    expect(created.ok).toBe(true);
    const jobs = api.events
      .filter((e) => e.event === 'pki.job')
      .map((e) => e.data as { state: string; label: string })
      .filter((job) => job.label.includes('RSA 4096'));
    expect(jobs.map((j) => j.state)).toEqual(['started', 'finished']);
    expect(jobs[0].label).toContain('RSA 4096');
  });

  it('inspects by id and by pasted PEM, with explanations, hashes and the ASN.1 tree', async () => {
    const tree = await result<{ cas: Array<{ issued: Array<{ id: number }> }> }>('pki.cas.list', {});
    const byId = await result<{ subjectHash: string; pem: string; derBase64: string; fields: Array<{ explanation: string }>; asn1: { children: unknown[] } }>('pki.inspect', {
      certificateId: tree.cas[0].issued[0].id,
    });
    expect(byId.subjectHash).toBe(opensslOk(['x509', '-noout', '-subject_hash'], { input: Buffer.from(byId.pem) }).trim());
    expect(byId.asn1.children).toHaveLength(3);
    expect(byId.fields.every((f) => f.explanation)).toBe(true);
    const byText = await result<{ derBase64: string }>('pki.inspect', { text: byId.pem });
    expect(byText.derBase64).toBe(byId.derBase64);
    // A TRUSTED CERTIFICATE (openssl x509 -trustout) pasted: its certificate, without the trust settings after it.
    const trusted = opensslOk(['x509', '-trustout', '-addtrust', 'serverAuth', '-setalias', 'bank'], { input: Buffer.from(byId.pem) });
    expect(trusted).toContain('BEGIN TRUSTED CERTIFICATE');
    const byTrusted = await result<{ derBase64: string }>('pki.inspect', { text: trusted });
    expect(byTrusted.derBase64).toBe(byId.derBase64);
    const bad = await call('pki.inspect', { text: 'not a certificate at all' });
    expect(bad.ok).toBe(false);
  });

  it('exports a PEM as bytes with a file name, verifies against the lab CA, and forges for a host', async () => {
    const tree = await result<{ cas: Array<{ issued: Array<{ id: number }> }> }>('pki.cas.list', {});
    const id = tree.cas[0].issued[0].id;
    const exported = await result<{ fileName: string; dataBase64: string }>('pki.export', { id, format: 'pem' });
    expect(exported.fileName).toBe('www.bank32.com.pem');
    expect(Buffer.from(exported.dataBase64, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    const verified = await result<{ ok: boolean }>('pki.verify', { certificateId: id, trust: { kind: 'lab', name: 'API Root' }, hostname: 'www.bank32.com' });
    expect(verified.ok).toBe(true);
    const mismatch = await result<{ ok: boolean; failed: { name: string; detail: string } }>('pki.verify', { certificateId: id, trust: { kind: 'lab', name: 'API Root' }, hostname: 'mail.bank32.com' });
    expect(mismatch.failed.name).toBe('hostname');
    const forged = await result<{ certificatePem: string; cached: boolean; certificate: { kind: string } }>('pki.forge', { ca: 'API Root', hostname: 'www.victim.test' });
    expect(forged.certificate.kind).toBe('forged');
    expect(opensslOk(['x509', '-noout', '-ext', 'subjectAltName'], { input: Buffer.from(forged.certificatePem) })).toContain('DNS:www.victim.test');
    const again = await result<{ cached: boolean }>('pki.forge', { ca: 'API Root', hostname: 'www.victim.test' });
    expect(again.cached).toBe(true);
  });

  it('imports a certificate made by openssl and tells every window the workshop changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-import-'));
    opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=Imported Root', '-days', '30', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')]);
    const imported = await result<{ certificates: Array<{ id: number; name: string }>; keysMatched: number }>('pki.import', {
      text: fs.readFileSync(path.join(dir, 'c.pem'), 'utf8') + fs.readFileSync(path.join(dir, 'k.pem'), 'utf8'),
    });
    expect(imported.keysMatched).toBe(1);
    const id = imported.certificates[0].id;
    const changed = api.events.find((e) => e.event === 'pki.changed' && (e.data as { reason: string; ids: number[] }).ids.includes(id));
    expect(changed?.data).toEqual({ reason: 'imported', ids: [id] });
  });

  it('refuses bad parameters with one clear error', async () => {
    const frame = await call('pki.ca.create', { name: 'X', subject: '/CN=X', key: 'rsa:1024' });
    expect(frame.ok).toBe(false);
    if (!frame.ok) {
      expect(frame.error.code).toBe('BAD_INPUT');
      expect(frame.error.message).toContain('rsa:2048');
    }
  });
});
