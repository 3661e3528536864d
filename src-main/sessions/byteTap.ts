// The recording Duplex that sits between a TLS socket and its TCP socket. A TLS socket created
// on a raw net.Socket hides the ciphertext; routed through this stream, every byte that goes to
// the network or comes from it passes `observe` first, in order, exactly as sent and received.
import { Duplex } from 'node:stream';
import net from 'node:net';
import { MessageChannel } from 'node:worker_threads';

export type TapDirection = 'outbound' | 'inbound';

export interface ByteTapEvents {
  observe(direction: TapDirection, data: Buffer): void;
  /** The TCP connection ended; `initiator` says who closed it first. */
  closed(initiator: 'local' | 'peer' | 'unknown', error: Error | undefined): void;
  /** The tap paused reading or held a write back because its pacer was behind. */
  held?(): void;
  /** The peer closed its sending side (its FIN, or a reset) before this side closed its own. */
  peerEnded?(): void;
}

/**
 * Where the observed bytes go can say it is behind (the recorder, while its backlog waits for the
 * disk): the tap then stops reading from the network and holds back the completion of writes, so
 * that both peers slow down to what can be recorded instead of the backlog growing in memory.
 */
export interface Pacer {
  readonly busy: boolean;
  /** Calls `resume` once the pacer has caught up (at once when it has). */
  whenRelieved(resume: () => void): void;
}

/** Bytes waiting in the socket above which a write completes only once the socket has taken it. */
const COALESCE_LIMIT = 256 * 1024;

/** Outbound writes of at least this many bytes are freed as soon as the socket has sent them. */
export const RELEASED_WRITE_BYTES = 64 * 1024;

/**
 * A port closed at both ends. An ArrayBuffer transferred with a message to it is detached, as
 * every transfer detaches its buffers, and the message goes nowhere: the memory is freed at once.
 */
const nowhere = (() => {
  const { port1, port2 } = new MessageChannel();
  port1.close();
  port2.close();
  return port1;
})();

/**
 * Whether the tap frees `chunk` once the socket has sent it: a large buffer that is a whole
 * ArrayBuffer of its own, as every write of a TLS socket is (JSStreamSocket's C++ side copies each
 * into a fresh one: Buffer::Copy in JSStream::DoWrite). Left to the garbage collector, those copies
 * are external memory V8 learns is free only at its next collection: a download of 1 MiB writes
 * made V8 collect every few megabytes for "external memory pressure", and 100 MB downloaded in a
 * row cost the tap up to twice the CPU per MB of the first (bench notes on issue 4).
 */
function freedOnceSent(chunk: Buffer): boolean {
  return chunk.length >= RELEASED_WRITE_BYTES && chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length && chunk.buffer instanceof ArrayBuffer;
}

/** Chunks freed once sent that a socket still has to send, by buffer: how many writes of each. */
const unsent = new WeakMap<ArrayBuffer, number>();

/**
 * What an observer keeps of a chunk after `observe` returns: the chunk itself, or a copy when the
 * tap frees it once sent (an observer that keeps a large outbound chunk as it is would later find
 * it empty).
 */
export function keptChunk(data: Buffer): Buffer {
  return freedOnceSent(data) ? Buffer.from(data) : data;
}

/**
 * Every write to the tap must be a buffer that nothing else reads once the write is done (what a
 * TLS socket writes is): large ones are freed once sent (freedOnceSent).
 */
