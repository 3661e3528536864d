// Client replay: the client's application data of a recorded session sent again, byte for byte,
// as a new recorded client session (same target or another, same or other TLS settings), and
// the two answers compared.
import fs from 'node:fs';
import type { ApiErrorInfo, ClientSessionRequest, TrustStoreSpec } from '../api/types';
import type { ClientReplayRequest, ClientReplayResult, ReplayDiff, ReplayExchange, ReplayResponseSide } from '../api/replayTypes';
import { WorkbenchError } from '../errors';
import { connectionRoles, type RecordedSession } from '../export/recordedSession';
import { createHash } from 'node:crypto';
import { concatBytes, sameBytes } from '../bytes';
import zlib from 'node:zlib';
import type { PacedPayload } from '../sessions/clientSession';
import { AnswerWatcher, dechunk, diffLines, headerValue, pairExchanges, speaksHttp2, parseResponses, parseRequests, type ParsedRequest, type ParsedResponse } from './httpMatch';
import { replayableConnections, sessionTraffic, type ConnectionTraffic } from './recordedTraffic';

const TEXT_KEEP_BYTES = 256 * 1024;

/** "host:port" of a session's target, "[v6]:port" too. */
function splitHostPort(target: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:]+):(\d+)$/.exec(target);
  return m ? { host: m[1], port: Number(m[2]) } : null;
}

/**
 * The original's trust store for its replay, when it is still there. A recording names the CA file or
 * folder the original client trusted; a session handed out to another machine finds none there.
 * Without verification the system store stands in (the replay still shows what would have
 * failed); with it, the replay is refused with what to give instead.
 */
function originalTrust(trust: TrustStoreSpec | undefined, verifyPeer: boolean, id: number): TrustStoreSpec | undefined {
  if (!trust || (trust.kind !== 'file' && trust.kind !== 'dir') || fs.existsSync(trust.path)) return trust;
  if (!verifyPeer) return { kind: 'system' };
  throw new WorkbenchError(
    'TRUST_NOT_FOUND',
    `session ${id}'s client trusted the ${trust.kind === 'file' ? 'CA file' : 'hash-link folder'} ${trust.path}, which is not on this machine; give the CA to verify against (--ca-file FILE, or --ca lab:NAME), or replay without verifying (--no-verify)`,
  );
}

/** The client session request that replays `session`: its own settings with the overrides laid over them. */
export function replayRequest(session: RecordedSession, id: number, request: ClientReplayRequest, source?: Pick<ConnectionTraffic, 'index' | 'clientBytes'>): ClientSessionRequest {
  const sourceIndex = source?.index;
  const base = session.request;
  const o = request.tls ?? {};
  let host: string;
  let port: number;
  if (base) {
    host = base.host;
    port = base.port;
  } else {
    const target = splitHostPort(session.target);
    if (!target) throw new WorkbenchError('BAD_INPUT', `session ${id} does not say where its server was (target "${session.target}"); give --to HOST:PORT`);
    // A server or proxy session: the name the client asked for, on the address it reached.
    host = session.sni ?? target.host;
    port = target.port;
  }
  const trust: TrustStoreSpec = o.trust ?? originalTrust(base?.trust, o.verifyPeer ?? base?.verifyPeer ?? false, id) ?? { kind: 'system' };
  const to = request.to?.trim();
  // Without the original request (a proxy, server or imported session) the target is a name; the
  // server's address is the one its connection reached (a proxy's upstream leg, a capture's server).
  const chosen = sourceIndex !== undefined ? session.connections[sourceIndex] : undefined;
  const recordedServer = (chosen && connectionRoles(chosen).server) || (replayableConnections(session).map((c) => connectionRoles(c).server).find((a) => a) ?? undefined);
  return {
    host,
    port,
    connectTo: to ? to : (base?.connectTo ?? (base ? undefined : (recordedServer ?? (session.sni ? splitHostPort(session.target)?.host : undefined)))),
    trust,
    verifyPeer: o.verifyPeer ?? base?.verifyPeer ?? false,
    checkHostname: o.checkHostname ?? base?.checkHostname ?? false,
    servername: o.servername ?? base?.servername ?? (base ? undefined : (session.sni ?? '')),
    minVersion: o.minVersion ?? base?.minVersion,
    maxVersion: o.maxVersion ?? base?.maxVersion,
    ciphers: o.ciphers ?? base?.ciphers,
    // HTTP/2 frames need h2 agreed, whatever the recording kept of ALPN (a TLS 1.3 capture hides the server's choice).
    alpn: o.alpn ?? base?.alpn ?? (session.alpn ? [session.alpn] : source && speaksHttp2(source.clientBytes) ? ['h2'] : undefined),
    send: { kind: 'none' },
    timeoutMs: request.timeoutMs ?? base?.timeoutMs,
    // The same client certificate, where the original had one. An encrypted key file's
    // passphrase was not kept: the replay is given it again, or says the key is encrypted.
    clientCertificate: o.clientCertificate ?? (
      base?.clientCertificate?.kind === 'files' && o.clientKeyPassphrase !== undefined
        ? { ...base.clientCertificate, keyPassphrase: o.clientKeyPassphrase }
        : base?.clientCertificate),
  };
}

