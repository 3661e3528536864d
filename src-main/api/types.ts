// The contract shared by the engine and the renderer: plain data, no Node or DOM imports.
import type { ProxySessionInfo } from './proxyTypes';
import type { KeyExchangeInfo, ServerIdentitySpec, ServerSessionInfo } from './serverTypes';

// Times are milliseconds: wall-clock instants as epoch ms, offsets inside a session as
// fractional ms since the session started (taken from a monotonic clock).

export type SessionKind = 'client' | 'server' | 'proxy';
export type SessionStatus = 'running' | 'ok' | 'failed';

/** Which way bytes travel, named from the TLS roles, not from the workbench's point of view. */
export type Direction = 'client-to-server' | 'server-to-client';

export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** Where a session gets the certificates it trusts. */
export type TrustStoreSpec =
  | { kind: 'system' }
  | { kind: 'file'; path: string }
  | { kind: 'dir'; path: string }
  | { kind: 'lab'; name: string };

export type ClientPayload =
  | { kind: 'none' }
  | { kind: 'http-get'; path: string }
  | { kind: 'text'; text: string };

export interface ClientSessionRequest {
  /** The name the user asked for; it drives SNI, the hostname check and the Host header. */
  host: string;
  port: number;
  /** Where to open the TCP connection instead of resolving `host` ("ADDR" or "ADDR:PORT"). */
  connectTo?: string;
  trust: TrustStoreSpec;
  verifyPeer: boolean;
  checkHostname: boolean;
  /** SNI to send; undefined means "the host", the empty string means "send none". */
  servername?: string;
  minVersion?: TlsVersionName;
  maxVersion?: TlsVersionName;
  /** OpenSSL cipher list (TLS 1.2 and below) and/or TLS 1.3 suite names, colon separated. */
  ciphers?: string;
  alpn?: string[];
  send: ClientPayload;
  /** Give up when nothing happens for this long. Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * The certificate and key this client presents when the server asks for one (client
   * authentication). A passphrase given here is used once and never stored with the session.
   */
  clientCertificate?: ServerIdentitySpec;
}

export interface ApiErrorInfo {
  /** Stable machine-readable code, e.g. "BAD_INPUT", "NOT_FOUND", "PORT_OUT_OF_RANGE". */
  code: string;
  /** One sentence for a student: what happened, why, what to try. */
  message: string;
}

export interface DistinguishedNameAttribute {
  /** Short name where one exists ("CN", "O", ...), else the dotted OID. */
  type: string;
  value: string;
}

export interface PublicKeyInfo {
  /** "RSA", "EC", "Ed25519", ... */
  type: string;
  bits?: number;
  curve?: string;
}

export interface CertificateInfo {
  subject: string;
  subjectAttributes: DistinguishedNameAttribute[];
  issuer: string;
  issuerAttributes: DistinguishedNameAttribute[];
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  subjectAltNames: string[];
  isCA: boolean;
  selfIssued: boolean;
  publicKey: PublicKeyInfo;
  fingerprintSha1: string;
  fingerprintSha256: string;
  pem: string;
}

export interface ChainVerification {
  ok: boolean;
  /** OpenSSL's verify code as Node reports it, e.g. "UNABLE_TO_GET_ISSUER_CERT_LOCALLY". */
  code?: string;
  /** OpenSSL's own words. */
  message?: string;
  /** What it means and what to try, in a student's words. */
  explanation?: string;
}

export interface HostnameVerification {
  ok: boolean;
  hostname: string;
  /** The names the certificate is valid for (SAN DNS and IP entries, else the CN). */
  validNames: string[];
  message?: string;
}

export interface VerificationResult {
  verifyPeer: boolean;
  checkHostname: boolean;
  chain: ChainVerification;
  /** null when there was no certificate to check the name against. */
  hostname: HostnameVerification | null;
  /** The verdict under the session's own settings: checks turned off do not count. */
  accepted: boolean;
  /** One line that sums it up ("verified", "not verified: unknown issuer", ...). */
  summary: string;
  /**
   * The alert the workbench sent the server when it refused the certificate (unknown_ca,
   * bad_certificate ...), as a client built on OpenSSL does; absent when none was sent.
   */
  alertSent?: string;
}

export interface CipherInfo {
  openssl: string;
  iana: string;
  version: string;
}

