// A running lab server: a loopback listener, one secure context per SNI name plus a default,
// the versions, ciphers, groups, tickets and client-certificate policy it was started with, and
// every accepted connection handed to serverSession to be recorded.
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { BuiltinPageName, ServedName, ServerConfig, ServerConnectionSummary, ServerResponder } from '../api/serverTypes';
import type { SessionSummary, TlsVersionName } from '../api/types';
import { WorkbenchError } from '../errors';
import { describeCertificate } from '../pki/certificateInfo';
import { asciiDomain } from '../pki/names';
import type { BatchWriter } from './recorder';
import { loadClientCa, loadServerIdentity, type LabIdentitySource, type ServerIdentity } from './serverIdentity';
import { checkResponder } from './serverResponders';
import { recordingListener, type AcceptedConnection, type AcceptingServer } from './serverSession';
import { SessionIdCache } from './sessionIdCache';
import { TicketKeyring } from './ticketKeyring';
import { PortInUseError } from '../store/runningElsewhere';
import { splitNodeTicketKeys } from '../tls/sessionTicket';

export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 4433;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const TLS_VERSIONS: readonly TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

export interface TlsServerDeps {
  writer: BatchWriter;
  lab: LabIdentitySource | null;
  recordCapBytes?: number;
  onSessionUpdate?: (summary: SessionSummary, created: boolean) => void;
  onConnection?: (summary: ServerConnectionSummary) => void;
  /** Counters or state changed. */
  onChange?: () => void;
  /** Where the server keeps its ticket key (see ticketKeyring.ts); none: the key is not kept. */
  ticketKeyring?: TicketKeyring;
}

/** 127.0.0.0/8, ::1 and "localhost" only: a lab server must not be reachable from the network. */
/** `flag` is the option that set the address, so the refusal shows how to give a loopback one. */
export function loopbackHost(host: string | undefined, flag: '--host' | '--listen' = '--host'): string {
  const value = (host ?? DEFAULT_SERVER_HOST).trim();
  if (value === 'localhost') return '127.0.0.1';
  if (net.isIPv4(value) && value.startsWith('127.')) return value;
  if (net.isIPv6(value) && (value === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(value))) return '::1';
  throw new WorkbenchError(
    'NOT_LOOPBACK',
    `the lab's servers listen only on loopback (127.0.0.1 to 127.255.255.254, or ::1) so that nothing outside this machine can reach them; "${value}" is not one: use ${flag === '--listen' ? '--listen 127.0.0.1:PORT' : '--host 127.0.0.1'}`,
  );
}

function checkConfig(config: ServerConfig): void {
  const port = config.port ?? DEFAULT_SERVER_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new WorkbenchError('PORT_OUT_OF_RANGE', `the port ${port} is out of range; a TCP port is a whole number from 1 to 65535 (the lab's servers use 4433)`);
  }
  for (const v of [config.minVersion, config.maxVersion]) {
    if (v && !TLS_VERSIONS.includes(v)) throw new WorkbenchError('BAD_INPUT', `unknown TLS version "${v}": use TLSv1.2 or TLSv1.3 (or TLSv1, TLSv1.1)`);
  }
  if (config.minVersion && config.maxVersion && TLS_VERSIONS.indexOf(config.minVersion) > TLS_VERSIONS.indexOf(config.maxVersion)) {
    throw new WorkbenchError('BAD_INPUT', `the minimum TLS version ${config.minVersion} is above the maximum ${config.maxVersion}; swap them`);
  }
  const seen = new Set<string>();
  for (const host of config.sni ?? []) {
    const name = host.name.trim().toLowerCase();
    if (!name || /[\s/:]/.test(name)) throw new WorkbenchError('BAD_INPUT', `"${host.name}" is not a host name for SNI; write it like www.bank32.com or *.bank32.com`);
    if (seen.has(name)) throw new WorkbenchError('BAD_INPUT', `the SNI name ${name} is given twice; give each name once`);
    seen.add(name);
  }
  if ((config.handshakeTimeoutMs ?? 1) <= 0) throw new WorkbenchError('BAD_INPUT', 'the handshake timeout must be a positive number of milliseconds');
}

/**
 * Empties OpenSSL's error queue. A secure context refused for an unknown group leaves an error
 * there (Node does not take it off), and Node then reports it from the next, unrelated operation:
 * the next server with a workbench identity failed to load its key with "passed invalid argument".
 * A key that cannot be read fails and takes every queued error with it.
 */
function clearOpenSslErrors(): void {
  try {
    crypto.createPrivateKey({ key: Buffer.from([0x30, 0x00]), format: 'der', type: 'pkcs8' });
  } catch {
    // Expected: the failure is what empties the queue.
  }
}

