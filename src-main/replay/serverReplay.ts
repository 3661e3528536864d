// Server replay: a loopback listener that answers new clients from recorded server responses,
// offline. Certificates are forged by a workshop CA for the recorded host names (and any other
// name a client asks for by SNI); HTTP requests find their recorded answer by method, path and
// query; other sessions get the server's bytes in their recorded order. Every connection is
// recorded as a server session, like a lab server's.
import net from 'node:net';
import tls from 'node:tls';
import type { ReplayServerInfo, ReplayServerRequest, UnmatchedPolicy } from '../api/replayTypes';
import type { SessionSummary } from '../api/types';
import { WorkbenchError } from '../errors';
import type { RecordedSession } from '../export/recordedSession';
import { parseEndpoint } from '../sessions/clientSession';
import type { BatchWriter } from '../sessions/recorder';
import { findHeadEnd } from '../sessions/httpHead';
import { MAX_REQUEST_HEAD_BYTES, REFUSAL_REASONS, oversizeHead } from '../sessions/httpFraming';
import { CONTINUE, type ResponderHooks } from '../sessions/serverResponders';
import { recordingListener, type AcceptedConnection, type AcceptingServer } from '../sessions/serverSession';
import { loopbackHost } from '../sessions/tlsServer';
import { PortInUseError } from '../store/runningElsewhere';
import type { ForgedIdentity } from '../workshop/workshop';
import { concatBytes as concat } from '../bytes';
import { ChunkedEnd, ExchangeIndex, isConditional, looksLikeHttpRequest, speaksHttp2, matchKey, pairExchanges, readLiveRequestHead, headerValue, responseHead, type LiveRequestHead, type ParsedRequest, type RecordedExchange } from './httpMatch';
import { sessionHostnames, sessionTraffic, type PlainSegment } from './recordedTraffic';
import { plural } from '../api/words';

export const DEFAULT_REPLAY_LISTEN = '127.0.0.1:4433';
/** The tag every session made by replay carries. */
export const REPLAY_TAG = 'replay';
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** The largest request body a live client may send, unless the recording holds a larger one (as the lab servers). */
export const MAX_REPLAY_BODY_BYTES = 8 * 1024 * 1024;

function limitText(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes} bytes`;
}

export interface ReplayServerDeps {
  writer: BatchWriter;
  load(id: number): RecordedSession;
  forge(caName: string, hostname: string): Promise<ForgedIdentity>;
  recordCapBytes?: number;
  onSessionUpdate?: (summary: SessionSummary, created: boolean) => void;
  onChange?: () => void;
}

/** A recorded non-HTTP connection: the turns of the conversation, and who closed. */
interface RecordedStream {
  sessionId: number;
  hostnames: string[];
  turns: { direction: PlainSegment['direction']; data: Uint8Array }[];
  serverClosed: boolean;
}

interface Identity {
  context: tls.SecureContext;
  ders: Uint8Array[];
}

function turnsOf(segments: readonly PlainSegment[]): RecordedStream['turns'] {
  const turns: RecordedStream['turns'] = [];
  for (const s of segments) {
    const last = turns[turns.length - 1];
    if (last && last.direction === s.direction) last.data = concat([last.data, s.data]);
    else turns.push({ direction: s.direction, data: s.data });
  }
  return turns;
}

/** A short text answer; `headOnly` for a HEAD request, which gets the head and never a body. */
function plainAnswer(status: number, reason: string, text: string, keepAlive: boolean, headOnly = false): Buffer {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([
    Buffer.from(
      [`HTTP/1.1 ${status} ${reason}`, 'Server: tlslab-replay', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${body.length}`, `Connection: ${keepAlive ? 'keep-alive' : 'close'}`, '', ''].join('\r\n'),
      'latin1',
    ),
    headOnly ? Buffer.alloc(0) : body,
  ]);
}

function wantsClose(request: ParsedRequest): boolean {
  const connection = (headerValue(request, 'connection') ?? '').toLowerCase();
  return request.version === 'HTTP/1.0' ? !connection.includes('keep-alive') : connection.includes('close');
}