export interface AlertInfo {
  level: number;
  levelName: string;
  description: number;
  descriptionName: string;
}

/** One TLS record as it crossed the wire, with what could be read of it in the clear. */
export interface TlsRecordEntry {
  kind: 'record';
  /** 1-based, per connection, in wire order across both directions. */
  number: number;
  t: number;
  direction: Direction;
  contentType: number;
  contentTypeName: string;
  /** The record-layer version field, e.g. 0x0303. */
  version: number;
  versionName: string;
  /** Length of the record body (without the 5-byte header). */
  length: number;
  /** Offset of the record's first header byte in its direction's byte stream. */
  streamOffset: number;
  /** True when the body is ciphertext the decoder could not read. */
  encrypted: boolean;
  /** Handshake message names, alert names or "Application Data", in order. */
  messages: string[];
  alert?: AlertInfo;
  /** Set when the bytes do not form a valid record or message. */
  malformed?: string;
}

export type TimelineEntry =
  | { kind: 'tcp-open'; t: number; local: string; remote: string }
  | { kind: 'tcp-close'; t: number; initiator: 'local' | 'peer' | 'unknown' }
  | { kind: 'tls-established'; t: number; version: string; cipher: string }
  | { kind: 'verification'; t: number; accepted: boolean; summary: string }
  | { kind: 'note'; t: number; text: string }
  | { kind: 'error'; t: number; message: string }
  | TlsRecordEntry;

/** One TCP connection inside a session. A proxy session has two legs. */
export type ConnectionLeg = 'client' | 'server' | 'proxy-client' | 'proxy-upstream';

export interface ConnectionDetail {
  id: number;
  leg: ConnectionLeg;
  local: string | null;
  remote: string | null;
  openedAt: number | null;
  closedAt: number | null;
  bytesClientToServer: number;
  bytesServerToClient: number;
  /** Bytes kept in the store; less than the totals only when a recording cap was hit. */
  recordedClientToServer: number;
  recordedServerToClient: number;
  timeline: TimelineEntry[];
  keylog: string[];
  peerCertificates: CertificateInfo[];
  localCertificates: CertificateInfo[];
  /**
   * The key exchange read from this connection's recorded handshake (for a proxy, each leg its
   * own); null when the recording holds no ServerHello.
   */
  keyExchange: KeyExchangeInfo | null;
}

export interface SessionSummary {
  id: number;
  kind: SessionKind;
  status: SessionStatus;
  startedAt: number;
  endedAt: number | null;
  /** What the user named: "www.bank32.com:443". */
  target: string;
  /** Where the TCP connection went: "127.0.0.1:4433". */
  address: string | null;
  sni: string | null;
  version: string | null;
  cipher: CipherInfo | null;
  alpn: string | null;
  verification: VerificationResult | null;
  error: ApiErrorInfo | null;
}

export interface ApplicationResponse {
  /** The first bytes received over TLS, as text (UTF-8, invalid bytes replaced). */
  text: string;
  bytes: number;
  truncated: boolean;
}

export interface SessionDetail extends SessionSummary {
  request: ClientSessionRequest | null;
  /** A server session's own facts (resumption, key exchange, client certificate, client alert). */
  server?: ServerSessionInfo | null;
  /** A proxy session's own facts (both legs, forged and real certificate, rules fired). */
  proxy?: ProxySessionInfo | null;
  response: ApplicationResponse | null;
  connections: ConnectionDetail[];
  /** Where the session came from when it was imported (a bundle, a capture); null when it was recorded here. */
  imported?: import('./exchangeTypes').SessionImportOrigin | null;
}

export interface HostEntry {
  name: string;
  address: string;
}

export interface TlsFeature {
  name: string;
  available: boolean;
  detail: string;
}

export interface AboutInfo {
  engineVersion: string;
  /** How the engine's code was loaded: the bundle `npm run build` makes, or the TypeScript sources through tsx. */
  engineCode: 'bundle' | 'sources';
  nodeVersion: string;
  tlsLibrary: string;
  platform: string;
  dataDir: string;
  features: TlsFeature[];
  /** Whether the workshop's private keys are encrypted under a workbench passphrase. */
  keyProtection?: import('./pkiTypes').PkiKeyProtection;
}