export class ByteTap extends Duplex {
  private localEnded = false;
  private peerEnded = false;
  private reported = false;
  /** The TLS side has room for more bytes (false after push() said to stop, until _read). */
  private wanted = true;
  /** Reading is paused until the pacer catches up. */
  private held = false;
  /** finishWith sent the last bytes: what TLS writes afterwards goes nowhere. */
  private muted = false;
  /** The socket is corked by holdForMore until `release` runs. */
  private coalescing = false;
  private releasing = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly events: ByteTapEvents,
    private readonly pacer?: Pacer,
  ) {
    // Large buffers: with the default 16 KiB every 64 KiB TCP read paused and resumed the socket.
    super({ allowHalfOpen: true, readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    socket.on('data', (data: Buffer) => {
      events.observe('inbound', data);
      this.deliver(data);
    });
    socket.on('end', () => {
      this.markPeerEnded();
      this.push(null);
    });
    socket.on('error', (err) => {
      this.markPeerEnded();
      this.report(err);
      this.destroy(err);
    });
    socket.on('close', () => {
      this.report(undefined);
      if (!this.destroyed) this.destroy();
    });
  }

  /** Hands inbound bytes to the TLS side; pauses the socket when it is full or the pacer is behind. */
  private deliver(data: Buffer): void {
    if (!this.push(data)) {
      this.wanted = false;
      this.socket.pause();
    }
    const pacer = this.pacer;
    if (pacer?.busy && !this.held) {
      this.held = true;
      this.socket.pause();
      this.events.held?.();
      pacer.whenRelieved(() => {
        this.held = false;
        if (this.wanted && !this.destroyed) this.socket.resume();
      });
    }
  }

  /**
   * Inbound bytes in a buffer the caller reads into again (a socket opened with `onread`), so
   * that no buffer is allocated per read. Observed, then handed to the TLS side, which copies
   * them before push() returns when it is reading (the stream emits 'data' at once: the same test
   * Node's Readable makes); otherwise a copy waits in the stream.
   */
  inboundView(data: Buffer): void {
    this.events.observe('inbound', data);
    const state = (this as unknown as { _readableState: { flowing: boolean | null; length: number; sync: boolean } })._readableState;
    const atOnce = state.flowing === true && state.length === 0 && !state.sync && this.listenerCount('data') > 0;
    this.deliver(atOnce ? data : Buffer.from(data));
  }

  private markPeerEnded(): void {
    if (this.localEnded || this.peerEnded) return;
    this.peerEnded = true;
    this.events.peerEnded?.();
  }

  private report(error: Error | undefined): void {
    if (this.reported) return;
    this.reported = true;
    const initiator = this.peerEnded ? 'peer' : this.localEnded ? 'local' : 'unknown';
    this.events.closed(initiator, error);
  }

  override _read(): void {
    this.wanted = true;
    if (!this.held) this.socket.resume();
  }

  /** The write's completion, held back while the pacer is behind (an error passes at once). */
  private paced(callback: (error?: Error | null) => void): (error?: Error | null) => void {
    const pacer = this.pacer;
    if (!pacer?.busy) return callback;
    this.events.held?.();
    return (error) => (error ? callback(error) : pacer.whenRelieved(() => callback()));
  }

  /**
   * Sends `last` as the connection's last bytes and closes the sending side; whatever TLS writes
   * afterwards (or has queued here still) never reaches the network. A client that refuses the
   * server's certificate sends its alert in place of the rest of its handshake, as OpenSSL does.
   */
  finishWith(last: Uint8Array): void {
    this.muted = true;
    if (!this.peerEnded) this.localEnded = true;
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.events.observe('outbound', Buffer.from(last));
    this.socket.end(last);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.muted) {
      callback();
      return;
    }
    if (this.socket.connecting) {
      // TLS writes its first flight before TCP is up; it reaches the wire only after connect,
      // and the record must say so.
      this.socket.once('connect', () => this._write(chunk, _encoding, callback));
      return;
    }
    // No copy needed: a TLS socket writes through Node's JSStreamSocket, whose C++ side hands
    // every write over as a fresh Buffer (Buffer::Copy in JSStream::DoWrite) that nobody reuses.
    this.events.observe('outbound', chunk);
    const early = this.holdForMore();
    this.socket.write(chunk, this.freeing(chunk, early ? undefined : this.paced(callback)));
    if (early) this.releaseLater(callback);
  }

  /**
   * The socket write's callback: `callback`, after freeing the chunk when it is one the tap frees
   * once sent (the socket calls it when the bytes are in the kernel, or with the error that ends
   * the write: either way nothing reads the chunk any more).
   */
  private freeing(chunk: Buffer, callback?: (error?: Error | null) => void): ((error?: Error | null) => void) | undefined {
    if (!freedOnceSent(chunk)) return callback;
    // The same buffer written twice (never by TLS, but a caller may) is freed after its last write.
    const buffer = chunk.buffer as ArrayBuffer;
    unsent.set(buffer, (unsent.get(buffer) ?? 0) + 1);
    return (error) => {
      const left = (unsent.get(buffer) ?? 1) - 1;
      if (left > 0) unsent.set(buffer, left);
      else {
        unsent.delete(buffer);
        nowhere.postMessage(null, [buffer]);
      }
      callback?.(error);
    };
  }

  /**
   * Whether this write may be taken as done at once and wait in the corked socket for what TLS
   * writes next (false while the socket or the pacer is behind: then the write completes when the
   * socket has taken it, as backpressure wants). Corks the socket for the rest of this turn.
   */
  private holdForMore(): boolean {
    if (this.pacer?.busy || this.socket.writableLength >= COALESCE_LIMIT) return false;
    if (!this.coalescing) {
      this.coalescing = true;
      this.socket.cork();
    }
    return true;
  }

  /**
   * Completes the write, then sends what waits once TLS has had its turn to write more: Node's
   * JSStreamSocket hands TLS the completion in a setImmediate, and what TLS then writes (the
   * close_notify after the session tickets, say) joins this write in one system call.
   */
  private releaseLater(callback: (error?: Error | null) => void): void {
    callback();
    if (this.releasing) return;
    this.releasing = true;
    process.nextTick(() => setImmediate(this.release));
  }

  private readonly release = () => {
    this.releasing = false;
    if (!this.coalescing) return;
    this.coalescing = false;
    this.socket.uncork();
  };

  /**
   * Everything TLS wrote while the stream was corked (Node's JSStreamSocket corks around each
   * batch of records) goes to the socket as one writev instead of one system call per record.
   */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void {
    if (this.muted) {
      callback();
      return;
    }
    if (this.socket.connecting) {
      this.socket.once('connect', () => this._writev(chunks, callback));
      return;
    }
    for (const { chunk } of chunks) this.events.observe('outbound', chunk);
    const early = this.holdForMore();
    this.socket.cork();
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(chunks[i].chunk, this.freeing(chunks[i].chunk));
    this.socket.write(chunks[last].chunk, this.freeing(chunks[last].chunk, early ? undefined : this.paced(callback)));
    this.socket.uncork();
    if (early) this.releaseLater(callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.muted) {
      callback();
      return;
    }
    if (!this.peerEnded) this.localEnded = true;
    // A net.Socket without allowHalfOpen ends its own side when the peer's FIN arrives; ending it
    // again would fail with ERR_STREAM_ALREADY_FINISHED and turn a good session into a failed one.
    if (this.socket.writableEnded || this.socket.destroyed) {
      callback();
      return;
    }
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.peerEnded && !this.reported) this.localEnded = true;
    // What waits in the corked socket (a fatal alert TLS wrote just before the error that ends the
    // connection) goes out first: destroy() would drop it.
    this.release();
    this.socket.destroy();
    callback(error);
  }
}

/**
 * The one buffer every connection opened by connectTapped reads into (Node allocates 64 KiB per
 * read otherwise). One for all is safe: a read's bytes are handed on, copied, before the callback
 * returns, and the next read (of any socket) comes after. One per connection cost the handshake
 * benchmark more than it saved: 64 KiB of new memory per connection.
 */
const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * A TCP connection with a tap on it whose reads land in one reused buffer rather than a new one
 * each (inboundView): what the tap's observer keeps, it must copy.
 */
export function connectTapped(target: { host: string; port: number }, events: ByteTapEvents, pacer?: Pacer): { socket: net.Socket; tap: ByteTap } {
  const socket = net.connect({
    host: target.host,
    port: target.port,
    onread: {
      buffer: readBuffer,
      callback: (n: number, buffer: Uint8Array) => {
        // The tap exists before the first read: reads start once the socket has connected.
        tap.inboundView(Buffer.from(buffer.buffer, buffer.byteOffset, n));
        return true;
      },
    },
  });
  const tap = new ByteTap(socket, events, pacer);
  return { socket, tap };
}
