import { describe, expect, it } from 'vitest';
import type { ProxyConnectionSummary, ProxyInfo, ProxySessionInfo } from '../../../src-main/api/proxyTypes';
import {
  addProxyConnection,
  certificateDiff,
  issuerInChain,
  diffCounts,
  proxyConnectionRows,
  proxyClientTarget,
  proxyCounts,
  proxyFailure,
  proxyOutcome,
  proxyTryCommands,
  ruleFiringRows,
  plaintextTurns,
  PLAINTEXT_SHOWN,
  carefulVictimTarget,
} from '../../../src-renderer/src/lib/proxy-view';
import type { RecordDetail, RecordRow } from '../../../src-main/api/recordTypes';
import { certificate, summary, verification } from './fixtures';

function proxy(overrides: Partial<ProxyInfo> = {}): ProxyInfo {
  return {
    id: 1,
    label: 'Lab MITM',
    status: 'running',
    mode: 'transparent',
    transparentAddress: '127.0.0.1:8443',
    connectAddress: null,
    ca: { name: 'Lab MITM CA', subject: 'CN=Lab MITM CA', keyType: 'RSA 2048' },
    upstreamTrust: 'system store',
    config: { ca: 'Lab MITM CA', map: [{ host: 'www.example.com', address: '127.0.0.1:4433' }] },
    startedAt: 1000,
    stoppedAt: null,
    connections: 0,
    active: 0,
    failed: 0,
    error: null,
    ...overrides,
  };
}

function connection(overrides: Partial<ProxyConnectionSummary> = {}): ProxyConnectionSummary {
  return {
    proxyId: 1,
    sessionId: 5,
    at: 2000,
    mode: 'transparent',
    peer: '127.0.0.1:50000',
    host: 'www.example.com:443',
    upstream: '127.0.0.1:4433',
    victimVersion: 'TLSv1.3',
    upstreamVersion: 'TLSv1.3',
    forgedSubject: 'CN=www.example.com',
    upstreamVerified: true,
    exchanges: 1,
    rulesFired: 1,
    bytesFromVictim: 100,
    bytesFromUpstream: 900,
    victimAlert: null,
    outcome: 'ok',
    error: null,
    ...overrides,
  };
}

function info(overrides: Partial<ProxySessionInfo> = {}): ProxySessionInfo {
  return {
    proxyId: 1,
    proxyLabel: 'Lab MITM',
    mode: 'transparent',
    host: 'www.example.com:443',
    upstreamSource: 'map',
    caName: 'Lab MITM CA',
    forgedCertificate: null,
    forgedFromCache: false,
    namesFromUpstream: true,
    upstreamCertificate: null,
    upstreamVerification: verification(),
    upstreamInsecure: false,
    victim: { peer: '127.0.0.1:50000', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: null },
    upstream: { peer: '127.0.0.1:4433', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: null },
    victimAlert: null,
    failedLeg: null,
    exchanges: 1,
    rawForwarding: false,
    rulesFired: [],
    ...overrides,
  };
}

