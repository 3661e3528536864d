import { describe, expect, it } from 'vitest';
import type { ServerConnectionSummary, ServerInfo } from '../../../src-main/api/serverTypes';
import {
  addConnectionSummary,
  configSummary,
  connectionRows,
  mergeServer,
  serverCounts,
  serverStatus,
  tryCommand,
  sniClientTargets,
} from '../../../src-renderer/src/lib/server-view';
import { clientCertPolicy, clientCertificateView, serverSessionOutcome } from '../../../src-renderer/src/lib/server-session';
import { sessionOutcome } from '../../../src-renderer/src/lib/outcome';
import { certificate, summary, verification } from './fixtures';

const STARTED = 1_700_000_000_000;

function server(overrides: Partial<ServerInfo> = {}): ServerInfo {
  return {
    id: 1,
    label: '127.0.0.1:4433',
    status: 'running',
    address: '127.0.0.1:4433',
    host: '127.0.0.1',
    port: 4433,
    config: { identity: { kind: 'lab', name: 'www.bank32.com' } },
    names: [{ name: null, certificate: certificate(), chainLength: 2 }],
    startedAt: STARTED,
    stoppedAt: null,
    connections: 0,
    active: 0,
    failed: 0,
    error: null,
    ...overrides,
  };
}

function connection(overrides: Partial<ServerConnectionSummary> = {}): ServerConnectionSummary {
  return {
    serverId: 1, sessionId: 10, at: STARTED + 100, peer: '127.0.0.1:50000', sni: 'www.bank32.com', version: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1', resumed: false, clientCertificate: null, requests: 1, outcome: 'ok', error: null,
    ...overrides,
  };
}

const serverSession = (overrides: Parameters<typeof summary>[0] = {}) =>
  summary({ kind: 'server', target: '127.0.0.1:4433', address: '127.0.0.1:50000', verification: null, startedAt: STARTED + 100, ...overrides });

describe('a server in the list', () => {
  it('reads running, stopped or failed, with its counts', () => {
    expect(serverStatus(server())).toEqual({ tone: 'ok', label: 'Running' });
    expect(serverStatus(server({ status: 'stopped' }))).toEqual({ tone: 'idle', label: 'Stopped' });
    expect(serverStatus(server({ status: 'failed' })).label).toBe('Failed');
    expect(serverCounts(server({ connections: 1 }))).toBe('1 connection');
    expect(serverCounts(server({ connections: 12, active: 1, failed: 2 }))).toBe('12 connections · 1 open · 2 failed');
  });

  it('sums up its settings in short phrases', () => {
    const parts = configSummary({
      identity: { kind: 'lab', name: 'x' }, maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256', tickets: false,
      clientAuth: { ca: { kind: 'lab', name: 'Lab Root' }, require: true }, responder: { kind: 'echo' },
    });
    expect(parts).toEqual(['any to TLSv1.2', 'ciphers AES128-GCM-SHA256', 'client certificate required from lab:Lab Root', 'no session tickets', 'Echo of each request']);
  });

  it('suggests a curl command with the certificate\'s name resolved to the server', () => {
    expect(tryCommand(server())).toBe('curl --cacert ca.pem --resolve www.bank32.com:4433:127.0.0.1 https://www.bank32.com:4433/');
    expect(tryCommand(server({ config: { identity: { kind: 'lab', name: 'x' }, responder: { kind: 'plain' } } }))).toContain('openssl s_client -connect 127.0.0.1:4433');
    const required = { identity: { kind: 'lab' as const, name: 'x' }, clientAuth: { ca: { kind: 'lab' as const, name: 'Root' }, require: true } };
    expect(tryCommand(server({ config: required }))).toContain('curl --cacert ca.pem --cert client.pem --resolve');
    expect(tryCommand(server({ config: { ...required, responder: { kind: 'plain' } } }))).toMatch(/-CAfile ca.pem -cert client.pem$/);
  });

  it('is merged by id, newest first', () => {
    const list = mergeServer(mergeServer([], server({ id: 1 })), server({ id: 2 }));
    expect(list.map((s) => s.id)).toEqual([2, 1]);
    expect(mergeServer(list, server({ id: 1, status: 'stopped' })).find((s) => s.id === 1)?.status).toBe('stopped');
  });
});

