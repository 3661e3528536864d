// What went wrong on the wire, said for a student: each socket or TLS failure Node can report
// becomes one sentence with what happened and what to try.
import type { ApiErrorInfo } from '../api/types';

export interface FailureContext {
  /** "www.bank32.com:4433" as the user named it. */
  target: string;
  /** "127.0.0.1:4433" where the TCP connection went, when known. */
  address: string | null;
  /** True once the TLS handshake had finished. */
  handshakeDone: boolean;
  /** The client had a certificate of its own to present. */
  clientCertificate?: boolean;
  /** Whether the server's handshake asked for a client certificate (TLS 1.2: CertificateRequest in the clear). */
  askedForCertificate?: () => boolean;
  /** What to do when the server wants a client certificate; by default, how to give the client one. */
  certificateAdvice?: string;
  /** The client asked for TLS 1.0 or 1.1 at most, without lowering OpenSSL's security level to 0. */
  legacyVersionsBlocked?: boolean;
}

const LEGACY_VERSIONS = {
  code: 'LEGACY_TLS_REFUSED',
  message:
    'this OpenSSL speaks TLS 1.0 and 1.1 only at security level 0 (they are broken: no AEAD ciphers, SHA-1 and MD5 in the handshake): ' +
    'add @SECLEVEL=0 to the cipher list, e.g. DEFAULT:@SECLEVEL=0; the server must allow them too',
};

/** Why a server refuses a client certificate, by the alert it sends (RFC 8446, Section 6.2). */
const CLIENT_CERTIFICATE_ALERTS: Record<string, string> = {
  unknown_ca: 'it does not trust the CA that issued it; use a certificate from the CA the server trusts for clients',
  bad_certificate: 'it found the certificate or its signature unacceptable',
  unsupported_certificate: 'it does not accept this kind of certificate (key type, or a usage without client authentication)',
  certificate_expired: 'the certificate is expired (or not yet valid) by the server\'s clock; issue a new one',
  certificate_revoked: 'the certificate is revoked',
  certificate_unknown: 'it rejected the certificate for a reason it did not name (often: no client authentication in its extended key usage)',
  decrypt_error: 'the signature made with its key (CertificateVerify) did not check out: the key may not belong to the certificate',
  access_denied: 'the certificate is valid, but this server does not let its owner in',
};

const CHOOSE_CERTIFICATE = 'choose one under "Client certificate" (the CLI takes --cert FILE --key FILE, or --identity lab:NAME)';

/** An alert the server ended the handshake with, said in terms of the client certificate where that is the cause. */
function describeAlert(alert: string, ctx: FailureContext): ApiErrorInfo {
  if (alert === 'certificate_required' || (alert === 'handshake_failure' && !ctx.clientCertificate && ctx.askedForCertificate?.() === true)) {
    return {
      code: 'CLIENT_CERTIFICATE_REQUIRED',
      message: `the server asked for a client certificate and this client had none to send; the server ended the handshake with the alert "${alert}". ${ctx.certificateAdvice ?? `To log in with a certificate, ${CHOOSE_CERTIFICATE}`}`,
    };
  }
  const refusal = ctx.clientCertificate ? CLIENT_CERTIFICATE_ALERTS[alert] : undefined;
  if (refusal) {
    return { code: 'CLIENT_CERTIFICATE_REFUSED', message: `the server refused this client's certificate with the alert "${alert}": ${refusal}` };
  }
  if (alert === 'protocol_version') {
    return {
      code: 'VERSION_MISMATCH',
      message:
        'the server ended the handshake with the alert "protocol_version": it accepts none of the TLS versions this client offered (TLS 1.2 and 1.3 unless the minimum or maximum version is set); ' +
        'widen them. A server that speaks only TLS 1.0 or 1.1 needs the minimum version TLSv1 (or TLSv1.1) and @SECLEVEL=0 in the cipher list',
    };
  }
  return {
    code: 'PEER_ALERT',
    message: `the server ended the handshake with the alert "${alert}": it refused something this client offered or sent (TLS version, cipher list, groups, SNI, a missing client certificate) or found no signature algorithm offered that its certificate's key can make (a brainpool or DSA key in TLS 1.3)`,
  };
}

