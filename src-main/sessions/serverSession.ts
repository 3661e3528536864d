// One accepted connection of a lab server, recorded as a session of kind 'server': the raw bytes
// each way through the byte tap, the server-side key log, the client's certificate, SNI, ALPN,
// version, cipher, resumption, the key exchange, and failures named for a student (a client that
// rejected the certificate shows the alert it sent).
import net from 'node:net';
import tls from 'node:tls';
import type { BuiltinPageName, KeyExchangeInfo, ServerConnectionSummary, ServerResponder, ServerSessionInfo } from '../api/serverTypes';
import type { ApiErrorInfo, CertificateInfo, Direction, SessionSummary, VerificationResult } from '../api/types';
import { describeCertificate } from '../pki/certificateInfo';
import { quickServerHelloShare } from '../tls/handshake';
import { TlsConnectionDecoder, type RecordedChunk } from '../tls/records';
import { TLS12_RESUMED, keyExchangeOfHandshake, tls13KeyExchange } from '../tls/keyExchange';
import { namedGroupName } from '../tls/registry';
import { ALERT_LINGER_MS, refusalAlert, sealRefusalAlert } from './refusalAlert';
import { plainTlsError } from './connectionErrors';
import { peerChain } from './peerChain';
import { ByteTap, keptChunk } from './byteTap';
import type { BatchWriter, ConnectionRecording, SessionLabel } from './recorder';
import { SessionRecording } from './recorder';
import { type ResponderHooks, serveHttp, servePlain } from './serverResponders';
import type { SessionIdCache } from './sessionIdCache';

/** Bytes of each direction kept in memory until the handshake ends, to name alerts and the key exchange. */
const HANDSHAKE_KEEP_BYTES = 64 * 1024;

