// One victim connection through the man-in-the-middle proxy, recorded as ONE session of kind
// 'proxy' with two linked legs: 'proxy-client' (victim to proxy: the forged chain, the proxy's
// server-side key log) and 'proxy-upstream' (proxy to the real server: its real chain, the
// proxy's client-side key log). Between them the plaintext runs through the HTTP hooks.
import net from 'node:net';
import tls from 'node:tls';
import type { ProxyConnectionSummary, ProxyHookEvent, ProxySessionInfo } from '../api/proxyTypes';
import type { ApiErrorInfo, CertificateInfo, ChainVerification, Direction, HostnameVerification, SessionSummary } from '../api/types';
import { WorkbenchError, toErrorInfo } from '../errors';
import { describeCertificate } from '../pki/certificateInfo';
import { opensslSuiteName } from '../tls/opensslNames';
import { TlsConnectionDecoder, type RecordedChunk } from '../tls/records';
import { peerChain } from './peerChain';
import { ByteTap, connectTapped, keptChunk } from './byteTap';
import { refusalAlert, sealRefusalAlert } from './refusalAlert';
import { describeConnectionFailure, plainTlsError } from './connectionErrors';
import { peekClientHello } from './proxyClientHello';
import { type ExchangeContext, HttpStream, type ProxyHooks } from './proxyRewrite';
import type { BatchWriter, ConnectionRecording } from './recorder';
import { SessionRecording } from './recorder';
import { clientSecureContext } from './secureContexts';
import type { LoadedTrustStore } from './trustStore';
import { chainVerification, hostnameVerification, verificationResult } from './verification';

/** Bytes queued on one side of the proxy before the other side's reading pauses. */
const FORWARD_QUEUE_BYTES = 1024 * 1024;
/** What a real server that wants a client certificate teaches about interception. */
const MITM_CERTIFICATE_ADVICE =
  "A man in the middle cannot answer that with the victim's certificate: it never holds the victim's private key, which is why client certificates defeat this kind of interception.";

/** Victim bytes kept in memory until its handshake ends, to name its alerts. */
const HANDSHAKE_KEEP_BYTES = 64 * 1024;
/** After one side has closed, how long the other may take to finish before it is cut. */
const LINGER_MS = 2_000;
/** Bytes of the real server's handshake kept, to seal an alert refusing its certificate. */
const UPSTREAM_FLIGHT_KEEP_BYTES = 64 * 1024;
/** What the proxy accepts from victims by ALPN, in its order of preference: the HTTP it forwards. */
const VICTIM_ALPN = ['http/1.1', 'http/1.0'];
/** A fatal handshake_failure alert (RFC 8446, Section 6): what a refused victim receives. */
export const HANDSHAKE_FAILURE_ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

export interface UpstreamTarget {
  ip: string;
  port: number;
  /** "127.0.0.1:4433". */
  address: string;
  source: 'map' | 'hosts' | 'dns';
}

export interface ForgedForVictim {
  context: tls.SecureContext;
  /** Leaf first, then the CA chain, as sent to the victim. */
  certificates: Uint8Array[];
  cached: boolean;
}

/** What one victim connection needs from the proxy that accepted it. */
export interface ProxyEndpoint {
  id: number;
  label: string;
  caName: string;
  hooks: ProxyHooks;
  upstreamTrust: LoadedTrustStore;
  upstreamInsecure: boolean;
  handshakeTimeoutMs: number;
  recordCapBytes?: number;
  /** Where the name goes; throws a WorkbenchError that says why not. */
  resolve(host: string, port: number): Promise<UpstreamTarget>;
  /** The port `resolve` will send the name to: its --map's port, else `port`. */
  upstreamPort(host: string, port: number): number;
  forge(host: string, template: Uint8Array | undefined): Promise<ForgedForVictim>;
}

export interface ProxySessionContext {
  writer: BatchWriter;
  onUpdate?: (summary: SessionSummary, created: boolean) => void;
  onEnd?: (summary: ProxyConnectionSummary) => void;
}

/** A CONNECT request already read off the victim's socket. */
export interface ConnectRequest {
  host: string;
  port: number;
  /** The request head as received, for the record. */
  head: string;
  /** Bytes the victim sent after the head. */
  rest: Buffer;
}

export interface ProxiedConnection {
  /** Ends the connection now (the proxy is stopping). */
  close(reason: string): void;
  /** Resolves once the session is finished and its rows are queued. */
  done: Promise<void>;
}

function formatEndpoint(host: string | undefined, port: number | undefined): string {
  const h = host ?? '?';
  return h.includes(':') ? `[${h}]:${port ?? 0}` : `${h}:${port ?? 0}`;
}

function alertFromCode(code: string): string | null {
  const m = /^ERR_SSL_(?:TLSV1|SSLV3|TLSV13)_ALERT_(.+)$/.exec(code);
  return m ? m[1].toLowerCase() : null;
}

/**
 * What a victim's alert says about the forged certificate. OpenSSL clients (curl, Python's ssl,
 * openssl s_client) pick the alert from the check that failed: an untrusted chain gives
 * unknown_ca, a name that does not match or a date not yet reached gives bad_certificate, an
 * expired certificate certificate_expired, a certificate not meant for servers
 * unsupported_certificate. Chromium sends certificate_unknown for every certificate error.
 */