/**
 * An error message without OpenSSL's machinery: "80DC620C587F0000:error:0A00045C:SSL
 * routines:ssl3_read_bytes:tlsv13 alert certificate required:../ssl/record/rec_layer_s3.c:1601:SSL
 * alert number 116" reads "tlsv13 alert certificate required (OpenSSL, in ssl3_read_bytes)".
 */
export function plainTlsError(message: string): string {
  const line = message.split('\n')[0];
  const m = /^[0-9A-F]+:error:[0-9A-F]+:[^:]+:([^:]+):([^:]+)(?::|$)/.exec(line);
  return m ? `${m[2]} (OpenSSL, in ${m[1]})` : line;
}

/** OpenSSL's alert names in Node's error codes: ERR_SSL_TLSV1_ALERT_UNKNOWN_CA -> unknown_ca. */
function alertFromCode(code: string): string | null {
  const m = /^ERR_SSL_(?:TLSV1|SSLV3|TLSV13)_ALERT_(.+)$/.exec(code);
  return m ? m[1].toLowerCase() : null;
}

export function describeConnectionFailure(err: unknown, ctx: FailureContext): ApiErrorInfo {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (ctx.legacyVersionsBlocked && /legacy sigalg|no protocols available|unsupported protocol|protocol version/i.test(`${code} ${e?.message ?? ''}`)) {
    return LEGACY_VERSIONS;
  }
  const where = ctx.address ?? ctx.target;
  const alert = alertFromCode(code);
  if (alert && ctx.legacyVersionsBlocked && ['protocol_version', 'internal_error', 'handshake_failure'].includes(alert)) {
    return { code: LEGACY_VERSIONS.code, message: `${LEGACY_VERSIONS.message} (the server ended the handshake with the alert "${alert}")` };
  }
  if (alert) return describeAlert(alert, ctx);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return {
        code: 'NAME_NOT_RESOLVED',
        message: `the name ${ctx.target.replace(/:\d+$/, '')} does not resolve to an address; add it to the host table, or give "connect to" an address like 127.0.0.1`,
      };
    case 'ECONNREFUSED':
      return {
        code: 'CONNECTION_REFUSED',
        message: `nothing is listening on ${where} (connection refused); start the server first, or check the address and port`,
      };
    case 'ETIMEDOUT':
    case 'SESSION_TIMEOUT':
      return {
        code: 'TIMEOUT',
        message: `no answer from ${where} in time; the server may be stuck or the address wrong`,
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: 'UNREACHABLE', message: `${where} cannot be reached from this machine; check the address` };
    case 'ECONNRESET':
    case 'EPIPE': {
      // Some servers (Node's among them) refuse a client certificate by closing, with no alert.
      const certificate = ctx.clientCertificate ? '; it may have refused this client\'s certificate without saying why (compare its issuer with the CA the server trusts for clients)' : '';
      return ctx.handshakeDone
        ? { code: 'CONNECTION_RESET', message: `the server reset the connection after the handshake${certificate}` }
        : {
            code: 'CLOSED_DURING_HANDSHAKE',
            message: `the server at ${where} reset the connection during the handshake; it may not speak TLS on this port, or it rejected what the client offered${certificate}`,
          };
    }
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_RECORD_LAYER_FAILURE':
    case 'ERR_SSL_HTTP_REQUEST':
      return {
        code: 'NOT_TLS',
        message: `the server at ${where} answered with bytes that are not TLS (is it a plain HTTP or other non-TLS service?); the bytes it sent are in the timeline`,
      };
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_NO_PROTOCOLS_AVAILABLE':
      return {
        code: 'VERSION_MISMATCH',
        message: `the client and the server share no TLS version; widen the min/max TLS version`,
      };
    case 'ERR_SSL_NO_SHARED_CIPHER':
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
      return {
        code: 'HANDSHAKE_FAILURE',
        message: `the handshake failed: client and server could not agree (often no common cipher suite); check the cipher list`,
      };
    case 'ERR_SSL_NO_CIPHER_MATCH':
    case 'ERR_SSL_NO_CIPHERS_AVAILABLE':
      return {
        code: 'BAD_CIPHER_LIST',
        message: `the cipher list matches no cipher OpenSSL knows; use names like ECDHE-RSA-AES128-GCM-SHA256 or AES128-GCM-SHA256 (see "openssl ciphers")`,
      };
    case 'ERR_TLS_INVALID_PROTOCOL_VERSION':
      return { code: 'BAD_INPUT', message: `unknown TLS version: use TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3` };
    case 'ERR_TLS_PROTOCOL_VERSION_CONFLICT':
      return { code: 'BAD_INPUT', message: `the minimum TLS version is above the maximum; swap them` };
  }
  if (/socket hang up|Client network socket disconnected/i.test(e?.message ?? '')) {
    return {
      code: 'CLOSED_DURING_HANDSHAKE',
      message: `the server at ${where} closed the connection before the handshake finished; it may have rejected the ClientHello (look for an alert in the timeline) or may not speak TLS`,
    };
  }
  const text = plainTlsError(e?.message ?? String(err));
  return { code: code || 'CONNECTION_FAILED', message: `the connection failed: ${text}` };
}