/** What a connection's client sent, in a few words: its first HTTP request line, else its size. */
function connectionLabel(t: ConnectionTraffic): string {
  const requests = parseRequests(t.clientBytes);
  if (requests.length === 0) return `${t.clientBytes.length} bytes`;
  const first = `${requests[0].method} ${requests[0].target}`;
  return requests.length > 1 ? `${first} and ${requests.length - 1} more request${requests.length > 2 ? 's' : ''}` : first;
}

/**
 * What a replay sends on a connection: the client's bytes in the turns it sent them. A client that
 * sent its next request only once the answer to the one before had come gets its requests sent the
 * same way; bytes sent without waiting (pipelined requests, a single request) go out together.
 * An HTTP/1.x turn waits for the final answer to each request in it; any other turn waits for the
 * server's first bytes after it.
 */
export function replayPayload(traffic: Pick<ConnectionTraffic, 'segments' | 'clientBytes'>): Uint8Array | PacedPayload {
  const turns: Uint8Array[][] = [];
  let answered = true;
  for (const s of traffic.segments) {
    if (s.direction === 'client-to-server') {
      if (answered) turns.push([]);
      turns[turns.length - 1].push(s.data);
      answered = false;
    } else if (turns.length > 0) {
      answered = true;
    }
  }
  if (turns.length < 2 || speaksHttp2(traffic.clientBytes)) return traffic.clientBytes;
  const joined = turns.map((t) => concatBytes(t));
  return {
    turns: joined,
    answer(n) {
      const requests = parseRequests(joined[n]);
      if (requests.length === 0) return { feed: (data) => (data.length > 0 ? data.length : -1) };
      const watchers = requests.map((r) => new AnswerWatcher(r.method));
      return {
        feed(data) {
          let at = 0;
          while (watchers.length > 0) {
            const end = watchers[0].feed(data.subarray(at));
            if (end < 0) return -1;
            at += end;
            watchers.shift();
          }
          return at;
        },
      };
    },
  };
}

/** The connection to send again, and a sentence on the others the client spoke on, which are not sent. */
export interface ReplaySource {
  traffic: ConnectionTraffic;
  notes: string[];
}

/**
 * The connection whose client bytes are sent again: the one asked for (numbered from 1 as the
 * session lists its connections), else the first one where the client said something.
 */