/** What one connection needs to know about the server that accepted it. */
export interface AcceptingServer {
  id: number;
  label: string;
  /** "127.0.0.1:4433". */
  address: string;
  defaultContext: tls.SecureContext;
  /** Picks the context for the client's SNI; absent when every name gets the default one. */
  sniCallback?: (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => void;
  /** The certificates sent for a name (the default ones when the name has none of its own). */
  localCertificates(servername: string | null): Uint8Array[];
  pageFor(servername: string | null): BuiltinPageName | undefined;
  requestCert: boolean;
  requireCert: boolean;
  clientCaDescription: string | null;
  alpn: string[] | undefined;
  handshakeTimeoutMs: number;
  /** Session-ID resumption, for a server without tickets (Node keeps no server-side cache). */
  sessionCache?: SessionIdCache;
  responder: ServerResponder;
  /** Serves the decrypted stream itself instead of `responder` (server replay). */
  serve?: (stream: tls.TLSSocket, facts: { sni: string | null; version: string; cipher: string }, hooks: ResponderHooks) => void;
}

export interface ServerSessionContext {
  writer: BatchWriter;
  recordCapBytes?: number;
  /** Name and tags each recorded session starts with. */
  label?: SessionLabel;
  onUpdate?: (summary: SessionSummary, created: boolean) => void;
  onEnd?: (summary: ServerConnectionSummary) => void;
}

export interface AcceptedConnection {
  sessionId: number;
  /** Ends the connection now (the server is stopping). */
  close(reason: string): void;
  /** Resolves once the session is finished and its rows are queued. */
  done: Promise<void>;
}

/** OpenSSL's alert names inside Node's error codes: ERR_SSL_TLSV1_ALERT_UNKNOWN_CA -> unknown_ca. */
function alertFromCode(code: string): string | null {
  const m = /^ERR_SSL_(?:TLSV1|SSLV3|TLSV13)_ALERT_(.+)$/.exec(code);
  if (!m) return null;
  const name = m[1].toLowerCase();
  return name === 'bad_certificate' ? 'bad_certificate' : name;
}

const ALERT_MEANING: Record<string, string> = {
  unknown_ca: 'it does not trust the CA that issued this server\'s certificate; give the client the CA certificate (e.g. curl --cacert ca.pem, openssl s_client -CAfile ca.pem)',
  bad_certificate: 'it found the certificate unacceptable (wrong name, bad signature or wrong key usage); check the certificate\'s names and extensions',
  certificate_expired: 'the certificate is expired (or not yet valid) by the client\'s clock; issue a new one',
  certificate_unknown: 'it refused the certificate without naming why (browsers send this for any certificate they refuse: a CA they do not trust, a name the certificate does not hold, a date out of range); check that the client trusts the issuing CA and that the certificate holds the name the client asked for',
  unsupported_certificate: 'it does not accept this kind of certificate (key type or usage)',
  decrypt_error: 'a signature or the Finished check failed',
  handshake_failure: 'it could not agree on parameters with this server (cipher, group or signature algorithm)',
  protocol_version: 'it does not accept the TLS versions this server allows; widen --min-version/--max-version',
  insufficient_security: 'it wants stronger ciphers than this server allows',
  access_denied: 'it refused to go on',
  internal_error: 'it hit an internal error',
};

/** What went wrong on a server-side connection, said for a student. */
export function describeServerFailure(err: unknown, handshakeDone: boolean, server: AcceptingServer): ApiErrorInfo & { alert?: string } {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  const alert = alertFromCode(code);
  if (alert) {
    return {
      code: 'CLIENT_ALERT',
      alert,
      message: `the client ended the handshake with the alert "${alert}": ${ALERT_MEANING[alert] ?? 'it refused what this server sent'}`,
    };
  }
  switch (code) {
    case 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE':
      return {
        code: 'CLIENT_CERT_MISSING',
        message: `the client sent no certificate, and this server requires one from ${server.clientCaDescription ?? 'its client CA'}; give the client a certificate and key (e.g. openssl s_client -cert client.pem -key client.key, or in the workbench's client, Client certificate)`,
      };
    case 'CLIENT_CERT_REJECTED':
      return { code, message: e.message };
    case 'ERR_TLS_HANDSHAKE_TIMEOUT':
      return {
        code: 'HANDSHAKE_TIMEOUT',
        message: `the client did not finish the handshake within ${server.handshakeTimeoutMs / 1000} s; the server dropped it (other connections are not affected)`,
      };
    case 'ERR_SSL_HTTP_REQUEST':
      return {
        code: 'NOT_TLS',
        message: 'the client sent a plain HTTP request to this TLS port; use https:// (not http://) in the address',
      };
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_RECORD_LAYER_FAILURE':
    case 'ERR_SSL_UNEXPECTED_MESSAGE':
    case 'ERR_SSL_HTTPS_PROXY_REQUEST':
      return {
        code: 'NOT_TLS',
        message: 'the client sent bytes that are not a TLS handshake; it may not speak TLS (the bytes are in the timeline)',
      };
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_VERSION_TOO_LOW':
    case 'ERR_SSL_NO_PROTOCOLS_AVAILABLE':
      return {
        code: 'VERSION_MISMATCH',
        message:
          "the client offered no TLS version this server allows; compare its versions with --min-version/--max-version (for a TLS 1.0 or 1.1 client: --min-version TLSv1 and --ciphers 'DEFAULT:@SECLEVEL=0')",
      };
    case 'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM':
      return {
        code: 'LEGACY_TLS_REFUSED',
        message:
          "no signature algorithm could sign this handshake: if the client asked for TLS 1.0 or 1.1, this server allows them (--min-version) but OpenSSL signs those handshakes (with SHA-1 and MD5) only at security level 0: add @SECLEVEL=0 to the server's cipher list, e.g. --ciphers 'DEFAULT:@SECLEVEL=0'",
      };
    case 'ERR_SSL_NO_SHARED_CIPHER':
      return {
        code: 'NO_SHARED_CIPHER',
        message: 'the client offered no cipher suite this server allows (with an RSA-only list, the client must offer e.g. AES128-GCM-SHA256); compare both cipher lists',
      };
    case 'ERR_SSL_NO_APPLICATION_PROTOCOL':
      return {
        code: 'NO_SHARED_ALPN',
        message: `the client offered by ALPN no protocol this server speaks (${server.alpn?.join(', ') ?? 'none'}); an HTTP/2-only client (h2) must be allowed HTTP/1.1 (curl --http1.1), or send no ALPN`,
      };
    case 'ERR_SSL_NO_SUITABLE_KEY_SHARE':
    case 'ERR_SSL_NO_SHARED_GROUPS':
      return { code: 'NO_SHARED_GROUP', message: 'the client offered no key exchange group this server allows; compare the groups' };
    case 'ECONNRESET':
    case 'EPIPE':
      return handshakeDone
        ? { code: 'CONNECTION_RESET', message: 'the client reset the connection' }
        : { code: 'CLOSED_DURING_HANDSHAKE', message: 'the client reset the connection during the handshake; it may have rejected the certificate (look for its alert in the timeline)' };
  }
  return { code: code || 'CONNECTION_FAILED', message: `the connection failed: ${plainTlsError(e?.message ?? String(err))}` };
}

function formatEndpoint(host: string | undefined, port: number | undefined): string {
  const h = host ?? '?';
  return h.includes(':') ? `[${h}]:${port ?? 0}` : `${h}:${port ?? 0}`;
}

/** Why a client certificate did not verify, by OpenSSL's verify error (as Node names it). */
function clientCertificateProblem(code: string | undefined, ca: string): string {
  switch (code) {
    case 'INVALID_PURPOSE':
      return `the client's certificate is not for client authentication (its extended key usage lacks clientAuth), though it may well come from ${ca}; issue a client certificate (tlslab cert issue --client)`;
    case 'CERT_HAS_EXPIRED':
      return "the client's certificate has expired; issue a new one";
    case 'CERT_NOT_YET_VALID':
      return "the client's certificate is not valid yet (check the clocks, or its start date)";
    case 'CERT_SIGNATURE_FAILURE':
      return "the signature on the client's certificate does not check out: it was not signed by the CA it names";
    default:
      return `the client's certificate is not from ${ca}`;
  }
}

/** The verify error OpenSSL kept for the client's certificate (what Node's own server reads). */
function clientVerifyError(socket: tls.TLSSocket): Error | null {
  const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } })._handle;
  return handle?.verifyError?.() ?? null;
}

