// Events on their way to the windows. A lab server under load accepts hundreds of connections a
// second and reports each one four times (accepted, established, ended: session events; and the
// server's connection summary), with the server's counts besides; sent one by one, every event
// cost the engine a frame and the window a message. The events a busy server or proxy sends wait
// up to EVENT_BATCH_MS and go together in one frame, with the changes of each session merged: a
// session seen whole within the interval is one 'session.created' carrying its latest state, later
// changes one 'session.updated' per interval. Every other event goes at once, after what waited.
import type { ApiEventName, ApiEvents, EventFrame } from '../api/methods';

/** How long the events of busy servers and proxies wait to be sent together, in ms. */
export const EVENT_BATCH_MS = 100;

/** The events that come with every connection a server or proxy takes. */
const BATCHED: ReadonlySet<ApiEventName> = new Set<ApiEventName>([
  'session.created',
  'session.updated',
  'server.connection',
  'server.changed',
  'proxy.connection',
  'proxy.changed',
]);

type SessionEvent = 'session.created' | 'session.updated';

export class EventOutbox {
  /** Waiting events, oldest first; a session's changes share the entry of its first one. */
  private pending: EventFrame[] = [];
  private readonly sessions = new Map<number, EventFrame<SessionEvent>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Sends one or more events, oldest first, as one frame. */
    private readonly send: (events: EventFrame[]) => void,
    private readonly delayMs = EVENT_BATCH_MS,
  ) {}

  push<E extends ApiEventName>(event: E, data: ApiEvents[E]): void {
    if (event === 'session.created' || event === 'session.updated') {
      const summary = data as ApiEvents[SessionEvent];
      const known = this.sessions.get(summary.id);
      if (known) {
        // A session the windows have not heard of yet stays 'created', whatever came after.
        known.data = summary;
      } else {
        const frame: EventFrame<SessionEvent> = { type: 'event', event, data: summary };
        this.sessions.set(summary.id, frame);
        this.pending.push(frame);
      }
    } else {
      if (event === 'session.deleted') {
        const id = (data as ApiEvents['session.deleted']).id;
        const known = this.sessions.get(id);
        if (known) {
          this.sessions.delete(id);
          this.pending = this.pending.filter((f) => f !== known);
        }
      }
      this.pending.push({ type: 'event', event, data } as EventFrame);
      if (!BATCHED.has(event)) {
        this.flush();
        return;
      }
    }
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends what is waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const due = this.pending;
    this.pending = [];
    this.sessions.clear();
    this.send(due);
  }

  /** Stops the timer; what is waiting is dropped (the windows are going away). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.sessions.clear();
  }
}
