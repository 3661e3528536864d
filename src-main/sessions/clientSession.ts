// The TLS client session of lab task 1: open TCP, run the handshake through the byte tap,
// verify the peer, send what was asked, read the answer, and record all of it.
import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type {
  ApiErrorInfo,
  CertificateInfo,
  ClientSessionRequest,
  SessionSummary,
  TlsVersionName,
  VerificationResult,
} from '../api/types';
import { WorkbenchError, toErrorInfo } from '../errors';
import { describeCertificate } from '../pki/certificateInfo';
import { asciiDomain } from '../pki/names';
import type { HostTable } from '../store/hostTable';
import { TlsConnectionDecoder } from '../tls/records';
import { peerChain } from './peerChain';
import { connectTapped } from './byteTap';
import { ALERT_LINGER_MS, refusalAlert, sealRefusalAlert } from './refusalAlert';
import { type RefusingProxy, describeConnectionFailure, describeProxyRefusal, peerAlertOf } from './connectionErrors';
import { BatchWriter, type ConnectionRecording, type SessionLabel, SessionRecording } from './recorder';
import { clientSecureContext } from './secureContexts';
import { type LabIdentitySource, type ServerIdentity, loadServerIdentity } from './serverIdentity';
import { loadTrustStore } from './trustStore';
import { chainVerification, hostnameVerification, verificationResult } from './verification';

/**
 * Application data sent in turns, as a client that waited for each answer sent it (client replay
 * of a kept-alive connection): turn n+1 goes out once the server's answer to turn n has come.
 */
export interface PacedPayload {
  turns: Uint8Array[];
  /** Follows the server's bytes after turn `n` went out: `feed` says where in them its answer ended, or -1. */
  answer(n: number): { feed(data: Uint8Array): number };
}

export interface ClientSessionContext {
  writer: BatchWriter;
  hosts: HostTable;
  /** Called whenever the session's summary changes (created, established, finished). */
  onUpdate?: (summary: SessionSummary, created: boolean) => void;
  recordCapBytes?: number;
  /** Bytes to send after the handshake instead of `request.send` (client replay), at once or in turns. */
  payload?: Uint8Array | PacedPayload;
  /** Name and tags the session starts with. */
  label?: SessionLabel;
  /** The certificate workshop, for a client certificate named lab:NAME. */
  lab?: LabIdentitySource | null;
}

/** Bytes of the server's handshake kept in memory, to tell whether it asked for a client certificate. */
const HANDSHAKE_KEEP_BYTES = 64 * 1024;

/** The request as the session keeps it: a key passphrase is used once, never stored. */
function storableRequest(request: ClientSessionRequest): ClientSessionRequest {
  const identity = request.clientCertificate;
  if (identity?.kind !== 'files' || identity.keyPassphrase === undefined) return request;
  const { keyPassphrase: _secret, ...kept } = identity;
  return { ...request, clientCertificate: kept };
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** After the last byte of an answer, how long to wait for more before closing ourselves. */
const ANSWER_IDLE_MS = 1_500;
/** With nothing to send, how long to listen for post-handshake messages (TLS 1.3 tickets). */
const QUIET_IDLE_MS = 400;
const RESPONSE_KEEP_BYTES = 1024 * 1024;
const TLS_VERSIONS: readonly TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export interface Endpoint {
  host: string;
  port: number;
}

/** "ADDR", "ADDR:PORT" or "[v6]:PORT"; the port defaults to the session's. */
export function parseEndpoint(text: string, defaultPort: number): Endpoint {
  const value = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  if (net.isIPv6(value)) return { host: value, port: defaultPort };
  const m = /^([^:]+)(?::(\d+))?$/.exec(value);
  if (!m) {
    throw new WorkbenchError('BAD_INPUT', `"${text}" is not an address; write it as 127.0.0.1, 127.0.0.1:4433 or [::1]:4433`);
  }
  return { host: m[1], port: m[2] ? Number(m[2]) : defaultPort };
}

export function checkPort(port: number, what = 'port'): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new WorkbenchError('PORT_OUT_OF_RANGE', `the ${what} ${port} is out of range; a TCP port is a whole number from 1 to 65535 (HTTPS uses 443, the lab's servers 4433)`);
  }
}

