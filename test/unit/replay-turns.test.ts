// Client replay's turns: which recorded bytes go out together, and when an HTTP answer has come
// so that the next turn may go.
import { describe, expect, it } from 'vitest';
import type { PlainSegment } from '../../src-main/replay/recordedTraffic';
import { replayPayload } from '../../src-main/replay/clientReplay';
import { AnswerWatcher } from '../../src-main/replay/httpMatch';

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const client = (s: string, t = 0): PlainSegment => ({ direction: 'client-to-server', t, data: bytes(s) });
const server = (s: string, t = 0): PlainSegment => ({ direction: 'server-to-client', t, data: bytes(s) });
const traffic = (segments: PlainSegment[]) => ({
  segments,
  clientBytes: Buffer.concat(segments.filter((s) => s.direction === 'client-to-server').map((s) => s.data)),
});

/** Feeds the pieces in turn; where the answer ended: [piece, offset], or null. */
function endOf(watcher: AnswerWatcher, pieces: string[]): [number, number] | null {
  for (const [i, p] of pieces.entries()) {
    const end = watcher.feed(bytes(p));
    if (end >= 0) return [i, end];
  }
  return null;
}

describe('AnswerWatcher', () => {
  it('ends a Content-Length answer after its body, across reads, and says where in the last read', () => {
    expect(endOf(new AnswerWatcher('GET'), ['HTTP/1.1 200 OK\r\nContent-', 'Length: 5\r\n\r\nab', 'cdeXTRA'])).toEqual([2, 3]);
    expect(endOf(new AnswerWatcher('GET'), ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1'])).toEqual([0, 40]);
  });

  it('ends a chunked answer at the empty line after its last chunk, not at a chunk that looks like an end', () => {
    const w = new AnswerWatcher('GET');
    expect(w.feed(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n0\r\n\r\n\r\n'))).toBe(-1);
    expect(w.feed(bytes('0\r\n\r\n'))).toBe(5);
  });

  it('takes the final answer after an interim 100 Continue; HEAD, 204 and 304 end at their head', () => {
    expect(endOf(new AnswerWatcher('POST'), ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'])).toEqual([0, 64]);
    expect(endOf(new AnswerWatcher('HEAD'), ['HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n'])).toEqual([0, 39]);
    expect(endOf(new AnswerWatcher('GET'), ['HTTP/1.1 304 Not Modified\r\nETag: "a"\r\n\r\n'])).toEqual([0, 40]);
  });

  it('never ends an answer that runs to the close, nor bytes that are not HTTP', () => {
    expect(endOf(new AnswerWatcher('GET'), ['HTTP/1.0 200 OK\r\n\r\nbody', ' more'])).toBeNull();
    expect(endOf(new AnswerWatcher('GET'), ['220 mail.example ESMTP\r\n\r\n'])).toBeNull();
  });
});

describe('replayPayload', () => {
  it('sends requests the client pipelined, or a single request, at once, as recorded', () => {
    const pipelined = traffic([client('GET /a HTTP/1.1\r\n\r\n'), client('GET /b HTTP/1.1\r\n\r\n'), server('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')]);
    expect(replayPayload(pipelined)).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(replayPayload(pipelined) as Uint8Array).toString()).toBe('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
  });

  it('sends the requests of a client that waited in turns, each once the answers to the one before have come', () => {
    const paced = replayPayload(
      traffic([
        client('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'),
        server('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'),
        server('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb'),
        client('GET /c HTTP/1.1\r\n\r\n'),
        server('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc'),
      ]),
    );
    if (paced instanceof Uint8Array) throw new Error('expected turns');
    expect(paced.turns.map((t) => Buffer.from(t).toString())).toEqual(['GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n', 'GET /c HTTP/1.1\r\n\r\n']);
    // The first turn held two requests: it is answered once both answers have come.
    const first = paced.answer(0);
    expect(first.feed(bytes('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'))).toBe(-1);
    expect(first.feed(bytes('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb'))).toBe(39);
  });

  it('a turn that is not HTTP waits for the server\'s first bytes after it', () => {
    const paced = replayPayload(traffic([server('220 hello\r\n'), client('EHLO lab\r\n'), server('250 ok\r\n'), client('QUIT\r\n')]));
    if (paced instanceof Uint8Array) throw new Error('expected turns');
    expect(paced.turns).toHaveLength(2);
    const answer = paced.answer(0);
    expect(answer.feed(new Uint8Array(0))).toBe(-1);
    expect(answer.feed(bytes('250 ok\r\n'))).toBe(8);
  });
});
