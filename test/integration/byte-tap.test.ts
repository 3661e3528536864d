// The byte tap on a real loopback socket: what it sees, and how it ends.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteTap, connectTapped, keptChunk, RELEASED_WRITE_BYTES, type TapDirection } from '../../src-main/sessions/byteTap';
import { makeServerPki } from '../support/serverPki';
import { waitUntil } from '../support/waitUntil';

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A connected pair: the accepted socket (as a server session gets it) and the client. */
async function pair(): Promise<{ accepted: net.Socket; client: net.Socket }> {
  const server = net.createServer();
  servers.push(server);
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  return { accepted: await accepted, client };
}

describe('the byte tap', () => {
  it('sees the bytes each way, in order', async () => {
    const { accepted, client } = await pair();
    const seen: [TapDirection, string][] = [];
    const tap = new ByteTap(accepted, { observe: (d, data) => seen.push([d, data.toString()]), closed: () => undefined });
    const echoed = new Promise<string>((resolve) => client.once('data', (d) => resolve(d.toString())));
    tap.once('data', (d: Buffer) => tap.write(Buffer.from(`echo ${d}`)));
    client.write('hello');
    expect(await echoed).toBe('echo hello');
    expect(seen).toEqual([['inbound', 'hello'], ['outbound', 'echo hello']]);
    client.destroy();
  });

  it('ends cleanly after the peer closed first (no ERR_STREAM_ALREADY_FINISHED), and says the peer closed', async () => {
    const { accepted, client } = await pair();
    let reportClosed: (initiator: string) => void = () => undefined;
    const closedBy = new Promise<string>((resolve) => (reportClosed = resolve));
    const tap = new ByteTap(accepted, { observe: () => undefined, closed: (initiator) => reportClosed(initiator) });
    const errors: Error[] = [];
    tap.on('error', (err) => errors.push(err));
    tap.resume();
    const peerEnded = new Promise<void>((resolve) => tap.once('end', resolve));
    client.end();
    await peerEnded;
    // The accepted socket has no allowHalfOpen: Node has already ended its side by now.
    expect(accepted.writableEnded).toBe(true);
    if (!accepted.writableFinished) await new Promise((resolve) => accepted.once('finish', resolve));
    await new Promise<void>((resolve) => tap.end(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([]);
    expect(await closedBy).toBe('peer');
  });

  it('over a socket that reads into one reused buffer (connectTapped): every byte reaches the reader intact, whether it reads at once or later', async () => {
    const server = net.createServer();
    servers.push(server);
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const seen: string[] = [];
    const { socket, tap } = connectTapped({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1' }, { observe: (_d, data) => seen.push(data.toString()), closed: () => undefined });
    const peer = await accepted;
    const message = 'the quick brown fox jumps over the lazy dog';

    // Not reading yet: what arrives waits in the tap, and must be a copy (the buffer is read into
    // again): two reads, the second into the buffer the first was read into.
    const half = message.length / 2 + 0.5;
    peer.write(message.slice(0, half));
    await waitUntil('the tap to see the first half of the message', () => seen.join('').length >= half, { intervalMs: 5 });
    peer.write(message.slice(half));
    await waitUntil('the tap to see the whole message', () => seen.join('').length >= message.length, { intervalMs: 5 });
    expect(seen).toHaveLength(2);
    const later: Buffer[] = [];
    tap.on('data', (d: Buffer) => later.push(Buffer.from(d)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(later).toString()).toBe(message);

    // Reading: handed over as it comes, copied by the reader before the next read.
    later.length = 0;
    peer.write(message.toUpperCase());
    await waitUntil('the reader to be handed the whole message', () => Buffer.concat(later).length >= message.length, { intervalMs: 5 });
    expect(Buffer.concat(later).toString()).toBe(message.toUpperCase());
    expect(seen.join('')).toBe(message + message.toUpperCase());
    socket.destroy();
    peer.destroy();
  });

  /** Counts the system-call-sized writes a socket makes: one per _write or _writev Node's stream hands it. */
  function countWrites(socket: net.Socket): { writes: number } {
    const counted = { writes: 0 };
    const own = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    const write = own._write;
    const writev = own._writev;
    own._write = function (this: unknown, ...a: unknown[]) {
      counted.writes++;
      write.apply(this, a);
    };
    own._writev = function (this: unknown, ...a: unknown[]) {
      counted.writes++;
      writev.apply(this, a);
    };
    return counted;
  }

  it('sends what is written once the previous write completed, in the same turn, with it in one write (as TLS writes the close_notify after the session tickets)', async () => {
    const { accepted, client } = await pair();
    const counted = countWrites(accepted);
    const tap = new ByteTap(accepted, { observe: () => undefined, closed: () => undefined });
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    // Node's JSStreamSocket hands TLS a write's completion in a setImmediate; TLS then writes what it has.
    tap.write(Buffer.from('tickets;'), () => setImmediate(() => tap.write(Buffer.from('close_notify'))));
    await waitUntil('the client to receive both writes', () => Buffer.concat(received).length === 20, { intervalMs: 5 });
    expect(Buffer.concat(received).toString()).toBe('tickets;close_notify');
    expect(counted.writes).toBe(1);
    client.destroy();
  });

  it('holds a write back until the socket has taken it once the socket is behind (bounded memory), and sends what waits before it is destroyed', async () => {
    const { accepted, client } = await pair();
    client.pause();
    const tap = new ByteTap(accepted, { observe: () => undefined, closed: () => undefined });
    const big = Buffer.alloc(8 * 1024 * 1024, 0x61);
    let firstDone = false;
    let secondDone = false;
    tap.write(big, () => (firstDone = true));
    tap.write(big, () => (secondDone = true));
    await waitUntil('the first write to complete', () => firstDone, { intervalMs: 5 });
    // The client reads nothing: the kernel's buffers cannot hold 16 MiB, so the second waits.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(secondDone).toBe(false);
    expect(accepted.writableLength).toBeGreaterThan(big.length);
    let read = 0;
    client.on('data', (d: Buffer) => (read += d.length));
    client.resume();
    await waitUntil('the second write to complete once the client reads', () => secondDone, { intervalMs: 5 });
    // (Not 2 * big.length: the tap frees a large buffer once its last write is sent.)
    await waitUntil('the client to read all 16 MiB', () => read === 16 * 1024 * 1024, { intervalMs: 5 });

    // A write taken at once waits in the corked socket for the rest of the turn; destroying the
    // tap in that turn still sends it (a fatal alert written just before the error that ends the
    // connection).
    let tail = '';
    client.on('data', (d: Buffer) => (tail += d.toString('latin1')));
    const closed = new Promise((resolve) => client.once('close', resolve));
    tap.write(Buffer.from('alert'));
    tap.destroy();
    await closed;
    expect(tail.endsWith('alert')).toBe(true);
  });

  it("frees a TLS socket's large writes once sent: the client gets every byte, and what an observer kept with keptChunk stays whole", async () => {
    const pki = await makeServerPki();
    const { accepted, client } = await pair();
    const secureContext = tls.createSecureContext({ cert: fs.readFileSync(pki.rsa.cert), key: fs.readFileSync(pki.rsa.key) });
    const large: { chunk: Buffer; copy: Buffer; digest: string }[] = [];
    const digest = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const tap = new ByteTap(accepted, {
      observe: (direction, data) => {
        if (direction === 'outbound' && data.length >= RELEASED_WRITE_BYTES) large.push({ chunk: data, copy: keptChunk(data), digest: digest(data) });
      },
      closed: () => undefined,
    });
    const body = crypto.randomBytes(4 * 1024 * 1024 + 123);
    const server = new tls.TLSSocket(tap, { isServer: true, secureContext });
    server.on('secure', () => {
      // As the workbench's servers send a file: 1 MiB writes.
      for (let at = 0; at < body.length; at += 1024 * 1024) server.write(body.subarray(at, at + 1024 * 1024));
      server.end();
    });
    const secure = tls.connect({ socket: client, rejectUnauthorized: false });
    const received: Buffer[] = [];
    secure.on('data', (d: Buffer) => received.push(d));
    await new Promise((resolve) => secure.once('end', resolve));
    expect(Buffer.concat(received).equals(body)).toBe(true);
    // TLS wrote the body in large pieces; each was freed (its memory given back) once sent, and
    // the copies kept of them are as they were when seen.
    expect(large.length).toBeGreaterThan(0);
    expect(large.reduce((n, l) => n + l.copy.length, 0)).toBeGreaterThan(body.length);
    for (const l of large) {
      expect(l.chunk.length).toBe(0);
      expect(digest(l.copy)).toBe(l.digest);
    }
    secure.destroy();
  });

  it('frees a buffer written twice only after its second write is sent (both arrive whole)', async () => {
    const { accepted, client } = await pair();
    client.pause();
    const tap = new ByteTap(accepted, { observe: () => undefined, closed: () => undefined });
    // More than the kernel's buffers hold on loopback, so that the first write is still being sent.
    const big = crypto.randomBytes(16 * 1024 * 1024);
    const expected = Buffer.concat([big, big]);
    tap.write(big);
    // The first write is in the kernel's and the socket's hands (the client reads nothing yet):
    // the second is a write of its own, sent after the first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accepted.writableLength).toBeGreaterThan(0);
    tap.write(big);
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    client.resume();
    await waitUntil('the client to read both writes', () => received.reduce((n, d) => n + d.length, 0) >= expected.length, { intervalMs: 5 });
    expect(Buffer.concat(received).equals(expected)).toBe(true);
    await waitUntil('the buffer to be freed after its last write', () => big.length === 0, { intervalMs: 5 });
    client.destroy();
  });
});