/** Decodes what the server sent in the clear to name its key exchange (Node has no server-side getEphemeralKeyInfo). */
export function keyExchangeFrom(chunks: RecordedChunk[], version: string, resumed: boolean): KeyExchangeInfo {
  const quick = version === 'TLSv1.3' && chunks.length > 0 ? quickServerHelloShare(chunks[0].data) : null;
  if (quick) return tls13KeyExchange(quick.group === null ? null : namedGroupName(quick.group), resumed);
  const decoder = new TlsConnectionDecoder();
  for (const c of chunks) decoder.push(c);
  const decoded = decoder.finish();
  if (version === 'TLSv1.3' && !decoded.serverHello?.selectedVersion) return tls13KeyExchange(null, resumed);
  return keyExchangeOfHandshake(decoded, resumed) ?? (resumed ? TLS12_RESUMED : { method: 'UNKNOWN', ephemeral: false, group: null, summary: 'unknown key exchange (no ServerHello seen)' });
}

const PRE_SHARED_KEY = 41;

/**
 * What a failed handshake shows in the clear: the client's SNI and alerts (by name), and whether
 * the server's flight carried its certificate. It did when the flight was a full handshake's: in
 * TLS 1.2 the Certificate message is in the clear; in TLS 1.3 it is encrypted, and a ServerHello
 * that takes no pre-shared key means one follows.
 */
/** The SNI of the ClientHello among a connection's first chunks, or null. */
function clientHelloServerName(chunks: RecordedChunk[]): string | null {
  const decoder = new TlsConnectionDecoder();
  for (const c of chunks) if (c.direction === 'client-to-server') decoder.push(c);
  return decoder.finish().clientHello?.serverName ?? null;
}

