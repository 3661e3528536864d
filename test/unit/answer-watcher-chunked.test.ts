// Client replay waits for each live answer to end before the next turn. A large chunked answer
// arrives in many TLS records: its end is found piece by piece, not by joining each piece to all
// the ones before (for 8 MiB in 16 KiB records that copied about 2 GB); bytes that never become a
// head are not kept past 64 KiB.
import { describe, expect, it, vi } from 'vitest';
import { AnswerWatcher } from '../../src-main/replay/httpMatch';

/** Bytes copied into new buffers by concatBytes while counting is on. */
const copied = vi.hoisted(() => ({ on: false, bytes: 0 }));
vi.mock('../../src-main/bytes', async (original) => (await import('../support/copyCounter')).countingBytes(await original(), copied));

const BODY = 8 * 1024 * 1024;
const RECORD = 16 * 1024;

/** A chunked answer of BODY bytes in 4000-byte chunks, then `after` (the next answer's first bytes). */
function chunkedAnswer(after: string): Buffer {
  const parts = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'latin1')];
  for (let left = BODY; left > 0; left -= 4000) {
    const n = Math.min(4000, left);
    parts.push(Buffer.from(`${n.toString(16)}\r\n`, 'latin1'), Buffer.alloc(n, 'x'), Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from(`0\r\n\r\n${after}`, 'latin1'));
  return Buffer.concat(parts);
}

describe('AnswerWatcher, on large answers', () => {
  it('finds its end in the record that holds it, copying about nothing', () => {
    const after = 'HTTP/1.1 200 OK\r\n';
    const all = chunkedAnswer(after);
    const watcher = new AnswerWatcher('GET');
    copied.bytes = 0;
    copied.on = true;
    let end = -1;
    let at = 0;
    try {
      for (; at < all.length && end < 0; at += RECORD) end = watcher.feed(all.subarray(at, at + RECORD));
    } finally {
      copied.on = false;
    }
    // The offset in the record that ended it is where the next answer's bytes begin.
    expect(at - RECORD + end).toBe(all.length - after.length);
    expect(copied.bytes).toBeLessThan(64 * 1024);
  });

  it('a chunk size that is not hex lets the answer run to the close, as before', () => {
    const watcher = new AnswerWatcher('GET');
    expect(watcher.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n', 'latin1'))).toBe(-1);
    expect(watcher.feed(Buffer.from('more', 'latin1'))).toBe(-1);
  });

  it('bytes with no head end in 64 KiB are not kept: the watcher stops joining them and waits for the close', () => {
    const watcher = new AnswerWatcher('GET');
    copied.bytes = 0;
    copied.on = true;
    try {
      for (let i = 0; i < 512; i++) expect(watcher.feed(Buffer.alloc(RECORD, 'x'))).toBe(-1);
    } finally {
      copied.on = false;
    }
    // Joined up to the limit once (about 64 KiB copied four times over), not 8 MiB 512 times.
    expect(copied.bytes).toBeLessThan(1024 * 1024);
  });
});