function contextError(err: unknown, config: ServerConfig): WorkbenchError {
  clearOpenSslErrors();
  const e = err as NodeJS.ErrnoException;
  // Node gives "Failed to set ECDH curve" the code of a failed suite list too: the message decides.
  if (config.groups && /ecdh|curve|group/i.test(e.message)) {
    return new WorkbenchError('BAD_GROUPS', `the group list "${config.groups}" has a name OpenSSL does not know; use names like X25519, P-256, P-384`);
  }
  switch (e.code) {
    case 'ERR_SSL_NO_CIPHER_MATCH':
      return new WorkbenchError('BAD_CIPHER_LIST', `the cipher list "${config.ciphers}" matches no cipher OpenSSL knows; use names like ECDHE-RSA-AES128-GCM-SHA256 or AES128-GCM-SHA256 (see "openssl ciphers")`);
    case 'ERR_CRYPTO_OPERATION_FAILED':
    case 'ERR_SSL_NO_VALID_CIPHERSUITES':
      return new WorkbenchError('BAD_CIPHER_LIST', `the TLS 1.3 suite list "${config.ciphersuites}" has no suite OpenSSL knows; use names like TLS_AES_128_GCM_SHA256`);
  }
  return new WorkbenchError('BAD_TLS_SETTINGS', `OpenSSL refused these settings: ${e.message}`);
}

function matchesName(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  if (pattern.startsWith('*.')) {
    const rest = pattern.slice(1);
    return name.endsWith(rest) && !name.slice(0, -rest.length).includes('.') && name.length > rest.length;
  }
  return false;
}

interface NamedContext {
  name: string;
  identity: ServerIdentity;
  context: tls.SecureContext;
  page?: BuiltinPageName;
}

export class TlsLabServer {
  private listener: net.Server | null = null;
  private readonly open = new Set<AcceptedConnection>();
  private boundPort = 0;
  connections = 0;
  failed = 0;
  names: ServedName[] = [];

  constructor(
    readonly id: number,
    readonly config: ServerConfig,
    private readonly deps: TlsServerDeps,
  ) {}

  get host(): string {
    return loopbackHost(this.config.host);
  }

  get port(): number {
    return this.boundPort || (this.config.port ?? DEFAULT_SERVER_PORT);
  }

  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  get label(): string {
    return this.config.label?.trim() || this.address;
  }

  get active(): number {
    return this.open.size;
  }

  get listening(): boolean {
    return this.listener !== null;
  }

