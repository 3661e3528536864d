// Live events applied a batch at a time: one clock for every live list, an interval that grows
// while events pour in and shrinks when they stop, and session changes applied with one sort.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUSY_BATCH_MS, LIVE_BATCH_MS, LiveBatches } from '../../../src-renderer/src/lib/batched';
import { applySessionChanges, type SessionChange } from '../../../src-renderer/src/lib/sessions';
import { asCatalogEntry, withCatalogOf } from '../../../src-renderer/src/lib/sessions-catalog';
import type { SessionCatalogEntry, SessionSummary } from '../../../src-renderer/src/api/contract';
import { summary } from './fixtures';

describe('LiveBatches', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('applies every queue\'s items together, in arrival order, once per interval', () => {
    const live = new LiveBatches();
    const applied: string[] = [];
    const a = live.queue<number>((items) => applied.push(`a:${items.join(',')}`));
    const b = live.queue<string>((items) => applied.push(`b:${items.join(',')}`));
    a.add(1);
    b.add('x');
    a.add(2);
    vi.advanceTimersByTime(LIVE_BATCH_MS - 1);
    expect(applied).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(applied).toEqual(['a:1,2', 'b:x']);
  });

  it('waits longer while events keep coming in large batches, up to BUSY_BATCH_MS, and is quick again once they stop', () => {
    const live = new LiveBatches();
    const sizes: number[] = [];
    const q = live.queue<number>((items) => sizes.push(items.length));
    // A load test: an event every millisecond for six seconds.
    const times: number[] = [];
    for (let t = 0; t < 6000; t++) {
      q.add(t);
      const before = sizes.length;
      vi.advanceTimersByTime(1);
      if (sizes.length > before) times.push(t + 1);
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBe(2 * LIVE_BATCH_MS);
    expect(Math.max(...gaps)).toBe(BUSY_BATCH_MS);
    expect(times.length).toBeLessThan(12);
    // Quiet again: a single event shows within the short interval.
    vi.advanceTimersByTime(BUSY_BATCH_MS);
    const count = sizes.length;
    q.add(1);
    vi.advanceTimersByTime(BUSY_BATCH_MS);
    q.add(2);
    vi.advanceTimersByTime(LIVE_BATCH_MS);
    expect(sizes.slice(count)).toEqual([1, 1]);
  });

  it('applies at once on flush, and a flush from inside an apply does not apply twice', () => {
    const live = new LiveBatches();
    const applied: number[][] = [];
    const q = live.queue<number>((items) => {
      applied.push(items);
      live.flush();
    });
    q.add(1);
    q.add(2);
    live.flush();
    expect(applied).toEqual([[1, 2]]);
    vi.advanceTimersByTime(BUSY_BATCH_MS);
    expect(applied).toEqual([[1, 2]]);
  });
});

describe('applySessionChanges', () => {
  const at = (id: number, extra: Partial<SessionSummary> = {}) => summary({ id, startedAt: 1_700_000_000_000 + id, ...extra });

  it('applies upserts and deletes in order with one sort, newest first, keeping the newest `limit`', () => {
    const list = [at(3), at(2), at(1)];
    const changes: SessionChange[] = [
      { kind: 'upsert', summary: at(4, { status: 'running' }) },
      { kind: 'upsert', summary: at(2, { status: 'failed' }) },
      { kind: 'delete', id: 3 },
      { kind: 'upsert', summary: at(4, { status: 'ok' }) },
      { kind: 'upsert', summary: at(5) },
    ];
    const next = applySessionChanges(list, changes, (s) => s, 3);
    expect(next.map((s) => [s.id, s.status])).toEqual([[5, 'ok'], [4, 'ok'], [2, 'failed']]);
    expect(list.map((s) => s.id)).toEqual([3, 2, 1]);
  });

  it('keeps the name and tags a list already knows when an update carries none', () => {
    const named = { ...at(7), name: 'first try', tags: ['lab1'] } as SessionSummary;
    const next = applySessionChanges([named], [{ kind: 'upsert', summary: at(7, { status: 'failed' }) }], withCatalogOf, 10);
    expect(next[0]).toMatchObject({ id: 7, status: 'failed', name: 'first try', tags: ['lab1'] });
    const entries: SessionCatalogEntry[] = [];
    const catalog = applySessionChanges(entries, [{ kind: 'upsert', summary: at(8) }], asCatalogEntry, 10);
    expect(catalog[0]).toMatchObject({ id: 8, name: null, tags: [] });
  });
});
