// Session events on their way to the windows, merged per session for a moment. A lab server under
// load accepts hundreds of connections a second and reports each one three times (accepted,
// established, ended); sent one by one, the events cost the engine a frame each and the window a
// message each. Merged, a session seen whole within SESSION_EVENT_MS is one 'session.created'
// carrying its latest state; later changes are one 'session.updated' per interval.
import type { ApiEventName, ApiEvents } from '../api/methods';

/** How long a session's changes wait to be sent together, in ms. */
export const SESSION_EVENT_MS = 100;

type Send = <E extends ApiEventName>(event: E, data: ApiEvents[E]) => void;
type SessionEvent = 'session.created' | 'session.updated';

export class SessionEventMerger {
  /** Per session, in the order they first changed: the event to send and the newest summary. */
  private readonly pending = new Map<number, { event: SessionEvent; data: ApiEvents[SessionEvent] }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: Send,
    private readonly delayMs = SESSION_EVENT_MS,
  ) {}

  /** Passes an event on: session changes after the delay, merged; every other event at once. */
  push<E extends ApiEventName>(event: E, data: ApiEvents[E]): void {
    if (event === 'session.created' || event === 'session.updated') {
      const summary = data as ApiEvents[SessionEvent];
      const known = this.pending.get(summary.id);
      // A session the windows have not heard of yet stays 'created', whatever came after.
      this.pending.set(summary.id, { event: known?.event === 'session.created' ? 'session.created' : event, data: summary });
      this.timer ??= setTimeout(() => this.flush(), this.delayMs);
      return;
    }
    if (event === 'session.deleted') this.pending.delete((data as ApiEvents['session.deleted']).id);
    this.send(event, data);
  }

  /** Sends what is waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const { event, data } of due) this.send(event, data);
  }

  /** Stops the timer; what is waiting is dropped (the windows are going away). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
