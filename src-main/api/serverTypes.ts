// The TLS servers' data (issue 4): what a server is configured with, what a running one reports,
// and what one accepted connection looks like. Plain data shared with the renderer; no Node imports.
import type { ApiErrorInfo, CertificateInfo, TlsVersionName } from './types';

/** Where a server's certificate, key and chain come from. */
export type ServerIdentitySpec =
  | {
      kind: 'files';
      /** PEM certificate (a file holding the leaf followed by its chain is fine too). */
      certPath: string;
      /** PEM private key (PKCS#8, PKCS#1, SEC1; encrypted ones need `keyPassphrase`). */
      keyPath: string;
      /** PEM intermediates sent after the leaf. */
      chainPath?: string;
      keyPassphrase?: string;
    }
  /** An identity made in the certificate workshop. */
  | { kind: 'lab'; name: string };

/** Which CA a client certificate must chain to. */
export type ClientCaSpec = { kind: 'file'; path: string } | { kind: 'lab'; name: string };

export type BuiltinPageName = 'bank32' | 'plain';

/** What the server does with the bytes after the handshake. */
export type ServerResponder =
  /** HTTP/1.1: a built-in page per host (bank32 for names with "bank32" in them, else plain), or the named one for every host. */
  | { kind: 'builtin'; page?: BuiltinPageName }
  /** HTTP/1.1: this HTML file for every path. */
  | { kind: 'file'; path: string }
  /** HTTP/1.1: files from a folder (index.html for "/"); nothing outside it. */
  | { kind: 'dir'; path: string }
  /** HTTP/1.1: answers with the request it received, as text/plain. */
  | { kind: 'echo' }
  /** HTTP/1.1: these exact bytes for every request (the text, with newlines sent as CRLF). */
  | { kind: 'fixed'; response: string }
  /** No HTTP: send `greeting` after the handshake (if any), then echo every byte back (SMTP-over-TLS style lessons). */
  | { kind: 'plain'; greeting?: string };

/** One extra hostname served by SNI, with its own certificate. */
export interface SniHostConfig {
  name: string;
  identity: ServerIdentitySpec;
  /** The built-in page for this name; by default chosen from the name. */
  page?: BuiltinPageName;
}

export interface ClientAuthConfig {
  ca: ClientCaSpec;
  /** true: a client without a certificate from the CA is refused; false: one is asked for, not required. */
  require: boolean;
}

