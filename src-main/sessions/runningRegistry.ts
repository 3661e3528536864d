// The bookkeeping shared by the engine's running services (lab servers, proxies): numbered entries,
// when each started and stopped, its last start error, list/get/stop/remove, and a throttled
// 'changed' event so that a load of connections is not a flood of events.
import type { ApiErrorInfo } from '../api/types';
import { WorkbenchError } from '../errors';

/** What the registry needs of a service: it listens, starts, and stops with a reason. */
export interface RunningService {
  readonly listening: boolean;
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
}

export interface RunningEntry<S> {
  service: S;
  startedAt: number | null;
  stoppedAt: number | null;
  error: ApiErrorInfo | null;
  /** Counter changes are reported at most this often (CHANGE_EVENT_MS). */
  changeTimer: NodeJS.Timeout | null;
}

export const CHANGE_EVENT_MS = 250;

export class RunningRegistry<S extends RunningService, Info> {
  private readonly entries = new Map<number, RunningEntry<S>>();
  private nextId = 1;

  constructor(
    private readonly options: {
      /** The service's name in errors: "proxy" gives "there is no proxy 3; list the proxies ...". */
      noun: string;
      plural: string;
      describe(id: number, entry: RunningEntry<S>): Info;
      changed(info: Info): void;
    },
  ) {}

  /** The number the next service will have. */
  nextNumber(): number {
    return this.nextId++;
  }

  /** Reports a change of the service's counters, at most once per CHANGE_EVENT_MS. */
  changedSoon(id: number): void {
    const entry = this.entries.get(id);
    if (!entry || entry.changeTimer) return;
    entry.changeTimer = setTimeout(() => {
      entry.changeTimer = null;
      if (this.entries.get(id) === entry) this.options.changed(this.options.describe(id, entry));
    }, CHANGE_EVENT_MS);
    entry.changeTimer.unref();
  }

  /** Describes the entry and reports it changed; returns the description. */
  publish(id: number, entry: RunningEntry<S>): Info {
    const info = this.options.describe(id, entry);
    this.options.changed(info);
    return info;
  }

  entry(id: number): RunningEntry<S> {
    const entry = this.entries.get(id);
    if (!entry) {
      throw new WorkbenchError('NOT_FOUND', `there is no ${this.options.noun} ${id}; list the ${this.options.plural} to see their numbers`);
    }
    return entry;
  }

  list(): Info[] {
    return [...this.entries].map(([id, e]) => this.options.describe(id, e));
  }

  get(id: number): Info {
    return this.options.describe(id, this.entry(id));
  }

  /** Starts the service numbered id; one that cannot start throws its clear error and is not kept. */
  async start(id: number, service: S): Promise<Info> {
    await service.start();
    const entry: RunningEntry<S> = { service, startedAt: Date.now(), stoppedAt: null, error: null, changeTimer: null };
    this.entries.set(id, entry);
    return this.publish(id, entry);
  }

  async stop(id: number): Promise<Info> {
    const entry = this.entry(id);
    if (entry.service.listening) {
      await entry.service.stop();
      entry.stoppedAt = Date.now();
    }
    return this.publish(id, entry);
  }

  async remove(id: number): Promise<Info[]> {
    const entry = this.entry(id);
    if (entry.service.listening) await entry.service.stop();
    if (entry.changeTimer) clearTimeout(entry.changeTimer);
    this.entries.delete(id);
    return this.list();
  }

  async stopAll(): Promise<void> {
    const listening = [...this.entries.values()].filter((e) => e.service.listening);
    await Promise.all(listening.map((e) => e.service.stop('the engine is shutting down')));
    for (const e of this.entries.values()) if (e.changeTimer) clearTimeout(e.changeTimer);
  }
}