  /** Loads every certificate and key, builds the contexts and listens; any problem is one clear error. */
  async start(): Promise<void> {
    const config = this.config;
    const host = loopbackHost(config.host);
    checkConfig(config);
    const responder: ServerResponder = config.responder ?? { kind: 'builtin' };
    checkResponder(responder);
    const clientCa = config.clientAuth ? loadClientCa(config.clientAuth.ca, this.deps.lab) : null;
    const defaultIdentity = await loadServerIdentity(config.identity, 'the server', this.deps.lab);
    const sniIdentities: { name: string; identity: ServerIdentity; page?: BuiltinPageName }[] = [];
    for (const host of config.sni ?? []) {
      // Clients send SNI in IDNA ASCII (xn--bcher-kva.example): a name given as bücher.example must match it.
      const name = asciiDomain(host.name.trim().toLowerCase());
      sniIdentities.push({ name, identity: await loadServerIdentity(host.identity, name, this.deps.lab), page: host.page });
    }

    // One ticket key for every context, so a ticket issued under one name resumes under it again
    // whichever context OpenSSL looks it up in.
    const ticketKeys = crypto.randomBytes(48);
    const makeContext = (identity: ServerIdentity): tls.SecureContext => {
      try {
        const context = tls.createSecureContext({
          cert: identity.certificateChainPem,
          key: identity.keyPem,
          ca: clientCa?.pem,
          minVersion: config.minVersion,
          maxVersion: config.maxVersion,
          // Node takes TLS 1.3 suite names (TLS_...) and TLS 1.2 cipher strings in one list.
          ciphers: [config.ciphersuites, config.ciphers].filter(Boolean).join(':') || undefined,
          ecdhCurve: config.groups || undefined,
          // Finite-field DHE (DHE-RSA-..., DHE-DSS-...) needs a group; without one Node offers
          // none, and a server limited to DHE suites failed every handshake. RFC 7919's, as
          // openssl s_server picks by default.
          dhparam: 'auto',
          honorCipherOrder: true,
          secureOptions: config.tickets === false ? crypto.constants.SSL_OP_NO_TICKET : 0,
          sessionIdContext: `tlslab-${this.id}`.slice(0, 32),
        });
        if (config.tickets !== false) context.context.setTicketKeys(ticketKeys);
        return context;
      } catch (err) {
        throw contextError(err, config);
      }
    };
    const defaultContext = makeContext(defaultIdentity);
    const named: NamedContext[] = sniIdentities.map((s) => ({ ...s, context: makeContext(s.identity) }));
    const lookup = (servername: string | null): NamedContext | undefined => {
      if (!servername) return undefined;
      const name = servername.toLowerCase();
      return named.find((n) => n.name === name) ?? named.find((n) => matchesName(n.name, name));
    };
    this.names = [
      { name: null, certificate: describeCertificate(defaultIdentity.leafDer), chainLength: 1 + defaultIdentity.chainDer.length },
      ...named.map((n) => ({ name: n.name, certificate: describeCertificate(n.identity.leafDer), chainLength: 1 + n.identity.chainDer.length })),
    ];

    const requestCert = clientCa !== null;
    const accepting: AcceptingServer = {
      id: this.id,
      label: this.label,
      address: '',
      defaultContext,
      // With one certificate there is nothing to choose: no call into JavaScript per handshake.
      sniCallback: named.length > 0 ? (servername, cb) => cb(null, lookup(servername)?.context ?? defaultContext) : undefined,
      localCertificates: (servername) => {
        const identity = lookup(servername)?.identity ?? defaultIdentity;
        return [identity.leafDer, ...identity.chainDer];
      },
      pageFor: (servername) => lookup(servername)?.page,
      requestCert,
      requireCert: requestCert && config.clientAuth?.require === true,
      clientCaDescription: clientCa?.description ?? null,
      // The responders speak HTTP/1.x: a client limited to HTTP/1.0 (curl --http1.0) offers only that.
      alpn: config.alpn?.length ? config.alpn : responder.kind === 'plain' ? undefined : ['http/1.1', 'http/1.0'],
      handshakeTimeoutMs: config.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      // Without tickets a client resumes by session ID, as with openssl s_server.
      sessionCache: config.tickets === false ? new SessionIdCache() : undefined,
      responder,
    };

    const listener = recordingListener(
      accepting,
      {
        writer: this.deps.writer,
        recordCapBytes: this.deps.recordCapBytes,
        onUpdate: this.deps.onSessionUpdate,
        onEnd: (summary) => {
          if (summary.outcome === 'failed') this.failed++;
          this.deps.onConnection?.(summary);
        },
      },
      this.open,
      { accepted: () => this.connections++, changed: () => this.deps.onChange?.(), describe: () => this.address },
    );
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(this.listenError(err, host));
      listener.once('error', onError);
      listener.listen({ host, port: config.port ?? DEFAULT_SERVER_PORT, backlog: 1024 }, () => {
        listener.off('error', onError);
        resolve();
      });
    });
    listener.on('error', (err) => process.stderr.write(`tlslab: the server on ${this.address} failed: ${err.message}\n`));
    this.boundPort = (listener.address() as net.AddressInfo).port;
    accepting.address = this.address;
    accepting.label = this.label;
    if (config.tickets !== false) this.keepTicketKey(ticketKeys);
    this.listener = listener;
    this.connections = 0;
    this.failed = 0;
  }

  /**
   * Keeps the ticket key in the data folder's keyring, so that the key material panel can show
   * what the key opens. Tickets still work if it cannot be written: the lesson then has no key.
   */
  private keepTicketKey(keys: Uint8Array): void {
    const keyring = this.deps.ticketKeyring;
    if (!keyring) return;
    try {
      keyring.add({ ...splitNodeTicketKeys(keys), server: this.label, startedAt: Date.now() });
    } catch (err) {
      process.stderr.write(`tlslab: the server on ${this.address} runs, but its session ticket key could not be kept in ${keyring.file} (${(err as Error).message}); its tickets cannot be opened later\n`);
    }
  }

  private listenError(err: NodeJS.ErrnoException, host: string): WorkbenchError {
    const port = this.config.port ?? DEFAULT_SERVER_PORT;
    switch (err.code) {
      case 'EADDRINUSE':
      {
        // The server manager names the holder when the data folder's running/ knows it.
        const instead = `choose another port such as ${port === 4433 ? 4434 : 4433}`;
        return new PortInUseError(host, port, `port ${port} on ${host}`, instead,
          `port ${port} on ${host} is already in use (another server, or one still running from before); stop it, or ${instead}`);
      }
      case 'EACCES':
      case 'EPERM':
        return port < 1024
          ? new WorkbenchError('PRIVILEGED_PORT', `port ${port} is below 1024 and only an administrator may listen on it; use --port 4433 (and https://NAME:4433/ in the client) instead`)
          : new WorkbenchError('PORT_NOT_ALLOWED', `this system does not allow listening on ${host}:${port}: ${err.message}`);
      case 'EADDRNOTAVAIL':
        return new WorkbenchError('ADDRESS_NOT_AVAILABLE', `${host} is not an address of this machine; use 127.0.0.1`);
    }
    return new WorkbenchError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${err.message}`);
  }

  /** Stops listening and ends every open connection; resolves once their sessions are finished. */
  async stop(reason = 'the server was stopped'): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    // close() stops accepting at once but calls back only when every connection is gone.
    const closed = listener ? new Promise<void>((resolve) => listener.close(() => resolve())) : Promise.resolve();
    const open = [...this.open];
    for (const c of open) c.close(reason);
    await Promise.all([closed, ...open.map((c) => c.done)]);
  }
}
