import { describe, expect, it } from 'vitest';
import { overviewTimeline, timelineRows, recordCounts } from '../../../src-renderer/src/lib/timeline';
import { chainRole, commonName, distinguishedName, formatCertificateTime, validityState, visibleNames } from '../../../src-renderer/src/lib/certificate';
import { chainResultText, sessionOutcome } from '../../../src-renderer/src/lib/outcome';
import { mergeSession, otherEndCandidates, otherEndLabel, sessionListNote, sessionListRole, sortSessions } from '../../../src-renderer/src/lib/sessions';
import { exchangeView, type ExchangeSession } from '../../../src-renderer/src/lib/exchange';
import type { ClientPayload, SessionStatus, SessionSummary } from '../../../src-main/api/types';
import { certificate, summary, tls12Timeline, verification } from './fixtures';

describe('the timeline table', () => {
  const rows = timelineRows(tls12Timeline);

  it('shows TCP open before the first TLS record', () => {
    expect(rows[0]).toMatchObject({ type: 'TCP open', summary: '127.0.0.1:50000 → 127.0.0.1:4433', time: '0.512', tone: 'event' });
    expect(rows[1]).toMatchObject({ number: '1', type: 'Handshake', summary: 'ClientHello' });
  });

  it('gives each record its direction as an arrow read as client → server', () => {
    expect(rows[1]).toMatchObject({ arrow: '→', directionLabel: 'client → server', version: 'TLS 1.0', length: '512', time: '1.250' });
    expect(rows[2]).toMatchObject({ arrow: '←', directionLabel: 'server → client' });
  });

  it('joins the handshake messages inside one record', () => {
    expect(rows[2].summary).toBe('ServerHello, Certificate, ServerKeyExchange, ServerHelloDone');
  });

  it('marks encrypted records, alerts by name and malformed bytes', () => {
    expect(rows[3]).toMatchObject({ tone: 'encrypted', summary: 'encrypted' });
    expect(rows[4]).toMatchObject({ tone: 'alert', summary: 'Alert: fatal unknown_ca' });
    expect(rows[5]).toMatchObject({ tone: 'malformed', summary: 'Malformed: unknown content type 99 at offset 1812' });
  });

  it('interleaves TLS, verification, error and close events in the order given', () => {
    expect(rows.slice(6).map((r) => [r.type, r.tone])).toEqual([
      // The handshake finished, but the certificate it brought was refused: not a success.
      ['TLS established', 'event'],
      ['Verification', 'warning'],
      ['Error', 'error'],
      ['TCP close', 'event'],
    ]);
    expect(rows[9].summary).toBe('closed by the server');
    expect(rows[6].summary).toMatch(/keys agreed, but the certificate was not accepted \(below\)$/);
    // With the certificate accepted, the same event is the success it looks like.
    const accepted = timelineRows(tls12Timeline.map((e) => (e.kind === 'verification' ? { ...e, accepted: true } : e)));
    expect(accepted.find((r) => r.type === 'TLS established')).toMatchObject({ tone: 'success' });
    expect(accepted.find((r) => r.type === 'TLS established')?.summary).not.toContain('not accepted');
  });

  it('reads TCP open from the side that connected and names who closed by role, on every leg', () => {
    const open = tls12Timeline[0];
    const close = (initiator: 'local' | 'peer') => ({ kind: 'tcp-close' as const, t: 10, initiator });
    // A server session keeps the server as local: the client connected to it.
    const server = timelineRows([open, close('local'), close('peer')], 'server');
    expect(server[0].summary).toBe('127.0.0.1:4433 → 127.0.0.1:50000');
    expect(server.slice(1).map((r) => r.summary)).toEqual(['closed by the server', 'closed by the client']);
    const victim = timelineRows([open, close('local'), close('peer')], 'proxy-client');
    expect(victim[0].summary).toBe('127.0.0.1:4433 → 127.0.0.1:50000');
    expect(victim.slice(1).map((r) => r.summary)).toEqual(['closed by the proxy', 'closed by the client']);
    const upstream = timelineRows([open, close('local'), close('peer')], 'proxy-upstream');
    expect(upstream[0].summary).toBe('127.0.0.1:50000 → 127.0.0.1:4433');
    expect(upstream.slice(1).map((r) => r.summary)).toEqual(['closed by the proxy', 'closed by the server']);
    expect(timelineRows([close('local')])[0].summary).toBe('closed by the client');
  });

  it('counts records per direction', () => {
    expect(recordCounts(tls12Timeline)).toEqual({ records: 5, clientToServer: 2, serverToClient: 3 });
  });
});