export class ReplayServer {
  private listener: net.Server | null = null;
  private readonly open = new Set<AcceptedConnection>();
  private readonly identities = new Map<string, Identity>();
  private readonly forging = new Map<string, Promise<Identity>>();
  private index: ExchangeIndex = new ExchangeIndex([]);
  private exchanges: RecordedExchange[] = [];
  private streams: RecordedStream[] = [];
  private readonly streamCursor = new Map<string, number>();
  private hostnames: string[] = [];
  /** The largest request body taken from a live client: 8 MiB, or the largest recorded one. */
  private bodyLimit = MAX_REPLAY_BODY_BYTES;
  private readonly notes: string[] = [];
  private host = '127.0.0.1';
  private port = 0;
  private readonly startedAt = Date.now();
  connections = 0;
  matched = 0;
  unmatchedRequests = 0;

  constructor(
    readonly id: number,
    readonly request: ReplayServerRequest,
    private readonly deps: ReplayServerDeps,
  ) {}

  get unmatched(): UnmatchedPolicy {
    return this.request.unmatched ?? '404';
  }

  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  info(): ReplayServerInfo {
    return {
      id: this.id,
      label: this.request.label?.trim() || `replay of ${this.request.ids.map((i) => `#${i}`).join(', ')}`,
      address: this.address,
      host: this.host,
      port: this.port,
      ca: this.request.ca,
      sessions: [...this.request.ids],
      hostnames: [...this.hostnames],
      unmatched: this.unmatched,
      ignoreHost: this.request.ignoreHost === true,
      ignoreBody: this.request.ignoreBody === true,
      exchanges: this.index.size,
      requests: this.index.keys(),
      streams: this.streams.length,
      notes: [...this.notes],
      connections: this.connections,
      matched: this.matched,
      unmatchedRequests: this.unmatchedRequests,
      listening: this.listener !== null,
      startedAt: this.startedAt,
    };
  }

