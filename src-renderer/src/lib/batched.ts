// Live events applied a batch at a time, on one clock for the whole window. A lab server under
// load reports hundreds of sessions a second, each several times (accepted, established, ended),
// and its counts with them; applying every event on its own re-sorted the lists and redrew the
// views for each, and the window fell minutes behind. Batched, every live list changes at most
// once per interval, all in the same turn (one redraw); while events keep coming in large
// numbers the interval grows to BUSY_BATCH_MS, so that a load test costs a redraw a second.

/** How long events gather before they are applied together, in ms: quick enough to look live. */
export const LIVE_BATCH_MS = 100;
/** The longest interval, reached while events keep coming in large batches. */
export const BUSY_BATCH_MS = 1000;
/** More events than this in one batch double the next interval; fewer bring it back to LIVE_BATCH_MS. */
export const BUSY_BATCH_ITEMS = 20;

export interface Queue<T> {
  /** Queues an item; it is applied with the next batch. */
  add(item: T): void;
}

/** A clock that applies the items of all its queues together, each queue's in arrival order. */
export class LiveBatches {
  private readonly queues: { items: unknown[]; apply: (items: unknown[]) => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private interval = LIVE_BATCH_MS;
  private count = 0;

  queue<T>(apply: (items: T[]) => void): Queue<T> {
    const queue = { items: [] as T[], apply };
    this.queues.push(queue as { items: unknown[]; apply: (items: unknown[]) => void });
    return {
      add: (item: T) => {
        queue.items.push(item);
        this.count++;
        this.timer ??= setTimeout(() => this.flush(), this.interval);
      },
    };
  }

  /** Applies everything queued now (a user's own action should show at once). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.count === 0) return;
    this.interval = this.count > BUSY_BATCH_ITEMS ? Math.min(BUSY_BATCH_MS, this.interval * 2) : LIVE_BATCH_MS;
    this.count = 0;
    for (const queue of this.queues) {
      if (queue.items.length === 0) continue;
      const due = queue.items;
      queue.items = [];
      queue.apply(due);
    }
  }
}

/** The window's live clock: sessions, server and proxy connections and their counts. */
export const live = new LiveBatches();