describe('a server\'s live connections', () => {
  it('show a connection the moment its session is created, before it ends', () => {
    const rows = connectionRows(server(), [serverSession({ id: 10, status: 'running', version: null, endedAt: null })], []);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sessionId: 10, peer: '127.0.0.1:50000', tone: 'running', outcome: 'handshake…', resumed: null });
  });

  it('take what the engine reported when the connection ended over the session row', () => {
    const rows = connectionRows(server(), [serverSession({ id: 10 })], [connection({ resumed: true, requests: 3 })]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sessionId: 10, resumed: true, requests: 3, outcome: 'ok', cipher: 'TLS_AES_256_GCM_SHA384' });
  });

  it('keep only this server\'s: same address since it started, or reported with its id', () => {
    const sessions = [
      serverSession({ id: 1, startedAt: STARTED - 5 }),
      serverSession({ id: 2, target: '127.0.0.1:4434' }),
      summary({ id: 3, kind: 'client', target: '127.0.0.1:4433', startedAt: STARTED + 5 }),
      serverSession({ id: 4, startedAt: STARTED + 50 }),
    ];
    const rows = connectionRows(server(), sessions, [connection({ serverId: 2, sessionId: 5 }), connection({ sessionId: 6, at: STARTED + 60 })]);
    expect(rows.map((r) => r.sessionId)).toEqual([6, 4]);
  });

  it('of a stopped server end at its stop', () => {
    const stopped = server({ status: 'stopped', stoppedAt: STARTED + 1000 });
    expect(connectionRows(stopped, [serverSession({ id: 1, startedAt: STARTED + 2000 })], [])).toEqual([]);
  });

  it('show a failure with the client\'s alert by name', () => {
    const error = { code: 'CLIENT_ALERT', message: 'the client ended the handshake with the alert "unknown_ca": ...' };
    const rows = connectionRows(server(), [], [connection({ outcome: 'failed', error, version: null, cipher: null })]);
    expect(rows[0]).toMatchObject({ tone: 'fail', outcome: 'failed', error, alert: 'unknown_ca', problem: "the client's alert ended the handshake" });
    const missing = { code: 'CLIENT_CERT_MISSING', message: 'the client sent no certificate, and this server requires one; give the client a certificate' };
    expect(connectionRows(server(), [], [connection({ outcome: 'failed', error: missing })])[0]).toMatchObject({ alert: null, problem: 'the client sent no certificate, and this server requires one' });
  });

  it('are bounded per server, newest kept', () => {
    let list: ServerConnectionSummary[] = [];
    for (let i = 1; i <= 5; i++) list = addConnectionSummary(list, connection({ sessionId: i }), 3);
    list = addConnectionSummary(list, connection({ serverId: 2, sessionId: 99 }), 3);
    expect(list.filter((c) => c.serverId === 1).map((c) => c.sessionId)).toEqual([5, 4, 3]);
    expect(list.some((c) => c.sessionId === 99)).toBe(true);
  });
});

