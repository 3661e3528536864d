// A running man-in-the-middle proxy: a transparent listener (victims name the site by SNI), a
// CONNECT listener (curl -x, browsers with a proxy setting), or both on two ports; where each
// name goes upstream; the forged certificates' secure contexts; and every victim connection
// handed to proxySession to be recorded.
import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { ProxyConfig, ProxyConnectionSummary, ProxyMode } from '../api/proxyTypes';
import type { SessionSummary, TrustStoreSpec } from '../api/types';
import { PortInUseError } from '../store/runningElsewhere';
import { WorkbenchError } from '../errors';
import { describeCertificate } from '../pki/certificateInfo';
import { asciiDomain } from '../pki/names';
import type { HostTable } from '../store/hostTable';
import type { CertificateWorkshop } from '../workshop/workshop';
import { peekClientHello } from './proxyClientHello';
import { type ConnectRequest, type ForgedForVictim, type ProxiedConnection, type ProxyEndpoint, type RefusedAtConnectPort, type UpstreamTarget, HANDSHAKE_FAILURE_ALERT, acceptVictim, refuseAtConnectPort } from './proxySession';
import { type ProxyHooks, rewriteHooks } from './proxyRewrite';
import type { BatchWriter } from './recorder';
import { DEFAULT_RECORD_CAP_BYTES } from './recorder';
import { type LoadedTrustStore, loadTrustStore } from './trustStore';

export const DEFAULT_TRANSPARENT_LISTEN = '127.0.0.1:8443';
export const DEFAULT_CONNECT_LISTEN = '127.0.0.1:8080';
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const MAX_CONNECT_HEAD_BYTES = 16 * 1024;
const CONTEXT_CACHE_SIZE = 1024;

export interface ProxyServerDeps {
  writer: BatchWriter;
  hosts: HostTable;
  workshop: CertificateWorkshop;
  onSessionUpdate?: (summary: SessionSummary, created: boolean) => void;
  onConnection?: (summary: ProxyConnectionSummary) => void;
  onChange?: () => void;
}

interface HostPort {
  host: string;
  port: number;
}

function isLoopback(ip: string): boolean {
  return (net.isIPv4(ip) && ip.startsWith('127.')) || ip === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(ip) || /^::ffff:127\./i.test(ip);
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** "ADDR:PORT", "[V6]:PORT" or ":PORT"/"PORT" (127.0.0.1), loopback only. */
export function parseListen(text: string, flag: string): HostPort {
  const value = text.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]*):(\d+)$/.exec(value) ?? /^()(\d+)$/.exec(value);
  if (!m) throw new WorkbenchError('BAD_INPUT', `${flag} ${text}: write it as 127.0.0.1:8443`);
  const host = m[1] === '' || m[1] === 'localhost' ? '127.0.0.1' : m[1];
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port > 65535) throw new WorkbenchError('PORT_OUT_OF_RANGE', `${flag} ${text}: the port must be a whole number from 1 to 65535`);
  if (!net.isIP(host) || !isLoopback(host)) {
    throw new WorkbenchError(
      'NOT_LOOPBACK',
      `${flag} ${text}: the proxy listens only on loopback (127.0.0.1 to 127.255.255.254, or ::1) so that nothing outside this machine can use it; use ${flag} 127.0.0.1:${port}`,
    );
  }
  return { host, port };
}

/** "HOST=ADDR:PORT" or "HOST=ADDR". */
export function parseMapping(host: string, address: string): { host: string; target: { ip: string; port: number | null } } {
  // Victims name the site in IDNA ASCII (SNI, CONNECT): bücher.example is mapped as xn--bcher-kva.example.
  const name = asciiDomain(host.trim().toLowerCase().replace(/\.$/, ''));
  if (!name || /[\s/:]/.test(name)) throw new WorkbenchError('BAD_INPUT', `--map ${host}=${address}: "${host}" is not a host name; write it as www.example.com=127.0.0.1:4433`);
  const value = address.trim();
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(value) ?? (net.isIPv6(value) ? [value, value, undefined] : /^([^:]+)(?::(\d+))?$/.exec(value));
  if (!m || !net.isIP(m[1])) {
    throw new WorkbenchError('BAD_INPUT', `--map ${host}=${address}: "${address}" is not an address; write it as 127.0.0.1:4433`);
  }
  const port = m[2] ? Number(m[2]) : null;
  if (port !== null && (port < 1 || port > 65535)) throw new WorkbenchError('PORT_OUT_OF_RANGE', `--map ${host}=${address}: the port must be from 1 to 65535`);
  return { host: name, target: { ip: m[1], port } };
}

export function modeOf(config: ProxyConfig): ProxyMode {
  const mode = config.mode ?? 'transparent';
  if (!['transparent', 'connect', 'both'].includes(mode)) throw new WorkbenchError('BAD_INPUT', `--mode ${mode}: choose transparent, connect or both`);
  return mode;
}

