// Every lab server the engine runs: start, stop, restart any number of them, list them, and tell
// listeners when one changes or accepts a connection. Configurations live in memory only.
import type { ServerConfig, ServerConnectionSummary, ServerInfo } from '../api/serverTypes';
import type { SessionSummary } from '../api/types';
import { toErrorInfo } from '../errors';
import type { BatchWriter } from './recorder';
import { RunningRegistry, type RunningEntry } from './runningRegistry';
import type { LabIdentitySource } from './serverIdentity';
import { TlsLabServer } from './tlsServer';
import type { TicketKeyring } from './ticketKeyring';

export interface ServerManagerEvents {
  changed(info: ServerInfo): void;
  connection(summary: ServerConnectionSummary): void;
  session(summary: SessionSummary, created: boolean): void;
}

/** The configuration as it may be shown: passphrases removed. */
function publicConfig(config: ServerConfig): ServerConfig {
  const strip = <T extends ServerConfig['identity']>(identity: T): T =>
    identity.kind === 'files' && identity.keyPassphrase !== undefined ? { ...identity, keyPassphrase: undefined } : identity;
  return { ...config, identity: strip(config.identity), sni: config.sni?.map((s) => ({ ...s, identity: strip(s.identity) })) };
}

export class ServerManager {
  private readonly registry: RunningRegistry<TlsLabServer, ServerInfo>;

  constructor(
    private readonly deps: {
      writer: BatchWriter;
      lab: () => LabIdentitySource | null;
      recordCapBytes?: number;
      /** Where the servers keep their session ticket keys. */
      ticketKeyring?: TicketKeyring;
      events: ServerManagerEvents;
    },
  ) {
    this.registry = new RunningRegistry({
      noun: 'server',
      plural: 'servers',
      describe: describeServer,
      changed: (info) => this.deps.events.changed(info),
    });
  }

  private build(id: number, config: ServerConfig): TlsLabServer {
    const server: TlsLabServer = new TlsLabServer(id, config, {
      writer: this.deps.writer,
      lab: this.deps.lab(),
      recordCapBytes: this.deps.recordCapBytes,
      ticketKeyring: this.deps.ticketKeyring,
      onSessionUpdate: (summary, created) => this.deps.events.session(summary, created),
      onConnection: (summary) => this.deps.events.connection(summary),
      onChange: () => this.registry.changedSoon(id),
    });
    return server;
  }

  list(): ServerInfo[] {
    return this.registry.list();
  }

  get(id: number): ServerInfo {
    return this.registry.get(id);
  }

  /** Starts a new server; one that cannot start throws its clear error and is not kept. */
  async start(config: ServerConfig): Promise<ServerInfo> {
    const id = this.registry.nextNumber();
    return this.registry.start(id, this.build(id, config));
  }

  stop(id: number): Promise<ServerInfo> {
    return this.registry.stop(id);
  }

  /** Stops the server and starts it again, with a new configuration when one is given. */
  async restart(id: number, config?: ServerConfig): Promise<ServerInfo> {
    const entry = this.registry.entry(id);
    if (entry.service.listening) await entry.service.stop('the server was restarted');
    const next = this.build(id, config ?? entry.service.config);
    try {
      await next.start();
    } catch (err) {
      entry.error = toErrorInfo(err);
      entry.stoppedAt = Date.now();
      this.registry.publish(id, entry);
      throw err;
    }
    entry.service = next;
    entry.startedAt = Date.now();
    entry.stoppedAt = null;
    entry.error = null;
    return this.registry.publish(id, entry);
  }

  remove(id: number): Promise<ServerInfo[]> {
    return this.registry.remove(id);
  }

  stopAll(): Promise<void> {
    return this.registry.stopAll();
  }
}

function describeServer(id: number, entry: RunningEntry<TlsLabServer>): ServerInfo {
  const s = entry.service;
  return {
    id,
    label: s.label,
    status: s.listening ? 'running' : entry.error ? 'failed' : 'stopped',
    address: s.address,
    host: s.host,
    port: s.port,
    config: publicConfig(s.config),
    names: s.names,
    startedAt: entry.startedAt,
    stoppedAt: entry.stoppedAt,
    connections: s.connections,
    active: s.active,
    failed: s.failed,
    error: entry.error,
  };
}