  /** Reads the recordings, forges the certificates and listens; any problem is one clear error. */
  async start(): Promise<ReplayServerInfo> {
    const request = this.request;
    if (!request.ids.length) throw new WorkbenchError('BAD_INPUT', 'give at least one session to serve, like: tlslab replay-server 12 --ca "Lab Root"');
    if (!['404', '502', 'close'].includes(this.unmatched)) throw new WorkbenchError('BAD_INPUT', `unmatched requests are answered with 404, 502 or close, not "${String(request.unmatched)}"`);
    const listen = parseEndpoint(request.listen?.trim() || DEFAULT_REPLAY_LISTEN, 4433);
    this.host = loopbackHost(listen.host, '--listen');
    if (!Number.isInteger(listen.port) || listen.port < 0 || listen.port > 65535) {
      throw new WorkbenchError('PORT_OUT_OF_RANGE', `the port ${listen.port} is out of range; a TCP port is a whole number from 1 to 65535 (0 picks a free one)`);
    }

    const names = new Set<string>();
    let notStored = 0;
    /** Connections that spoke HTTP/2, which is not played back (its frames fit only the client that sent them). */
    const http2: string[] = [];
    for (const id of [...new Set(request.ids)]) {
      const session = this.deps.load(id);
      const hostnames = sessionHostnames(session);
      for (const traffic of sessionTraffic(session, id)) {
        const cut = traffic.notStored.serverToClient;
        notStored += cut;
        if (cut > 0) {
          this.notes.push(
            `the recording of session ${id} kept only the start of the server's answers (${cut} more bytes were counted, not stored, past the recording cap): an answer cut there is served as far as it was stored, then the connection is closed`,
          );
        }
        if (traffic.segments.length === 0) continue;
        if (speaksHttp2(traffic.clientBytes)) {
          http2.push(`session ${id}${session.connections.length > 1 ? ` (connection ${traffic.index + 1})` : ''}`);
          continue;
        }
        if (looksLikeHttpRequest(traffic.clientBytes)) {
          const pairs = pairExchanges(traffic.clientBytes, traffic.serverBytes, session.sni);
          this.exchanges.push(...pairs);
          const unanswered = pairs.filter((p) => !p.response).map((p) => `${p.request.method} ${p.request.target}`);
          if (unanswered.length) {
            this.notes.push(`session ${id} recorded no answer to ${unanswered.join(', ')}${cut > 0 ? ' (past the recording cap)' : ''}: such a request gets the unmatched answer`);
          }
          for (const p of pairs) if (p.host && !/^[\d.]+$/.test(p.host) && !p.host.includes(':')) names.add(p.host);
        } else if (traffic.serverBytes.length > 0 || traffic.clientBytes.length > 0) {
          this.streams.push({ sessionId: id, hostnames, turns: turnsOf(traffic.segments), serverClosed: traffic.serverClosed });
        }
      }
      for (const n of hostnames) names.add(n);
    }
    this.index = new ExchangeIndex(this.exchanges, { ignoreHost: request.ignoreHost, ignoreBody: request.ignoreBody });
    // A recorded upload larger than the usual limit must still replay.
    for (const e of this.exchanges) this.bodyLimit = Math.max(this.bodyLimit, e.request.body.length);
    if (http2.length) {
      const what = `${http2.join(', ')} spoke HTTP/2 (ALPN h2)`;
      if (this.index.size === 0 && this.streams.length === 0) {
        throw new WorkbenchError('HTTP2_NOT_REPLAYED', `${what}, which the replay server cannot play back: it answers HTTP/1.x requests from recorded HTTP/1.x answers. ${HTTP2_ADVICE}`);
      }
      this.notes.push(`${what} and ${http2.length === 1 ? 'is' : 'are'} left out: the replay server answers HTTP/1.x only. ${HTTP2_ADVICE}`);
    }
    if (this.index.size === 0 && this.streams.length === 0 && notStored > 0) {
      throw new WorkbenchError(
        'NOT_STORED',
        `the server's answers in session${request.ids.length > 1 ? 's' : ''} ${request.ids.join(', ')} lie past the recording cap (${notStored} bytes were counted, not stored), so there is nothing to play back; record the session again with a larger recording cap`,
      );
    }
    if (this.index.size === 0 && this.streams.length === 0) {
      throw new WorkbenchError('NO_APPLICATION_DATA', `session${request.ids.length > 1 ? 's' : ''} ${request.ids.join(', ')} recorded no server answer to play back; choose sessions where the server sent data`);
    }
    this.hostnames = names.size ? [...names] : ['localhost'];
    // Forging the default name first checks the CA (unknown CA, locked key) before listening.
    const defaultIdentity = await this.identity(this.hostnames[0]);
    for (const name of this.hostnames.slice(1)) await this.identity(name);

    const accepting: AcceptingServer = {
      id: this.id,
      label: this.info().label,
      address: '',
      defaultContext: defaultIdentity.context,
      sniCallback: (servername, cb) => {
        this.identity(servername).then(
          (found) => cb(null, found.context),
          () => cb(null, defaultIdentity.context),
        );
      },
      localCertificates: (servername) => (servername && this.identities.get(servername.toLowerCase())?.ders) || defaultIdentity.ders,
      pageFor: () => undefined,
      requestCert: false,
      requireCert: false,
      clientCaDescription: null,
      alpn: this.index.size > 0 ? ['http/1.1', 'http/1.0'] : undefined,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      responder: { kind: 'plain' },
      serve: (stream, facts, hooks) => this.serve(stream, facts.sni, hooks),
    };

    const listener = recordingListener(
      accepting,
      {
        writer: this.deps.writer,
        recordCapBytes: this.deps.recordCapBytes,
        label: { tags: [REPLAY_TAG] },
        onUpdate: (summary, created) => this.deps.onSessionUpdate?.(summary, created),
      },
      this.open,
      { accepted: () => this.connections++, changed: () => this.deps.onChange?.(), describe: () => `the replay server ${this.address}` },
    );
    await new Promise<void>((resolve, reject) => {
      listener.once('error', (err: NodeJS.ErrnoException) => reject(this.listenError(err, listen.port)));
      listener.listen({ host: this.host, port: listen.port, backlog: 512 }, () => resolve());
    });
    listener.on('error', (err) => process.stderr.write(`tlslab: the replay server on ${this.address} failed: ${err.message}\n`));
    this.port = (listener.address() as net.AddressInfo).port;
    accepting.address = this.address;
    this.listener = listener;
    return this.info();
  }

  private listenError(err: NodeJS.ErrnoException, port: number): WorkbenchError {
    switch (err.code) {
      case 'EADDRINUSE':
      {
        // The replay manager names the holder when the data folder's running/ knows it.
        const instead = `choose another with --listen ${this.host}:${port === 4433 ? 4434 : 4433}`;
        return new PortInUseError(this.host, port, `port ${port} on ${this.host}`, instead,
          `port ${port} on ${this.host} is already in use (a lab server or another replay server); stop it, or ${instead}`);
      }
      case 'EACCES':
      case 'EPERM':
        return new WorkbenchError('PRIVILEGED_PORT', `port ${port} is below 1024 and only an administrator may listen on it; use --listen ${this.host}:4433 instead`);
      case 'EADDRNOTAVAIL':
        return new WorkbenchError('ADDRESS_NOT_AVAILABLE', `${this.host} is not an address of this machine; use 127.0.0.1`);
    }
    return new WorkbenchError('LISTEN_FAILED', `cannot listen on ${this.host}:${port}: ${err.message}`);
  }