function victimAlertMeaning(alert: string, caName: string, forged: CertificateInfo | null, forgedFor: { host: string | null; mode: 'transparent' | 'connect'; sni: string | null }): string {
  const names = forged ? (forged.subjectAltNames.length ? forged.subjectAltNames.join(', ') : forged.subject) : null;
  const { host, sni } = forgedFor;
  const madeFor = !host
    ? ''
    : forgedFor.mode === 'connect'
      ? `; the proxy made it for ${host}, the victim's CONNECT target${sni && sni !== host ? ` (its SNI named ${sni})` : ''}, so the victim checks another name`
      : `; the proxy made it for ${host}, the name the victim sent by SNI, so the victim checks another name than the one it sent`;
  switch (alert) {
    case 'unknown_ca':
      return `it does not trust "${caName}", the CA that signed the forged certificate: the chain check failed. That is what a victim without the proxy's CA in its trust store does; install the CA in the victim to complete the attack in the lab`;
    case 'bad_certificate':
      return `it trusts "${caName}" (a client that did not would have sent unknown_ca), but a check on the forged certificate itself failed. From curl, Python's ssl or openssl s_client this alert means the host name it checks is not among the certificate's names${names ? ` (${names})` : ''}${madeFor}; or that the certificate is not yet valid by the client's clock`;
    case 'certificate_unknown':
      return `it refused the forged certificate without saying which check failed; Chromium sends this alert for every certificate error and names it on its own error page (NET::ERR_CERT_AUTHORITY_INVALID: it does not trust "${caName}"; NET::ERR_CERT_COMMON_NAME_INVALID: the name does not match)`;
    case 'certificate_expired':
      return 'the forged certificate has expired by the client\'s clock: the date check failed';
    case 'unsupported_certificate':
      return 'the forged certificate is not accepted for a server (its key usage or extended key usage), or its key type is not one the client accepts';
    case 'handshake_failure':
      return 'it could not agree on parameters with the proxy';
    case 'protocol_version':
      return 'it does not accept the TLS versions the proxy offers';
    case 'decrypt_error':
      return 'a signature or the Finished check failed';
    default:
      return 'it refused what the proxy sent';
  }
}

/** Node's names of the TLS versions, by their code in a ServerHello. */
const VERSION_NAMES: Record<number, string> = { 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };

/**
 * What the victim's handshake bytes say in the clear: the alerts it sent, by name, and the
 * version and cipher suite the proxy's ServerHello settled on (known even when the victim then
 * refused the forged certificate).
 */
function victimHandshake(chunks: RecordedChunk[]): { alerts: string[]; version: string | null; cipher: string | null; cipherCode: number | null; alpn: string | null; serverSpoke: boolean } {
  const decoder = new TlsConnectionDecoder();
  for (const c of chunks) decoder.push(c);
  const decoded = decoder.finish();
  const hello = decoded.serverHello;
  return {
    alerts: decoded.records.filter((r) => r.direction === 'client-to-server' && r.alert).map((r) => r.alert!.descriptionName),
    version: hello ? (VERSION_NAMES[hello.version.code] ?? hello.version.name) : null,
    cipher: hello ? hello.cipherSuite.name : null,
    cipherCode: hello ? hello.cipherSuite.code : null,
    alpn: hello?.alpn ?? null,
    serverSpoke: chunks.some((c) => c.direction === 'server-to-client'),
  };
}

const plainHttpAnswer = (address: string) => {
  const body = `This is the TLS Lab Workbench's man-in-the-middle proxy on ${address}. It speaks TLS here: use https:// in the address.\n`;
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
};

function newSessionInfo(endpoint: ProxyEndpoint, mode: 'transparent' | 'connect', host: string | null, peer: string): ProxySessionInfo {
  return {
    proxyId: endpoint.id,
    proxyLabel: endpoint.label,
    mode,
    host,
    upstreamSource: null,
    caName: endpoint.caName,
    forgedCertificate: null,
    forgedFromCache: false,
    namesFromUpstream: false,
    upstreamCertificate: null,
    upstreamVerification: null,
    upstreamInsecure: endpoint.upstreamInsecure,
    victim: { peer, version: null, cipher: null, alpn: null },
    upstream: { peer: null, version: null, cipher: null, alpn: null },
    victimAlert: null,
    failedLeg: null,
    closedFirst: null,
    exchanges: 0,
    rawForwarding: false,
    rulesFired: [],
  };
}

function connectionSummary(endpoint: ProxyEndpoint, sessionId: number, startedAt: number, info: ProxySessionInfo, error: ApiErrorInfo | null, bytes: { fromVictim: number; fromUpstream: number }): ProxyConnectionSummary {
  return {
    proxyId: endpoint.id,
    sessionId,
    at: startedAt,
    mode: info.mode,
    peer: info.victim.peer ?? '?',
    host: info.host,
    upstream: info.upstream.peer,
    victimVersion: info.victim.version,
    upstreamVersion: info.upstream.version,
    forgedSubject: info.forgedCertificate?.subject ?? null,
    upstreamVerified: info.upstreamVerification ? info.upstreamVerification.accepted : null,
    exchanges: info.exchanges,
    rulesFired: info.rulesFired.length,
    bytesFromVictim: bytes.fromVictim,
    bytesFromUpstream: bytes.fromUpstream,
    victimAlert: info.victimAlert,
    outcome: error ? 'failed' : 'ok',
    error,
  };
}

/** A client the CONNECT port turns away before any tunnel: what it sent, the proxy's answer, and why. */
export interface RefusedAtConnectPort {
  /** The bytes it sent (recorded on the victim leg). */
  received: Buffer;
  /** The proxy's answer (a 405, a TLS alert), or null to close without one. */
  answer: Buffer | null;
  error: ApiErrorInfo;
  /** A line for the timeline about the answer. */
  note: string | null;
  /** The site, when the client named one (SNI). */
  host: string | null;
}

/**
 * Records a client of the CONNECT port that never asked for a tunnel (plain http://, TLS spoken
 * to the port, nothing at all) as a failed proxy session, answers it and closes.
 */