export function replaySource(session: RecordedSession, id: number, connection?: number): ReplaySource {
  const traffic = sessionTraffic(session, id);
  const count = session.connections.length;
  let source: ConnectionTraffic | undefined;
  if (connection !== undefined) {
    if (!Number.isInteger(connection) || connection < 1 || connection > count) {
      throw new WorkbenchError('BAD_INPUT', `session ${id} has ${count === 1 ? 'one connection: it is connection 1' : `${count} connections: choose one from 1 to ${count}`}`);
    }
    source = traffic.find((t) => t.index === connection - 1);
    if (!source) {
      const upstream = traffic.map((t) => t.index + 1).join(', ');
      throw new WorkbenchError('BAD_INPUT', `connection ${connection} of session ${id} is the client's leg to the proxy; replay sends what the proxy sent on to the server: choose connection ${upstream}`);
    }
    if (source.clientBytes.length === 0) {
      if (source.notStored.clientToServer > 0) {
        throw new WorkbenchError('NOT_STORED', `what the client sent on connection ${connection} of session ${id} lies past the recording cap (${source.notStored.clientToServer} bytes were counted, not stored), so there is nothing to send again; record the session again with a larger recording cap`);
      }
      throw new WorkbenchError('NO_APPLICATION_DATA', `the client sent no application data on connection ${connection} of session ${id}; there is nothing to send again on it`);
    }
  }
  source ??= traffic.find((t) => t.clientBytes.length > 0);
  const cut = traffic.find((t) => t.notStored.clientToServer > 0);
  if (!source && cut) {
    throw new WorkbenchError(
      'NOT_STORED',
      `what the client of session ${id} sent lies past the recording cap (${cut.notStored.clientToServer} bytes were counted, not stored), so there is nothing to send again; record the session again with a larger recording cap`,
    );
  }
  if (!source) {
    throw new WorkbenchError('NO_APPLICATION_DATA', `the client of session ${id} sent no application data (only the server spoke); there is nothing to send again`);
  }
  const chosen = source;
  const others = traffic.filter((t) => t !== chosen && t.clientBytes.length > 0);
  const notes = others.length
    ? [
        `session ${id} holds ${others.length + 1} connections on which the client sent data; this replay sent connection ${chosen.index + 1}'s (${connectionLabel(chosen)}) and not ${others.map((t) => `connection ${t.index + 1}'s (${connectionLabel(t)})`).join(', ')}: replay another with "tlslab replay ${id} --connection ${others[0].index + 1}"`,
      ]
    : [];
  return { traffic: chosen, notes };
}

function httpStatus(bytes: Uint8Array, requestBytes: Uint8Array): string | null {
  const requests = parseRequests(requestBytes);
  const responses = parseResponses(bytes, requests.length ? requests : [{ method: 'GET' }]);
  const final = responses.find((r) => r.status >= 200) ?? responses[0];
  return final ? final.startLine : null;
}