/** The alert a failed handshake ended with, by its name (handshake_failure), when it ended with one. */
export function peerAlertOf(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? alertFromCode(code) : null;
}

/** A man-in-the-middle proxy of this data folder that recorded the other end of a refused client's connection. */
export interface RefusingProxy {
  sessionId: number;
  /** The real server's address the proxy tried ("127.0.0.1:443"), once it knew one. */
  upstream: string | null;
  /** The proxy session's own reason. */
  error: ApiErrorInfo;
  /** The proxy's check of the real server's certificate, when it got one. */
  verificationSummary: string | null;
}

/**
 * A client refused by a proxy of this workbench: an alert carries no reason, but the proxy's
 * session recorded one. Keeps what the client saw (the alert) and adds what the proxy saw, in the
 * words the session view uses; `asked` is the site and port the client meant to reach.
 */
export function describeProxyRefusal(original: ApiErrorInfo, alert: string | null, proxy: RefusingProxy, asked: { host: string; port: number }): ApiErrorInfo {
  const seen = alert ? `the server ended the handshake with the alert "${alert}"` : 'the server closed the connection during the handshake';
  const see = `see the proxy's session ${proxy.sessionId}`;
  let cause: string;
  switch (proxy.error.code) {
    case 'UPSTREAM_UNREACHABLE': {
      const upstream = proxy.upstream ?? 'its address';
      const m = proxy.upstream ? /^(.*):(\d+)$/.exec(proxy.upstream) : null;
      // A ClientHello names the site, not the port: this client knows the port it meant, the proxy did not.
      const port =
        m && Number(m[2]) !== asked.port
          ? ` (this client asked for port ${asked.port}, which a ClientHello does not carry, so the proxy went to ${m[2]}; give the proxy --map ${asked.host}=${m[1]}:${asked.port})`
          : '';
      cause = `the proxy could not reach the real server at ${upstream}: connection refused${port}`;
      break;
    }
    case 'UPSTREAM_CERT_INVALID':
      cause = `the real server's certificate did not verify on the proxy's side${proxy.verificationSummary ? ` (${proxy.verificationSummary.replace(/^not verified: /, '')})` : ''}, so the proxy refused this client instead of showing it a forged certificate, as a careful proxy does`;
      break;
    default:
      cause = `the proxy refused this client: ${proxy.error.message}`;
  }
  return { code: original.code, message: `${seen}; that server was this workbench's man-in-the-middle proxy, and ${cause}; ${see}` };
}