  /** The forged certificate for a name, made once. */
  private identity(hostname: string): Promise<Identity> {
    const name = hostname.trim().toLowerCase().replace(/\.$/, '');
    let pending = this.forging.get(name);
    if (!pending) {
      pending = this.deps.forge(this.request.ca, name).then((forged) => {
        const identity: Identity = {
          context: tls.createSecureContext({ cert: [forged.certificatePem, ...forged.chainPem].join('\n'), key: forged.keyPem }),
          ders: [forged.certificateDer, ...forged.chainDer],
        };
        this.identities.set(name, identity);
        return identity;
      });
      this.forging.set(name, pending);
      pending.catch(() => this.forging.delete(name));
    }
    return pending;
  }

  /** What one decrypted connection gets: recorded HTTP answers, or a recorded stream. */
  private serve(stream: tls.TLSSocket, sni: string | null, hooks: ResponderHooks): void {
    const host = sni?.toLowerCase() ?? null;
    const forHost = this.streams.filter((s) => host !== null && s.hostnames.includes(host));
    const candidates = forHost.length ? forHost : this.streams;
    if (candidates.length && this.index.size === 0) {
      this.playStream(stream, this.nextStream(candidates, host), hooks);
      return;
    }
    if (candidates.length && forHost.length) {
      // Both kinds recorded for this name: the client's first bytes say which.
      stream.once('data', (first: Buffer) => {
        stream.pause();
        // serveHttp resumes the stream itself, unless its first answer already waits for 'drain'.
        if (looksLikeHttpRequest(first)) this.serveHttp(stream, host, hooks, first);
        else {
          this.playStream(stream, this.nextStream(candidates, host), hooks, first);
          stream.resume();
        }
      });
      return;
    }
    this.serveHttp(stream, host, hooks);
  }

  private nextStream(candidates: RecordedStream[], host: string | null): RecordedStream {
    const key = host ?? '';
    const n = this.streamCursor.get(key) ?? 0;
    this.streamCursor.set(key, n + 1);
    return candidates[n % candidates.length];
  }

  /**
   * The server's turns in order, each once the client has sent what the recorded client had sent
   * before it: as many lines when the recorded client spoke in whole lines (SMTP, IMAP, a typed
   * s_client), so that a client typing other words still gets each answer in turn; else as many
   * bytes.
   */
  private playStream(stream: tls.TLSSocket, recorded: RecordedStream, hooks: ResponderHooks, first?: Buffer): void {
    const serverTurns: { needed: number; data: Uint8Array }[] = [];
    let clientSoFar = 0;
    for (const t of recorded.turns) {
      if (t.direction === 'client-to-server') clientSoFar += t.data.length;
      else serverTurns.push({ needed: clientSoFar, data: t.data });
    }
    const expected = concat(recorded.turns.filter((t) => t.direction === 'client-to-server').map((t) => t.data));
    const byLines = expected.includes(LF) && serverTurns.every((t) => t.needed === 0 || expected[t.needed - 1] === LF);
    if (byLines) for (const t of serverTurns) t.needed = countLf(expected.subarray(0, t.needed));
    hooks.note(
      `replaying the server's ${plural(serverTurns.length, 'turn')} of session ${recorded.sessionId}` +
        (byLines ? ', each once the client has sent as many lines as the recorded client had before it' : ''),
    );
    // Said once in the session when this client strays from the recorded one, so a student can see
    // why the answers no longer fit (or never come).
    let strayed = false;
    const compare = (data: Uint8Array, at: number) => {
      for (let i = 0; i < data.length && !strayed; i++) {
        const k = at + i;
        if (k < expected.length && data[i] === expected[k]) continue;
        strayed = true;
        hooks.note(
          k >= expected.length
            ? `the client sent more than session ${recorded.sessionId}'s client did (${expected.length} bytes): the recording has no answer to the rest`
            : `the client's bytes differ from session ${recorded.sessionId}'s recorded client from byte ${k} on: the recorded server turns are played back regardless, each once the client has sent as many ${byLines ? 'lines' : 'bytes'} as the recorded client had before it`,
        );
      }
    };
    let received = first?.length ?? 0;
    let lines = first ? countLf(first) : 0;
    if (first) compare(first, 0);
    let next = 0;
    let ended = false;
    const advance = () => {
      while (next < serverTurns.length && (byLines ? lines : received) >= serverTurns[next].needed) {
        stream.write(serverTurns[next++].data);
        hooks.answered();
      }
      if (next >= serverTurns.length && recorded.serverClosed && !ended) {
        ended = true;
        stream.end();
      }
    };
    stream.on('data', (data: Buffer) => {
      compare(data, received);
      received += data.length;
      lines += countLf(data);
      advance();
    });
    stream.on('end', () => stream.end());
    advance();
  }