const DECOMPRESS: Record<string, (b: Buffer) => Buffer> = {
  // Sync flush: a body cut short (recording cap) still shows what it holds.
  gzip: (b) => zlib.gunzipSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  'x-gzip': (b) => zlib.gunzipSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  deflate: (b) => zlib.inflateSync(b, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  br: (b) => zlib.brotliDecompressSync(b, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
};

/**
 * A short digest of bytes not shown. The diff's texts carry it, so that two binary bodies that
 * differ are two different lines there; the answer's own text names the body without it.
 */
function fingerprint(bytes: Uint8Array): string {
  return `SHA-256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}…`;
}

/**
 * A response as a student reads it in the diff: the head as sent; the body with its chunked and
 * gzip/deflate/br codings undone (a line says so), and a binary body named with a digest, not shown.
 */
function readableResponse(response: ParsedResponse, digests = false): string {
  const raw = Buffer.from(response.raw.buffer, response.raw.byteOffset, response.raw.length);
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return raw.toString('utf8');
  const headText = raw.subarray(0, headEnd + 4).toString('latin1');
  const wire = raw.subarray(headEnd + 4);
  if (wire.length === 0) return headText;
  let body = wire;
  const undone: string[] = [];
  if (/chunked/i.test(headerValue(response, 'transfer-encoding') ?? '')) {
    body = Buffer.from(dechunk(body));
    undone.push('chunked');
  }
  const coding = (headerValue(response, 'content-encoding') ?? '').trim().toLowerCase();
  if (coding && coding !== 'identity') {
    const decode = DECOMPRESS[coding];
    try {
      if (!decode) throw new Error(coding);
      body = decode(body);
      undone.push(coding);
    } catch {
      return `${headText}[${wire.length} bytes of ${coding}-encoded body that did not decode${digests ? `, ${fingerprint(wire)}` : ''}: not shown]`;
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    if (text.includes('\0')) throw new Error('binary');
  } catch {
    const type = headerValue(response, 'content-type');
    return `${headText}[${body.length} bytes of binary body${type ? ` (${type})` : ''}${digests ? `, ${fingerprint(body)}` : ''}: not shown]`;
  }
  return undone.length ? `${headText}[${undone.join(', ')} body of ${wire.length} bytes, shown decoded]\n${text}` : headText + text;
}

/** The line that opens answer `n` in the text of a connection that carried several requests. */
export function answerMarker(n: number, of: number, request: Pick<ParsedRequest, 'method' | 'target'>): string {
  return `[answer ${n} of ${of}, to ${request.method} ${request.target}]`;
}

/**
 * The answer as text: HTTP responses made readable one by one, anything else decoded as UTF-8.
 * Where the client sent several requests, a line before each answer says which request it is to.
 */
function answerText(bytes: Uint8Array, requestBytes: Uint8Array, digests = false): string {
  // HTTP/2 frames are binary, their headers compressed against state of the connection: named, not shown.
  if (speaksHttp2(requestBytes)) return bytes.length ? `[${bytes.length} bytes of HTTP/2 frames${digests ? `, ${fingerprint(bytes)}` : ''}: not shown]` : '';
  const requests = parseRequests(requestBytes);
  const responses = requests.length ? parseResponses(bytes, requests) : [];
  const covered = responses.reduce((n, r) => n + r.raw.length, 0);
  if (responses.length === 0 || covered !== bytes.length) return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (requests.length < 2) return responses.map((r) => readableResponse(r, digests)).join('');
  let text = '';
  let k = 0;
  let opened = false;
  for (const response of responses) {
    if (!opened && k < requests.length) {
      if (text && !text.endsWith('\n')) text += '\n';
      text += `${answerMarker(k + 1, requests.length, requests[k])}\n`;
      opened = true;
    }
    text += readableResponse(response, digests);
    // Interim 1xx answers go with the final one to the same request.
    if (response.status >= 200) {
      k++;
      opened = false;
    }
  }
  return text;
}

/** Each request of the original, with the status line of each side's answer to it. */
export function exchangeRows(original: { clientBytes: Uint8Array; serverBytes: Uint8Array }, replayed: { clientBytes: Uint8Array; serverBytes: Uint8Array } | null): ReplayExchange[] {
  const mine = pairExchanges(original.clientBytes, original.serverBytes, null);
  const theirs = replayed ? pairExchanges(replayed.clientBytes, replayed.serverBytes, null) : [];
  return mine.map((e, i) => {
    const other = theirs[i]?.response ?? null;
    return {
      number: i + 1,
      request: `${e.request.method} ${e.request.target}`,
      original: e.response?.startLine ?? null,
      replayed: other?.startLine ?? null,
      identical: e.response !== null && other !== null && sameBytes(e.response.raw, other.raw),
    };
  });
}

/** The answer's text as the diff compares it: binary bodies carry a digest. */
function diffText(bytes: Uint8Array, requestBytes: Uint8Array): string {
  return answerText(bytes.subarray(0, TEXT_KEEP_BYTES), requestBytes, true);
}

export function responseSide(sessionId: number, bytes: Uint8Array, requestBytes: Uint8Array, notStoredBytes = 0): ReplayResponseSide {
  const kept = bytes.subarray(0, TEXT_KEEP_BYTES);
  return {
    sessionId,
    bytes: bytes.length,
    text: answerText(kept, requestBytes),
    truncated: bytes.length > kept.length,
    notStoredBytes,
    httpStatus: httpStatus(bytes, requestBytes),
  };
}

/** What the comparison cannot cover because a recording cap kept only the start of a connection. */
function notStoredNotes(originalId: number, requestNotStored: number, requestBytes: number, original: ReplayResponseSide, replayed: ReplayResponseSide): string[] {
  const notes: string[] = [];
  if (requestNotStored > 0) {
    notes.push(
      `the recording of session ${originalId} kept only the start of what its client sent (${requestNotStored} more bytes were counted, not stored, past the recording cap): the replay sent the ${requestBytes} bytes of application data that were kept, not the whole request`,
    );
  }
  for (const side of [original, replayed]) {
    if (side.notStoredBytes > 0) {
      notes.push(
        `the recording of session ${side.sessionId} kept only the start of the server's answer (${side.notStoredBytes} more bytes were counted, not stored, past the recording cap): the comparison stops where that recording stops`,
      );
    }
  }
  return notes;
}


export function responseDiff(original: Uint8Array, replayed: Uint8Array, originalText: string, replayedText: string): ReplayDiff {
  const { lines, truncated } = diffLines(originalText, replayedText);
  return {
    identical: sameBytes(original, replayed),
    removed: lines.filter((l) => l.op === 'removed').length,
    added: lines.filter((l) => l.op === 'added').length,
    lines,
    truncated,
  };
}

export type ClientReplayOutcome = Omit<ClientReplayResult, 'replay'>;

/** A replay's failure with what to do about it where the session alone cannot say (it does not know it is a replay). */
function replayError(error: ApiErrorInfo | null): ApiErrorInfo | null {
  if (error?.code === 'VERIFICATION_FAILED') {
    return {
      code: error.code,
      message: `the server's certificate did not verify (${error.message}); trust the CA that issued it (--ca FILE or --ca lab:NAME), or replay without verifying (--no-verify)`,
    };
  }
  return error;
}

/** One side's answer: its stored bytes, the request they answer, and what the recording cap left out. */
export interface AnswerSide {
  sessionId: number;
  serverBytes: Uint8Array;
  clientBytes: Uint8Array;
  notStored: number;
  text: string;
}

/**
 * The diff of two answers. Where a recording cap cut one, the two are compared only as far as
 * both were kept: where the cap falls in the plaintext depends on how the records fell, which
 * differs from run to run, and bytes one side kept past the other's cut are no difference.
 */
export function answersDiff(original: AnswerSide, replayed: AnswerSide): ReplayDiff {
  const capped = original.notStored > 0 || replayed.notStored > 0;
  if (!capped || original.serverBytes.length === 0 || replayed.serverBytes.length === 0) {
    return responseDiff(original.serverBytes, replayed.serverBytes, original.text, replayed.text);
  }
  const keep = Math.min(original.serverBytes.length, replayed.serverBytes.length);
  const [a, b] = [original.serverBytes.subarray(0, keep), replayed.serverBytes.subarray(0, keep)];
  return responseDiff(a, b, diffText(a, original.clientBytes), diffText(b, replayed.clientBytes));
}

/** Compares the original and the replay once the replay is recorded. */
export function compareReplay(
  originalId: number,
  original: ConnectionTraffic,
  replayId: number,
  replaySession: RecordedSession,
  request: ClientSessionRequest,
): ClientReplayOutcome {
  // The replay's traffic may be empty (refused, failed handshake): compare against nothing then.
  let replayed: ConnectionTraffic | null = null;
  try {
    replayed = sessionTraffic(replaySession, replayId).find((t) => t.clientBytes.length > 0 || t.serverBytes.length > 0) ?? null;
  } catch {
    replayed = null;
  }
  const empty = new Uint8Array(0);
  const originalSide = responseSide(originalId, original.serverBytes, original.clientBytes, original.notStored.serverToClient);
  const replayedSide = responseSide(replayId, replayed?.serverBytes ?? empty, replayed?.clientBytes ?? empty, replayed?.notStored.serverToClient ?? 0);
  return {
    diff: answersDiff(
      { sessionId: originalId, serverBytes: original.serverBytes, clientBytes: original.clientBytes, notStored: original.notStored.serverToClient, text: diffText(original.serverBytes, original.clientBytes) },
      { sessionId: replayId, serverBytes: replayed?.serverBytes ?? empty, clientBytes: replayed?.clientBytes ?? empty, notStored: replayed?.notStored.serverToClient ?? 0, text: diffText(replayed?.serverBytes ?? empty, replayed?.clientBytes ?? empty) },
    ),
    originalId,
    replayId,
    connection: original.index + 1,
    target: `${request.host.includes(':') ? `[${request.host}]` : request.host}:${request.port}`,
    connectTo: request.connectTo ?? null,
    requestBytes: original.clientBytes.length,
    sentBytes: replayed?.clientBytes.length ?? 0,
    requestNotStoredBytes: original.notStored.clientToServer,
    requestIdentical: replayed !== null && sameBytes(original.clientBytes, replayed.clientBytes),
    original: originalSide,
    replayed: replayedSide,
    exchanges: exchangeRows(original, replayed),
    error: replayError(replaySession.error),
    notes: [
      ...(speaksHttp2(original.clientBytes)
        ? ['the connection spoke HTTP/2 (ALPN h2): the replay sent the same frames, and the answers are compared as bytes, not request by request (HTTP/2 frames are binary, their headers compressed)']
        : []),
      ...notStoredNotes(originalId, original.notStored.clientToServer, original.clientBytes.length, originalSide, replayedSide),
    ],
  };
}