function failedHandshakeFrom(chunks: RecordedChunk[]): { sni: string | null; alerts: string[]; certificateSent: boolean } {
  const decoder = new TlsConnectionDecoder();
  for (const c of chunks) decoder.push(c);
  const decoded = decoder.finish();
  const hello = decoded.serverHello;
  const tls13 = hello?.selectedVersion !== undefined;
  const certificateSent = hello !== undefined && (tls13
    ? !hello.extensions.some((e) => e.type === PRE_SHARED_KEY)
    : decoded.handshakeMessages.some((m) => m.direction === 'server-to-client' && m.body.kind === 'certificate'));
  return {
    sni: decoded.clientHello?.serverName ?? null,
    alerts: decoded.records.filter((r) => r.direction === 'client-to-server' && r.alert).map((r) => r.alert!.descriptionName),
    certificateSent,
  };
}

/**
 * Before TLS 1.3 the client sends its Finished before it has the server's, so a client that checks
 * the certificate in its own code after the handshake (Node.js programs)
 * and refuses it leaves this server a complete handshake, then silence: no request, no alert, no
 * close_notify. Said, because "ok" alone reads as if the client was satisfied.
 */
function silentLeaving(version: string | null, resumed: boolean, requests: number, inboundAfterHandshake: number): string | null {
  if (resumed || requests > 0 || inboundAfterHandshake > 0 || !version || version === 'TLSv1.3') return null;
  return `the client left right after the handshake without a word (no request, no alert, no close_notify); over ${version} its side of the handshake was done before it could check this server's certificate, so a client that refuses the certificate in its own code (Node.js programs, for one) leaves exactly like this: its own output says whether it did`;
}

