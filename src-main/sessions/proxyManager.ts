// Every man-in-the-middle proxy the engine runs: start, stop, remove, list, and tell listeners
// when one changes or a victim connection ends. Configurations live in memory only.
import type { ProxyConfig, ProxyConnectionSummary, ProxyInfo } from '../api/proxyTypes';
import type { ApiErrorInfo, SessionSummary } from '../api/types';
import { WorkbenchError } from '../errors';
import type { HostTable } from '../store/hostTable';
import type { SessionStore } from '../store/sessionStore';
import type { CertificateWorkshop } from '../workshop/workshop';
import { ProxyServer, modeOf } from './proxyServer';
import type { BatchWriter } from './recorder';

export interface ProxyManagerEvents {
  changed(info: ProxyInfo): void;
  connection(summary: ProxyConnectionSummary): void;
  session(summary: SessionSummary, created: boolean): void;
}

interface Entry {
  proxy: ProxyServer;
  startedAt: number | null;
  stoppedAt: number | null;
  error: ApiErrorInfo | null;
  /** Counter changes are reported at most this often, so a load of victims is not a flood of events. */
  changeTimer: NodeJS.Timeout | null;
}

const CHANGE_EVENT_MS = 250;

export class ProxyManager {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;

  constructor(
    private readonly deps: {
      store: SessionStore;
      writer: BatchWriter;
      hosts: HostTable;
      workshop: CertificateWorkshop;
      events: ProxyManagerEvents;
    },
  ) {}

  private changedSoon(id: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.changeTimer) return;
    entry.changeTimer = setTimeout(() => {
      entry.changeTimer = null;
      if (this.entries.get(id) === entry) this.deps.events.changed(this.describe(id, entry));
    }, CHANGE_EVENT_MS);
    entry.changeTimer.unref();
  }

  private describe(id: number, entry: Entry): ProxyInfo {
    const p = entry.proxy;
    return {
      id,
      label: p.label,
      status: p.listening ? 'running' : entry.error ? 'failed' : 'stopped',
      mode: modeOf(p.config),
      transparentAddress: p.transparentAddress,
      connectAddress: p.connectAddress,
      ca: { name: p.config.ca, subject: p.caSubject, keyType: p.caKeyType },
      upstreamTrust: p.trustDescription,
      config: p.config,
      startedAt: entry.startedAt,
      stoppedAt: entry.stoppedAt,
      connections: p.connections,
      active: p.active,
      failed: p.failed,
      error: entry.error,
    };
  }

  private entry(id: number): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new WorkbenchError('NOT_FOUND', `there is no proxy ${id}; list the proxies to see their numbers`);
    return entry;
  }

  list(): ProxyInfo[] {
    return [...this.entries].map(([id, e]) => this.describe(id, e));
  }

  get(id: number): ProxyInfo {
    return this.describe(id, this.entry(id));
  }

  /** Starts a new proxy; one that cannot start throws its clear error and is not kept. */
  async start(config: ProxyConfig): Promise<ProxyInfo> {
    const id = this.nextId++;
    const proxy = new ProxyServer(id, config, {
      store: this.deps.store,
      writer: this.deps.writer,
      hosts: this.deps.hosts,
      workshop: this.deps.workshop,
      onSessionUpdate: (summary, created) => this.deps.events.session(summary, created),
      onConnection: (summary) => this.deps.events.connection(summary),
      onChange: () => this.changedSoon(id),
    });
    await proxy.start();
    const entry: Entry = { proxy, startedAt: Date.now(), stoppedAt: null, error: null, changeTimer: null };
    this.entries.set(id, entry);
    const info = this.describe(id, entry);
    this.deps.events.changed(info);
    return info;
  }

  async stop(id: number): Promise<ProxyInfo> {
    const entry = this.entry(id);
    if (entry.proxy.listening) {
      await entry.proxy.stop();
      entry.stoppedAt = Date.now();
    }
    const info = this.describe(id, entry);
    this.deps.events.changed(info);
    return info;
  }

  async remove(id: number): Promise<ProxyInfo[]> {
    const entry = this.entry(id);
    if (entry.proxy.listening) await entry.proxy.stop();
    if (entry.changeTimer) clearTimeout(entry.changeTimer);
    this.entries.delete(id);
    return this.list();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.values()].filter((e) => e.proxy.listening).map((e) => e.proxy.stop('the engine is shutting down')));
    for (const e of this.entries.values()) if (e.changeTimer) clearTimeout(e.changeTimer);
  }
}