export class ProxyServer {
  private transparent: net.Server | null = null;
  private connectListener: net.Server | null = null;
  private readonly open = new Set<ProxiedConnection>();
  private readonly contexts = new Map<string, tls.SecureContext>();
  private readonly pendingConnects = new Set<net.Socket>();
  private endpoint: ProxyEndpoint | null = null;
  transparentAddress: string | null = null;
  connectAddress: string | null = null;
  connections = 0;
  failed = 0;
  caSubject = '';
  caKeyType = '';
  trustDescription = '';

  constructor(
    readonly id: number,
    readonly config: ProxyConfig,
    private readonly deps: ProxyServerDeps,
  ) {}

  get label(): string {
    return this.config.label?.trim() || [this.transparentAddress, this.connectAddress].filter(Boolean).join(' + ') || `proxy ${this.id}`;
  }

  get active(): number {
    return this.open.size;
  }

  get listening(): boolean {
    return this.transparent !== null || this.connectListener !== null;
  }

  /** Checks everything, then listens; any problem is one clear error and nothing is left listening. */
  async start(): Promise<void> {
    const config = this.config;
    const mode = modeOf(config);
    const wantTransparent = mode !== 'connect';
    const wantConnect = mode !== 'transparent';
    const transparentAt = wantTransparent ? parseListen(config.listen ?? DEFAULT_TRANSPARENT_LISTEN, '--listen') : null;
    const connectAt = wantConnect ? parseListen(config.connectListen ?? DEFAULT_CONNECT_LISTEN, '--connect-listen') : null;
    if (!config.ca?.trim()) throw new WorkbenchError('BAD_INPUT', 'choose the CA that signs the forged certificates: --ca NAME (tlslab ca list shows them)');
    const authority = this.deps.workshop.authority(config.ca);
    const caInfo = describeCertificate(authority.certificate);
    this.caSubject = caInfo.subject;
    this.caKeyType = [caInfo.publicKey.type, caInfo.publicKey.bits ? `${caInfo.publicKey.bits}` : null, caInfo.publicKey.curve].filter(Boolean).join(' ');
    const mappings = new Map<string, { ip: string; port: number | null }>();
    for (const m of config.map ?? []) {
      const parsed = parseMapping(m.host, m.address);
      if (!isLoopback(parsed.target.ip)) {
        throw new WorkbenchError('NOT_LOOPBACK', `--map ${m.host}=${m.address}: the lab's proxy forwards only to loopback addresses (127.x.x.x, ::1), where the workbench's own "real" servers run`);
      }
      mappings.set(parsed.host, parsed.target);
    }
    const trustSpec: TrustStoreSpec = config.upstreamTrust ?? { kind: 'system' };
    const trust: LoadedTrustStore = loadTrustStore(trustSpec);
    this.trustDescription = trust.description;
    const cap = config.recordCapBytes;
    if (cap !== undefined && (!Number.isFinite(cap) || cap < 0)) throw new WorkbenchError('BAD_INPUT', '--record-cap must be a number of MB, 0 or more (0: no cap)');
    const timeout = config.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    if (!(timeout > 0)) throw new WorkbenchError('BAD_INPUT', 'the handshake timeout must be a positive number of milliseconds');
    const hooks: ProxyHooks = rewriteHooks(config.rewrite ?? []);

    const listenAddresses = new Set<string>();
    this.endpoint = {
      id: this.id,
      label: '',
      caName: authority.name,
      hooks,
      upstreamTrust: trust,
      upstreamInsecure: config.upstreamInsecure === true,
      handshakeTimeoutMs: timeout,
      recordCapBytes: cap ?? DEFAULT_RECORD_CAP_BYTES,
      resolve: (host, port) => this.resolveUpstream(host, port, mappings, listenAddresses),
      upstreamPort: (host, port) => mappings.get(mappedName(host))?.port ?? port,
      forge: (host, template) => this.forge(authority.name, host, template),
    };

    try {
      if (transparentAt) {
        this.transparent = await this.listen(transparentAt, '--listen', (raw) => this.accept(raw));
        this.transparentAddress = formatAddress(transparentAt.host, (this.transparent.address() as net.AddressInfo).port);
        listenAddresses.add(this.transparentAddress);
      }
      if (connectAt) {
        this.connectListener = await this.listen(connectAt, '--connect-listen', (raw) => this.readConnect(raw));
        this.connectAddress = formatAddress(connectAt.host, (this.connectListener.address() as net.AddressInfo).port);
        listenAddresses.add(this.connectAddress);
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.endpoint.label = this.label;
    this.connections = 0;
    this.failed = 0;
  }

  private listen(at: HostPort, flag: string, onConnection: (raw: net.Socket) => void): Promise<net.Server> {
    const server = net.createServer({ noDelay: true }, (raw) => {
      raw.on('error', () => undefined);
      onConnection(raw);
    });
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const where = formatAddress(at.host, at.port);
        if (err.code === 'EADDRINUSE') reject(new PortInUseError(at.host, at.port, `${flag} ${where}`, 'choose another port', `${flag} ${where} is already in use (another proxy or server); stop it, or choose another port`));
        else if (err.code === 'EACCES' || err.code === 'EPERM') reject(new WorkbenchError('PRIVILEGED_PORT', `${flag} ${where}: ports below 1024 need an administrator; use a port such as 8443`));
        else if (err.code === 'EADDRNOTAVAIL') reject(new WorkbenchError('ADDRESS_NOT_AVAILABLE', `${flag} ${where}: ${at.host} is not an address of this machine; use 127.0.0.1`));
        else reject(new WorkbenchError('LISTEN_FAILED', `${flag} ${where}: cannot listen: ${err.message}`));
      });
      server.listen({ host: at.host, port: at.port, backlog: 1024 }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => process.stderr.write(`tlslab: the proxy on ${formatAddress(at.host, at.port)} failed: ${err.message}\n`));
        resolve(server);
      });
    });
  }

  private accept(raw: net.Socket, connect?: ConnectRequest, refused?: RefusedAtConnectPort): void {
    this.connections++;
    let accepted: ProxiedConnection;
    try {
      const ctx = {
        writer: this.deps.writer,
        onUpdate: this.deps.onSessionUpdate,
        onEnd: (summary: ProxyConnectionSummary) => {
          if (summary.outcome === 'failed') this.failed++;
          this.open.delete(accepted);
          this.deps.onConnection?.(summary);
          this.deps.onChange?.();
        },
      };
      accepted = refused ? refuseAtConnectPort(raw, this.endpoint!, ctx, refused) : acceptVictim(raw, this.endpoint!, ctx, connect);
    } catch (err) {
      process.stderr.write(`tlslab: a victim connection could not be recorded: ${(err as Error).message}\n`);
      raw.destroy();
      return;
    }
    this.open.add(accepted);
    this.deps.onChange?.();
  }

  /**
   * Reads "CONNECT host:port HTTP/1.1" and its headers, then hands the victim on. A client that
   * asks for something else, speaks TLS to this port, or sends nothing in time is answered,
   * recorded as a failed session and closed.
   */
  private readConnect(raw: net.Socket): void {
    this.pendingConnects.add(raw);
    let head = Buffer.alloc(0);
    const where = this.connectAddress ?? 'the CONNECT port';
    const refuse = (refused: RefusedAtConnectPort) => {
      cleanup();
      raw.pause();
      this.accept(raw, undefined, refused);
    };
    const httpAnswer = (status: string, text: string) =>
      Buffer.from(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`, 'utf8');
    const timeoutMs = this.endpoint!.handshakeTimeoutMs;
    const timer = setTimeout(() => {
      const seconds = `${timeoutMs / 1000} s`;
      refuse({
        received: head,
        answer: null,
        host: null,
        note: null,
        error: {
          code: 'CONNECT_TIMEOUT',
          message: head.length
            ? `the client sent an incomplete CONNECT request (${head.length} bytes, no blank line after the headers) within ${seconds}; the proxy closed the connection`
            : `the client sent no CONNECT request within ${seconds} of connecting to ${where}; the proxy closed the connection`,
        },
      });
    }, timeoutMs);
    const onData = (data: Buffer) => {
      head = Buffer.concat([head, data]);
      if (head[0] === 0x16) {
        // TLS straight to the CONNECT port: curl -x https://..., or a victim sent to the wrong port.
        const hello = peekClientHello(head);
        if (hello.kind === 'incomplete') return;
        const transparent = this.transparentAddress ? `; a victim that connects straight to the site belongs on the transparent port ${this.transparentAddress}` : '';
        refuse({
          received: head,
          answer: HANDSHAKE_FAILURE_ALERT,
          host: hello.kind === 'client-hello' ? hello.serverName : null,
          note: 'the proxy refused the client with a handshake_failure alert',
          error: {
            code: 'TLS_ON_CONNECT_PORT',
            message: `the client started TLS on the CONNECT port ${where}, where the proxy expects a plain-text CONNECT request: use -x http://${where} (not https://)${transparent}`,
          },
        });
        return;
      }
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_CONNECT_HEAD_BYTES) {
          refuse({
            received: head,
            answer: httpAnswer('431 Request Header Fields Too Large', 'the CONNECT request head is too large\n'),
            host: null,
            note: 'the proxy answered 431 Request Header Fields Too Large',
            error: { code: 'CONNECT_HEAD_TOO_LARGE', message: `the client sent more than ${MAX_CONNECT_HEAD_BYTES / 1024} KiB without ending its request head; the proxy answered 431 and closed the connection` },
          });
        }
        return;
      }
      const text = head.toString('latin1', 0, end);
      const rest = head.subarray(end + 4);
      const first = text.split('\r\n')[0];
      const m = /^CONNECT (\S+) HTTP\/1\.[01]$/.exec(first);
      const target = m ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(m[1]) : null;
      if (!m || !target) {
        const shown = first.slice(0, 120).replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
        refuse({
          received: head,
          answer: httpAnswer('405 Method Not Allowed', `this is the TLS Lab Workbench's interception proxy: it handles only CONNECT (https:// addresses), not "${shown}"\n`),
          host: null,
          note: 'the proxy answered 405 Method Not Allowed',
          error: {
            code: 'NOT_CONNECT',
            message: m
              ? `the client sent "${shown}" to ${where}: a CONNECT target must be HOST:PORT; the proxy answered 405`
              : `the client sent "${shown}" to ${where}, which handles only CONNECT (https:// addresses): plain http:// is not intercepted; the proxy answered 405`,
          },
        });
        return;
      }
      cleanup();
      raw.pause();
      this.accept(raw, { host: target[1].toLowerCase(), port: Number(target[2]), head: text, rest });
    };
    const cleanup = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      this.pendingConnects.delete(raw);
    };
    raw.on('data', onData);
    raw.once('close', () => cleanup());
  }

  private async resolveUpstream(host: string, port: number, mappings: Map<string, { ip: string; port: number | null }>, own: Set<string>): Promise<UpstreamTarget> {
    const name = mappedName(host);
    let ip: string;
    let targetPort = port;
    let source: UpstreamTarget['source'];
    const mapped = mappings.get(name);
    if (mapped) {
      ip = mapped.ip;
      targetPort = mapped.port ?? port;
      source = 'map';
    } else if (net.isIP(name)) {
      ip = name;
      source = 'dns';
    } else {
      const fromTable = this.deps.hosts.lookup(name);
      if (fromTable) {
        ip = fromTable;
        source = 'hosts';
      } else if (this.config.dns === false) {
        throw new WorkbenchError('UPSTREAM_NOT_MAPPED', `${name} is neither in the proxy's map nor in the host table, and DNS is off for this proxy; map it with --map ${name}=127.0.0.1:PORT`);
      } else {
        try {
          ip = (await dns.lookup(name)).address;
          source = 'dns';
        } catch {
          throw new WorkbenchError('UPSTREAM_NOT_RESOLVED', `the name ${name} does not resolve to an address; map it with --map ${name}=127.0.0.1:PORT or add it to the host table`);
        }
      }
    }
    if (!isLoopback(ip)) {
      throw new WorkbenchError('UPSTREAM_NOT_LOOPBACK', `${name} resolves to ${ip}, and the lab's proxy forwards only to loopback addresses, where the workbench's own servers run; map it with --map ${name}=127.0.0.1:PORT`);
    }
    const address = formatAddress(ip, targetPort);
    if (own.has(address)) {
      throw new WorkbenchError('PROXY_LOOP', `${name}:${targetPort} leads back to the proxy itself (${address}); map the name to the real server with --map ${name}=127.0.0.1:PORT`);
    }
    return { ip, port: targetPort, address, source };
  }

  private async forge(caName: string, host: string, template: Uint8Array | undefined): Promise<ForgedForVictim> {
    const identity = await this.deps.workshop.forgeForHost(caName, host, template);
    const key = identity.certificatePem;
    let context = this.contexts.get(key);
    const cached = context !== undefined;
    if (!context) {
      context = tls.createSecureContext({ cert: [identity.certificatePem, ...identity.chainPem].join(''), key: identity.keyPem });
      if (this.contexts.size >= CONTEXT_CACHE_SIZE) this.contexts.delete(this.contexts.keys().next().value!);
      this.contexts.set(key, context);
    } else {
      this.contexts.delete(key);
      this.contexts.set(key, context);
    }
    return { context, certificates: [identity.certificateDer, ...identity.chainDer], cached };
  }

  /** Stops listening and ends every open connection; resolves once their sessions are finished. */
  async stop(reason = 'the proxy was stopped'): Promise<void> {
    const listeners = [this.transparent, this.connectListener].filter((l): l is net.Server => l !== null);
    this.transparent = null;
    this.connectListener = null;
    const closed = listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
    for (const raw of this.pendingConnects) raw.destroy();
    this.pendingConnects.clear();
    const open = [...this.open];
    for (const c of open) c.close(reason);
    await Promise.all([...closed, ...open.map((c) => c.done)]);
  }
}

/** The key a name has in the proxy's map: lower case, without a final dot. */
function mappedName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