describe('the forged and the real certificate compared', () => {
  const real = certificate({
    subject: 'C=US, O=Example Inc, CN=www.example.com',
    subjectAttributes: [
      { type: 'C', value: 'US' },
      { type: 'O', value: 'Example Inc' },
      { type: 'CN', value: 'www.example.com' },
    ],
    issuer: 'CN=Example Upstream Root CA',
    subjectAltNames: ['DNS:www.example.com', 'DNS:example.com'],
    serialNumber: '4B88',
    fingerprintSha256: 'cd'.repeat(32),
  });
  const forged = certificate({
    subject: 'O=Example Inc, CN=www.example.com',
    subjectAttributes: [
      { type: 'O', value: 'Example Inc' },
      { type: 'CN', value: 'www.example.com' },
    ],
    issuer: 'CN=Lab MITM CA',
    subjectAltNames: ['DNS:example.com', 'DNS:www.example.com'],
    serialNumber: '7212',
    notBefore: '2026-01-01T00:00:00.000Z',
    fingerprintSha256: 'ef'.repeat(32),
  });

  it('marks what differs and what was copied, field by field', () => {
    const rows = certificateDiff(forged, real);
    const by = Object.fromEntries(rows.map((r) => [r.field, r]));
    expect(rows.map((r) => r.field)).toEqual(['subject', 'names', 'issuer', 'key', 'serial', 'validity', 'fingerprint']);
    // The same names in another order are the same names: the hostname check passes on both.
    expect(by.names.same).toBe(true);
    expect(by.subject.same).toBe(false);
    expect(by.subject.note).toBe('The proxy copied part of the subject; not copied: C=US.');
    expect(by.issuer).toMatchObject({ same: false, forged: 'CN=Lab MITM CA', real: 'CN=Example Upstream Root CA' });
    // Two RSA 2048 keys are still two keys.
    expect(by.key).toMatchObject({ same: false, forged: 'RSA, 2048 bits', real: 'RSA, 2048 bits' });
    expect(by.key.note).toContain('different key');
    expect(by.serial.same).toBe(false);
    expect(by.validity.same).toBe(false);
    // Written as the certificate cards write times, not as the engine's ISO strings.
    expect(by.validity.forged).toMatch(/^2026-01-01 00:00 UTC to \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(by.fingerprint.same).toBe(false);
    expect(by.fingerprint.forged).toBe(('EF:'.repeat(32)).slice(0, -1));
    expect(diffCounts(rows)).toEqual({ same: 1, different: 6 });
  });

  it('does not claim another CA signed the forgery when the proxy signs with the real server\'s own CA', () => {
    // The lab's one "Lab Root" signs the bank's certificate and the proxy's forgeries: the note said
    // "only the real CA's key makes the real one", while the proxy held that very key.
    const labRoot = certificate({ subject: 'O=TLS Lab, CN=Lab Root', issuer: 'O=TLS Lab, CN=Lab Root', isCA: true, selfIssued: true, fingerprintSha256: '11'.repeat(32) });
    const bank = certificate({ issuer: labRoot.subject, fingerprintSha256: '22'.repeat(32) });
    const forgery = certificate({ issuer: labRoot.subject, serialNumber: '99', fingerprintSha256: '33'.repeat(32) });
    const issuer = (rows: ReturnType<typeof certificateDiff>) => rows.find((r) => r.field === 'issuer');
    expect(issuerInChain([forgery, labRoot], forgery)).toBe(labRoot);
    expect(issuerInChain([bank], bank)).toBeNull();
    const sameCa = issuer(certificateDiff(forgery, bank, { forged: labRoot, real: labRoot }));
    expect(sameCa?.same).toBe(true);
    expect(sameCa?.note).toContain('the very CA that signed the real one');
    expect(sameCa?.note).not.toContain('only the real CA');
    // Two CAs with one name: the signature tells them apart.
    const other = certificate({ ...labRoot, fingerprintSha256: '44'.repeat(32) });
    expect(issuer(certificateDiff(forgery, bank, { forged: other, real: labRoot }))?.note).toContain('another CA\'s key signed it');
    // The real server sent no root: nothing is claimed either way.
    expect(issuer(certificateDiff(forgery, bank, { forged: labRoot }))?.note).toContain('Unless the proxy holds the real CA\'s key');
  });

  it('names the names only one of them has', () => {
    const rows = certificateDiff(certificate({ subjectAltNames: ['DNS:www.example.com'] }), real);
    expect(rows.find((r) => r.field === 'names')).toMatchObject({ same: false, note: 'only in the real one: DNS:example.com.' });
  });
});

describe('the proxy card', () => {
  it('counts connections and suggests curl for each listener', () => {
    expect(proxyCounts({ connections: 3, active: 1, failed: 2 })).toBe('3 connections · 1 open · 2 failed');
    expect(proxyTryCommands(proxy({ mode: 'both', connectAddress: '127.0.0.1:8080' }))).toEqual([
      'curl --cacert ca.pem --resolve www.example.com:8443:127.0.0.1 https://www.example.com:8443/',
      'curl --cacert ca.pem -x http://127.0.0.1:8080 https://www.example.com/',
    ]);
  });

  it('aims the client form at the first mapped site through the proxy, trusting the forging CA\'s root', () => {
    const root = (name: string) => (name === 'Lab MITM CA' ? { name: 'Lab MITM CA' } : null);
    expect(proxyClientTarget(proxy(), root)).toEqual({ host: 'www.example.com', port: 4433, connectTo: '127.0.0.1:8443', trustCa: 'Lab MITM CA' });
    // A mapping without a port keeps the victim's own: 443 for a site.
    expect(proxyClientTarget(proxy({ config: { ca: 'Gone', map: [{ host: 'www.bank32.com', address: '127.0.0.1' }] } }), root)).toEqual({
      host: 'www.bank32.com',
      port: 443,
      connectTo: '127.0.0.1:8443',
      trustCa: null,
    });
    // The client form speaks no HTTP proxy: a CONNECT-only proxy offers no such button.
    expect(proxyClientTarget(proxy({ mode: 'connect', transparentAddress: null, connectAddress: '127.0.0.1:8080' }), root)).toBeNull();
  });

  it('lists reported connections with their alert, and claims in-flight sessions only when unambiguous', () => {
    const failed = connection({
      sessionId: 6,
      at: 3000,
      outcome: 'failed',
      victimAlert: 'unknown_ca',
      error: { code: 'VICTIM_REJECTED_CERTIFICATE', message: 'the victim refused the forged certificate with the alert "unknown_ca": ...' },
    });
    const running = summary({ id: 7, kind: 'proxy', status: 'running', startedAt: 4000, target: 'www.example.com:443', version: null });
    const rows = proxyConnectionRows(proxy(), [proxy()], [running], [connection(), failed, connection({ proxyId: 2, sessionId: 9 })]);
    expect(rows.map((r) => [r.sessionId, r.outcome, r.alert])).toEqual([
      [7, 'handshake…', null],
      [6, 'failed', 'unknown_ca'],
      [5, 'ok', null],
    ]);
    expect(rows[1].problem).toBe('the victim refused the forged certificate');
    expect(rows[2]).toMatchObject({ rulesFired: 1, bytes: 1000, upstreamVerified: true });
    // Two proxies running at once: the session list cannot say whose it is, so neither claims it.
    const other = proxy({ id: 2 });
    expect(proxyConnectionRows(proxy(), [proxy(), other], [running], []).length).toBe(0);
  });

  it('keeps a bounded number of connections per proxy', () => {
    let list: ProxyConnectionSummary[] = [];
    for (let i = 1; i <= 5; i++) list = addProxyConnection(list, connection({ sessionId: i }), 3);
    list = addProxyConnection(list, connection({ proxyId: 2, sessionId: 100 }), 3);
    expect(list.map((c) => c.sessionId)).toEqual([100, 5, 4, 3]);
  });
});

describe('a proxy session', () => {
  it('says which rule fired where, by its text while the proxy is known', () => {
    const fired = [{ rule: 0, event: 'response-body' as const, exchange: 1, replacements: 2, t: 40.5 }];
    const rows = ruleFiringRows(fired, [{ direction: 'response', find: 'cybersecurity', replace: 'SEED+Labs' }]);
    expect(rows[0]).toMatchObject({ label: 'response: "cybersecurity" → "SEED+Labs"', where: 'response body, server → proxy → victim', replacements: 2 });
    expect(ruleFiringRows(fired, null)[0].label).toBe('rule 1');
  });

  it('explains each failure on its leg, with the victim alert by name', () => {
    const rejected = proxyFailure(
      { code: 'VICTIM_REJECTED_CERTIFICATE', message: 'the victim refused the forged certificate with the alert "unknown_ca": ...' },
      info({ victimAlert: 'unknown_ca', failedLeg: 'victim' }),
    );
    expect(rejected).toMatchObject({ leg: 'victim ↔ proxy', alert: 'unknown_ca', title: 'The victim refused the forged certificate' });
    expect(rejected?.advice).toContain('"Lab MITM CA"');
    // Chromium sends certificate_unknown for any refusal, a wrong name as much as an unknown CA.
    const browser = proxyFailure(
      { code: 'VICTIM_REJECTED_CERTIFICATE', message: 'the victim refused the forged certificate with the alert "certificate_unknown": ...' },
      info({ victimAlert: 'certificate_unknown', failedLeg: 'victim' }),
    );
    expect(browser?.advice).toContain('or the name it asked for is not in the forged certificate');
    expect(browser?.advice).toContain('NET::ERR_CERT_COMMON_NAME_INVALID');
    expect(proxyFailure({ code: 'UPSTREAM_UNREACHABLE', message: 'not reachable' }, info({ failedLeg: 'upstream' }))?.leg).toBe('proxy ↔ server');
    expect(proxyFailure({ code: 'UPSTREAM_CERT_INVALID', message: 'did not verify' }, null)?.advice).toContain('continue anyway');
    expect(proxyFailure({ code: 'NOT_TLS', message: 'plain HTTP' }, null)?.title).toBe('The victim did not speak TLS');
    expect(proxyFailure(null, info())).toBeNull();
  });

  it('judges both legs in its header', () => {
    const ok = proxyOutcome({ status: 'ok', error: null, target: 'www.example.com:443', proxy: info({ rulesFired: [{ rule: 0, event: 'response-body', exchange: 1, replacements: 1, t: 1 }] }) });
    expect(ok).toMatchObject({ tone: 'ok', label: 'Intercepted' });
    expect(ok.detail).toBe(
      'The victim accepted the certificate forged for www.example.com by "Lab MITM CA"; the real server\'s certificate verified; 1 HTTP exchange forwarded, 1 rewrite.',
    );
    const careless = proxyOutcome({
      status: 'ok',
      error: null,
      target: 'x',
      proxy: info({ upstreamInsecure: true, upstreamVerification: verification({ accepted: false }) }),
    });
    expect(careless.tone).toBe('warn');
    expect(careless.detail).toContain('did not verify, and the proxy went on anyway');
    expect(proxyOutcome({ status: 'failed', error: { code: 'X', message: 'why' }, target: 'x' })).toMatchObject({ tone: 'fail', detail: 'why' });
  });
});

describe('what a proxy session\'s victim leg carried, decrypted', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const row = (number: number, direction: 'client-to-server' | 'server-to-client', contentTypeName = 'Application Data', encrypted = false) =>
    ({ number, direction, contentTypeName, encrypted }) as unknown as RecordRow;
  const opened = (number: number, text: string, contentTypeName = 'Application Data') =>
    ({ number, rawBase64: '', plaintext: { base64: b64(text), contentTypeName, tree: [] }, messages: [] }) as unknown as RecordDetail;

  it('joins the records one way into a turn, and leaves out handshake messages', () => {
    const rows = [row(1, 'client-to-server', 'Handshake'), row(5, 'client-to-server'), row(6, 'server-to-client'), row(7, 'server-to-client'), row(8, 'client-to-server')];
    const details = [opened(1, 'x', 'Handshake'), opened(5, 'GET / HTTP/1.1\r\n\r\n'), opened(6, 'HTTP/1.1 200 OK\r\n'), opened(7, '\r\nhi'), opened(8, 'GET /b')];
    const { turns, unopened } = plaintextTurns(rows, details);
    expect(turns.map((t) => [t.direction, t.text, t.bytes])).toEqual([
      ['client-to-server', 'GET / HTTP/1.1\r\n\r\n', 18],
      ['server-to-client', 'HTTP/1.1 200 OK\r\n\r\nhi', 21],
      ['client-to-server', 'GET /b', 6],
    ]);
    expect(unopened).toBe(0);
  });

  it('counts the application data the key log did not open, and cuts a long turn', () => {
    const long = 'a'.repeat(PLAINTEXT_SHOWN + 10);
    const { turns, unopened } = plaintextTurns([row(3, 'client-to-server', 'Application Data', true), row(4, 'server-to-client')], [opened(4, long)]);
    expect(unopened).toBe(1);
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({ bytes: PLAINTEXT_SHOWN + 10, cut: true });
    expect(turns[0].text).toHaveLength(PLAINTEXT_SHOWN);
  });
});