describe('a server session\'s verdict', () => {
  it('is green when the client finished the handshake, with no server certificate to verify', () => {
    expect(sessionOutcome(serverSession())).toMatchObject({ tone: 'ok', label: 'Served' });
    // A client session with no verification stays amber, as before.
    expect(sessionOutcome(summary({ verification: null })).tone).toBe('warn');
  });

  it('is red with the client\'s alert when the handshake failed', () => {
    const error = { code: 'CLIENT_ALERT', message: 'the client ended the handshake with the alert "unknown_ca"' };
    expect(serverSessionOutcome(serverSession({ status: 'failed', error }))).toMatchObject({ tone: 'fail', detail: error.message });
  });

  it('names a verified client certificate, and one that was missing or not verified', () => {
    const ok = verification({ verifyPeer: true, checkHostname: false, hostname: null, summary: 'client certificate "CN=alice" verified' });
    expect(serverSessionOutcome(serverSession({ verification: ok }))).toMatchObject({ tone: 'ok', label: 'Client verified' });
    const none = verification({ verifyPeer: false, checkHostname: false, hostname: null, chain: { ok: false, message: 'the client sent no certificate' }, accepted: true });
    expect(serverSessionOutcome(serverSession({ verification: none })).tone).toBe('warn');

    const done = { verification: null, version: 'TLSv1.3', error: null };
    const failed = (code: string) => ({ verification: null, version: null, error: { code, message: '' } });
    expect(clientCertificateView({ clientCertificate: null, clientCertificateAuthorized: null }, done).text).toContain('Not asked for');
    expect(clientCertificateView({ clientCertificate: null, clientCertificateAuthorized: null }, { ...done, verification: none }))
      .toEqual({ tone: 'warn', text: 'None sent (asked for, not required).' });
    expect(clientCertificateView({ clientCertificate: certificate(), clientCertificateAuthorized: true }, { ...done, verification: ok }))
      .toEqual({ tone: 'ok', text: ok.summary });
    expect(clientCertificateView({ clientCertificate: certificate(), clientCertificateAuthorized: false }, { ...done, verification: { ...ok, chain: { ok: false } } }).tone).toBe('fail');
    // A failed handshake records no verification: the error code or the server's settings tell.
    expect(clientCertificateView({ clientCertificate: null, clientCertificateAuthorized: null }, failed('CLIENT_CERT_MISSING')))
      .toEqual({ tone: 'fail', text: 'None sent, and this server requires one.' });
    expect(clientCertificateView({ clientCertificate: null, clientCertificateAuthorized: null }, failed('CLIENT_ALERT'), 'required').text).toContain('requires one');
    expect(clientCertificateView({ clientCertificate: null, clientCertificateAuthorized: null }, failed('CLIENT_ALERT'), 'off').text).toContain('Not asked for');
    expect(clientCertificateView({ clientCertificate: null, clientCertificateAuthorized: null }, failed('CLIENT_ALERT')).text).toContain('None received');
  });

  it('knows the client-certificate policy of a server still listed, for sessions that did not record it', () => {
    const required = server({ config: { identity: { kind: 'lab', name: 'x' }, clientAuth: { ca: { kind: 'lab', name: 'Root' }, require: true } } });
    expect(clientCertPolicy([required], { serverId: 1 })).toBe('required');
    expect(clientCertPolicy([server()], { serverId: 1 })).toBe('off');
    expect(clientCertPolicy([server()], { serverId: 7 })).toBe('unknown');
    expect(clientCertPolicy([server()], { serverId: null })).toBe('unknown');
    expect(clientCertPolicy([server()], null)).toBe('unknown');
  });

  it('takes the policy recorded with the session over the server list: the server may be gone, or another one now', () => {
    expect(clientCertPolicy([], { serverId: 3, clientCertificatePolicy: 'off' })).toBe('off');
    const required = server({ config: { identity: { kind: 'lab', name: 'x' }, clientAuth: { ca: { kind: 'lab', name: 'Root' }, require: true } } });
    expect(clientCertPolicy([required], { serverId: 1, clientCertificatePolicy: 'requested' })).toBe('requested');
    // A failed handshake on a server (run from the command line) that asked for nothing.
    const failedOff = clientCertificateView({ clientCertificate: null, clientCertificateAuthorized: null }, { verification: null, version: null, error: { code: 'CLIENT_ALERT', message: 'x' } }, clientCertPolicy([], { serverId: null, clientCertificatePolicy: 'off' }));
    expect(failedOff.text).toContain('Not asked for');
  });
});

describe('the names a server card opens the client form for', () => {
  const main = { host: 'www.bank32.com', port: 4433, connectTo: '127.0.0.1', trustCa: 'Lab Root' };
  const server = (sni: unknown[]) => ({ config: { sni } }) as unknown as Pick<ServerInfo, 'config'>;
  const roots = (name: string) => (name === 'mail.other.test' ? { name: 'Other Root' } : { name: 'Lab Root' });

  it('adds each further SNI name, trusting the CA of its own certificate; wildcards and the main name are left out', () => {
    const targets = sniClientTargets(server([
      { name: 'mail.bank32.com', identity: { kind: 'lab', name: 'mail.bank32.com' } },
      { name: 'mail.other.test', identity: { kind: 'lab', name: 'mail.other.test' } },
      { name: '*.bank32.com', identity: { kind: 'lab', name: 'wild' } },
      { name: 'www.bank32.com', identity: { kind: 'lab', name: 'www.bank32.com' } },
      { name: 'files.test', identity: { kind: 'files', certPath: '/a', keyPath: '/b' } },
    ]), main, roots);
    expect(targets.map((t) => [t.host, t.trustCa, t.connectTo, t.port])).toEqual([
      ['mail.bank32.com', 'Lab Root', '127.0.0.1', 4433],
      ['mail.other.test', 'Other Root', '127.0.0.1', 4433],
      ['files.test', null, '127.0.0.1', 4433],
    ]);
    expect(sniClientTargets(server([]), main, roots)).toEqual([]);
    expect(sniClientTargets(server([{ name: 'a.test', identity: { kind: 'lab', name: 'a' } }]), null, roots)).toEqual([]);
  });
});
