// The replay panel's table of requests: the replay's column says whether its answer to each
// request is the original's bytes, another answer (and which), or none.
import { describe, expect, it } from 'vitest';
import { replayedAnswer } from '../../../src-renderer/src/lib/replay-view';

const base = { number: 1, request: 'GET /one', original: 'HTTP/1.1 200 OK', replayed: 'HTTP/1.1 200 OK', identical: false };

describe('the replay column of the table of requests', () => {
  it('names the same bytes, a changed answer, and a missing one', () => {
    expect(replayedAnswer({ ...base, identical: true })).toBe('the same bytes as the original');
    expect(replayedAnswer(base)).toBe('HTTP/1.1 200 OK (differs)');
    expect(replayedAnswer({ ...base, replayed: 'HTTP/1.1 404 Not Found' })).toBe('HTTP/1.1 404 Not Found (differs)');
    expect(replayedAnswer({ ...base, replayed: null })).toBe('no answer');
    expect(replayedAnswer({ ...base, original: null })).toBe('HTTP/1.1 200 OK');
  });
});