export function refuseAtConnectPort(raw: net.Socket, endpoint: ProxyEndpoint, ctx: ProxySessionContext, refused: RefusedAtConnectPort): ProxiedConnection {
  const peer = formatEndpoint(raw.remoteAddress, raw.remotePort);
  const local = formatEndpoint(raw.localAddress, raw.localPort);
  const startedAt = Date.now();
  const info = newSessionInfo(endpoint, 'connect', refused.host, peer);
  info.failedLeg = 'victim';
  const recording = SessionRecording.start(ctx.writer, { kind: 'proxy', target: refused.host ?? `(no CONNECT) via ${local}`, startedAt, sni: null }, endpoint.recordCapBytes);
  const leg = recording.openConnection('proxy-client');
  leg.update({ openedAt: startedAt, local, remote: peer });
  leg.event('tcp-open', { local, remote: peer });
  leg.event('note', { text: `client ${peer} reached the CONNECT port of the proxy "${endpoint.label}"` });
  if (refused.received.length) leg.bytes('client-to-server', refused.received);
  leg.event('error', { message: refused.error.message });
  ctx.onUpdate?.(recording.summary(), true);
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let finished = false;
  raw.on('error', () => undefined);
  const finish = () => {
    if (finished) return;
    finished = true;
    leg.event('tcp-close', { initiator: raw.readableEnded ? 'peer' : 'local', error: null });
    leg.update({ closedAt: Date.now() });
    leg.event('proxy-session', { ...info });
    const error = { code: refused.error.code, message: refused.error.message };
    recording.update({ status: 'failed', endedAt: Date.now(), error });
    ctx.onUpdate?.(recording.summary(), false);
    ctx.onEnd?.(connectionSummary(endpoint, recording.id, startedAt, info, error, { fromVictim: refused.received.length, fromUpstream: 0 }));
    resolveDone();
  };
  if (raw.closed) {
    setImmediate(finish);
  } else {
    raw.once('close', finish);
  }
  if (raw.destroyed) {
    // Already gone: nothing to answer.
  } else if (refused.answer) {
    if (refused.note) leg.event('note', { text: refused.note });
    leg.bytes('server-to-client', refused.answer);
    raw.end(refused.answer);
    setTimeout(() => raw.destroy(), LINGER_MS).unref();
  } else {
    raw.destroy();
  }
  return {
    done,
    close(reason: string) {
      if (!finished) leg.event('note', { text: reason });
      raw.destroy();
    },
  };
}