describe('certificate cards', () => {
  it('tell expired and not-yet-valid certificates apart', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(validityState(certificate(), now)).toBe('valid');
    expect(validityState(certificate({ notAfter: '2026-01-01T00:00:00Z' }), now)).toBe('expired');
    expect(validityState(certificate({ notBefore: '2027-01-01T00:00:00Z' }), now)).toBe('not-yet-valid');
    expect(validityState(certificate({ notAfter: 'garbage' }), now)).toBe('unknown');
  });

  it('read OpenSSL-style dates too', () => {
    expect(formatCertificateTime('Nov 25 11:47:00 2025 GMT')).toBe('2025-11-25 11:47 UTC');
    expect(formatCertificateTime('not a date')).toBe('not a date');
  });

  it('name the certificate by its CN and its place in the chain', () => {
    const leaf = certificate();
    expect(commonName(leaf.subjectAttributes)).toBe('www.bank32.com');
    expect(distinguishedName(leaf.subject, [{ type: 'CN', value: 'a' }, { type: 'O', value: 'Bank32' }])).toBe('CN=a, O=Bank32');
    expect(chainRole(leaf, 0)).toBe('Server certificate');
    expect(chainRole({ isCA: true, selfIssued: false }, 1)).toBe('Intermediate CA');
    expect(chainRole({ isCA: true, selfIssued: true }, 1)).toBe('Root CA');
  });
});

describe('the session outcome', () => {
  it('is green "Verified" when chain and host name both check out', () => {
    expect(sessionOutcome(summary())).toMatchObject({ tone: 'ok', label: 'Verified', detail: 'verified' });
  });

  it('is amber when the session went on with a check turned off', () => {
    const v = verification({ checkHostname: false, hostname: { ok: false, hostname: 'bank32.com', validNames: ['www.bank32.com'] }, summary: 'not verified: hostname mismatch (check off)' });
    expect(sessionOutcome(summary({ verification: v }))).toMatchObject({ tone: 'warn', label: 'Not verified (checks off)' });
  });

  it('is red "Failed" with the error message a student can act on', () => {
    const failed = summary({ status: 'failed', error: { code: 'CERT_UNTRUSTED', message: 'unable to get local issuer certificate: add the lab CA to the trust store' } });
    expect(sessionOutcome(failed)).toEqual({ tone: 'fail', label: 'Failed', detail: 'unable to get local issuer certificate: add the lab CA to the trust store' });
  });

  it('is running while the session runs', () => {
    expect(sessionOutcome(summary({ status: 'running', verification: null })).tone).toBe('running');
  });
});

describe('the live sessions list', () => {
  it('puts new sessions first and replaces updated ones in place', () => {
    const list = sortSessions([summary({ id: 1, startedAt: 1 }), summary({ id: 2, startedAt: 2 })]);
    expect(list.map((s) => s.id)).toEqual([2, 1]);
    const created = mergeSession(list, summary({ id: 3, startedAt: 3, status: 'running' }));
    expect(created.map((s) => s.id)).toEqual([3, 2, 1]);
    const updated = mergeSession(created, summary({ id: 3, startedAt: 3, status: 'ok' }));
    expect(updated.map((s) => [s.id, s.status])).toEqual([[3, 'ok'], [2, 'ok'], [1, 'ok']]);
  });
});

describe("a long connection's overview card", () => {
  const record = tls12Timeline[1];
  const long = [tls12Timeline[0], ...Array.from({ length: 5000 }, (_, i) => ({ ...record, number: i + 1 }))];

  it('lists the first entries but counts every record of the connection', () => {
    const overview = overviewTimeline(long, 2000);
    expect(overview.shown).toHaveLength(2000);
    expect(overview.hidden).toBe(3001);
    expect(overview.counts.records).toBe(5000);
  });

  it('lists a short connection whole', () => {
    expect(overviewTimeline(tls12Timeline, 2000)).toMatchObject({ shown: tls12Timeline, hidden: 0, counts: { records: 5 } });
  });
});

describe('the response panel', () => {
  /** A client session as the panel gets it: what it was to send and whether the checks passed. */
  const session = (status: SessionStatus, send: ClientPayload, accepted = true): ExchangeSession => ({
    kind: 'client',
    status,
    request: { host: 'www.bank32.com', port: 4433, trust: { kind: 'system' }, verifyPeer: true, checkHostname: true, send },
    verification: verification({ accepted }),
  });

  it('says the request went out when the session succeeded', () => {
    expect(exchangeView(session('ok', { kind: 'http-get', path: '/' }))).toMatchObject({ verb: 'Sent', request: 'GET / HTTP/1.1', reason: null });
  });

  it('does not claim a request was sent when verification failed first', () => {
    expect(exchangeView(session('failed', { kind: 'http-get', path: '/' }, false))).toMatchObject({
      verb: 'Not sent',
      reason: 'the session failed before the request could go out.',
    });
  });

  it('says the request went out when the session failed after the checks passed (the server reset, or never answered)', () => {
    expect(exchangeView(session('failed', { kind: 'http-get', path: '/' }))).toMatchObject({
      verb: 'Sent',
      reason: null,
      emptyText: 'Nothing came back before the session failed.',
    });
  });

  it('waits while the session runs, claiming nothing yet', () => {
    expect(exchangeView({ ...session('running', { kind: 'http-get', path: '/' }), verification: null })).toMatchObject({ verb: null, emptyText: 'Waiting for the server…' });
  });

  it('measures text payloads in bytes, not characters', () => {
    expect(exchangeView(session('ok', { kind: 'text', text: 'héllo\n' }))).toMatchObject({ request: '7 bytes of text' });
  });

  it('has nothing to report for a handshake-only session', () => {
    expect(exchangeView(session('ok', { kind: 'none' }))).toMatchObject({ verb: null, request: null });
  });
});

