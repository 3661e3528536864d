// Client replay and server replay (issue 7). Types only.
import type { ServerIdentitySpec } from './serverTypes';
import type { ApiErrorInfo, SessionSummary, TlsVersionName, TrustStoreSpec } from './types';

/** TLS settings for a replay that differ from the original session's. */
export interface ReplayTlsOverrides {
  /** SNI to send; "" sends none. Default: the original's. */
  servername?: string;
  minVersion?: TlsVersionName;
  maxVersion?: TlsVersionName;
  /** OpenSSL cipher list (TLS 1.2) and/or TLS 1.3 suite names. */
  ciphers?: string;
  alpn?: string[];
  /** Default: the original session's trust store, else the system's. */
  trust?: TrustStoreSpec;
  /** Default: the original's settings, else off (a replay sends what was sent, whoever answers). */
  verifyPeer?: boolean;
  checkHostname?: boolean;
  /**
   * The passphrase of the original's encrypted client key file: a recording never keeps it, so a
   * replay that presents that certificate needs it again. Used once, never stored.
   */
  clientKeyPassphrase?: string;
  /** A client certificate to present instead of the original's (or where the original had none). */
  clientCertificate?: ServerIdentitySpec;
}

export interface ClientReplayRequest {
  /** The recorded session whose client application data is sent again. */
  id: number;
  /**
   * Which of the session's connections to send again, numbered from 1 as the session lists them
   * (a capture often holds several). Default: the first one on which the client sent data.
   */
  connection?: number;
  /** Where to send it: "HOST:PORT", "ADDR" or "[v6]:PORT". Default: the original target. */
  to?: string;
  tls?: ReplayTlsOverrides;
  timeoutMs?: number;
}

/** One side of the comparison: what a server answered, decrypted. */
export interface ReplayResponseSide {
  sessionId: number;
  /** Application data bytes the server sent. */
  bytes: number;
  /**
   * The answer as text (UTF-8, invalid bytes replaced), from at most 256 KiB. HTTP bodies are shown
   * with chunked and gzip/deflate/br codings undone (a bracketed line says so); binary ones are named, not shown.
   */
  text: string;
  truncated: boolean;
  /**
   * Bytes the server sent (on the wire) that the recording counted but did not store, past its
   * recording cap: the answer above stops short of them.
   */
  notStoredBytes: number;
  /** The HTTP status line of the first response, when the answer is HTTP. */
  httpStatus: string | null;
}

export interface ReplayDiffLine {
  op: 'same' | 'added' | 'removed';
  text: string;
}

export interface ReplayDiff {
  /** The two answers are the same bytes. */
  identical: boolean;
  /** Lines only in the original (removed) or only in the replay (added). */
  removed: number;
  added: number;
  lines: ReplayDiffLine[];
  /** The texts were cut before comparing (over 2000 lines). */
  truncated: boolean;
}

/** One HTTP request of the replayed connection, with the answer each side got to it. */
export interface ReplayExchange {
  /** Its place on the connection, from 1. */
  number: number;
  /** "GET /etag?v=1". */
  request: string;
  /** The status line of the original's answer ("HTTP/1.1 304 Not Modified"); null when none came. */
  original: string | null;
  /** The status line of the replay's answer; null when none came. */
  replayed: string | null;
  /** Both answers are the same bytes. */
  identical: boolean;
}

export interface ClientReplayResult {
  originalId: number;
  replayId: number;
  /** The original's connection that was sent again, numbered from 1 as the session lists them. */
  connection: number;
  /** The new session, as the session list shows it. */
  replay: SessionSummary;
  /** "www.bank32.com:4433", and the address connected to when --to was given. */
  target: string;
  connectTo: string | null;
  /** The original's client application data bytes, as stored: what the replay sends. */
  requestBytes: number;
  /** Of those, the bytes the replay's recording shows it sent (0 when it never got that far). */
  sentBytes: number;
  /** Bytes the original client sent that its recording counted but did not store (recording cap): the replay cannot send them. */
  requestNotStoredBytes: number;
  /** The replay's recorded client bytes equal the original's, byte for byte. */
  requestIdentical: boolean;
  original: ReplayResponseSide;
  replayed: ReplayResponseSide;
  diff: ReplayDiff;
  /**
   * For HTTP, each request the original's client sent, in order, with the answer to it on each
   * side (the diff's text marks where each answer starts). Empty when the data is not HTTP.
   */
  exchanges: ReplayExchange[];
  /** Set when the replay session failed (refused, handshake, verification). */
  error: ApiErrorInfo | null;
  /** Sentences on what the comparison could not cover (bytes not stored, ...), for the student. */
  notes: string[];
}

/** What a replay server does with a request it has no recording for. */
export type UnmatchedPolicy = '404' | '502' | 'close';

export interface ReplayServerRequest {
  /** The recorded sessions to answer from. */
  ids: number[];
  /** Loopback "ADDR:PORT" (port 0 picks a free one). Default 127.0.0.1:4433. */
  listen?: string;
  /** The workshop CA that forges a certificate for each recorded host name. */
  ca: string;
  unmatched?: UnmatchedPolicy;
  ignoreHost?: boolean;
  ignoreBody?: boolean;
  label?: string;
}

export interface ReplayServerInfo {
  id: number;
  label: string;
  /** "127.0.0.1:4433". */
  address: string;
  host: string;
  port: number;
  ca: string;
  sessions: number[];
  /** Names certificates are forged for (SNI); the first is the default. */
  hostnames: string[];
  unmatched: UnmatchedPolicy;
  ignoreHost: boolean;
  ignoreBody: boolean;
  /** Recorded HTTP request/response pairs, and the request lines they answer ("GET /"). */
  exchanges: number;
  requests: string[];
  /** Recorded non-HTTP connections whose bytes are played back in order. */
  streams: number;
  /** Sentences on what the recordings lack (answers past the recording cap, requests never answered). */
  notes: string[];
  connections: number;
  matched: number;
  unmatchedRequests: number;
  listening: boolean;
  startedAt: number;
}
