// Every lab server the engine runs: start, stop, restart any number of them, list them, and tell
// listeners when one changes or accepts a connection. Configurations live in memory only.
import type { RunningOrigin, ServerConfig, ServerConnectionSummary, ServerInfo } from '../api/serverTypes';
import type { SessionSummary } from '../api/types';
import { toErrorInfo } from '../errors';
import { PortInUseError, RunningRecords } from '../store/runningElsewhere';
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
  /** What the data folder's running/ says of these servers while they listen. */
  private readonly running: RunningRecords;

  constructor(
    private readonly deps: {
      /** The data folder the servers record into: its running/ names who holds a busy port. */
      dataDir: string;
      /** Who runs these servers, written to running/ for other processes; null: not written. */
      startedFrom: RunningOrigin | null;
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
    this.running = new RunningRecords(deps.dataDir, deps.startedFrom);
  }

  /**
   * Starts a server, naming what holds its port: another of these servers (the window's Start
   * pressed twice with the lab's 4433), else the process running/ knows of.
   */
  private async listen<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (err) {
      throw this.ownHolder(err) ?? this.running.named(err);
    }
  }

  /** The error naming the running server of this manager that holds the port, when one does. */
  private ownHolder(err: unknown): PortInUseError | null {
    if (!(err instanceof PortInUseError)) return null;
    // Lab servers listen on loopback addresses only: the same address and port is the same socket.
    const holder = this.registry.list().find((s) => s.status === 'running' && s.port === err.port && s.host === err.host);
    if (!holder) return null;
    return new PortInUseError(err.host, err.port, err.where, err.instead,
      `${err.where} is already in use by this workbench's server '${holder.label}'; stop or restart that one, or ${err.instead}`);
  }

  private listening(info: ServerInfo): ServerInfo {
    this.running.listening(info.id, {
      kind: 'server',
      address: info.address,
      addresses: [info.address],
      label: info.label,
      certificate: info.names.find((n) => n.name === null)?.certificate.subject,
      names: info.names.flatMap((n) => (n.name === null ? [] : [n.name])),
    });
    return info;
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
    return this.listening(await this.listen(() => this.registry.start(id, this.build(id, config))));
  }

  async stop(id: number): Promise<ServerInfo> {
    try {
      return await this.registry.stop(id);
    } finally {
      this.running.stopped(id);
    }
  }

  /** Stops the server and starts it again, with a new configuration when one is given. */
  async restart(id: number, config?: ServerConfig): Promise<ServerInfo> {
    const entry = this.registry.entry(id);
    if (entry.service.listening) await entry.service.stop('the server was restarted');
    this.running.stopped(id);
    const next = this.build(id, config ?? entry.service.config);
    try {
      await this.listen(() => next.start());
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
    return this.listening(this.registry.publish(id, entry));
  }

  async remove(id: number): Promise<ServerInfo[]> {
    try {
      return await this.registry.remove(id);
    } finally {
      this.running.stopped(id);
    }
  }

  async stopAll(): Promise<void> {
    try {
      await this.registry.stopAll();
    } finally {
      this.running.stoppedAll();
    }
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
