// Every man-in-the-middle proxy the engine runs: start, stop, remove, list, and tell listeners
// when one changes or a victim connection ends. Configurations live in memory only.
import type { ProxyConfig, ProxyConnectionSummary, ProxyInfo } from '../api/proxyTypes';
import type { RunningOrigin } from '../api/serverTypes';
import type { SessionSummary } from '../api/types';
import type { HostTable } from '../store/hostTable';
import { RunningRecords } from '../store/runningElsewhere';
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
  /** What the data folder's running/ says of these proxies while they listen. */
  private readonly running: RunningRecords;

  constructor(
    private readonly deps: {
      /** The data folder the proxies record into: its running/ names who holds a busy port. */
      dataDir: string;
      /** Who runs these proxies, written to running/ for other processes; null: not written. */
      startedFrom: RunningOrigin | null;
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
    this.running = new RunningRecords(deps.dataDir, deps.startedFrom);
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
    let info: ProxyInfo;
    try {
      info = await this.registry.start(id, proxy);
    } catch (err) {
      // A port a terminal's `tlslab proxy` or the window holds: the message says which.
      throw this.running.named(err);
    }
    const addresses = [info.transparentAddress, info.connectAddress].filter((a): a is string => a !== null);
    this.running.listening(id, { kind: 'proxy', address: addresses[0] ?? '', addresses, label: info.label, mode: info.mode });
    return info;
  }

  async stop(id: number): Promise<ProxyInfo> {
    try {
      return await this.registry.stop(id);
    } finally {
      this.running.stopped(id);
    }
  }

  async remove(id: number): Promise<ProxyInfo[]> {
    this.recent.delete(id);
    try {
      return await this.registry.remove(id);
    } finally {
      this.running.stopped(id);
    }
  }

  /**
   * The last victim connections of every proxy, oldest first, as their 'proxy.connection' events
   * said them: a window that opens (or reloads) after they ended shows them in full.
   */
  connections(): ProxyConnectionSummary[] {
    return [...this.recent.values()].flat().sort((a, b) => a.at - b.at || a.sessionId - b.sessionId);
  }

  async stopAll(): Promise<void> {
    try {
      await this.registry.stopAll();
    } finally {
      this.running.stoppedAll();
    }
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
