// Session events merged on their way to the windows: one 'session.created' for a session seen
// whole within the interval, then one 'session.updated' per interval, every other event at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEventName } from '../../src-main/api/methods';
import type { SessionSummary } from '../../src-main/api/types';
import { SESSION_EVENT_MS, SessionEventMerger } from '../../src-main/host/sessionEvents';

const at = (id: number, status: SessionSummary['status']): SessionSummary => ({
  id, kind: 'server', status, startedAt: 1_700_000_000_000 + id, endedAt: null, target: '127.0.0.1:4433', address: '127.0.0.1:50000',
  sni: null, version: status === 'running' ? null : 'TLSv1.3', cipher: null, alpn: null, verification: null, error: null,
});

describe('SessionEventMerger', () => {
  let sent: [ApiEventName, unknown][];
  let merger: SessionEventMerger;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    merger = new SessionEventMerger((event, data) => sent.push([event, data]));
  });
  afterEach(() => {
    merger.close();
    vi.useRealTimers();
  });

  it('sends a session created and finished within the interval as one "created" with its final state', () => {
    merger.push('session.created', at(1, 'running'));
    merger.push('session.updated', at(1, 'running'));
    merger.push('session.updated', at(1, 'ok'));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(SESSION_EVENT_MS);
    expect(sent).toEqual([['session.created', at(1, 'ok')]]);
  });

  it('sends later changes as one "updated" per interval, sessions in the order they first changed', () => {
    merger.push('session.created', at(1, 'running'));
    vi.advanceTimersByTime(SESSION_EVENT_MS);
    merger.push('session.created', at(2, 'running'));
    merger.push('session.updated', at(1, 'running'));
    merger.push('session.updated', at(1, 'failed'));
    vi.advanceTimersByTime(SESSION_EVENT_MS);
    expect(sent).toEqual([
      ['session.created', at(1, 'running')],
      ['session.created', at(2, 'running')],
      ['session.updated', at(1, 'failed')],
    ]);
  });

  it('passes other events at once, and a deletion drops what was waiting for that session', () => {
    merger.push('session.created', at(3, 'running'));
    merger.push('session.updated', at(4, 'ok'));
    merger.push('server.changed', { id: 9 } as never);
    merger.push('session.deleted', { id: 3 });
    expect(sent.map(([e]) => e)).toEqual(['server.changed', 'session.deleted']);
    vi.advanceTimersByTime(SESSION_EVENT_MS);
    expect(sent.slice(2)).toEqual([['session.updated', at(4, 'ok')]]);
  });

  it('drops what is waiting when closed (the windows are going away)', () => {
    merger.push('session.created', at(5, 'running'));
    merger.close();
    vi.advanceTimersByTime(10 * SESSION_EVENT_MS);
    expect(sent).toEqual([]);
  });
});
