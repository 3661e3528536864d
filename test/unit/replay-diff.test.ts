// The line diff a replay shows between the original answer and the replay's.
import { describe, expect, it } from 'vitest';
import { diffLines } from '../../src-main/replay/httpMatch';

describe('replay answer diff', () => {
  it('an answer where the original had none shows every line of it as added, empty lines included', () => {
    const { lines } = diffLines('', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    expect(lines).toEqual([
      { op: 'added', text: 'HTTP/1.1 200 OK' },
      { op: 'added', text: 'Content-Length: 3' },
      { op: 'added', text: '' },
      { op: 'added', text: 'abc' },
    ]);
  });

  it('no answer on the replay side shows every original line as removed', () => {
    expect(diffLines('a\n\nb', '').lines.map((l) => l.op)).toEqual(['removed', 'removed', 'removed']);
  });
});