describe('a long list of certificate names', () => {
  const names = Array.from({ length: 900 }, (_, i) => `host${i + 1}.big.lab`);

  it('shows the first few and counts the rest; a short list whole', () => {
    expect(visibleNames(names, 12)).toEqual({ names: names.slice(0, 12), hidden: 888 });
    expect(visibleNames(names.slice(0, 5), 12)).toEqual({ names: names.slice(0, 5), hidden: 0 });
  });

  it('always shows the name the hostname check matched, even far down the list', () => {
    const shown = visibleNames(names, 12, 'host700.big.lab');
    expect(shown.names.at(-1)).toBe('host700.big.lab');
    expect(shown.names).toHaveLength(13);
    expect(shown.hidden).toBe(887);
    expect(visibleNames(names, 12, 'host3.big.lab').names).toHaveLength(12);
  });
});

describe('the line under a failed certificate chain', () => {
  it('does not say OpenSSL\'s code twice', () => {
    // It read "SELF_SIGNED_CERT_IN_CHAIN SELF_SIGNED_CERT_IN_CHAIN": the message and the code chip beside it.
    expect(chainResultText({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'SELF_SIGNED_CERT_IN_CHAIN' })).toBe('Not trusted.');
    expect(chainResultText({ code: 'NO_CERTIFICATE', message: 'no certificate' })).toBe('no certificate');
    expect(chainResultText({ code: 'UNKNOWN' })).toBe('Not trusted.');
  });
});

describe('the line under a session in the Sessions list', () => {
  const refused = verification({
    chain: { ok: true },
    hostname: { ok: false, hostname: 'www.example32.com', validNames: ['www.bank32.com'] },
    summary: 'not verified: hostname mismatch: asked for www.example32.com, the certificate is valid only for www.bank32.com',
  });

  it('says why a client session failed, so two failures to one server tell apart', () => {
    const failed = summary({ status: 'failed', verification: refused, error: { code: 'VERIFICATION_FAILED', message: refused.summary } });
    expect(sessionListNote(failed)).toBe('not verified: hostname mismatch: asked for www.example32.com, the certificate is valid only for www.bank32.com');
    expect(sessionListNote(summary({ status: 'failed', verification: null, error: { code: 'ECONNREFUSED', message: 'nothing is listening on 127.0.0.1:1' } })))
      .toBe('nothing is listening on 127.0.0.1:1');
    // A verified session needs no line.
    expect(sessionListNote(summary())).toBe('');
  });

  it('tells a server\'s connection from a client session to the same address, with the name the client asked for', () => {
    // Both read "127.0.0.1:14433" in the list, and nothing else.
    const served = summary({ kind: 'server', target: '127.0.0.1:14433', sni: 'www.bank32.com', verification: null });
    expect(sessionListRole(served)).toBe('server session: a client asked for www.bank32.com');
    expect(sessionListNote(served)).toBe('');
    const alert = summary({
      kind: 'server', target: '127.0.0.1:14433', sni: null, status: 'failed', verification: null, version: null,
      error: { code: 'CLIENT_ALERT', message: 'the client ended the handshake with the alert "unknown_ca"' },
    });
    // The role and the reason are two lines: a long role no longer uses up the reason's lines.
    expect(sessionListRole(alert)).toBe('server session: the client sent no SNI');
    expect(sessionListNote(alert)).toBe('the client ended the handshake with the alert "unknown_ca"');
    expect(sessionListRole(summary({ kind: 'proxy' }))).toMatch(/^proxy session/);
    expect(sessionListRole(summary())).toBe('');
  });
});

describe('the other end of a session\'s connection', () => {
  it('is looked for among sessions of another kind from within a minute, nearest first', () => {
    const mine = summary({ id: 1, kind: 'client', startedAt: 100_000 });
    const list = [
      summary({ id: 2, kind: 'server', startedAt: 100_050 }),
      summary({ id: 3, kind: 'client', startedAt: 100_010 }),
      summary({ id: 4, kind: 'proxy', startedAt: 100_020 }),
      summary({ id: 5, kind: 'server', startedAt: 300_000 }),
      mine,
    ];
    expect(otherEndCandidates(mine, list).map((s) => s.id)).toEqual([4, 2]);
    expect([otherEndLabel({ kind: 'server' }), otherEndLabel({ kind: 'client' })]).toEqual(["the lab server's session", "the workbench client's session"]);
  });
});
