// The server's session-ID cache answers Node's resumeSession with what newSession stored, and
// keeps only the newest sessions.
import { describe, expect, it } from 'vitest';
import { SessionIdCache } from '../../src-main/sessions/sessionIdCache';

function store(cache: SessionIdCache, id: string, data: string): void {
  let done = false;
  cache.events.emit('newSession', Buffer.from(id, 'hex'), Buffer.from(data), () => (done = true));
  expect(done).toBe(true);
}

function lookup(cache: SessionIdCache, id: string): string | null {
  let found: Buffer | null | undefined;
  cache.events.emit('resumeSession', Buffer.from(id, 'hex'), (err: Error | null, session: Buffer | null) => {
    expect(err).toBeNull();
    found = session;
  });
  expect(found).not.toBeUndefined();
  return found ? found.toString() : null;
}

describe('session-ID cache', () => {
  it('gives back a stored session, nothing for an unknown ID, and forgets the oldest past its limit', () => {
    const cache = new SessionIdCache(2);
    store(cache, 'aa', 'first');
    store(cache, 'bb', 'second');
    expect(lookup(cache, 'aa')).toBe('first');
    expect(lookup(cache, 'cc')).toBeNull();
    store(cache, 'cc', 'third');
    expect(cache.size).toBe(2);
    expect(lookup(cache, 'aa')).toBeNull();
    expect(lookup(cache, 'bb')).toBe('second');
    expect(lookup(cache, 'cc')).toBe('third');
  });
});
