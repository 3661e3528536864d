// The line diff a replay shows between the original answer and the replay's.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { answersDiff, responseSide } from '../../src-main/replay/clientReplay';
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

describe('replay answer text', () => {
  const request = new TextEncoder().encode('GET /gz HTTP/1.1\r\nHost: www.bank32.com\r\nAccept-Encoding: gzip\r\n\r\n');
  const gzipped = (text: string) => {
    const body = zlib.gzipSync(text);
    return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  };

  it('a gzip-encoded, chunked body is shown decoded, so the diff names the changed line', () => {
    const original = responseSide(1, gzipped('balance: 100\nowner: alice\n'), request);
    const replayed = responseSide(2, gzipped('balance: 250\nowner: alice\n'), request);
    expect(original.text).toMatch(/\[chunked, gzip body of \d+ bytes, shown decoded\]\nbalance: 100\nowner: alice\n$/);
    const changed = diffLines(original.text, replayed.text).lines.filter((l) => l.op !== 'same');
    expect(changed).toEqual([
      { op: 'removed', text: 'balance: 100' },
      { op: 'added', text: 'balance: 250' },
    ]);
  });

  it('a binary body is named, not shown', () => {
    const png = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 12\r\n\r\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])]);
    expect(responseSide(1, png, request).text).toBe('HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 12\r\n\r\n[12 bytes of binary body (image/png): not shown]');
  });
});

describe('answers a recording cap cut', () => {
  const request = new TextEncoder().encode('GET /big.txt HTTP/1.0\r\nHost: www.bank32.com\r\n\r\n');
  const answer = Buffer.from(`HTTP/1.0 200 OK\r\nContent-Length: 9999\r\n\r\n${Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n')}`);
  const side = (sessionId: number, kept: number, notStored: number) => {
    const serverBytes = answer.subarray(0, kept);
    return { sessionId, serverBytes, clientBytes: request, notStored, text: responseSide(sessionId, serverBytes, request).text };
  };

  it('are compared as far as both were kept: where each cut fell is no difference', () => {
    // The cap fell at different places in the two runs (the records fell differently).
    const diff = answersDiff(side(1, 200, 5000), side(2, 260, 4940));
    expect(diff.identical).toBe(true);
    expect(diff.lines.every((l) => l.op === 'same')).toBe(true);
  });

  it('still differ where both kept different bytes, and without a cap every byte counts', () => {
    const changed = { ...side(2, 260, 4940), serverBytes: Buffer.from(answer.subarray(0, 260).toString('latin1').replace('line 3', 'line X'), 'latin1') };
    changed.text = responseSide(2, changed.serverBytes, request).text;
    expect(answersDiff(side(1, 200, 5000), changed).identical).toBe(false);
    expect(answersDiff(side(1, 200, 0), side(2, 260, 0)).identical).toBe(false);
  });
});
