import { describe, expect, it } from 'vitest';
import { clientKeyFile, diffSummary, emptyReplayForm, sentSummary, emptyServeForm, nothingToReplay, replayRequest, replayTryCommand, serveRequest, sideBySide } from '../../../src-renderer/src/lib/replay-view';

describe('replay form', () => {
  it('sends only what differs from the original', () => {
    expect(replayRequest(7, emptyReplayForm())).toEqual({ request: { id: 7, tls: {} } });
    const form = { ...emptyReplayForm(), to: '127.0.0.1:4434', maxVersion: 'TLSv1.2' as const, verify: 'off' as const };
    expect(replayRequest(7, form)).toEqual({ request: { id: 7, to: '127.0.0.1:4434', tls: { maxVersion: 'TLSv1.2', verifyPeer: false, checkHostname: false } } });
  });

  it('names the mistake and its field', () => {
    expect(replayRequest(1, { ...emptyReplayForm(), to: 'https://x/' })).toMatchObject({ field: 'to' });
    // The original's encrypted client key needs its passphrase again; it goes with this request only.
    expect(replayRequest(7, { ...emptyReplayForm(), keyPassphrase: 'lab-secret' })).toEqual({ request: { id: 7, tls: { clientKeyPassphrase: 'lab-secret' } } });
    const files = { request: { clientCertificate: { kind: 'files', certPath: 'a.crt', keyPath: '/lab/alice.key' } } } as unknown as Parameters<typeof clientKeyFile>[0];
    expect(clientKeyFile(files)).toBe('/lab/alice.key');
    expect(clientKeyFile({ request: { clientCertificate: { kind: 'lab', name: 'alice' } } } as unknown as Parameters<typeof clientKeyFile>[0])).toBeNull();
    expect(clientKeyFile({ request: null })).toBeNull();
    expect(replayRequest(1, { ...emptyReplayForm(), to: '127.0.0.1:70000' })).toMatchObject({ field: 'to', problem: expect.stringMatching(/70000/) });
    expect(replayRequest(1, { ...emptyReplayForm(), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' })).toMatchObject({ field: 'minVersion' });
  });

  it('presents a workshop certificate instead of the original\'s when one is chosen (no passphrase then)', () => {
    expect(replayRequest(7, { ...emptyReplayForm(), clientCertificate: 'alice', keyPassphrase: 'stale' })).toEqual({
      request: { id: 7, tls: { clientCertificate: { kind: 'lab', name: 'alice' } } },
    });
  });

  it('serves on loopback only, with a CA', () => {
    expect(serveRequest(3, emptyServeForm())).toMatchObject({ field: 'ca' });
    expect(serveRequest(3, { ...emptyServeForm(), ca: 'Lab', listen: '0.0.0.0:443' })).toMatchObject({ field: 'listen' });
    expect(serveRequest(3, { ...emptyServeForm(), ca: 'Lab', unmatched: '502' })).toEqual({
      request: { ids: [3], ca: 'Lab', listen: '127.0.0.1:0', unmatched: '502', ignoreHost: false, ignoreBody: false },
    });
  });
});

describe('side by side diff', () => {
  it('pairs removed and added runs as changed rows', () => {
    const rows = sideBySide([
      { op: 'same', text: 'HTTP/1.1 200 OK' },
      { op: 'removed', text: 'X-Count: 1' },
      { op: 'removed', text: 'Date: a' },
      { op: 'added', text: 'X-Count: 2' },
      { op: 'same', text: '' },
      { op: 'added', text: 'extra' },
    ]);
    expect(rows).toEqual([
      { kind: 'same', left: 'HTTP/1.1 200 OK', right: 'HTTP/1.1 200 OK' },
      { kind: 'changed', left: 'X-Count: 1', right: 'X-Count: 2' },
      { kind: 'removed', left: 'Date: a', right: null },
      { kind: 'same', left: '', right: '' },
      { kind: 'added', left: null, right: 'extra' },
    ]);
  });

  it('summarises', () => {
    expect(diffSummary({ identical: true, removed: 0, added: 0 })).toMatch(/identical/);
    expect(diffSummary({ identical: false, removed: 2, added: 1 })).toBe('The answers differ: 2 lines only in the original, 1 line only in the replay.');
  });
});

describe('folding', () => {
  it('keeps three unchanged rows around each change and counts the rest', async () => {
    const { foldUnchanged } = await import('../../../src-renderer/src/lib/replay-view');
    const same = (t: string) => ({ kind: 'same' as const, left: t, right: t });
    const rows = [...Array.from({ length: 10 }, (_, i) => same(`a${i}`)), { kind: 'changed' as const, left: 'x', right: 'y' }, ...Array.from({ length: 5 }, (_, i) => same(`b${i}`))];
    const folded = foldUnchanged(rows);
    expect(folded[0]).toEqual({ kind: 'fold', count: 7 });
    expect(folded.slice(1, 5).map((r) => ('left' in r ? r.left : null))).toEqual(['a7', 'a8', 'a9', 'x']);
    expect(folded.at(-1)).toEqual({ kind: 'fold', count: 2 });
  });
});

describe('replay server try-it command', () => {
  const server = { host: '127.0.0.1', port: 40123, hostnames: ['www.bank32.com', 'bank32.com'], requests: ['GET /login?next=/a&b=1', 'GET /'] };

  it('fetches the first recorded request by its recorded name, trusting ca.pem', () => {
    expect(replayTryCommand({ ...server, requests: ['GET /index.html'] })).toBe(
      'curl --cacert ca.pem --resolve www.bank32.com:40123:127.0.0.1 https://www.bank32.com:40123/index.html',
    );
  });

  it('keeps the query, quoted for the shell', () => {
    expect(replayTryCommand(server)).toBe("curl --cacert ca.pem --resolve www.bank32.com:40123:127.0.0.1 'https://www.bank32.com:40123/login?next=/a&b=1'");
    expect(replayTryCommand({ ...server, requests: ["GET /it's"] })).toMatch(/ 'https:\/\/www\.bank32\.com:40123\/it'\\''s'$/);
  });

  it('asks for / when nothing was recorded, and brackets an IPv6 address', () => {
    expect(replayTryCommand({ host: '::1', port: 4433, hostnames: ['a.test'], requests: [] })).toBe('curl --cacert ca.pem --resolve a.test:4433:[::1] https://a.test:4433/');
  });
});

describe('nothing to replay', () => {
  const get = { kind: 'http-get' as const, path: '/' };
  const session = (fields: Partial<Parameters<typeof nothingToReplay>[0]>) =>
    nothingToReplay({ kind: 'client', status: 'ok', version: 'TLSv1.3', request: null, response: null, verification: null, ...fields } as Parameters<typeof nothingToReplay>[0]);
  const accepted = { accepted: true } as never;
  const rejected = { accepted: false } as never;
  const request = (send: { kind: 'none' } | typeof get) => ({ host: 'www.bank32.com', port: 443, send }) as never;

  it('says so for a client session that failed before its request went out and got nothing back', () => {
    expect(session({ status: 'failed', request: request(get), response: null, verification: rejected })).toMatch(/^The session failed before the client sent any application data, and the server sent none\. There is nothing to send again or to serve/);
    // Refused or reset before the handshake ended: no version, no verification.
    expect(session({ status: 'failed', version: null, request: request(get), response: null })).toMatch(/^The TLS handshake never finished/);
  });

  it('says so for a handshake-only client session the server said nothing in', () => {
    expect(session({ request: request({ kind: 'none' }), response: { text: '', bytes: 0, truncated: false } })).toMatch(/^Only a handshake was recorded/);
  });

  it('leaves the panel to sessions that sent a request, got bytes back, are running, or are not client sessions', () => {
    expect(session({ request: request(get), response: { text: 'HTTP/1.0 200 ok', bytes: 15, truncated: false }, verification: accepted })).toBeNull();
    // The client passed its checks, so its GET went out; nothing came back, or the connection then
    // failed: the request can still be sent again.
    expect(session({ request: request(get), response: null, verification: accepted })).toBeNull();
    expect(session({ status: 'failed', request: request(get), response: null, verification: accepted })).toBeNull();
    // Nothing sent, but the server spoke first (an SMTP-like greeting): a replay server can play it.
    expect(session({ request: request({ kind: 'none' }), response: { text: '220 hello', bytes: 9, truncated: false } })).toBeNull();
    expect(session({ status: 'running', request: request(get) })).toBeNull();
    expect(session({ kind: 'server', status: 'failed' })).toBeNull();
    expect(session({ kind: 'proxy', status: 'ok' })).toBeNull();
    // An imported capture is a client session with no request or response of its own: its
    // application data, if any, is in the records.
    expect(session({ request: null, response: null })).toBeNull();
    expect(session({ request: null, response: null, version: null, status: 'failed' })).toBeNull();
  });

  it('says so for any session whose handshake never finished (a client that refused a server, a victim that refused the proxy)', () => {
    expect(session({ kind: 'server', status: 'failed', version: null })).toMatch(/^The TLS handshake never finished, so no application data went either way\. There is nothing to send again or to serve/);
    expect(session({ kind: 'proxy', status: 'failed', version: null })).toMatch(/^The TLS handshake never finished/);
  });
});

describe('replay result summary', () => {
  const side = (bytes: number, notStoredBytes = 0) => ({ sessionId: 1, bytes, text: '', truncated: false, notStoredBytes, httpStatus: null });
  const same = { identical: true, removed: 0, added: 0 };

  it('says how much of the recorded client data went out', () => {
    expect(sentSummary({ sentBytes: 78, requestBytes: 78, requestIdentical: true })).toBe("Sent 78 bytes (the same as the original's)");
    expect(sentSummary({ sentBytes: 0, requestBytes: 78, requestIdentical: false })).toBe('Sent nothing of the 78 bytes of recorded application data');
    expect(sentSummary({ sentBytes: 40, requestBytes: 78, requestIdentical: false })).toBe('Sent 40 bytes of 78 bytes');
  });

  it('has nothing to compare when the replay failed before an answer, and compares only stored parts past the cap', () => {
    const error = { code: 'CONNECTION_REFUSED', message: 'refused' };
    expect(diffSummary({ identical: false, removed: 3, added: 0 }, { error, original: side(300), replayed: side(0) })).toMatch(/^No answer to compare/);
    expect(diffSummary(same, { error: null, original: side(64, 5000), replayed: side(64, 5000) })).toMatch(/^The stored parts of the answers are identical/);
    expect(diffSummary(same, { error: null, original: side(64), replayed: side(64) })).toBe('The answers are identical, byte for byte.');
  });
});
