// Engine messages that reach the window in the lab flow, as the engine writes them (src-main):
// the window shows them without the command line's flags.
import { describe, expect, it } from 'vitest';
import { namesCliFlag, windowText } from '../../../src-renderer/src/lib/window-text';
import { sessionOutcome } from '../../../src-renderer/src/lib/outcome';
import { otherEndReason } from '../../../src-renderer/src/lib/sessions';
import { summary } from './fixtures';

const ENGINE_MESSAGES: Array<[string, string]> = [
  // sessions/serverSession.ts: a server session's failure, shown in its header, the lists and the client's "why".
  ['the client refused: it does not accept the TLS versions this server allows; widen --min-version/--max-version',
    'the client refused: it does not accept the TLS versions this server allows.'],
  ["the client offered no TLS version this server allows; compare its versions with --min-version/--max-version (for a TLS 1.0 or 1.1 client: --min-version TLSv1 and --ciphers 'DEFAULT:@SECLEVEL=0')",
    'the client offered no TLS version this server allows.'],
  ["no signature algorithm could sign this handshake: if the client asked for TLS 1.0 or 1.1, this server allows them (--min-version) but OpenSSL signs those handshakes (with SHA-1 and MD5) only at security level 0: add @SECLEVEL=0 to the server's cipher list, e.g. --ciphers 'DEFAULT:@SECLEVEL=0'",
    "no signature algorithm could sign this handshake: if the client asked for TLS 1.0 or 1.1, this server allows them but OpenSSL signs those handshakes (with SHA-1 and MD5) only at security level 0: add @SECLEVEL=0 to the server's cipher list"],
  ["the client's certificate is not for client authentication (its extended key usage lacks clientAuth), though it may well come from Lab Root; issue a client certificate (tlslab cert issue --client)",
    "the client's certificate is not for client authentication (its extended key usage lacks clientAuth), though it may well come from Lab Root; issue a client certificate"],
  // sessions/connectionErrors.ts: a client session the server asked for a certificate.
  ['the server asks for a client certificate and none was given; choose one under "Client certificate" (the CLI takes --cert FILE --key FILE, or --identity lab:NAME)',
    'the server asks for a client certificate and none was given; choose one under "Client certificate"'],
  // replay/clientReplay.ts: the Replay panel's errors and notes.
  ["session 3's client trusted the CA file /tmp/ca.pem, which is not on this machine; give the CA to verify against (--ca-file FILE, or --ca lab:NAME), or replay without verifying (--no-verify)",
    "session 3's client trusted the CA file /tmp/ca.pem, which is not on this machine; give the CA to verify against, or replay without verifying"],
  ["the server's certificate did not verify (unable to get local issuer certificate); trust the CA that issued it (--ca FILE or --ca lab:NAME), or replay without verifying (--no-verify)",
    "the server's certificate did not verify (unable to get local issuer certificate); trust the CA that issued it, or replay without verifying"],
  ['session 4 does not say where its server was (target "x"); give --to HOST:PORT', 'session 4 does not say where its server was (target "x").'],
  ['session 5 holds 2 connections on which the client sent data; this replay sent connection 1\'s (GET /) and not connection 2\'s (GET /b): replay another with "tlslab replay 5 --connection 2"',
    "session 5 holds 2 connections on which the client sent data; this replay sent connection 1's (GET /) and not connection 2's (GET /b)."],
  // replay/serverReplay.ts and sessions/tlsServer.ts, serverResponders.ts: a server that does not start.
  ['port 4433 on 127.0.0.1 is already in use (a lab server or another replay server); stop it, or choose another with --listen 127.0.0.1:4434',
    'port 4433 on 127.0.0.1 is already in use (a lab server or another replay server); stop it'],
  ['port 443 is below 1024 and only an administrator may listen on it; use --port 4433 (and https://NAME:4433/ in the client) instead',
    'port 443 is below 1024 and only an administrator may listen on it.'],
  ['the page /tmp/site is not a file; to serve a folder use --dir', 'the page /tmp/site is not a file.'],
];

describe('engine messages in the window', () => {
  it.each(ENGINE_MESSAGES)('shows no command-line flag: %s', (message, shown) => {
    expect(namesCliFlag(message)).toBe(true);
    expect(windowText(message)).toBe(shown);
    expect(namesCliFlag(windowText(message))).toBe(false);
  });

  it("keeps the advice for the student's own peer (curl, openssl) and messages without flags", () => {
    const unknownCa = "the client refused: it does not trust the CA that issued this server's certificate; give the client the CA certificate (e.g. curl --cacert ca.pem, openssl s_client -CAfile ca.pem)";
    expect(windowText(unknownCa)).toBe(unknownCa);
    const alpn = 'the client offered by ALPN no protocol this server speaks (h2); an HTTP/2-only client (h2) must be allowed HTTP/1.1 (curl --http1.1), or send no ALPN';
    expect(windowText(alpn)).toBe(alpn);
    expect(windowText('connection refused by 127.0.0.1:4433')).toBe('connection refused by 127.0.0.1:4433');
  });

  it("a failed session's outcome, a server session's, and the client's 'why' carry no flag", () => {
    const versions = { code: 'VERSION_MISMATCH', message: ENGINE_MESSAGES[1][0] };
    expect(sessionOutcome({ ...summary(), status: 'failed', error: versions }).detail).toBe(ENGINE_MESSAGES[1][1]);
    expect(sessionOutcome({ ...summary({ kind: 'server' }), status: 'failed', error: versions }).detail).toBe(ENGINE_MESSAGES[1][1]);
    const client = summary({ kind: 'client', status: 'failed', error: { code: 'PEER_ALERT', message: 'the server sent alert "protocol_version"' } });
    const server = summary({ id: 9, kind: 'server', status: 'failed', error: versions });
    expect(otherEndReason(client, [server])?.text).toBe(ENGINE_MESSAGES[1][1]);
  });
});
