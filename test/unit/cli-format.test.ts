// The session lists the CLI prints: times on the machine's clock, long errors cut at a word.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../src-main/api/types';
import { clip, formatSessionList } from '../../src-main/cli/format';

const saved = process.env.TZ;

function summary(over: Partial<SessionSummary>): SessionSummary {
  return {
    id: 3,
    kind: 'server',
    target: '127.0.0.1:4433',
    startedAt: Date.UTC(2026, 10, 26, 15, 6, 42),
    status: 'failed',
    version: null,
    error: null,
    ...over,
  } as SessionSummary;
}

describe('tlslab sessions list', () => {
  beforeEach(() => {
    process.env.TZ = 'Asia/Kolkata';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('shows when a session started on the local clock (UTC+5:30 here), not in UTC', () => {
    const text = formatSessionList([summary({})]);
    expect(text).toContain('2026-11-26 20:36:42');
    expect(text).not.toContain('15:06:42');
  });

  it('cuts a long error at a word, with an ellipsis, and leaves a short one whole', () => {
    const long = 'the client reset the connection during the handshake; it may have rejected the certificate (look for its alert in the timeline)';
    const row = formatSessionList([summary({ error: { code: 'X', message: long } })]).split('\n')[1];
    expect(row).toContain('(the client reset the connection during the handshake; it…)');
    const short = formatSessionList([summary({ error: { code: 'X', message: 'connection refused' } })]).split('\n')[1];
    expect(short).toMatch(/\(connection refused\)$/);
  });

  it('clip never returns more than it was allowed', () => {
    const text = 'x'.repeat(100);
    expect(clip(text, 60)).toHaveLength(60);
    expect(clip(text, 60).endsWith('…')).toBe(true);
  });
});