export interface ServerConfig {
  /** A label for the list; defaults to "HOST:PORT". */
  label?: string;
  /** Loopback only (127.0.0.0/8 or ::1). Default 127.0.0.1. */
  host?: string;
  /** Default 4433. 0 picks a free port. */
  port?: number;
  /** The default identity: sent when the client names no host or a host without its own. */
  identity: ServerIdentitySpec;
  sni?: SniHostConfig[];
  clientAuth?: ClientAuthConfig | null;
  minVersion?: TlsVersionName;
  maxVersion?: TlsVersionName;
  /** OpenSSL cipher list for TLS 1.2 and below, e.g. "AES128-GCM-SHA256" (RSA key exchange). */
  ciphers?: string;
  /** TLS 1.3 suites, e.g. "TLS_AES_128_GCM_SHA256". */
  ciphersuites?: string;
  /** Key exchange groups, colon separated, e.g. "X25519:P-256" (OpenSSL's ecdhCurve). */
  groups?: string;
  /** Session tickets (resumption). Default on. */
  tickets?: boolean;
  /** ALPN protocols the server accepts, in preference order; default http/1.1 for HTTP responders. */
  alpn?: string[];
  /** A client that has not finished the handshake after this long is dropped. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
  responder?: ServerResponder;
}

export type ServerStatus = 'running' | 'stopped' | 'failed';

/** The certificate a name is served with. */
export interface ServedName {
  /** The SNI name, or null for the default. */
  name: string | null;
  certificate: CertificateInfo;
  chainLength: number;
}

export interface ServerInfo {
  id: number;
  label: string;
  status: ServerStatus;
  /** Where it listens, "127.0.0.1:4433" (the real port when 0 was asked for). */
  address: string;
  host: string;
  port: number;
  /** The configuration it runs with (key passphrases removed). */
  config: ServerConfig;
  names: ServedName[];
  startedAt: number | null;
  stoppedAt: number | null;
  /** Connections accepted since the last start, those still open, and those that failed. */
  connections: number;
  active: number;
  failed: number;
  /** Why it could not start, or why it stopped. */
  error: ApiErrorInfo | null;
}

/** Key exchange of a recorded handshake: forward secrecy is "ephemeral". */
export interface KeyExchangeInfo {
  /** "ECDHE", "DHE", "RSA" (key transport), "PSK", ... */
  method: string;
  ephemeral: boolean;
  /** The group of the ephemeral key, e.g. "x25519", "secp256r1". */
  group: string | null;
  /**
   * An abbreviated handshake that took up an earlier session (absent in server sessions
   * recorded before the engine read it from the handshake).
   */
  resumed?: boolean;
  /** TLS 1.3 resumption: with a fresh key share (psk_dhe_ke) or the pre-shared key alone (psk_ke). */
  pskMode?: 'psk_ke' | 'psk_dhe_ke' | null;
  /** One line for a student. */
  summary: string;
}

/** What a server session records beyond a client session's fields. */
export interface ServerSessionInfo {
  serverId: number | null;
  serverLabel: string;
  /** The client's address, "127.0.0.1:51234". */
  peer: string;
  resumed: boolean;
  keyExchange: KeyExchangeInfo | null;
  /** The client's certificate, when it sent one. */
  clientCertificate: CertificateInfo | null;
  /** Whether that certificate chained to the configured CA (null: none asked for or none sent). */
  clientCertificateAuthorized: boolean | null;
  /**
   * What the server asked of the client when it accepted this connection. Kept with the session,
   * since the server may be gone when the session is read (absent in sessions recorded before it was).
   */
  clientCertificatePolicy?: 'off' | 'requested' | 'required';
  /** The alert the client sent to end the handshake, by name ("unknown_ca"), if it sent one. */
  clientAlert: string | null;
  /** HTTP requests answered on this connection. */
  requests: number;
}

/** One accepted connection, as the live list shows it. */
export interface ServerConnectionSummary {
  serverId: number;
  sessionId: number;
  at: number;
  peer: string;
  sni: string | null;
  version: string | null;
  cipher: string | null;
  alpn: string | null;
  resumed: boolean;
  clientCertificate: string | null;
  requests: number;
  /** "ok", or "failed" with the error. */
  outcome: 'ok' | 'failed';
  error: ApiErrorInfo | null;
  /**
   * What an "ok" does not say: a TLS 1.2 client that left right after the handshake, sending
   * nothing (no request, no alert, no close_notify), as a client that refuses the certificate
   * after its handshake does. Null otherwise.
   */
  note?: string | null;
}

/** What kind of tlslab command runs elsewhere: `tlslab server`, `tlslab proxy` or `tlslab replay-server`. */
export type RunningElsewhereKind = 'server' | 'proxy' | 'replay-server';

/** Who started a running service: a tlslab command in a terminal, or the workbench window's engine. */
export type RunningOrigin = 'terminal' | 'window';

/**
 * A server, proxy or replay server another process runs on the same data folder: its connections
 * are recorded here too, but it is not the engine's to stop. Read from the data folder's running/.
 */
export interface RunningElsewhere {
  kind: RunningElsewhereKind;
  /** A terminal's `tlslab server` (stopped with Ctrl-C there), or a server the window started. */
  origin: RunningOrigin;
  /** The process it runs in; it stops with Ctrl-C in that terminal. */
  pid: number;
  /** Where it listens first, "127.0.0.1:4433". */
  address: string;
  /** Every address it listens on (a proxy in both modes has two). */
  addresses: string[];
  label: string;
  startedAt: number;
  /** A server's default certificate subject ("CN=www.bank32.com, O=Bank32"). */
  certificate?: string;
  /** The names a server or replay server answers by SNI. */
  names?: string[];
  /** A proxy's mode. */
  mode?: 'transparent' | 'connect' | 'both';
}