describe('the careful victim a proxy card offers', () => {
  const proxy = (config: Partial<ProxyInfo['config']>) =>
    ({ transparentAddress: '127.0.0.1:8443', config: { ca: 'Mallory', map: [{ host: 'www.bank32.com', address: '127.0.0.1:4433' }], ...config } }) as unknown as ProxyInfo;
  const roots = (name: string) => ({ name: name === 'www.bank32.com' ? 'Lab Root' : name });

  it('trusts the CA the real server is checked against, when that is not the forging CA', () => {
    expect(carefulVictimTarget(proxy({ upstreamTrust: { kind: 'lab', name: 'Lab Root' } }), roots)).toMatchObject({
      host: 'www.bank32.com', port: 4433, connectTo: '127.0.0.1:8443', trustCa: 'Lab Root',
    });
  });

  it('is not offered when the proxy forges with the real CA, or checks the real server some other way', () => {
    expect(carefulVictimTarget(proxy({ ca: 'Lab Root', upstreamTrust: { kind: 'lab', name: 'Lab Root' } }), roots)).toBeNull();
    expect(carefulVictimTarget(proxy({ upstreamTrust: { kind: 'system' } }), roots)).toBeNull();
    expect(carefulVictimTarget(proxy({}), roots)).toBeNull();
  });
});