/** Takes one accepted TCP connection through the handshake and the responder, recording it all. */
export function acceptServerConnection(raw: net.Socket, server: AcceptingServer, ctx: ServerSessionContext): AcceptedConnection {
  const peer = formatEndpoint(raw.remoteAddress, raw.remotePort);
  const local = formatEndpoint(raw.localAddress, raw.localPort);
  const startedAt = Date.now();
  const recording = SessionRecording.start(ctx.writer, { kind: 'server', target: server.address, startedAt, address: peer, ...ctx.label }, ctx.recordCapBytes);
  const sessionId = recording.id;
  const connection: ConnectionRecording = recording.openConnection('server');
  connection.update({ openedAt: startedAt, local, remote: peer });
  connection.event('tcp-open', { local, remote: peer });
  const publish = (created: boolean) => {
    const summary = recording.summary();
    if (summary) ctx.onUpdate?.(summary, created);
  };
  publish(true);

  const kept: RecordedChunk[] = [];
  let keptBytes = 0;
  let keeping = true;
  let handshakeDone = false;
  /** Bytes the client sent once the handshake was done: none at all, and it left without a word. */
  let inboundAfterHandshake = 0;
  let tcpClosed = false;
  let tlsClosed = false;
  let finished = false;
  let failure: (ApiErrorInfo & { alert?: string }) | null = null;
  const info: ServerSessionInfo = {
    serverId: server.id,
    serverLabel: server.label,
    peer,
    resumed: false,
    keyExchange: null,
    clientCertificate: null,
    clientCertificateAuthorized: null,
    clientCertificatePolicy: server.requireCert ? 'required' : server.requestCert ? 'requested' : 'off',
    clientAlert: null,
    requests: 0,
  };
  const outcome: { sni: string | null; version: string | null; cipher: string | null; alpn: string | null } = { sni: null, version: null, cipher: null, alpn: null };
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const tap = new ByteTap(raw, {
    observe(direction, data) {
      const dir: Direction = direction === 'inbound' ? 'client-to-server' : 'server-to-client';
      connection.bytes(dir, data);
      if (handshakeDone && direction === 'inbound') inboundAfterHandshake += data.length;
      if (keeping && keptBytes < HANDSHAKE_KEEP_BYTES) {
        kept.push({ direction: dir, t: 0, data: keptChunk(data) });
        keptBytes += data.length;
      }
    },
    closed(initiator, error) {
      connection.event('tcp-close', { initiator, error: error?.message ?? null });
      connection.update({ closedAt: Date.now() });
      tcpClosed = true;
      finish();
    },
    held: () => connection.heldForDisk(),
  }, ctx.writer);

  const secure = new tls.TLSSocket(tap, {
    isServer: true,
    secureContext: server.defaultContext,
    SNICallback: server.sniCallback,
    requestCert: server.requestCert,
    rejectUnauthorized: server.requireCert,
    ALPNProtocols: server.alpn,
    // Node raises its session-cache events on the socket's server; ours has no tls.Server.
    ...(server.sessionCache ? { server: server.sessionCache.events as unknown as net.Server } : {}),
  });
  /** With client certificates asked for, the key log is kept too: an alert refusing one is sealed with it. */
  const keylog: string[] | null = server.requestCert ? [] : null;
  secure.on('keylog', (line: Buffer) => {
    const text = line.toString('latin1').trim();
    keylog?.push(text);
    connection.keylog(text);
  });

  const timer = setTimeout(() => {
    const err = Object.assign(new Error('handshake timeout'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
    fail(err);
  }, server.handshakeTimeoutMs);

  function fail(err: unknown) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (handshakeDone && !failure && (code === 'ECONNRESET' || code === 'EPIPE')) {
      // Clients often close with bytes still unread (TLS 1.3 tickets) and their kernel answers with
      // a reset: after the handshake and the answers, that is an ending, not a failure.
      connection.event('note', { text: 'the client reset the TCP connection instead of closing it (often: it closed with bytes still unread)' });
      secure.destroy();
      tap.destroy();
      return;
    }
    if (!failure) {
      failure = describeServerFailure(err, handshakeDone, server);
      connection.event('error', { message: failure.message });
    }
    secure.destroy();
    tap.destroy();
  }

  secure.on('secure', () => {
    if (handshakeDone) {
      // A TLS 1.2 renegotiation: Node says 'secure' again at the end of the new handshake. The
      // responder already serves this stream; the timeline says what happened.
      const cipher = secure.getCipher();
      connection.event('note', {
        text: `renegotiated: a new handshake inside the encrypted connection (${cipher.standardName ?? cipher.name}); its messages were encrypted under the keys of the one before (RFC 5746)`,
      });
      return;
    }
    clearTimeout(timer);
    handshakeDone = true;
    const cipher = secure.getCipher();
    const version = secure.getProtocol() ?? cipher.version;
    info.resumed = secure.isSessionReused();
    // OpenSSL gives no server name for a resumed TLS 1.2 session: the ClientHello still carries it.
    const sni =
      typeof secure.servername === 'string' && secure.servername
        ? secure.servername
        : info.resumed
          ? clientHelloServerName(kept)
          : null;
    outcome.sni = sni;
    outcome.version = version;
    outcome.cipher = cipher.standardName ?? cipher.name;
    outcome.alpn = secure.alpnProtocol || null;
    const serverFlight = kept.filter((c) => c.direction === 'server-to-client');
    info.keyExchange = keyExchangeFrom(serverFlight, version, info.resumed);
    keeping = false;
    kept.length = 0;
    connection.certificates('local', server.localCertificates(sni));
    const peerDers = peerChain(secure).ders;
    let verification: VerificationResult | null = null;
    if (peerDers.length > 0) {
      connection.certificates('peer', peerDers);
      const chain: CertificateInfo[] = peerDers.map((d) => describeCertificate(d));
      info.clientCertificate = chain[0];
      const verifyError = clientVerifyError(secure);
      info.clientCertificateAuthorized = verifyError === null;
      const code = (verifyError as NodeJS.ErrnoException | null)?.code;
      verification = {
        verifyPeer: server.requireCert,
        checkHostname: false,
        chain: verifyError
          ? { ok: false, code, message: verifyError.message, explanation: clientCertificateProblem(code, server.clientCaDescription ?? 'the client CA') }
          : { ok: true },
        hostname: null,
        accepted: verifyError === null || !server.requireCert,
        summary: verifyError
          ? `client certificate "${chain[0].subject}" not verified: ${verifyError.message}`
          : `client certificate "${chain[0].subject}" verified against ${server.clientCaDescription ?? 'the client CA'}`,
      };
    } else if (server.requestCert) {
      verification = {
        verifyPeer: server.requireCert,
        checkHostname: false,
        chain: { ok: false, message: 'the client sent no certificate' },
        hostname: null,
        accepted: !server.requireCert,
        summary: 'the client sent no certificate (asked for, not required)',
      };
    }
    recording.update({
      sni,
      version,
      cipher: { openssl: cipher.name, iana: cipher.standardName ?? cipher.name, version: cipher.version },
      alpn: outcome.alpn,
      verification,
    });
    connection.event('tls-established', { version, cipher: cipher.standardName ?? cipher.name });
    if (info.resumed) connection.event('note', { text: 'session resumed: the abbreviated handshake, no certificate sent' });
    connection.event('note', { text: `key exchange: ${info.keyExchange.summary}` });
    if (verification) connection.event('verification', { accepted: verification.accepted, summary: verification.summary });
    publish(false);
    (secure as unknown as { _releaseControl?: () => boolean })._releaseControl?.();

    if (verification && !verification.accepted) {
      const err = Object.assign(new Error(`${verification.chain.explanation ?? `the client's certificate did not verify`} (${verification.chain.message}); the server closes the connection`), {
        code: 'CLIENT_CERT_REJECTED',
      });
      refuseClientCertificate(verification, version, serverFlight.map((c) => c.data), err);
      return;
    }
    const hooks = {
      answered: () => {
        info.requests++;
      },
      note: (text: string) => connection.event('note', { text }),
    };
    if (server.serve) server.serve(secure, { sni, version, cipher: cipher.standardName ?? cipher.name }, hooks);
    else if (server.responder.kind === 'plain') servePlain(secure, server.responder.greeting, hooks);
    else {
      serveHttp(secure, server.responder, { host: sni, version, cipher: cipher.standardName ?? cipher.name }, server.address, server.pageFor(sni), hooks);
    }
  });

  /**
   * A client certificate that does not verify: the server says why with the alert OpenSSL's servers
   * send (Node checks the certificate after the handshake, and would just close), then closes once
   * the client has read it (or after ALERT_LINGER_MS).
   */
  function refuseClientCertificate(verification: VerificationResult, version: string, serverFlight: Uint8Array[], err: Error) {
    const alert = refusalAlert(verification);
    const sealed = sealRefusalAlert({ sender: 'server', version, keylog: keylog ?? [], serverFlight, alert });
    if (!('record' in sealed)) {
      connection.event('note', { text: `no alert could be sent (${sealed.reason})` });
      fail(err);
      return;
    }
    failure = describeServerFailure(err, handshakeDone, server);
    connection.event('error', { message: failure.message });
    connection.event('note', { text: `the server sends the client the fatal alert ${alert.name} and closes the connection, as OpenSSL servers do for a client certificate that does not verify` });
    recording.update({ verification: { ...verification, alertSent: alert.name } });
    tap.finishWith(sealed.record);
    setTimeout(() => {
      secure.destroy();
      tap.destroy();
    }, ALERT_LINGER_MS).unref();
  }

  const onError = (err: Error) => fail(err);
  secure.on('error', onError);
  secure.on('_tlsError', onError);
  secure.on('close', () => {
    tlsClosed = true;
    if (!tcpClosed && !raw.destroyed) raw.destroy();
    finish();
  });

  function finish() {
    if (finished || !tcpClosed || !tlsClosed) return;
    finished = true;
    clearTimeout(timer);
    if (!handshakeDone) {
      const clientSide = failedHandshakeFrom(kept);
      if (!failure) {
        // Closed in good order (a reset is an error, handled where it came): with the certificate
        // sent and no alert back, the client most likely refused it in its own code.
        const silent = clientSide.certificateSent && !clientSide.alerts.some((a) => a !== 'close_notify');
        failure = silent
          ? {
              code: 'CLIENT_CLOSED_AFTER_CERTIFICATE',
              message:
                "the client closed the connection after receiving this server's certificate, without an alert or finishing its handshake; it most likely refused the certificate: clients that check it in their own code after the TLS library's handshake (Node.js programs, many apps) leave this way instead of sending an alert, and their own output says which check failed",
            }
          : {
              code: 'CLOSED_DURING_HANDSHAKE',
              message: 'the client closed the connection before the handshake finished; it may have rejected the certificate (look for its alert in the timeline)',
            };
        connection.event('error', { message: failure.message });
      }
      if (clientSide.sni) {
        outcome.sni = clientSide.sni;
        recording.update({ sni: clientSide.sni });
      }
      // What the client refused is the lesson: keep the certificates the server sent it.
      if (clientSide.certificateSent) connection.certificates('local', server.localCertificates(clientSide.sni));
      const alert = failure?.alert ?? clientSide.alerts.find((a) => a !== 'close_notify') ?? null;
      info.clientAlert = alert;
      if (alert && failure && failure.code !== 'CLIENT_ALERT') {
        failure = {
          code: 'CLIENT_ALERT',
          message: `the client ended the handshake with the alert "${alert}": ${ALERT_MEANING[alert] ?? 'it refused what this server sent'}`,
        };
        connection.event('error', { message: failure.message });
      }
    }
    kept.length = 0;
    // An alert after the handshake (the workbench's own client refusing over TLS 1.2) names the refusal too.
    if (failure?.alert) info.clientAlert ??= failure.alert;
    const note = !failure && handshakeDone ? silentLeaving(outcome.version, info.resumed, info.requests, inboundAfterHandshake) : null;
    if (note) connection.event('note', { text: note });
    connection.event('server-session', { ...info });
    const error = failure ? { code: failure.code, message: failure.message } : null;
    recording.update({ status: error ? 'failed' : 'ok', endedAt: Date.now(), error });
    publish(false);
    ctx.onEnd?.({
      serverId: server.id,
      sessionId,
      at: startedAt,
      peer,
      sni: outcome.sni,
      version: outcome.version,
      cipher: outcome.cipher,
      alpn: outcome.alpn,
      resumed: info.resumed,
      clientCertificate: info.clientCertificate?.subject ?? null,
      requests: info.requests,
      outcome: error ? 'failed' : 'ok',
      error,
      note,
    });
    resolveDone();
  }

  return {
    sessionId,
    done,
    close(reason: string) {
      if (finished) return;
      connection.event('note', { text: reason });
      if (handshakeDone && !secure.writableEnded) secure.end();
      secure.destroy();
      tap.destroy();
    },
  };
}

/**
 * A TCP listener that takes every connection through `acceptServerConnection`. `open` holds the
 * live ones; `changed` runs when one comes or goes. A connection whose session the store refuses
 * (disk full, database closed) is dropped and the listener keeps serving.
 */
export function recordingListener(
  server: AcceptingServer,
  ctx: ServerSessionContext,
  open: Set<AcceptedConnection>,
  on: { accepted(): void; changed(): void; describe(): string },
): net.Server {
  return net.createServer({ noDelay: true }, (raw) => {
    raw.on('error', () => undefined);
    on.accepted();
    let accepted: AcceptedConnection;
    try {
      accepted = acceptServerConnection(raw, server, {
        ...ctx,
        onEnd: (summary) => {
          open.delete(accepted);
          ctx.onEnd?.(summary);
          on.changed();
        },
      });
    } catch (err) {
      process.stderr.write(`tlslab: a connection to ${on.describe()} could not be recorded: ${(err as Error).message}\n`);
      raw.destroy();
      return;
    }
    open.add(accepted);
    on.changed();
  });
}
