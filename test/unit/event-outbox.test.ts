// Events on their way to the windows: what a busy server reports waits a moment and goes in one
// frame, each session's changes merged; every other event goes at once, after what waited.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventFrame } from '../../src-main/api/methods';
import type { ServerConnectionSummary } from '../../src-main/api/serverTypes';
import type { SessionSummary } from '../../src-main/api/types';
import { EVENT_BATCH_MS, EventOutbox } from '../../src-main/host/eventOutbox';

const at = (id: number, status: SessionSummary['status']): SessionSummary => ({
  id, kind: 'server', status, startedAt: 1_700_000_000_000 + id, endedAt: null, target: '127.0.0.1:4433', address: '127.0.0.1:50000',
  sni: null, version: status === 'running' ? null : 'TLSv1.3', cipher: null, alpn: null, verification: null, error: null,
});
const ended = (sessionId: number) => ({ serverId: 1, sessionId }) as ServerConnectionSummary;
const names = (frame: EventFrame[]) => frame.map((f) => `${f.event}:${(f.data as { id?: number; sessionId?: number }).id ?? (f.data as { sessionId?: number }).sessionId ?? ''}`);

describe('EventOutbox', () => {
  let sent: EventFrame[][];
  let outbox: EventOutbox;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    outbox = new EventOutbox((frames) => sent.push(frames));
  });
  afterEach(() => {
    outbox.close();
    vi.useRealTimers();
  });

  it('sends a session accepted and finished within the interval as one "created" with its final state, in one frame with the connection summary', () => {
    outbox.push('session.created', at(1, 'running'));
    outbox.push('session.updated', at(1, 'running'));
    outbox.push('server.connection', ended(1));
    outbox.push('session.updated', at(1, 'ok'));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(EVENT_BATCH_MS);
    expect(sent).toHaveLength(1);
    expect(names(sent[0])).toEqual(['session.created:1', 'server.connection:1']);
    expect(sent[0][0].data).toEqual(at(1, 'ok'));
  });

  it('sends later changes of a session as one "updated" per interval', () => {
    outbox.push('session.created', at(1, 'running'));
    vi.advanceTimersByTime(EVENT_BATCH_MS);
    outbox.push('session.created', at(2, 'running'));
    outbox.push('session.updated', at(1, 'running'));
    outbox.push('session.updated', at(1, 'failed'));
    vi.advanceTimersByTime(EVENT_BATCH_MS);
    expect(sent.map(names)).toEqual([['session.created:1'], ['session.created:2', 'session.updated:1']]);
    expect(sent[1][1].data).toEqual(at(1, 'failed'));
  });

  it('sends any other event at once, after what waited, and a deletion drops what waited for that session', () => {
    outbox.push('session.created', at(3, 'running'));
    outbox.push('session.updated', at(4, 'ok'));
    outbox.push('session.deleted', { id: 3 });
    expect(sent.map(names)).toEqual([['session.updated:4', 'session.deleted:3']]);
    outbox.push('hosts.changed', []);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(10 * EVENT_BATCH_MS);
    expect(sent).toHaveLength(2);
  });

  it('drops what is waiting when closed (the windows are going away)', () => {
    outbox.push('session.created', at(5, 'running'));
    outbox.close();
    vi.advanceTimersByTime(10 * EVENT_BATCH_MS);
    expect(sent).toEqual([]);
  });
});
