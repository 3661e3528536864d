// The byte tap on a real loopback socket: what it sees, and how it ends.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteTap, connectTapped, type TapDirection } from '../../src-main/sessions/byteTap';
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
    await waitUntil('the client to read all 16 MiB', () => read === 2 * big.length, { intervalMs: 5 });

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
});
