// The man-in-the-middle proxy's data (issue 5): how a proxy is configured, what a running one
// reports, one victim connection as the live list shows it, and what a proxy session records
// beyond a client session. Plain data shared with the renderer; no Node imports.
import type { ApiErrorInfo, CertificateInfo, TrustStoreSpec, VerificationResult } from './types';

/** transparent: victims connect straight to the proxy and name the site by SNI; connect: HTTP CONNECT (curl -x, browsers). */
export type ProxyMode = 'transparent' | 'connect' | 'both';

/** The named points in a forwarded HTTP exchange where rules (and other hooks) run. */
export type ProxyHookEvent = 'request-head' | 'request-body' | 'response-head' | 'response-body';

/** Which parts of a message a rewrite rule touches. */
export type ProxyRewritePart = 'body' | 'url' | 'headers';

/** Find and replace on the plaintext of one direction. */
export interface ProxyRewriteRule {
  /** request: victim to upstream; response: upstream to victim. */
  direction: 'request' | 'response';
  /** Text to find, or a regular expression's source when `regex` is true. */
  find: string;
  replace: string;
  regex?: boolean;
  /** Regular expression flags besides "g" (e.g. "i"). */
  flags?: string;
  /** Default: request rules touch the body and the URL, response rules the body only. */
  parts?: ProxyRewritePart[];
}

/** A name sent to a fixed upstream address instead of the host table or DNS. */
export interface ProxyHostMapping {
  host: string;
  /** "127.0.0.1:4433"; the port defaults to the one the victim asked for (443 in transparent mode). */
  address: string;
}

export interface ProxyConfig {
  label?: string;
  /** Default transparent. */
  mode?: ProxyMode;
  /** Where transparent mode listens, loopback only. Default 127.0.0.1:8443 (port 0 picks a free one). */
  listen?: string;
  /** Where CONNECT mode listens, loopback only. Default 127.0.0.1:8080. */
  connectListen?: string;
  /** The workbench CA that signs the forged certificates. */
  ca: string;
  map?: ProxyHostMapping[];
  /** Ask DNS for names that are neither in `map` nor in the host table. Default true. */
  dns?: boolean;
  /** What the upstream's certificate is verified against. Default: the system store. */
  upstreamTrust?: TrustStoreSpec;
  /** Go on when the upstream's certificate does not verify (the lab's careless proxy). */
  upstreamInsecure?: boolean;
  rewrite?: ProxyRewriteRule[];
  /** Bytes recorded per connection and direction; past it bytes are counted, not stored. Default 64 MiB; 0 for no cap. */
  recordCapBytes?: number;
  /** A victim that has not finished its handshake after this long is dropped. Default 10 000 ms. */
  handshakeTimeoutMs?: number;
}

export type ProxyStatus = 'running' | 'stopped' | 'failed';

export interface ProxyInfo {
  id: number;
  label: string;
  status: ProxyStatus;
  mode: ProxyMode;
  /** "127.0.0.1:8443" when transparent mode listens (the real port when 0 was asked for). */
  transparentAddress: string | null;
  /** "127.0.0.1:8080" when CONNECT mode listens. */
  connectAddress: string | null;
  /** The signing CA as the workshop knows it. */
  ca: { name: string; subject: string; keyType: string };
  /** What the upstream is verified against, in words ("system store: 140 certificates ..."). */
  upstreamTrust: string;
  /** The configuration it runs with. */
  config: ProxyConfig;
  startedAt: number | null;
  stoppedAt: number | null;
  /** Victim connections since the last start, those still open, and those that failed. */
  connections: number;
  active: number;
  failed: number;
  /** Why it could not start, or why it stopped. */
  error: ApiErrorInfo | null;
}

/** One rule firing: which rule, at which hook, on which request of the connection, how many replacements. */
export interface ProxyRuleFiring {
  /** Index into the proxy's `rewrite` list. */
  rule: number;
  event: ProxyHookEvent;
  /** 1-based number of the HTTP exchange on this connection. */
  exchange: number;
  replacements: number;
  /** Session time, ms. */
  t: number;
}

/** One leg's negotiated parameters. */
export interface ProxyLegInfo {
  /** "127.0.0.1:51234" (victim) or "127.0.0.1:4433" (upstream). */
  peer: string | null;
  version: string | null;
  cipher: string | null;
  alpn: string | null;
}

/** What a proxy session records beyond a client session's fields (SessionDetail.proxy). */
export interface ProxySessionInfo {
  proxyId: number | null;
  proxyLabel: string;
  /** How this victim reached the proxy. */
  mode: 'transparent' | 'connect';
  /**
   * The site the victim asked for: its CONNECT target, "www.example.com:443", or in transparent
   * mode the name it sent by SNI, "www.example.com" (a ClientHello names no port; the session's
   * target has the port the proxy went to, which a --map may make another than 443).
   */
  host: string | null;
  /** Where the upstream address came from. */
  upstreamSource: 'map' | 'hosts' | 'dns' | null;
  caName: string;
  /** The forged certificate shown to the victim, and whether it came from the cache. */
  forgedCertificate: CertificateInfo | null;
  forgedFromCache: boolean;
  /** Whether the forged certificate's names were copied from the real upstream certificate. */
  namesFromUpstream: boolean;
  /** The real upstream certificate. */
  upstreamCertificate: CertificateInfo | null;
  upstreamVerification: VerificationResult | null;
  upstreamInsecure: boolean;
  victim: ProxyLegInfo;
  upstream: ProxyLegInfo;
  /** The alert the victim sent to end the handshake ("unknown_ca", "bad_certificate"), if it sent one. */
  victimAlert: string | null;
  /** Which leg failed first, if one did. */
  failedLeg: 'victim' | 'upstream' | null;
  /**
   * After both handshakes: which side ended its connection first (the proxy then ended the other),
   * or null when neither did before the proxy stopped or a leg failed. Absent in sessions recorded
   * before it was kept.
   */
  closedFirst?: 'victim' | 'upstream' | null;
  /** HTTP exchanges forwarded; 0 for non-HTTP traffic. */
  exchanges: number;
  /** True when the plaintext was not HTTP/1.1 and was forwarded as bytes. */
  rawForwarding: boolean;
  rulesFired: ProxyRuleFiring[];
}

/** One victim connection, as the live list shows it. */
export interface ProxyConnectionSummary {
  proxyId: number;
  sessionId: number;
  at: number;
  mode: 'transparent' | 'connect';
  peer: string;
  /** CONNECT target, or the SNI name in transparent mode (as ProxySessionInfo.host). */
  host: string | null;
  /** "127.0.0.1:4433". */
  upstream: string | null;
  victimVersion: string | null;
  upstreamVersion: string | null;
  /** Subject of the forged certificate shown to the victim. */
  forgedSubject: string | null;
  upstreamVerified: boolean | null;
  exchanges: number;
  rulesFired: number;
  bytesFromVictim: number;
  bytesFromUpstream: number;
  victimAlert: string | null;
  outcome: 'ok' | 'failed';
  error: ApiErrorInfo | null;
}
