// Every man-in-the-middle proxy the engine runs: start, stop, remove, list, and tell listeners
// when one changes or a victim connection ends. Configurations live in memory only.
import type { ProxyConfig, ProxyConnectionSummary, ProxyInfo } from '../api/proxyTypes';
import type { SessionSummary } from '../api/types';
import type { HostTable } from '../store/hostTable';
import type { CertificateWorkshop } from '../workshop/workshop';
import { ProxyServer, modeOf } from './proxyServer';
import type { BatchWriter } from './recorder';
import { RunningRegistry, type RunningEntry } from './runningRegistry';

export interface ProxyManagerEvents {
  changed(info: ProxyInfo): void;
  connection(summary: ProxyConnectionSummary): void;
  session(summary: SessionSummary, created: boolean): void;
}

/** Victim connections kept per proxy for a window that opens later (or reloads). */
const RECENT_PER_PROXY = 200;

export class ProxyManager {
  private readonly registry: RunningRegistry<ProxyServer, ProxyInfo>;
  /** The last connections of each proxy, oldest first: what a window opened later shows. */
  private readonly recent = new Map<number, ProxyConnectionSummary[]>();

  constructor(
    private readonly deps: {
      writer: BatchWriter;
      hosts: HostTable;
      workshop: CertificateWorkshop;
      events: ProxyManagerEvents;
    },
  ) {
    this.registry = new RunningRegistry({
      noun: 'proxy',
      plural: 'proxies',
      describe: describeProxy,
      changed: (info) => this.deps.events.changed(info),
    });
  }

  list(): ProxyInfo[] {
    return this.registry.list();
  }

  get(id: number): ProxyInfo {
    return this.registry.get(id);
  }

  /** Starts a new proxy; one that cannot start throws its clear error and is not kept. */
  async start(config: ProxyConfig): Promise<ProxyInfo> {
    const id = this.registry.nextNumber();
    const proxy = new ProxyServer(id, config, {
      writer: this.deps.writer,
      hosts: this.deps.hosts,
      workshop: this.deps.workshop,
      onSessionUpdate: (summary, created) => this.deps.events.session(summary, created),
      onConnection: (summary) => {
        const kept = this.recent.get(id) ?? [];
        kept.push(summary);
        if (kept.length > RECENT_PER_PROXY) kept.splice(0, kept.length - RECENT_PER_PROXY);
        this.recent.set(id, kept);
        this.deps.events.connection(summary);
      },
      onChange: () => this.registry.changedSoon(id),
    });
    return this.registry.start(id, proxy);
  }

  stop(id: number): Promise<ProxyInfo> {
    return this.registry.stop(id);
  }

  remove(id: number): Promise<ProxyInfo[]> {
    this.recent.delete(id);
    return this.registry.remove(id);
  }

  /**
   * The last victim connections of every proxy, oldest first, as their 'proxy.connection' events
   * said them: a window that opens (or reloads) after they ended shows them in full.
   */
  connections(): ProxyConnectionSummary[] {
    return [...this.recent.values()].flat().sort((a, b) => a.at - b.at || a.sessionId - b.sessionId);
  }

  stopAll(): Promise<void> {
    return this.registry.stopAll();
  }
}

function describeProxy(id: number, entry: RunningEntry<ProxyServer>): ProxyInfo {
  const p = entry.service;
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