/** Takes one accepted victim through the forged handshake, the upstream and the forwarding, recording it all. */
export function acceptVictim(raw: net.Socket, endpoint: ProxyEndpoint, ctx: ProxySessionContext, connect?: ConnectRequest): ProxiedConnection {
  raw.setNoDelay(true);
  const mode: 'transparent' | 'connect' = connect ? 'connect' : 'transparent';
  const peer = formatEndpoint(raw.remoteAddress, raw.remotePort);
  const local = formatEndpoint(raw.localAddress, raw.localPort);
  const startedAt = Date.now();
  const info = newSessionInfo(endpoint, mode, connect ? `${connect.host}:${connect.port}` : null, peer);

  let recording: SessionRecording | null = null;
  let victimLeg: ConnectionRecording | null = null;
  let upstreamLeg: ConnectionRecording | null = null;
  /** Victim bytes and events seen before the session row exists (transparent mode reads the ClientHello first). */
  const early: { direction: Direction; data: Buffer }[] = [];
  const earlyEvents: { kind: string; data: Record<string, unknown> }[] = [];
  const kept: RecordedChunk[] = [];
  let keptBytes = 0;
  let victimSecure = false;
  let upstreamSecure = false;
  let failure: ApiErrorInfo | null = null;
  let ending = false;
  let finished = false;
  let open = 0;
  let sessionId = 0;
  let bytesFromVictim = 0;
  let bytesFromUpstream = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  let victimTap: ByteTap | null = null;
  let victimTls: tls.TLSSocket | null = null;
  let upstreamRaw: net.Socket | null = null;
  /** The proxy refused the real server's certificate and told it so with an alert: its connection closes on its own. */
  let upstreamAlerted = false;
  let upstreamTls: tls.TLSSocket | null = null;
  /** The real server's chain as DER, read once when its handshake ends (the forge's template). */
  let upstreamChain: Uint8Array[] = [];
  /** CONNECT mode: the upstream leg, started when the CONNECT arrived; true once it is verified. */
  let upstreamReady: Promise<boolean> | null = null;
  let lingerTimer: NodeJS.Timeout | null = null;
  /** After the handshakes: which side closed (or reset) first, and what the other sent after that, lost. */
  let closedFirst: 'victim' | 'upstream' | null = null;
  const undelivered = { toVictim: 0, toUpstream: 0 };
  const forwardNoted = { victim: false, upstream: false };
  /** HTTP exchanges whose request went upstream, and responses that came back. */
  let requestsForwarded = 0;
  let responsesBegun = 0;

  const victimEvent = (kind: string, data: Record<string, unknown>) => {
    if (victimLeg) victimLeg.event(kind, data);
    else earlyEvents.push({ kind, data });
  };
  const publish = (created: boolean) => {
    const summary = recording ? recording.summary() : null;
    if (summary) ctx.onUpdate?.(summary, created);
  };

  /** Every socket counts until its 'close'; the session finishes when the last one has closed. */
  const track = (socket: net.Socket | tls.TLSSocket) => {
    open++;
    socket.once('close', () => {
      open--;
      finish();
    });
  };

  function startRecording(host: string | null, port: number): void {
    if (recording) return;
    // What the victim asked for: its CONNECT target; in transparent mode the name it sent by SNI,
    // alone: a ClientHello names no port, and the one the victim dialed is the proxy's (where its
    // host table, or curl's --connect-to, sent it), not the site's.
    info.host = host ? (mode === 'connect' ? `${host}:${port}` : host) : null;
    recording = SessionRecording.start(ctx.writer, { kind: 'proxy', target: host ? `${host}:${port}` : `(no name) via ${local}`, startedAt, sni: mode === 'transparent' ? host : null }, endpoint.recordCapBytes);
    sessionId = recording.id;
    victimLeg = recording.openConnection('proxy-client');
    victimLeg.update({ openedAt: startedAt, local, remote: peer });
    victimLeg.event('tcp-open', { local, remote: peer });
    victimLeg.event('note', { text: `victim ${peer} reached the proxy "${endpoint.label}" in ${mode} mode` });
    for (const e of earlyEvents) victimLeg.event(e.kind, e.data);
    for (const c of early) victimLeg.bytes(c.direction, c.data);
    early.length = 0;
    earlyEvents.length = 0;
    publish(true);
  }

  function fail(error: ApiErrorInfo, leg: 'victim' | 'upstream'): void {
    if (!failure) {
      failure = error;
      info.failedLeg = leg;
      const target = leg === 'upstream' && upstreamLeg ? upstreamLeg : null;
      if (target) target.event('error', { message: error.message });
      victimEvent('error', { message: error.message });
    }
    teardown();
  }

  function teardown(): void {
    ending = true;
    victimTls?.destroy();
    victimTap?.destroy();
    upstreamTls?.destroy();
    upstreamRaw?.destroy();
    if (!victimTap) raw.destroy();
  }

  /** Refuses the victim in its own protocol: a TLS alert, or a 502 to its CONNECT. */
  function refuse(error: ApiErrorInfo, leg: 'victim' | 'upstream'): void {
    if (!failure) {
      failure = error;
      info.failedLeg = leg;
      if (leg === 'upstream') upstreamLeg?.event('error', { message: error.message });
      victimEvent('error', { message: error.message });
      // The session's reason is there before the victim hears of it: a client of this workbench
      // told only "handshake_failure" reads why from this session (see clientSession.ts).
      recording?.update({ error: { code: error.code, message: error.message } });
    }
    if (upstreamAlerted) {
      // The real server closes once it has read the alert; until then the connection stays open.
      setTimeout(() => {
        upstreamTls?.destroy();
        upstreamRaw?.destroy();
      }, LINGER_MS).unref();
    } else {
      upstreamTls?.destroy();
      upstreamRaw?.destroy();
    }
    ending = true;
    if (connect && !victimTap) {
      const body = `The proxy could not reach ${connect.host}:${connect.port}: ${error.message}\n`;
      victimEvent('note', { text: 'the proxy answered the CONNECT with 502 Bad Gateway' });
      raw.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      setTimeout(() => raw.destroy(), LINGER_MS).unref();
    } else if (victimTap && !victimTls) {
      victimEvent('note', { text: 'the proxy refused the victim with a handshake_failure alert' });
      const tap = victimTap;
      // Stored first (one flush), so that the victim, on hearing the alert, finds the reason in
      // the data folder even when the proxy runs in another process.
      void ctx.writer.written().catch(() => undefined).then(() => {
        if (tap.destroyed) return;
        tap.end(HANDSHAKE_FAILURE_ALERT);
        setTimeout(() => tap.destroy(), LINGER_MS).unref();
      });
    } else {
      teardown();
    }
  }

  // --- the victim's TCP connection -------------------------------------------------------------

  track(raw);
  raw.on('error', () => undefined);
  raw.once('close', () => {
    // A CONNECT victim that left while the proxy was still reaching the upstream.
    if (!victimTap && !ending) fail({ code: 'CLOSED_BEFORE_HELLO', message: 'the victim closed the connection before the tunnel was up' }, 'victim');
  });
  const handshakeTimer = setTimeout(() => {
    const within = `within ${endpoint.handshakeTimeoutMs / 1000} s`;
    // Silent (a port scan, a client waiting for the server to speak first) or stuck mid-handshake.
    const what = bytesFromVictim === 0 ? `sent nothing ${within}: no ClientHello (a TLS client speaks first)` : `did not finish its handshake ${within}`;
    fail({ code: 'HANDSHAKE_TIMEOUT', message: `the victim ${what}; the proxy dropped it` }, 'victim');
  }, endpoint.handshakeTimeoutMs);

  let peeked: Buffer = Buffer.alloc(0);
  let peekDone = false;
  /** The ALPN protocols in the victim's ClientHello (null: it offered none). */
  let victimAlpnOffered: string[] | null = null;
  /** The server name in the victim's ClientHello (SNI), if it sent one. */
  let victimSni: string | null = null;
  /** The name the forged certificate was made for (the SNI, or the CONNECT target). */
  let forgedHost: string | null = null;

  /** The proxy has sent the victim a byte (its first flight began). */
  let answeredVictim = false;

  function attachVictimTap(): void {
    if (connect?.rest.length) raw.unshift(connect.rest);
    victimTap = new ByteTap(raw, {
      observe(direction, data) {
        const dir: Direction = direction === 'inbound' ? 'client-to-server' : 'server-to-client';
        if (dir === 'client-to-server') bytesFromVictim += data.length;
        else answeredVictim = true;
        if (victimLeg) victimLeg.bytes(dir, data);
        else early.push({ direction: dir, data: keptChunk(data) });
        if (!victimSecure && keptBytes < HANDSHAKE_KEEP_BYTES) {
          kept.push({ direction: dir, t: 0, data: keptChunk(data) });
          keptBytes += data.length;
        }
        if (dir === 'client-to-server' && !peekDone) onVictimBytes(data);
      },
      closed(initiator, error) {
        victimEvent('tcp-close', { initiator, error: error?.message ?? null });
        victimLeg?.update({ closedAt: Date.now() });
        if (!peekDone) {
          peekDone = true;
          startRecording(connect?.host ?? null, connect?.port ?? 443);
          fail({ code: 'CLOSED_BEFORE_HELLO', message: 'the victim closed the connection before sending its ClientHello' }, 'victim');
        }
      },
      held: () => victimLeg?.heldForDisk(),
      peerEnded: () => {
        // Gone after its ClientHello, before the proxy's first byte: while the proxy was still
        // reaching the real server or forging (no TLS socket yet to notice, and the session
        // would wait for its handshake timeout), or just as the TLS socket took the ClientHello.
        if (!peekDone || answeredVictim || ending || failure) return;
        fail({
          code: 'CLOSED_DURING_HANDSHAKE',
          message: `the victim closed the connection after its ClientHello, before the proxy answered it${victimTls ? '' : ' (the proxy was still reaching the real server)'}; it never saw a certificate, so it did not refuse one: it gave up or failed on its own side`,
        }, 'victim');
      },
    }, ctx.writer);
    // The CONNECT reader paused the socket; the ClientHello must flow to be peeked at.
    raw.resume();
  }

  function onVictimBytes(data: Buffer): void {
    peeked = peeked.length ? Buffer.concat([peeked, data]) : data;
    const peek = peekClientHello(peeked);
    if (peek.kind === 'incomplete') return;
    peekDone = true;
    peeked = Buffer.alloc(0);
    if (peek.kind === 'client-hello') {
      victimAlpnOffered = peek.alpn;
      victimSni = peek.serverName;
    }
    if (peek.kind === 'not-tls') {
      startRecording(connect?.host ?? null, connect?.port ?? 443);
      const error: ApiErrorInfo = peek.looksLikeHttp
        ? { code: 'NOT_TLS', message: `the victim sent a plain HTTP request to the proxy's TLS port ${local}; it must use https:// (the bytes are in the victim leg)` }
        : { code: 'NOT_TLS', message: 'the victim sent bytes that are not a TLS ClientHello; it may not speak TLS (the bytes are in the victim leg)' };
      failure = error;
      info.failedLeg = 'victim';
      victimEvent('error', { message: error.message });
      if (peek.looksLikeHttp) {
        victimEvent('note', { text: 'the proxy answered 400 Bad Request, saying to use https://' });
        victimTap!.end(plainHttpAnswer(local));
        setTimeout(() => victimTap?.destroy(), LINGER_MS).unref();
      } else teardown();
      return;
    }
    if (connect) {
      // The session began at the CONNECT, before the ClientHello: its SNI is known only now.
      if (peek.kind === 'client-hello' && peek.serverName) recording!.update({ sni: peek.serverName });
      if (peek.serverName && peek.serverName !== connect.host.toLowerCase()) {
        victimEvent('note', { text: `the victim's SNI ${peek.serverName} differs from its CONNECT target ${connect.host}; the proxy goes by the CONNECT target` });
      }
      void upstreamReady!.then((ok) => {
        if (ok) void handshakeVictim(connect.host);
      });
      return;
    }
    // A ClientHello carries no port: the session names the one the proxy really goes to (a
    // --map's), as a client session names the HOST:PORT it asked for, and its address where that led.
    startRecording(peek.serverName, peek.serverName ? endpoint.upstreamPort(peek.serverName, 443) : 443);
    if (!peek.serverName) {
      refuse({ code: 'NO_SNI', message: 'the victim sent no server name (SNI) in its ClientHello; in transparent mode that is how the proxy learns the site. Connect by name (not by IP address), or use CONNECT mode' }, 'victim');
      return;
    }
    void connectUpstream(peek.serverName, 443).then((ok) => {
      if (ok) void handshakeVictim(peek.serverName!);
    });
  }

  // --- the upstream leg ------------------------------------------------------------------------

  /** Resolves true once the upstream is verified (or let through); `tcpConnected` runs when its TCP connection is up. */
  async function connectUpstream(host: string, port: number, tcpConnected?: () => void): Promise<boolean> {
    let target: UpstreamTarget;
    try {
      target = await endpoint.resolve(host, port);
    } catch (err) {
      if (!ending) refuse(err instanceof WorkbenchError ? err.toInfo() : toErrorInfo(err), 'upstream');
      return false;
    }
    if (ending) return false;
    info.upstreamSource = target.source;
    info.upstream.peer = target.address;
    recording!.update({ address: target.address });
    const leg = recording!.openConnection('proxy-upstream');
    upstreamLeg = leg;
    victimEvent('note', { text: `upstream for ${host}:${port} is ${target.address} (from ${target.source === 'map' ? 'the proxy\'s map' : target.source === 'hosts' ? 'the host table' : 'DNS'})` });
    leg.event('note', { text: `upstream trust store: ${endpoint.upstreamTrust.description}` });

    return new Promise<boolean>((resolve) => {
      /** The real server's handshake flight and the key log: an alert refusing its certificate is sealed with them. */
      const serverFlight: Buffer[] = [];
      let serverFlightBytes = 0;
      const keylog: string[] = [];
      // The socket reads into one reused buffer (connectTapped): the recorder and serverFlight copy what they keep.
      const { socket, tap } = connectTapped({ host: target.ip, port: target.port }, {
        observe(direction, data) {
          if (direction === 'inbound') {
            bytesFromUpstream += data.length;
            if (!upstreamSecure && serverFlightBytes < UPSTREAM_FLIGHT_KEEP_BYTES) {
              serverFlight.push(Buffer.from(data));
              serverFlightBytes += data.length;
            }
          }
          leg.bytes(direction === 'outbound' ? 'client-to-server' : 'server-to-client', data);
        },
        closed(initiator, error) {
          leg.event('tcp-close', { initiator, error: error?.message ?? null });
          leg.update({ closedAt: Date.now() });
        },
        held: () => leg.heldForDisk(),
      }, ctx.writer);
      upstreamRaw = socket;
      socket.setNoDelay(true);
      track(socket);
      socket.once('connect', () => {
        const localAddress = formatEndpoint(socket.localAddress, socket.localPort);
        leg.update({ openedAt: Date.now(), local: localAddress, remote: target.address });
        leg.event('tcp-open', { local: localAddress, remote: target.address });
        tcpConnected?.();
      });
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        resolve(ok);
      };
      const upstreamFailure = (err: unknown) => {
        if (upstreamSecure) return onForwardError(err, 'upstream');
        const code = (err as NodeJS.ErrnoException)?.code;
        const described =
          code === 'ECONNREFUSED'
            ? { code: 'UPSTREAM_UNREACHABLE', message: `the proxy could not reach the real server for ${host} at ${target.address}: connection refused; ${upstreamAddressAdvice(host, target, mode)}` }
            : (() => {
                const d = describeConnectionFailure(err, {
                  target: `${host}:${port}`,
                  address: target.address,
                  handshakeDone: false,
                  certificateAdvice: MITM_CERTIFICATE_ADVICE,
                });
                return { code: `UPSTREAM_${d.code}`, message: `upstream ${target.address}: ${d.message}` };
              })();
        if (!ending) refuse(described, 'upstream');
        settle(false);
      };
      socket.once('error', upstreamFailure);
      const secure = tls.connect({
        socket: tap,
        secureContext: clientSecureContext({ trustId: endpoint.upstreamTrust.id, ca: endpoint.upstreamTrust.certificates }),
        servername: net.isIP(host) ? undefined : host,
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ALPNProtocols: ['http/1.1'],
      });
      upstreamTls = secure;
      track(secure);
      secure.on('keylog', (line: Buffer) => {
        const text = line.toString('latin1').trim();
        keylog.push(text);
        leg.keylog(text);
      });
      secure.on('error', upstreamFailure);
      secure.once('close', () => {
        if (!upstreamSecure && !settled) {
          if (!ending) refuse({ code: 'UPSTREAM_CLOSED', message: `the real server at ${target.address} closed the connection during the handshake; it may not speak TLS there, or it refused the proxy's ClientHello` }, 'upstream');
          settle(false);
        }
      });
      secure.once('secureConnect', () => {
        upstreamSecure = true;
        const cipher = secure.getCipher();
        const version = secure.getProtocol() ?? cipher.version;
        info.upstream = { peer: target.address, version, cipher: cipher.standardName ?? cipher.name, alpn: secure.alpnProtocol || null };
        const { ders, leaf } = peerChain(secure);
        upstreamChain = ders;
        leg.certificates('peer', ders);
        const chain: CertificateInfo[] = ders.map((d) => describeCertificate(d));
        info.upstreamCertificate = chain[0] ?? null;
        const chainResult = chainVerification(secure.authorized, secure.authorizationError, chain);
        const hostResult = hostnameVerification(host, chain[0], leaf);
        const verification = verificationResult(true, true, chainResult, hostResult);
        info.upstreamVerification = verification;
        leg.event('tls-established', { version, cipher: cipher.standardName ?? cipher.name });
        leg.event('verification', { accepted: verification.accepted, summary: verification.summary });
        recording!.update({ verification });
        if (!verification.accepted) {
          if (endpoint.upstreamInsecure) {
            leg.event('note', { text: `--upstream-insecure: the proxy goes on although the real server's certificate did not verify (${verification.summary})` });
          } else {
            // As an OpenSSL client would, the proxy tells the real server why it goes no further.
            const alert = refusalAlert(verification);
            const sealed = sealRefusalAlert({ version, keylog, serverFlight, alert });
            if ('record' in sealed) {
              upstreamAlerted = true;
              leg.event('note', { text: `the proxy sends the real server the fatal alert ${alert.name} and closes this connection` });
              tap.finishWith(sealed.record);
              verification.alertSent = alert.name;
              recording!.update({ verification });
            }
            refuse(
              {
                code: 'UPSTREAM_CERT_INVALID',
                message: `the real server's certificate for ${host} did not verify against ${endpoint.upstreamTrust.description} (${verification.summary}); the proxy refused the victim. ${upstreamAdvice(chainResult, hostResult, host)}`,
              },
              'upstream',
            );
            return settle(false);
          }
        }
        settle(!ending);
      });
    });
  }

  // --- the victim's handshake with the forged certificate ---------------------------------------

  async function handshakeVictim(host: string): Promise<void> {
    forgedHost = host;
    let forged: ForgedForVictim;
    try {
      const template = upstreamChain[0];
      forged = await endpoint.forge(host, template);
      info.namesFromUpstream = template !== undefined;
    } catch (err) {
      if (!ending) refuse(err instanceof WorkbenchError ? err.toInfo() : toErrorInfo(err), 'victim');
      return;
    }
    if (ending || !victimTap) return;
    info.forgedCertificate = describeCertificate(forged.certificates[0]);
    info.forgedFromCache = forged.cached;
    victimLeg!.certificates('local', forged.certificates);
    victimEvent('note', {
      text: `forged certificate for ${host} signed by "${endpoint.caName}"${forged.cached ? ' (from the cache)' : ''}${info.namesFromUpstream ? ', names copied from the real certificate' : ', names from the host name'}`,
    });
    // HTTP/1.0 too: curl --http1.0 offers only "http/1.0", and the forwarding speaks both.
    const secure = new tls.TLSSocket(victimTap, { isServer: true, secureContext: forged.context, ALPNProtocols: VICTIM_ALPN });
    victimTls = secure;
    track(secure);
    secure.on('keylog', (line: Buffer) => victimLeg!.keylog(line.toString('latin1').trim()));
    const onError = (err: Error) => {
      if (victimSecure) return onForwardError(err, 'victim');
      fail(describeVictimFailure(err), 'victim');
    };
    secure.on('error', onError);
    secure.on('_tlsError', onError);
    secure.once('close', () => {
      if (!victimSecure && !failure) fail(describeVictimFailure(null), 'victim');
    });
    secure.once('secure', () => {
      victimSecure = true;
      clearTimeout(handshakeTimer);
      kept.length = 0;
      (secure as unknown as { _releaseControl?: () => boolean })._releaseControl?.();
      const cipher = secure.getCipher();
      const version = secure.getProtocol() ?? cipher.version;
      info.victim = { peer, version, cipher: cipher.standardName ?? cipher.name, alpn: secure.alpnProtocol || null };
      victimLeg!.event('tls-established', { version, cipher: cipher.standardName ?? cipher.name });
      recording!.update({ version, cipher: { openssl: cipher.name, iana: cipher.standardName ?? cipher.name, version: cipher.version }, alpn: secure.alpnProtocol || null });
      publish(false);
      forward();
    });
  }

  function describeVictimFailure(err: unknown): ApiErrorInfo {
    const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
    if (code === 'ERR_SSL_NO_APPLICATION_PROTOCOL') {
      const offered = victimAlpnOffered?.length ? victimAlpnOffered.join(', ') : 'nothing the proxy knows';
      return {
        code: 'VICTIM_ALPN_UNSUPPORTED',
        message: `the victim offered only ${offered} by ALPN, and the proxy forwards HTTP/1.1 and HTTP/1.0 only; let the client offer HTTP/1.1 (curl --http1.1, or a browser, which offers both)`,
      };
    }
    const seen = victimHandshake(kept);
    const alert = alertFromCode(code) ?? seen.alerts.find((a) => a !== 'close_notify') ?? null;
    if (alert) {
      info.victimAlert = alert;
      return {
        code: 'VICTIM_REJECTED_CERTIFICATE',
        message: `the victim refused the forged certificate with the alert "${alert}": ${victimAlertMeaning(alert, endpoint.caName, info.forgedCertificate, { host: forgedHost, mode, sni: victimSni })}`,
      };
    }
    if (code === 'ERR_SSL_HTTP_REQUEST' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
      return { code: 'NOT_TLS', message: 'the victim sent bytes that are not TLS during the handshake' };
    }
    if (!err && seen.serverSpoke && info.forgedCertificate) {
      // The proxy's first flight went out (the forged chain inside), and the victim closed in
      // good order (no reset: it had read what came) without finishing its side of the handshake.
      // A client killed mid-handshake leaves unread bytes and resets instead (below).
      return {
        code: 'VICTIM_CLOSED_AFTER_CERTIFICATE',
        message: `the victim closed the connection after receiving the forged certificate, without an alert or finishing its handshake; it most likely refused the certificate: clients that check it in their own code after the TLS library's handshake (Node.js programs, many apps) leave this way instead of sending an alert, and their own output says which check failed (the chain, when it does not trust "${endpoint.caName}", or the name)`,
      };
    }
    if ((code === 'ECONNRESET' || code === 'EPIPE') && seen.serverSpoke) {
      // A reset: the proxy's flight reached a socket the victim had closed, or one it closed
      // without reading what had come.
      return {
        code: 'CLOSED_DURING_HANDSHAKE',
        message: 'the victim reset the connection in the middle of the handshake, without an alert and before reading all the proxy had sent; it was stopped or gave up on its own side (a client that refuses a certificate reads it first, and most send an alert)',
      };
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || !err) {
      return {
        code: 'CLOSED_DURING_HANDSHAKE',
        message: 'the victim closed the connection in the middle of the handshake without an alert; it may have rejected the forged certificate silently or simply gone away',
      };
    }
    const text = (err as Error).message ?? String(err);
    return { code: code || 'VICTIM_HANDSHAKE_FAILED', message: `the victim's handshake failed: ${text.split('\n')[0]}` };
  }

  // --- forwarding the plaintext ----------------------------------------------------------------

  function onForwardError(err: unknown, side: 'victim' | 'upstream'): void {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECANCELED' || code === 'ERR_STREAM_WRITE_AFTER_END' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_ALREADY_FINISHED') {
      // The peer went away: a reset, or a write to a connection it had already closed (EPIPE;
      // ECANCELED when the socket closed under a pending write). Its leaving is no failure of the
      // proxy's; what it did not receive is noted when the session ends.
      closedFirst ??= side;
      if (!forwardNoted[side]) {
        forwardNoted[side] = true;
        const text = code === 'ECONNRESET' ? `the ${side} reset the connection (ECONNRESET)` : `the ${side} had closed the connection when the proxy wrote to it (${code})`;
        (side === 'victim' ? victimLeg : upstreamLeg)?.event('note', { text });
      }
      teardown();
      return;
    }
    if (side === 'upstream' && typeof code === 'string' && code.includes('_ALERT_')) {
      // A TLS 1.3 server refuses a client (no client certificate, say) after the client's side of
      // the handshake is done: its alert comes in here, and is named like any other.
      const peer = info.upstream.peer ?? 'the real server';
      const d = describeConnectionFailure(err, { target: peer, address: peer, handshakeDone: true, certificateAdvice: MITM_CERTIFICATE_ADVICE });
      fail({ code: `UPSTREAM_${d.code}`, message: `upstream ${peer}: ${d.message}` }, side);
      return;
    }
    fail({ code: side === 'victim' ? 'VICTIM_CONNECTION_FAILED' : 'UPSTREAM_CONNECTION_FAILED', message: `the ${side} connection failed after the handshake: ${plainTlsError((err as Error).message ?? String(err))}` }, side);
  }

  function forward(): void {
    const victim = victimTls!;
    const upstream = upstreamTls!;
    const methods: string[] = [];
    let requestExchange = 0;
    let responseExchange = 0;
    const exchangeContext = (exchange: number, leg: ConnectionRecording): ExchangeContext => ({
      exchange,
      fired(rule: number, event: ProxyHookEvent, replacements: number) {
        const t = recording!.now();
        info.rulesFired.push({ rule, event, exchange, replacements, t });
        leg.event('note', { text: `rewrite rule ${rule + 1} fired at ${event} of exchange ${exchange}: ${replacements} replacement${replacements === 1 ? '' : 's'}` });
      },
      note(text: string) {
        leg.event('note', { text });
      },
    });
    // A TLS socket hands its reader one 16 KiB record at a time. Corked until the end of the tick,
    // the records of one TCP read leave as one write (one SSL_write, one writev to the wire)
    // instead of one write each; and the reader is paused only past 1 MiB queued, not at every
    // record (a TLS socket's 16 KiB high-water mark said "full" after each one).
    const pipe = (to: tls.TLSSocket, from: tls.TLSSocket) => (data: Buffer) => {
      if (to.destroyed || to.writableEnded) {
        if (to === victim) undelivered.toVictim += data.length;
        else undelivered.toUpstream += data.length;
        return;
      }
      if (!to.writableCorked) {
        to.cork();
        process.nextTick(() => to.uncork());
      }
      to.write(data);
      if (to.writableLength > FORWARD_QUEUE_BYTES && !from.isPaused()) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    };
    const requests: HttpStream = new HttpStream('request', endpoint.hooks, () => exchangeContext(requestExchange, upstreamLeg!), {
      out: pipe(upstream, victim),
      head: () => {
        requestExchange++;
        info.exchanges = requestExchange;
        requestsForwarded = requestExchange;
      },
      answer: (data) => responses.interject(data),
      raw: (reason) => {
        if (!info.rawForwarding) victimLeg!.event('note', { text: `forwarding as bytes from here on: ${reason}` });
        info.rawForwarding = true;
        responses.goRaw();
      },
    }, methods);
    const responses: HttpStream = new HttpStream('response', endpoint.hooks, () => exchangeContext(responseExchange, victimLeg!), {
      out: pipe(victim, upstream),
      head: () => {
        responseExchange++;
        responsesBegun = responseExchange;
      },
      raw: (reason) => {
        if (!info.rawForwarding) victimLeg!.event('note', { text: `forwarding as bytes from here on: ${reason}` });
        info.rawForwarding = true;
        requests.goRaw();
      },
      // The proxy refused a request (its 400 says Connection: close): both sides end here, so a
      // client that keeps the connection open (openssl s_client) is not left waiting.
      final: () => {
        endOf(victim);
        endOf(upstream);
        linger();
      },
    }, methods);
    const guarded = (stream: HttpStream, side: 'victim' | 'upstream') => (data: Buffer) => {
      try {
        stream.push(data);
      } catch (err) {
        fail({ code: 'HTTP_FRAMING', message: `the ${side} sent HTTP the proxy could not frame: ${(err as Error).message}` }, side);
      }
    };
    victim.on('data', guarded(requests, 'victim'));
    upstream.on('data', guarded(responses, 'upstream'));
    const linger = () => {
      if (lingerTimer) return;
      lingerTimer = setTimeout(teardown, LINGER_MS);
      lingerTimer.unref();
    };
    const endOf = (socket: tls.TLSSocket) => {
      if (!socket.destroyed && !socket.writableEnded) socket.end();
    };
    victim.once('end', () => {
      closedFirst ??= 'victim';
      requests.end();
      endOf(upstream);
      linger();
    });
    upstream.once('end', () => {
      closedFirst ??= 'upstream';
      responses.end();
      endOf(victim);
      linger();
    });
    victim.once('close', () => {
      // A close the proxy caused itself (stopped, a failure) says nothing about who ended first.
      if (!ending) closedFirst ??= 'victim';
      endOf(upstream);
      linger();
    });
    upstream.once('close', () => {
      // A close the proxy caused itself (stopped, a failure) says nothing about who ended first.
      if (!ending) closedFirst ??= 'upstream';
      endOf(victim);
      linger();
    });
  }

  // --- the end ---------------------------------------------------------------------------------

  /** What one side never received because the other had closed first, in the victim's timeline. */
  function noteUndelivered(): void {
    const leg = victimLeg!;
    if (undelivered.toVictim > 0) {
      leg.event('note', { text: `${undelivered.toVictim} bytes of the real server's response were not delivered: the victim had closed the connection` });
    } else if (closedFirst === 'victim' && requestsForwarded > responsesBegun && !info.rawForwarding) {
      leg.event('note', { text: `the response to exchange ${responsesBegun + 1} was not delivered: the victim had closed the connection before it came` });
    }
    if (undelivered.toUpstream > 0) {
      leg.event('note', { text: `${undelivered.toUpstream} bytes the victim sent were not delivered: the real server had closed the connection` });
    }
  }

  function finish(): void {
    if (finished || open > 0) return;
    if (!recording) startRecording(connect?.host ?? null, connect?.port ?? 443);
    finished = true;
    clearTimeout(handshakeTimer);
    if (lingerTimer) clearTimeout(lingerTimer);
    if (!victimSecure && !failure) {
      failure = { code: 'CLOSED_DURING_HANDSHAKE', message: 'the victim went away before its handshake finished' };
      info.failedLeg = 'victim';
      victimEvent('error', { message: failure.message });
    }
    if (!victimSecure) {
      const seen = victimHandshake(kept);
      const alert = seen.alerts.find((a) => a !== 'close_notify');
      if (alert && info.victimAlert === null) info.victimAlert = alert;
      // A victim that refused the forged certificate still agreed a version and a cipher suite
      // with the proxy: its ServerHello went out before the certificate.
      if (info.victim.version === null && seen.version) {
        info.victim = { peer: info.victim.peer, version: seen.version, cipher: seen.cipher, alpn: seen.alpn };
        // The session's own version is the victim leg's, as for a handshake that finished.
        const openssl = seen.cipherCode !== null ? opensslSuiteName(seen.cipherCode) : null;
        recording!.update({ version: seen.version, cipher: seen.cipher ? { openssl: openssl ?? seen.cipher, iana: seen.cipher, version: seen.version } : null, alpn: seen.alpn });
      }
    }
    kept.length = 0;
    if (victimSecure && upstreamSecure && !failure) noteUndelivered();
    info.closedFirst = victimSecure && upstreamSecure ? closedFirst : null;
    victimLeg!.event('proxy-session', { ...info });
    const error = failure ? { code: failure.code, message: failure.message } : null;
    recording!.update({ status: error ? 'failed' : 'ok', endedAt: Date.now(), error });
    publish(false);
    ctx.onEnd?.(connectionSummary(endpoint, sessionId, startedAt, info, error, { fromVictim: bytesFromVictim, fromUpstream: bytesFromUpstream }));
    resolveDone();
  }

  // --- start -----------------------------------------------------------------------------------

  if (connect) {
    startRecording(connect.host, connect.port);
    victimEvent('note', { text: `CONNECT ${connect.host}:${connect.port} (${connect.head.split('\r\n')[0]})` });
    // The tunnel is answered as soon as the real server accepts the TCP connection (an
    // unreachable one still gets a 502); its TLS handshake then runs while the victim reads the
    // 200 and sends its ClientHello, instead of before.
    upstreamReady = connectUpstream(connect.host, connect.port, () => {
      if (ending) return;
      raw.write('HTTP/1.1 200 Connection established\r\n\r\n');
      victimEvent('note', { text: 'the proxy answered the CONNECT with 200 Connection established' });
      attachVictimTap();
    });
  } else {
    attachVictimTap();
  }

  return {
    done,
    close(reason: string) {
      if (finished) return;
      victimEvent('note', { text: reason });
      teardown();
    },
  };
}

