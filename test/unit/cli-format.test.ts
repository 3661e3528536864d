// What the CLI prints: session lists (times on the machine's clock, long errors cut at a word) and
// the client's response, or why there is none (and a binary response's head, not its body).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { responseText } from '../../src-main/api/responseText';
import type { KeyExchangeInfo } from '../../src-main/api/serverTypes';
import type { ConnectionDetail, SessionDetail, SessionSummary } from '../../src-main/api/types';
import { tls13KeyExchange } from '../../src-main/tls/keyExchange';
import { clip, formatClientResult, formatSessionDetail, formatSessionList, terminalSafe } from '../../src-main/cli/format';
import { jsonText } from '../../src-main/cli/common';

const saved = process.env.TZ;

function summary(over: Partial<SessionSummary>): SessionSummary {
  return {
    id: 3,
    kind: 'server',
    target: '127.0.0.1:4433',
    startedAt: Date.UTC(2026, 10, 26, 15, 6, 42),
    status: 'failed',
    version: null,
    error: null,
    ...over,
  } as SessionSummary;
}

describe('tlslab sessions list', () => {
  beforeEach(() => {
    process.env.TZ = 'Asia/Kolkata';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('shows when a session started on the local clock (UTC+5:30 here), not in UTC', () => {
    const text = formatSessionList([summary({})]);
    expect(text).toContain('2026-11-26 20:36:42');
    expect(text).not.toContain('15:06:42');
  });

  it('cuts a long error at a word, with an ellipsis, and leaves a short one whole', () => {
    const long = 'the client reset the connection during the handshake; it may have rejected the certificate (look for its alert in the timeline)';
    const row = formatSessionList([summary({ error: { code: 'X', message: long } })]).split('\n')[1];
    expect(row).toContain('(the client reset the connection during the handshake; it…)');
    const short = formatSessionList([summary({ error: { code: 'X', message: 'connection refused' } })]).split('\n')[1];
    expect(short).toMatch(/\(connection refused\)$/);
  });

  it("names the host a server session's client asked for (SNI) beside the server's own address", () => {
    expect(formatSessionList([summary({ sni: 'www.bank32.com', status: 'ok', version: 'TLSv1.3' })]).split('\n')[1]).toMatch(/TLSv1\.3  127\.0\.0\.1:4433 \(asked for www\.bank32\.com\)$/);
    // Without SNI (a client that sent none), and for client sessions, the target alone.
    expect(formatSessionList([summary({ sni: null, status: 'ok' })]).split('\n')[1]).toMatch(/127\.0\.0\.1:4433$/);
    expect(formatSessionList([summary({ kind: 'client', target: 'www.bank32.com:4433', sni: 'www.bank32.com', status: 'ok' })]).split('\n')[1]).toMatch(/ www\.bank32\.com:4433$/);
  });

  it('clip never returns more than it was allowed', () => {
    const text = 'x'.repeat(100);
    expect(clip(text, 60)).toHaveLength(60);
    expect(clip(text, 60).endsWith('…')).toBe(true);
  });
});

describe('tlslab client: the response, or why there is none', () => {
  const detail = (over: Partial<SessionDetail>): SessionDetail =>
    ({ ...summary({ kind: 'client', target: 'www.bank32.com:4433', status: 'ok', version: 'TLSv1.3' }), connections: [], response: null, verification: null,
      request: { host: 'www.bank32.com', port: 4433, send: { kind: 'http-get', path: '/' } }, ...over }) as SessionDetail;
  const accepted = { verifyPeer: true, checkHostname: true, chain: { ok: true }, hostname: null, accepted: true, summary: 'verified' } as SessionDetail['verification'];

  it('shows the bytes that came back, and says when only the first MiB is shown', () => {
    const text = formatClientResult(detail({ verification: accepted, response: { text: 'HTTP/1.0 200 ok', bytes: 2_000_000, truncated: true } }));
    expect(text).toContain('Response (2000000 bytes, first 1 MiB shown):\nHTTP/1.0 200 ok');
  });

  it('prints the head of a binary response but not its body, and how to save the body (with the data folder)', () => {
    const text = formatClientResult(
      detail({ id: 7, verification: accepted, response: { text: 'HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n\u0089PNG\u001b[2J\ufffd\ufffd', bytes: 20_000_045, truncated: true } }),
      { tlslab: 'tlslab --data-dir /tmp/lab' },
    );
    expect(text).toContain('Response (20000045 bytes, binary body not printed):\nHTTP/1.0 200 ok\nContent-type: text/plain\n\nTo save the body: tlslab --data-dir /tmp/lab sessions export 7 --format har --out session-7.har');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('PNG');
  });

  it('shows control characters from the network as \\xHH, so a server cannot drive the terminal (ESC in a header, a lone CR)', () => {
    const text = formatClientResult(
      detail({ verification: accepted, response: { text: 'HTTP/1.1 200 OK\r\nX-Title: \u001b]0;pwned\u0007\r\nX-Over: abc\rxyz\r\n\r\nhello', bytes: 60, truncated: false } }),
    );
    expect(text).toContain('X-Title: \\x1b]0;pwned\\x07\nX-Over: abc\\x0dxyz\n\nhello');
    expect(text).not.toMatch(/[\u001b\u0007\r]/);
  });

  it('says the request never went out when the session failed before it', () => {
    const text = formatClientResult(detail({ status: 'failed', verification: { ...accepted!, accepted: false }, response: { text: '', bytes: 0, truncated: false } }));
    expect(text).toContain('Request not sent: the session failed before it could go out.');
    expect(text).not.toContain('Response');
  });

  it("names the key exchange with the handshake's facts, as s_client prints its server temp key, and nothing when no ServerHello was read", () => {
    const connection = (keyExchange: KeyExchangeInfo | null) => ({ id: 1, leg: 'client', peerCertificates: [], localCertificates: [], keyExchange }) as unknown as ConnectionDetail;
    const rsa: KeyExchangeInfo = { method: 'RSA', ephemeral: false, group: null, summary: 'RSA key transport: no ephemeral key, no forward secrecy' };
    const text = formatClientResult(detail({ verification: accepted, connections: [connection(rsa)] }));
    expect(text).toContain('\nKey exchange: RSA key transport: no ephemeral key, no forward secrecy\n');
    expect(text.indexOf('Key exchange')).toBeGreaterThan(text.indexOf('Version: TLSv1.3'));
    expect(formatClientResult(detail({ verification: accepted, connections: [connection(null)] }))).not.toContain('Key exchange');
  });

  it('says the server sent nothing when the request went out and nothing came back', () => {
    expect(formatClientResult(detail({ verification: accepted }))).toContain('Response: none (the server sent no application data).');
  });

  it('says nothing of a response for a handshake-only session', () => {
    expect(formatClientResult(detail({ verification: accepted, request: { host: 'www.bank32.com', port: 4433, send: { kind: 'none' } } as SessionDetail['request'] }))).not.toMatch(/Response|Request/);
  });
});

describe('a response as text: head, body, and whether the body is binary', () => {
  it('splits an HTTP response at its blank line, and finds a text body text', () => {
    expect(responseText({ text: 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhéllo\n', truncated: false })).toEqual({ head: 'HTTP/1.1 200 OK\r\nContent-Length: 6', body: 'héllo\n', binary: false });
  });

  it('calls a body binary when it has bytes that were not UTF-8 or control characters a terminal acts on (ESC)', () => {
    expect(responseText({ text: 'HTTP/1.0 200 ok\r\n\r\nab\ufffdcd', truncated: false }).binary).toBe(true);
    expect(responseText({ text: 'HTTP/1.0 200 ok\r\n\r\n\u001b[31mred', truncated: false }).binary).toBe(true);
    expect(responseText({ text: 'plain bytes mode\u0000', truncated: false })).toMatchObject({ head: null, binary: true });
  });

  it('does not call a text body binary for a character cut in two at the first MiB', () => {
    expect(responseText({ text: 'HTTP/1.0 200 ok\r\n\r\nhéllo\ufffd', truncated: true }).binary).toBe(false);
    expect(responseText({ text: 'HTTP/1.0 200 ok\r\n\r\nhéllo\ufffd', truncated: false }).binary).toBe(true);
  });

  it('keeps tabs, line feeds and carriage returns as text', () => {
    expect(responseText({ text: 'a\tb\r\nc', truncated: false })).toEqual({ head: null, body: 'a\tb\r\nc', binary: false });
  });
});

describe('--json lines of running commands', () => {
  it('escape DEL and C1 controls too, so the line is terminal-safe and still parses to the same value', () => {
    const value = { event: 'connection', sni: 'a\u007fb\u009bc\u001bd\r\n' };
    const line = terminalSafe(jsonText(value));
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(JSON.parse(line)).toEqual(value);
  });
});

describe('tlslab sessions show: what a server or proxy session adds', () => {
  const cert = (subject: string, issuer: string, names: string[]) => ({ subject, issuer, subjectAltNames: names }) as unknown as NonNullable<SessionDetail['proxy']>['forgedCertificate'];
  const base = { ...summary({ kind: 'proxy', target: 'www.bank32.com:443', status: 'ok' }), connections: [], response: null, verification: null, request: null } as unknown as SessionDetail;

  it('a proxy session: both legs, the forged and the real certificate, the verdict and the rules that fired', () => {
    const text = formatSessionDetail({
      ...base,
      proxy: {
        proxyId: 1, proxyLabel: 'proxy 1', mode: 'connect', host: 'www.bank32.com:443', upstreamSource: 'map', caName: 'Mitm CA',
        forgedCertificate: cert('CN=www.bank32.com', 'CN=Mitm CA', ['DNS:www.bank32.com']), forgedFromCache: true, namesFromUpstream: true,
        upstreamCertificate: cert('CN=www.bank32.com', 'CN=Lab Root', ['DNS:www.bank32.com']),
        upstreamVerification: { accepted: false, summary: 'not verified: unknown issuer' } as NonNullable<SessionDetail['proxy']>['upstreamVerification'], upstreamInsecure: true,
        victim: { peer: '127.0.0.1:50000', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1' },
        upstream: { peer: '127.0.0.1:4433', version: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', alpn: null },
        victimAlert: null, failedLeg: null, closedFirst: 'upstream', exchanges: 2, rawForwarding: false,
        rulesFired: [{ rule: 0, event: 'request-body', exchange: 1, replacements: 2, t: 5 }],
      },
      // The session's own verification is the upstream's: said once, as the real certificate's.
      verification: { accepted: false, summary: 'not verified: unknown issuer', chain: { ok: false, explanation: 'the CA is not trusted' } },
    } as unknown as SessionDetail);
    expect(text).toContain('Proxy: proxy 1 (CONNECT), the victim asked for www.bank32.com:443, upstream address from the proxy map');
    expect(text).toContain('  victim leg:   127.0.0.1:50000  TLSv1.3  TLS_AES_256_GCM_SHA384  ALPN http/1.1');
    expect(text).toContain('  upstream leg: 127.0.0.1:4433  TLSv1.2  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(text).toContain('  forged by "Mitm CA" (from the cache, names copied from the real certificate): CN=www.bank32.com (issuer CN=Mitm CA; DNS:www.bank32.com)');
    expect(text).toContain('  real certificate: CN=www.bank32.com (issuer CN=Lab Root; DNS:www.bank32.com)');
    expect(text).toContain('  real certificate verification: not verified: unknown issuer (gone on anyway: --upstream-insecure)');
    expect(text).toContain('  closed first: the real server');
    expect(text).not.toContain('Verification:');
    expect(text).not.toContain('why: the CA is not trusted');
    expect(text).toContain('  2 HTTP exchanges forwarded');
    expect(text).toContain('  rule 1 fired on the request body of exchange 1: 2 replacements');
  });

  it('a server session: the client, resumption, key exchange and the client certificate with its verdict', () => {
    const text = formatSessionDetail({
      ...base,
      kind: 'server',
      server: {
        serverId: 2, serverLabel: 'server 2', peer: '127.0.0.1:50001', resumed: true,
        keyExchange: { method: 'ECDHE', ephemeral: true, group: 'x25519', summary: 'ECDHE on x25519: forward secrecy' },
        clientCertificate: cert('CN=alice', 'CN=Client CA', []), clientCertificateAuthorized: false, clientAlert: 'unknown_ca', requests: 0,
      },
    } as SessionDetail);
    expect(text).toContain('Server: server 2, client 127.0.0.1:50001, resumed session (abbreviated handshake), 0 HTTP requests answered');
    expect(text).toContain('  key exchange: ECDHE on x25519: forward secrecy');
    expect(text).toContain('  client certificate (refused): CN=alice (issuer CN=Client CA)');
    expect(text).toContain('  the client ended the handshake with the alert "unknown_ca"');
  });

  it("prints each connection's key exchange as read from its handshake: a proxy's two legs their own, a server's once", () => {
    const leg = (id: number, legName: ConnectionDetail['leg'], keyExchange: KeyExchangeInfo | null) =>
      ({ id, leg: legName, local: null, remote: null, bytesClientToServer: 0, bytesServerToClient: 0, timeline: [], keylog: [], peerCertificates: [], localCertificates: [], keyExchange }) as unknown as ConnectionDetail;
    const ecdhe = tls13KeyExchange('x25519', false);
    const rsa: KeyExchangeInfo = { method: 'RSA', ephemeral: false, group: null, summary: 'RSA key transport: no ephemeral key, no forward secrecy' };
    const proxy = formatSessionDetail({ ...base, connections: [leg(1, 'proxy-client', ecdhe), leg(2, 'proxy-upstream', rsa)] });
    expect(proxy).toContain(`Connection 1 (proxy-client) ? -> ?\n  bytes client->server 0, server->client 0\n  key exchange: ${ecdhe.summary}`);
    expect(proxy).toContain('Connection 2 (proxy-upstream) ? -> ?\n  bytes client->server 0, server->client 0\n  key exchange: RSA key transport: no ephemeral key, no forward secrecy');
    const server = formatSessionDetail({
      ...base,
      kind: 'server',
      server: { serverId: 2, serverLabel: 'server 2', peer: '127.0.0.1:50001', resumed: false, keyExchange: ecdhe, clientCertificate: null, clientCertificateAuthorized: null, clientAlert: null, requests: 1 },
      connections: [leg(3, 'server', ecdhe)],
    } as SessionDetail);
    expect(server.split('key exchange: ').length - 1).toBe(1);
  });
});