  /**
   * Answers the requests of one connection in order. A live client is read as strictly as the lab
   * servers read one (see parseLiveRequestHead): its body's pieces are kept apart until the body is
   * whole, a body past the limit gets 413, and while the client has not taken the answers already
   * written, nothing more is read or answered.
   */
  private serveHttp(stream: tls.TLSSocket, host: string | null, hooks: ResponderHooks, first?: Buffer): void {
    const limit = this.bodyLimit;
    /** Bytes not yet read as a head (or a body's first bytes, behind a head just read). */
    let buffered: Buffer = Buffer.alloc(0);
    /** The request whose body is still arriving, with that body's pieces so far. */
    let pending: { headBytes: Buffer; head: LiveRequestHead; chunked: ChunkedEnd | null; pieces: Buffer[]; bytes: number } | null = null;
    let closing = false;
    let draining = false;
    let peerEnded = false;

    const fail = (status: number, reason: string, text: string) => {
      closing = true;
      hooks.note(`the replay server refused the request (${status} ${reason}): ${text.trim()}`);
      stream.end(plainAnswer(status, reason, text, false));
    };

    /** Takes body bytes for the pending request; returns what follows the body once it is whole, else null. */
    const takeBody = (data: Buffer): Buffer | null => {
      const p = pending!;
      let used: number;
      if (p.chunked) {
        let end: number;
        try {
          end = p.chunked.feed(data);
        } catch (err) {
          fail(400, 'Bad Request', `the chunked body could not be read: ${(err as Error).message}\n`);
          return null;
        }
        used = end < 0 ? data.length : end;
        // The data counts against the limit (a recorded upload sent again chunked still fits); the
        // chunk lines around it may add as much again, and no more.
        if (p.chunked.dataBytes > limit || p.bytes + used > 2 * limit) {
          fail(413, 'Content Too Large', `the body is over ${limitText(limit)}, the most the replay server takes (the largest the recording holds, or 8 MiB)\n`);
          return null;
        }
        if (end < 0) {
          p.pieces.push(data);
          p.bytes += data.length;
          return null;
        }
      } else {
        const needed = (p.head.framing as { length: number }).length - p.bytes;
        if (data.length < needed) {
          p.pieces.push(data);
          p.bytes += data.length;
          return null;
        }
        used = needed;
      }
      p.pieces.push(data.subarray(0, used));
      p.bytes += used;
      return data.subarray(used);
    };

    /** The pending request is whole: one copy of head and body, then its answer. */
    const complete = () => {
      const p = pending!;
      pending = null;
      const raw = Buffer.concat([p.headBytes, ...p.pieces]);
      const request: ParsedRequest = { ...p.head, raw, body: raw.subarray(p.headBytes.length) };
      if (this.answer(stream, request, host, hooks)) {
        closing = true;
        return;
      }
      if (stream.writableNeedDrain) {
        // The client has not taken the answers yet: read and answer nothing more until it has.
        draining = true;
        stream.pause();
        stream.once('drain', () => {
          draining = false;
          if (closing) return;
          stream.resume();
          pump();
        });
      }
    };

    const pump = () => {
      while (!closing && !draining && !pending) {
        const found = findHeadEnd(buffered);
        if (!found || found.next > MAX_REQUEST_HEAD_BYTES) {
          const over = oversizeHead(buffered, found);
          if (over) fail(over.status, over.reason, over.text);
          break;
        }
        const headBytes = buffered.subarray(0, found.next);
        const head = readLiveRequestHead(headBytes.subarray(0, found.end).toString('latin1'));
        if ('text' in head) return fail(head.status, REFUSAL_REASONS[head.status], head.text);
        if (head.framing.kind === 'length' && head.framing.length > limit) {
          return fail(413, 'Content Too Large', `the body is over ${limitText(limit)}, the most the replay server takes (the largest the recording holds, or 8 MiB)\n`);
        }
        // The client holds its body back until told to go on (curl waits a second, then sends anyway).
        if (head.expectsContinue) stream.write(CONTINUE);
        const rest = buffered.subarray(found.next);
        buffered = Buffer.alloc(0);
        pending = { headBytes, head, chunked: head.framing.kind === 'chunked' ? new ChunkedEnd() : null, pieces: [], bytes: 0 };
        const after = takeBody(rest);
        if (after === null) break;
        buffered = after;
        complete();
      }
      if (peerEnded && !closing && !draining) {
        // The client sent all it will: once what it asked is answered, this side closes too.
        closing = true;
        stream.end();
      }
    };

    const onData = (data: Buffer) => {
      if (closing) return;
      if (pending && !draining) {
        const after = takeBody(data);
        if (after === null) return;
        buffered = after;
        complete();
      } else {
        buffered = buffered.length === 0 ? data : Buffer.concat([buffered, data]);
      }
      pump();
    };
    stream.on('data', onData);
    stream.on('end', () => {
      peerEnded = true;
      pump();
    });
    if (first) {
      onData(first);
      if (!draining && stream.isPaused()) stream.resume();
    }
  }

