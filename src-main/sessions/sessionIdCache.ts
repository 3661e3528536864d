// Resumption by session ID for a server that sends no tickets. Node switches OpenSSL's own
// server-side session cache off, so such a server resumed nothing (openssl s_server, with its
// internal cache, does). This bounded cache answers OpenSSL through the newSession and
// resumeSession events Node raises on the object given as a TLS socket's `server`: TLS 1.2
// session IDs, and TLS 1.3's stateful tickets (an ID the server looks up). OpenSSL still checks
// each session's lifetime when it resumes one.
import { EventEmitter } from 'node:events';

const DEFAULT_LIMIT = 1024;

export class SessionIdCache {
  /** Given as the TLS socket's `server` option; Node emits the session events on it. */
  readonly events = new EventEmitter();
  private readonly sessions = new Map<string, Buffer>();

  constructor(private readonly limit = DEFAULT_LIMIT) {
    this.events.on('newSession', (id: Buffer, session: Buffer, done: () => void) => {
      this.put(id.toString('hex'), session);
      done();
    });
    this.events.on('resumeSession', (id: Buffer, done: (err: Error | null, session: Buffer | null) => void) => {
      done(null, this.sessions.get(id.toString('hex')) ?? null);
    });
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The newest `limit` sessions stay; the oldest goes first. */
  private put(key: string, session: Buffer): void {
    this.sessions.delete(key);
    this.sessions.set(key, session);
    if (this.sessions.size > this.limit) this.sessions.delete(this.sessions.keys().next().value as string);
  }
}