/** What to do about a real server's certificate that did not verify, by what was wrong with it. */
export function upstreamAdvice(chain: ChainVerification, hostname: HostnameVerification | null, host: string): string {
  const anyway = '--upstream-insecure goes on anyway (the careless proxy of the lab)';
  if (!chain.ok && (chain.code === 'CERT_HAS_EXPIRED' || chain.code === 'CERT_NOT_YET_VALID')) {
    return `Its dates are the problem, not its CA: renew the certificate on the real server (or check this machine's clock); ${anyway}`;
  }
  if (chain.ok && hostname && !hostname.ok) {
    return `It is from a trusted CA but not for ${host}: check that the proxy sends ${host} to the right server (--map or the host table); ${anyway}`;
  }
  return `Give --upstream-ca the CA that issued the real server's certificate, or ${anyway}`;
}

/**
 * Where the proxy sent a name, and how to send it elsewhere. A ClientHello names the site but not
 * the port the victim dialled, so transparent mode takes 443 for a name without --map; the lab's
 * servers listen elsewhere (4433), and only --map can say so.
 */
export function upstreamAddressAdvice(host: string, target: Pick<UpstreamTarget, 'ip' | 'port' | 'source'>, mode: 'transparent' | 'connect'): string {
  if (target.source === 'map') return `the address is the proxy's --map for ${host}; start the real server there, or correct --map ${host}=ADDR:PORT`;
  const ip = target.ip.includes(':') ? `[${target.ip}]` : target.ip;
  const from = target.source === 'hosts' ? `${host}'s address in the host table` : net.isIP(host) ? 'the address the victim named' : `${host}'s address by DNS`;
  if (mode === 'connect') return `that is ${from} and the port of the victim's CONNECT; start the real server there, or give the proxy --map ${host}=ADDR:PORT`;
  return (
    `that is ${from} and port 443, which transparent mode uses for a name without --map (a ClientHello does not say which port the victim dialled); ` +
    `start the real server there, or, if it listens on another port (the lab's servers use 4433), give the proxy --map ${host}=${ip}:PORT`
  );
}
