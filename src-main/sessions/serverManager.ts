// Every lab server the engine runs: start, stop, restart any number of them, list them, and tell
// listeners when one changes or accepts a connection. Configurations live in memory only.
import type { ServerConfig, ServerConnectionSummary, ServerInfo } from '../api/serverTypes';
import type { ApiErrorInfo, SessionSummary } from '../api/types';
import { WorkbenchError, toErrorInfo } from '../errors';
import type { SessionStore } from '../store/sessionStore';
import type { BatchWriter } from './recorder';
import type { LabIdentitySource } from './serverIdentity';
import { TlsLabServer } from './tlsServer';

export interface ServerManagerEvents {
  changed(info: ServerInfo): void;
  connection(summary: ServerConnectionSummary): void;
  session(summary: SessionSummary, created: boolean): void;
}

interface Entry {
  server: TlsLabServer;
  startedAt: number | null;
  stoppedAt: number | null;
  error: ApiErrorInfo | null;
  /** Counter changes are reported at most this often, so a load of connections is not a flood of events. */
  changeTimer: NodeJS.Timeout | null;
}

const CHANGE_EVENT_MS = 250;

/** The configuration as it may be shown: passphrases removed. */
function publicConfig(config: ServerConfig): ServerConfig {
  const strip = <T extends ServerConfig['identity']>(identity: T): T =>
    identity.kind === 'files' && identity.keyPassphrase !== undefined ? { ...identity, keyPassphrase: undefined } : identity;
  return { ...config, identity: strip(config.identity), sni: config.sni?.map((s) => ({ ...s, identity: strip(s.identity) })) };
}

export class ServerManager {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;

  constructor(
    private readonly deps: {
      store: SessionStore;
      writer: BatchWriter;
      lab: () => LabIdentitySource | null;
      recordCapBytes?: number;
      events: ServerManagerEvents;
    },
  ) {}

  private build(id: number, config: ServerConfig): TlsLabServer {
    const server: TlsLabServer = new TlsLabServer(id, config, {
      store: this.deps.store,
      writer: this.deps.writer,
      lab: this.deps.lab(),
      recordCapBytes: this.deps.recordCapBytes,
      onSessionUpdate: (summary, created) => this.deps.events.session(summary, created),
      onConnection: (summary) => this.deps.events.connection(summary),
      onChange: () => this.changedSoon(id),
    });
    return server;
  }

  private changedSoon(id: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.changeTimer) return;
    entry.changeTimer = setTimeout(() => {
      entry.changeTimer = null;
      if (this.entries.get(id) === entry) this.deps.events.changed(this.describe(id, entry));
    }, CHANGE_EVENT_MS);
    entry.changeTimer.unref();
  }

  private describe(id: number, entry: Entry): ServerInfo {
    const s = entry.server;
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

  private entry(id: number): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new WorkbenchError('NOT_FOUND', `there is no server ${id}; list the servers to see their numbers`);
    return entry;
  }

  list(): ServerInfo[] {
    return [...this.entries].map(([id, e]) => this.describe(id, e));
  }

  get(id: number): ServerInfo {
    return this.describe(id, this.entry(id));
  }

  /** Starts a new server; one that cannot start throws its clear error and is not kept. */
  async start(config: ServerConfig): Promise<ServerInfo> {
    const id = this.nextId++;
    const server = this.build(id, config);
    await server.start();
    const entry: Entry = { server, startedAt: Date.now(), stoppedAt: null, error: null, changeTimer: null };
    this.entries.set(id, entry);
    const info = this.describe(id, entry);
    this.deps.events.changed(info);
    return info;
  }

  async stop(id: number): Promise<ServerInfo> {
    const entry = this.entry(id);
    if (entry.server.listening) {
      await entry.server.stop();
      entry.stoppedAt = Date.now();
    }
    const info = this.describe(id, entry);
    this.deps.events.changed(info);
    return info;
  }

  /** Stops the server and starts it again, with a new configuration when one is given. */
  async restart(id: number, config?: ServerConfig): Promise<ServerInfo> {
    const entry = this.entry(id);
    if (entry.server.listening) await entry.server.stop('the server was restarted');
    const next = this.build(id, config ?? entry.server.config);
    try {
      await next.start();
    } catch (err) {
      entry.error = toErrorInfo(err);
      entry.stoppedAt = Date.now();
      this.deps.events.changed(this.describe(id, entry));
      throw err;
    }
    entry.server = next;
    entry.startedAt = Date.now();
    entry.stoppedAt = null;
    entry.error = null;
    const info = this.describe(id, entry);
    this.deps.events.changed(info);
    return info;
  }

  async remove(id: number): Promise<ServerInfo[]> {
    const entry = this.entry(id);
    if (entry.server.listening) await entry.server.stop();
    if (entry.changeTimer) clearTimeout(entry.changeTimer);
    this.entries.delete(id);
    return this.list();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.values()].filter((e) => e.server.listening).map((e) => e.server.stop('the engine is shutting down')));
    for (const e of this.entries.values()) if (e.changeTimer) clearTimeout(e.changeTimer);
  }
}