  /** Answers one whole request; true when the connection closes after it. */
  private answer(stream: tls.TLSSocket, request: ParsedRequest, host: string | null, hooks: ResponderHooks): boolean {
    let found = this.index.find(request, host);
    let answer = found?.response?.raw;
    if (!found && request.method === 'HEAD') {
      // No HEAD was recorded: a server answers HEAD with the head it would send for GET.
      found = this.index.find({ ...request, method: 'GET', body: new Uint8Array(0) }, host, true);
      if (found?.response) {
        answer = responseHead(found.response);
        hooks.note(`no HEAD ${request.target} was recorded: answering with the head of the recorded GET ${found.request.target}, without its body`);
      }
    }
    if (found?.response?.status === 304 && !isConditional(request)) {
      hooks.note(
        `the recording answered ${request.method} ${request.target} only with 304 Not Modified (its client had a copy cached); this client did not ask conditionally, so the 304 leaves it without the content: record the page again with the browser's cache empty`,
      );
    }
    hooks.answered();
    let closes = false;
    if (found?.response && answer) {
      this.matched++;
      stream.write(answer);
      if (found.response.closes || wantsClose(request)) {
        closes = true;
        stream.end();
      }
    } else {
      this.unmatchedRequests++;
      const line = `${request.method} ${request.target}`;
      hooks.note(`no recorded response for ${line} (key "${matchKey(request)}"${host ? `, host ${host}` : ''}): ${this.unmatched === 'close' ? 'closing the connection' : `answering ${this.unmatched}`}`);
      if (this.unmatched === 'close') {
        closes = true;
        stream.end();
      } else {
        const keepAlive = !wantsClose(request);
        const text = `the replay server has no recorded response for ${line}; it answers from session${this.request.ids.length > 1 ? 's' : ''} ${this.request.ids.join(', ')}, which recorded: ${this.index.keys().join(', ') || 'nothing over HTTP'}\n`;
        const head = request.method === 'HEAD';
        stream.write(this.unmatched === '404' ? plainAnswer(404, 'Not Found', text, keepAlive, head) : plainAnswer(502, 'Bad Gateway', text, keepAlive, head));
        if (!keepAlive) {
          closes = true;
          stream.end();
        }
      }
    }
    this.deps.onChange?.();
    return closes;
  }

  /** Stops listening and ends every open connection; resolves once their sessions are finished. */
  async stop(reason = 'the replay server was stopped'): Promise<ReplayServerInfo> {
    const listener = this.listener;
    this.listener = null;
    const closed = listener ? new Promise<void>((resolve) => listener.close(() => resolve())) : Promise.resolve();
    const open = [...this.open];
    for (const c of open) c.close(reason);
    await Promise.all([closed, ...open.map((c) => c.done)]);
    return this.info();
  }
}

const LF = 0x0a;

const HTTP2_ADVICE = 'Record the site again over HTTP/1.1: curl --http1.1, or any browser through the workbench\'s proxy, which speaks HTTP/1.1 on both sides';

function countLf(bytes: Uint8Array): number {
  let n = 0;
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) n++;
  return n;
}
