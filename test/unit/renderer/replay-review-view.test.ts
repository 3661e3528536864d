// The replay panel's table of requests: the replay's column says whether its answer to each
// request is the original's bytes, another answer (and which), or none.
import { describe, expect, it } from 'vitest';
import { foldUnchanged, replayedAnswer } from '../../../src-renderer/src/lib/replay-view';

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

describe('folding the diff of several answers', () => {
  it('keeps the line naming the request of each change in view, and folds the rest', () => {
    const same = (text: string) => ({ kind: 'same' as const, left: text, right: text });
    const rows = [
      same('[answer 1 of 2, to GET /same]'), same('HTTP/1.1 200 OK'), same('A: 1'), same('B: 2'), same('C: 3'), same(''), same('the same'),
      same('[answer 2 of 2, to GET /counter]'), same('HTTP/1.1 200 OK'), same('A: 1'), same('B: 2'), same('C: 3'), same('D: 4'), same(''),
      { kind: 'changed' as const, left: 'visit 1', right: 'visit 2' },
    ];
    expect(foldUnchanged(rows)).toEqual([
      { kind: 'fold', count: 7 },
      same('[answer 2 of 2, to GET /counter]'),
      { kind: 'fold', count: 3 },
      same('C: 3'), same('D: 4'), same(''),
      { kind: 'changed', left: 'visit 1', right: 'visit 2' },
    ]);
  });
});