function checkRequest(request: ClientSessionRequest): void {
  if (!request.host || !request.host.trim()) {
    throw new WorkbenchError('BAD_INPUT', 'give the host to connect to, like www.bank32.com or 127.0.0.1');
  }
  if (/[\s/]/.test(request.host.trim())) {
    throw new WorkbenchError('BAD_INPUT', `"${request.host}" is not a host name; give only the name, like www.bank32.com (the path goes in "HTTP GET")`);
  }
  checkHostLength(request.host.trim());
  checkPort(request.port);
  for (const v of [request.minVersion, request.maxVersion]) {
    if (v && !TLS_VERSIONS.includes(v)) {
      throw new WorkbenchError('BAD_INPUT', `unknown TLS version "${v}": use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3`);
    }
  }
  if (request.minVersion && request.maxVersion && TLS_VERSIONS.indexOf(request.minVersion) > TLS_VERSIONS.indexOf(request.maxVersion)) {
    throw new WorkbenchError('BAD_INPUT', `the minimum TLS version ${request.minVersion} is above the maximum ${request.maxVersion}; swap them`);
  }
  if (request.send.kind === 'http-get' && !request.send.path.startsWith('/')) {
    throw new WorkbenchError('BAD_INPUT', `the HTTP path must start with "/", like /index.html`);
  }
}

/** DNS names stop at 253 characters, 63 per label (RFC 1035): a longer one can name no server. */
function checkHostLength(host: string): void {
  const wire = wireName(host);
  if (net.isIP(wire)) return;
  const label = wire.split('.').find((part) => part.length > 63);
  if (!label && wire.length <= 253) return;
  const shown = host.length > 40 ? `${host.slice(0, 40)}…` : host;
  throw new WorkbenchError(
    'BAD_INPUT',
    label
      ? `"${shown}" cannot be a host name: one of its labels is ${label.length} characters and DNS allows 63 between dots; check the name`
      : `"${shown}" cannot be a host name: it is ${wire.length} characters and DNS allows 253; check the name`,
  );
}

/**
 * The name as it goes on the wire: an internationalised name (bücher.example) in its ASCII form
 * (xn--bcher-kva.example, IDNA), which is what SNI, the Host header, DNS and certificates carry,
 * as browsers send it. Addresses and plain ASCII names come back as they are.
 */
export function wireName(name: string): string {
  return net.isIP(name) ? name : asciiDomain(name);
}

async function resolveAddress(name: string, hosts: HostTable): Promise<string> {
  if (net.isIP(name)) return name;
  const mapped = hosts.lookup(name);
  if (mapped) return mapped;
  const found = await dns.lookup(wireName(name));
  return found.address;
}

