// The lab server's responders driven without a socket: a stream plays the client.
import { Duplex } from 'node:stream';
import type { ServerResponder } from '../../src-main/api/serverTypes';
import { serveHttp } from '../../src-main/sessions/serverResponders';

/** A stream that plays the client: what is pushed in is the request, what is written is the answer. */
export class FakeClient extends Duplex {
  written: Buffer[] = [];
  ended = false;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    done();
  }
  override _final(done: () => void): void {
    this.ended = true;
    done();
  }
  text(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}

/** Sends `request` (whole, or in the pieces given) to an HTTP responder and reads what it answered. */
export async function askResponder(request: string | Buffer[], responder: ServerResponder): Promise<{ text: string; status: number; closed: boolean }> {
  const client = new FakeClient();
  serveHttp(client, responder, { host: null, version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, 'localhost', undefined, { answered: () => undefined, note: () => undefined });
  for (const piece of typeof request === 'string' ? [Buffer.from(request, 'latin1')] : request) client.push(piece);
  // Answers are written synchronously on data; a tick lets the stream deliver what was pushed.
  await new Promise((r) => setImmediate(r));
  const text = client.text();
  return { text, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), closed: client.ended };
}