/** A reset (or a write into one) on the socket. */
function isReset(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

function formatEndpoint(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The GET the workbench sends is HTTP/1.1. A server that chose another protocol by ALPN (h2)
 * would take those bytes as a broken HTTP/2 connection preface and answer with binary frames:
 * say so instead of sending. Null when the request may go.
 */
export function alpnRefusal(request: ClientSessionRequest, alpn: string | null | undefined): string | null {
  if (request.send.kind !== 'http-get' || !alpn || alpn === 'http/1.1' || alpn === 'http/1.0') return null;
  return (
    `the server chose "${alpn}" by ALPN, and the workbench's client speaks HTTP/1.1 only: no request was sent. ` +
    'Offer http/1.1 alone (ALPN "http/1.1", or no ALPN) to fetch the page'
  );
}

function payloadBytes(request: ClientSessionRequest): Buffer | null {
  switch (request.send.kind) {
    case 'none':
      return null;
    case 'text':
      return Buffer.from(request.send.text.replace(/\r?\n/g, '\r\n'), 'utf8');
    case 'http-get': {
      const host = wireName(request.host.trim());
      // An IPv6 address goes in brackets (RFC 9112 3.2, RFC 3986 3.2.2): bare, its colons read as a port.
      const authority = net.isIPv6(host) ? `[${host}]` : host;
      const hostHeader = request.port === 443 ? authority : `${authority}:${request.port}`;
      return Buffer.from(
        `GET ${request.send.path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: tls-lab-workbench\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
        'latin1',
      );
    }
  }
}

/** Runs one client session to its end and returns its id; failures are recorded, not thrown. */
export async function runClientSession(request: ClientSessionRequest, ctx: ClientSessionContext): Promise<number> {
  const target = formatEndpoint(request.host?.trim() ?? '', request.port);
  const recording = SessionRecording.start(ctx.writer, { kind: 'client', target, startedAt: Date.now(), request: storableRequest(request), ...ctx.label }, ctx.recordCapBytes);
  const sessionId = recording.id;
  const publish = (created: boolean) => {
    const summary = recording.summary();
    if (summary) ctx.onUpdate?.(summary, created);
  };
  publish(true);

  // No flush here: whoever needs the recorded rows awaits writer.written(), which flushes; one
  // message to the writer per session end instead of two.
  const finishWithError = (error: ApiErrorInfo) => {
    recording.update({ status: 'failed', endedAt: Date.now(), error });
    publish(false);
    return sessionId;
  };

  let connection: ConnectionRecording | null = null;
  let address: string | null = null;
  try {
    checkRequest(request);
    const trust = loadTrustStore(request.trust);
    const destination = request.connectTo ? parseEndpoint(request.connectTo, request.port) : { host: request.host.trim(), port: request.port };
    checkPort(destination.port, '"connect to" port');
    connection = recording.openConnection('client');
    connection.event('note', { text: `trust store: ${trust.description}` });
    let identity: ServerIdentity | null = null;
    if (request.clientCertificate) {
      identity = await loadServerIdentity(request.clientCertificate, 'the client', ctx.lab ?? null);
      const leaf = describeCertificate(identity.leafDer);
      connection.certificates('local', [identity.leafDer, ...identity.chainDer]);
      connection.event('note', { text: `client certificate: ${leaf.subject}, issued by ${leaf.issuer} (sent if the server asks for one)` });
    }
    let ip: string;
    try {
      ip = await resolveAddress(destination.host, ctx.hosts);
    } catch (err) {
      // "999.1.1.1" or "127.0.0.256" looks like an address a student mistyped, not a name to add.
      if (/^\d+(\.\d+){3}$/.test(destination.host)) {
        throw new WorkbenchError('BAD_ADDRESS', `${destination.host} is not an IPv4 address: each of its four numbers must be 0 to 255 (like 127.0.0.1)`);
      }
      throw new WorkbenchError(
        'NAME_NOT_RESOLVED',
        `the name ${destination.host} does not resolve to an address; add it to the host table, or give "connect to" an address like 127.0.0.1`,
      );
    }
    address = formatEndpoint(ip, destination.port);
    const hostname = wireName(request.host.trim());
    if (hostname !== request.host.trim()) {
      connection.event('note', { text: `${request.host.trim()} goes on the wire as ${hostname} (IDNA, as browsers send it): in SNI, the Host header and the hostname check` });
    }
    const sni = request.servername === undefined ? (net.isIP(hostname) ? '' : hostname) : request.servername.trim();
    recording.update({ address, sni: sni || null });
    publish(false);
    const refusal: PeerRefusal = { alert: null };
    const outcome = await converse(request, {
      recording,
      connection,
      ip,
      port: destination.port,
      address,
      target,
      hostname,
      sni,
      trustId: trust.id,
      ca: trust.certificates,
      payload: ctx.payload,
      identity,
      refusal,
    });
    if (outcome.status === 'failed' && outcome.error && REFUSED_BY_PEER.has(outcome.error.code)) {
      const proxy = await refusingProxy(ctx.writer, sessionId);
      if (proxy) {
        outcome.error = describeProxyRefusal(outcome.error, refusal.alert, proxy, { host: hostname, port: request.port });
        connection.event('note', { text: outcome.error.message });
      }
    }
    recording.update(outcome);
    publish(false);
    return sessionId;
  } catch (err) {
    const info = err instanceof WorkbenchError ? err.toInfo() : toErrorInfo(err);
    connection?.event('error', { message: info.message });
    return finishWithError(info);
  }
}

interface ConversationSetup {
  recording: SessionRecording;
  connection: ConnectionRecording;
  ip: string;
  port: number;
  address: string;
  target: string;
  hostname: string;
  sni: string;
  trustId: string;
  ca: string[];
  payload?: Uint8Array | PacedPayload;
  /** The client certificate and key, when the request gives one. */
  identity: ServerIdentity | null;
  /** Filled in when the server ended the handshake. */
  refusal: PeerRefusal;
}

interface PeerRefusal {
  /** The alert the server sent (handshake_failure), if it sent one. */
  alert: string | null;
}

/** Failures the other end decided during the handshake: a proxy of this workbench may have recorded why. */
const REFUSED_BY_PEER = new Set(['PEER_ALERT', 'CLOSED_DURING_HANDSHAKE']);

/**
 * The workbench's own proxy, when it was the other end of this session's connection and refused
 * it: it stored its reason before sending its alert, so it is in the data folder by now, whichever
 * process ran the proxy. This session's rows are flushed first, to be found by their addresses.
 */
async function refusingProxy(writer: BatchWriter, sessionId: number): Promise<RefusingProxy | null> {
  try {
    await writer.written();
    const end = writer.store.otherEnds(sessionId).find((s) => s.kind === 'proxy' && s.error);
    if (!end?.error) return null;
    return { sessionId: end.id, upstream: end.address, error: end.error, verificationSummary: end.verification?.summary ?? null };
  } catch {
    // Only an explanation is lost: the session's own error stands.
    return null;
  }
}

type Outcome = Parameters<SessionRecording['update']>[0];

function converse(request: ClientSessionRequest, setup: ConversationSetup): Promise<Outcome> {
  const { connection, recording } = setup;
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<Outcome>((resolve) => {
    const outcome: Outcome = { status: 'ok' };
    let handshakeDone = false;
    let tcpClosed = false;
    let tlsClosed = false;
    let settled = false;
    /** The server closed its side (TLS 'end'): it had sent all it would. */
    let serverEnded = false;
    let resetNoted = false;
    /** The client refused the certificate and sent its alert: TLS sends nothing more. */
    let alertSent = false;
    let failure: ApiErrorInfo | null = null;
    const responseParts: Buffer[] = [];
    let responseBytes = 0;
    let pacing: { paced: PacedPayload; turn: number; answer: { feed(data: Uint8Array): number } } | null = null;
    let keptBytes = 0;
    let idleTimer: NodeJS.Timeout | null = null;
    let idleMs = 0;

    const overall = setTimeout(() => fail({ code: 'SESSION_TIMEOUT' }), timeoutMs);

    const settle = () => {
      if (settled || !tcpClosed || !tlsClosed) return;
      settled = true;
      clearTimeout(overall);
      if (idleTimer) clearTimeout(idleTimer);
      if (failure) {
        outcome.status = 'failed';
        outcome.error = failure;
      }
      if (handshakeDone || responseBytes > 0) {
        const text = Buffer.concat(responseParts).toString('utf8');
        outcome.response = { text, bytes: responseBytes, truncated: responseBytes > keptBytes };
      }
      outcome.endedAt = Date.now();
      resolve(outcome);
    };

    // What the server sent before the handshake ended, kept (copied: the socket's buffer is reused)
    // to tell whether it asked for a client certificate if it then ends the handshake.
    const serverHandshake: Buffer[] = [];
    let serverHandshakeBytes = 0;
    const askedForCertificate = (): boolean => {
      const decoder = new TlsConnectionDecoder();
      for (const data of serverHandshake) decoder.push({ direction: 'server-to-client', t: 0, data });
      return decoder.finish().handshakeMessages.some((m) => m.body.kind === 'certificate_request');
    };
    const failureContext = () => ({
      target: setup.target,
      address: setup.address,
      handshakeDone,
      clientCertificate: setup.identity !== null,
      askedForCertificate,
      // TLS 1.0/1.1 only (max version below 1.2) and no "@SECLEVEL=0" in the cipher list: OpenSSL 3 refuses them.
      legacyVersionsBlocked: (request.maxVersion === 'TLSv1' || request.maxVersion === 'TLSv1.1') && !/@SECLEVEL=0/i.test(request.ciphers ?? ''),
    });

    function fail(err: unknown) {
      // Only once the server has answered: a server that closes after the handshake without a
      // word (as one that refused the client's certificate in TLS 1.3 does) fails the session.
      if (serverEnded && handshakeDone && responseBytes > 0 && !failure && isReset(err)) {
        if (resetNoted) return;
        resetNoted = true;
        // The server had closed its side (its FIN came after everything it sent, so nothing was
        // lost); the client's close_notify then met a socket the server had already closed,
        // and the server's system answered it with a reset. What Python's http.server does.
        connection.event('note', {
          text: 'the server closed the connection before the client\'s close_notify reached it, so its system answered with a TCP reset; everything the server sent had arrived',
        });
        secure.destroy();
        tap.destroy();
        return;
      }
      if (!failure) {
        failure = describeConnectionFailure(err, failureContext());
        setup.refusal.alert = handshakeDone ? null : peerAlertOf(err);
        connection.event('error', { message: failure.message });
      }
      secure.destroy();
      tap.destroy();
    }

    // The recorder copies what it keeps: the socket reads into one reused buffer.
    const { socket, tap } = connectTapped({ host: setup.ip, port: setup.port }, {
      observe(direction, data) {
        connection.bytes(direction === 'outbound' ? 'client-to-server' : 'server-to-client', data);
        if (direction === 'inbound' && !handshakeDone && serverHandshakeBytes < HANDSHAKE_KEEP_BYTES) {
          serverHandshake.push(Buffer.from(data));
          serverHandshakeBytes += data.length;
        }
      },
      closed(initiator, error) {
        connection.event('tcp-close', { initiator, error: error?.message ?? null });
        connection.update({ closedAt: Date.now() });
        tcpClosed = true;
        settle();
      },
      held: () => connection.heldForDisk(),
    }, recording.pacer);
    socket.once('connect', () => {
      connection.update({ openedAt: Date.now(), local: formatEndpoint(socket.localAddress ?? '?', socket.localPort ?? 0), remote: setup.address });
      connection.event('tcp-open', {
        local: formatEndpoint(socket.localAddress ?? '?', socket.localPort ?? 0),
        remote: setup.address,
      });
    });
    // net.connect errors before 'connect' (refused, unreachable) surface on the raw socket.
    socket.once('error', (err) => fail(err));

    let secureContext: tls.SecureContext;
    try {
      secureContext = clientSecureContext({
        trustId: setup.trustId,
        ca: setup.ca,
        minVersion: request.minVersion,
        maxVersion: request.maxVersion,
        ciphers: request.ciphers || undefined,
        identity: setup.identity ?? undefined,
      });
    } catch (err) {
      socket.destroy();
      failure = describeConnectionFailure(err, failureContext());
      connection.event('error', { message: failure.message });
      secureContext = tls.createSecureContext();
    }
    let identitySeen: tls.PeerCertificate | undefined;
    const secure = tls.connect({
      socket: tap,
      secureContext,
      servername: setup.sni || undefined,
      rejectUnauthorized: false,
      // The hostname check is done below, where its result can be recorded and explained.
      checkServerIdentity: (_host, cert) => {
        identitySeen = cert;
        return undefined;
      },
      ALPNProtocols: request.alpn?.length ? request.alpn : undefined,
    });

    /** The key log so far: the alert sent on a refusal is sealed with it. */
    const keylog: string[] = [];
    secure.on('keylog', (line: Buffer) => {
      const text = line.toString('latin1').trim();
      keylog.push(text);
      connection.keylog(text);
    });

    secure.once('secureConnect', () => {
      handshakeDone = true;
      const serverFlight = serverHandshake.splice(0);
      const cipher = secure.getCipher();
      const version = secure.getProtocol() ?? cipher.version;
      const { ders, leaf } = peerChain(secure, identitySeen);
      connection.certificates('peer', ders);
      const chain: CertificateInfo[] = ders.map((d) => describeCertificate(d));
      const verification = verificationResult(
        request.verifyPeer,
        request.checkHostname,
        chainVerification(secure.authorized, secure.authorizationError, chain),
        hostnameVerification(setup.hostname, chain[0], leaf),
      );
      outcome.version = version;
      outcome.cipher = { openssl: cipher.name, iana: cipher.standardName ?? cipher.name, version: cipher.version };
      outcome.alpn = secure.alpnProtocol || null;
      outcome.verification = verification;
      connection.event('tls-established', { version, cipher: cipher.standardName ?? cipher.name });
      connection.event('verification', { accepted: verification.accepted, summary: verification.summary });
      recording.update({ version, cipher: outcome.cipher, alpn: outcome.alpn, verification });

      if (!verification.accepted) {
        failure = { code: 'VERIFICATION_FAILED', message: verification.summary };
        refuse(verification, version, serverFlight);
        return;
      }
      const refusal = setup.payload ? null : alpnRefusal(request, outcome.alpn);
      if (refusal) {
        failure = { code: 'ALPN_NOT_HTTP1', message: refusal };
        connection.event('note', { text: `${refusal.split(':')[0]}: no request is sent` });
        secure.end();
        return;
      }
      const paced = setup.payload && !(setup.payload instanceof Uint8Array) ? setup.payload : null;
      const payload = paced ? null : setup.payload instanceof Uint8Array ? Buffer.from(setup.payload) : payloadBytes(request);
      if (paced) {
        connection.event('note', {
          text: `the client sends its data in ${paced.turns.length} turns, each once the server has answered the one before, as the recorded client did`,
        });
        pacing = { paced, turn: 0, answer: paced.answer(0) };
        secure.write(Buffer.from(paced.turns[0]));
        armIdle(timeoutMs);
      } else if (payload) {
        secure.write(payload);
        armIdle(timeoutMs);
      } else if (version === 'TLSv1.3') {
        // TLS 1.3 servers send their session tickets after the handshake: let the first one
        // arrive so the timeline shows it, then close.
        secure.once('session', () => setImmediate(() => secure.end()));
        armIdle(QUIET_IDLE_MS);
      } else {
        secure.end();
      }
    });

    /**
     * Ends a connection whose certificate the client refused the way OpenSSL-verifying clients do:
     * with the fatal alert that names the problem (refusalAlert.ts), then the TCP close. The server
     * answers the alert by closing; one that does not is closed on after ALERT_LINGER_MS.
     */
    function refuse(verification: VerificationResult, version: string, serverFlight: readonly Uint8Array[]) {
      const alert = refusalAlert(verification);
      const sealed = sealRefusalAlert({ version, keylog, serverFlight, alert });
      if (!('record' in sealed)) {
        connection.event('note', { text: `the client closes the connection because verification failed; no data is sent (no alert either: ${sealed.reason})` });
        secure.destroy();
        tap.destroy();
        return;
      }
      alertSent = true;
      connection.event('note', {
        text:
          version === 'TLSv1.3'
            ? `the client sends the fatal alert ${alert.name} in the clear, in place of the rest of its handshake, and closes the connection, as openssl s_client, curl and Python do. Node checks the certificate once the server's flight is in; the workbench sends the alert for it, and the Finished Node would have sent never leaves`
            : `the client sends the fatal alert ${alert.name}, encrypted, and closes the connection. A client that checks the certificate during the handshake (openssl s_client, curl, Python) sends this alert instead of finishing its handshake; Node checks it only after sending its Finished, so the workbench sends the alert right after, under the client's keys from its key log`,
      });
      tap.finishWith(sealed.record);
      outcome.verification = { ...verification, alertSent: alert.name };
      recording.update({ verification: outcome.verification });
      const linger = setTimeout(() => {
        secure.destroy();
        tap.destroy();
      }, ALERT_LINGER_MS);
      socket.once('close', () => clearTimeout(linger));
    }

    /** (Re)starts the quiet-time limit; while data flows, one timer is pushed back, not replaced. */
    function armIdle(ms: number) {
      if (idleTimer && idleMs === ms) {
        idleTimer.refresh();
        return;
      }
      if (idleTimer) clearTimeout(idleTimer);
      idleMs = ms;
      idleTimer = setTimeout(() => {
        if (responseBytes === 0 && request.send.kind !== 'none') {
          connection.event('note', { text: `no answer within ${ms / 1000} s; the client closes the connection` });
        }
        secure.end();
      }, ms);
    }

    /** The next turn goes out once the answer to the one before has come (PacedPayload). */
    function paceOn(data: Uint8Array): boolean {
      if (pacing && pacing.turn + 1 < pacing.paced.turns.length) {
        const end = pacing.answer.feed(data);
        if (end < 0 || secure.writableEnded || secure.destroyed) return false;
        // Bytes after the answer came before the next turn went out: they are not its answer.
        const next = pacing.turn + 1;
        pacing = { ...pacing, turn: next, answer: pacing.paced.answer(next) };
        secure.write(Buffer.from(pacing.paced.turns[next]));
        return true;
      }
      return false;
    }

    secure.on('data', (data: Buffer) => {
      // A turn sent now waits for its answer as long as the first one did.
      const sentTurn = paceOn(data);
      responseBytes += data.length;
      if (keptBytes < RESPONSE_KEEP_BYTES) {
        const part = data.subarray(0, RESPONSE_KEEP_BYTES - keptBytes);
        responseParts.push(part);
        keptBytes += part.length;
      }
      armIdle(sentTurn ? timeoutMs : ANSWER_IDLE_MS);
    });
    secure.on('end', () => {
      serverEnded = true;
      // The server closed its side: close ours too (unless it is closed already: ending twice
      // makes Node build an error with a stack trace, a measurable cost per session). After an
      // alert nothing more is sent: no close_notify.
      if (alertSent) {
        secure.destroy();
        tap.destroy();
      } else if (!secure.writableEnded) secure.end();
    });
    secure.on('error', (err) => fail(err));
    secure.on('close', () => {
      tlsClosed = true;
      if (!handshakeDone && !failure) {
        fail(new Error('Client network socket disconnected before secure TLS connection was established'));
      }
      if (!tcpClosed && !socket.destroyed) socket.destroy();
      settle();
    });
  });
}
