// Turning OpenSSL's verdict on a peer's chain and the hostname check into words a student can
// act on. The checks always run; the session's settings decide whether a failure counts.
import tls from 'node:tls';
import type {
  CertificateInfo,
  ChainVerification,
  HostnameVerification,
  VerificationResult,
} from '../api/types';
import { namesForHostnameCheck, wildcardNote } from '../pki/certificateInfo';

interface Reason {
  short: string;
  /**
   * OpenSSL's own words for the error (X509_verify_cert_error_string): what Python's ssl, curl
   * and openssl s_client print, where Node gives only the code.
   */
  openssl: string;
  explain: (leaf: CertificateInfo | undefined, top: CertificateInfo | undefined) => string;
}

const REASONS: Record<string, Reason> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    short: 'unknown issuer',
    openssl: 'unable to get local issuer certificate',
    explain: (_leaf, top) =>
      `the chain leads to "${top?.issuer ?? 'an unknown CA'}", which is not in the trust store you chose; add that CA's certificate to the trust store, or choose the right one`,
  },
  UNABLE_TO_GET_ISSUER_CERT: {
    short: 'unknown issuer',
    openssl: 'unable to get issuer certificate',
    explain: (_leaf, top) =>
      `the issuer "${top?.issuer ?? 'of a certificate'}" could not be found in the trust store; add that CA's certificate to the trust store`,
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    short: 'unknown issuer',
    openssl: 'unable to verify the first certificate',
    explain: (leaf) =>
      `nothing in the trust store signed the server's certificate (issuer "${leaf?.issuer ?? '?'}"); add that CA, or ask the server to send its intermediate certificates`,
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    short: 'self-signed certificate',
    openssl: 'self-signed certificate',
    explain: (leaf) =>
      `the server's certificate "${leaf?.subject ?? '?'}" signed itself and is not in your trust store; trust it explicitly (as a PEM file) only if you know where it came from`,
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    short: 'untrusted root',
    openssl: 'self-signed certificate in certificate chain',
    explain: (_leaf, top) =>
      `the chain ends in the self-signed root "${top?.subject ?? '?'}", which is not in your trust store; add that root to the trust store to accept it`,
  },
  CERT_HAS_EXPIRED: {
    short: 'expired',
    openssl: 'certificate has expired',
    explain: (leaf) => `the certificate expired on ${leaf?.notAfter ?? '?'}; the server must get a new one (or check this machine's clock)`,
  },
  CERT_NOT_YET_VALID: {
    short: 'not yet valid',
    openssl: 'certificate is not yet valid',
    explain: (leaf) => `the certificate is only valid from ${leaf?.notBefore ?? '?'}; check this machine's clock, or wait`,
  },
  CERT_SIGNATURE_FAILURE: {
    short: 'bad signature',
    openssl: 'certificate signature failure',
    explain: () => 'a signature in the chain does not verify: the certificate was altered or signed by another key than its issuer claims',
  },
  INVALID_CA: {
    short: 'issuer is not a CA',
    openssl: 'invalid CA certificate',
    explain: () => 'a certificate in the chain signed another one but is not marked as a CA (basicConstraints CA:FALSE or missing)',
  },
  CERT_REVOKED: { short: 'revoked', openssl: 'certificate revoked', explain: () => 'the certificate was revoked by its CA' },
  PATH_LENGTH_EXCEEDED: {
    short: 'path too long',
    openssl: 'path length constraint exceeded',
    explain: () => 'the chain has more intermediate CAs than a CA above them allows (pathlen)',
  },
  INVALID_PURPOSE: {
    short: 'wrong purpose',
    openssl: 'unsupported certificate purpose',
    explain: () => 'the certificate is not allowed for TLS server authentication (check its extended key usage)',
  },
};


export function chainVerification(
  authorized: boolean,
  authorizationError: Error | string | undefined,
  chain: CertificateInfo[],
): ChainVerification {
  if (authorized) return { ok: true };
  const code = typeof authorizationError === 'string' ? authorizationError : (authorizationError as { code?: string })?.code;
  const given = typeof authorizationError === 'string' ? authorizationError : authorizationError?.message;
  // Node hands over the bare code as its "message": use OpenSSL's sentence for it.
  const message = (given === undefined || given === code) && code && REASONS[code] ? REASONS[code].openssl : given;
  if (chain.length === 0) {
    return { ok: false, code: 'NO_CERTIFICATE', message: 'no certificate', explanation: 'the server sent no certificate' };
  }
  const reason = code ? REASONS[code] : undefined;
  return {
    ok: false,
    code: code ?? 'UNKNOWN',
    message: message ?? code ?? 'verification failed',
    explanation: reason ? reason.explain(chain[0], chain.at(-1)) : `OpenSSL rejected the chain: ${message ?? code}`,
  };
}

export function chainReason(chain: ChainVerification): string {
  if (chain.ok) return 'trusted';
  return (chain.code && REASONS[chain.code]?.short) || chain.message || 'untrusted';
}

export function hostnameVerification(
  hostname: string,
  leaf: CertificateInfo | undefined,
  peer: tls.PeerCertificate | undefined,
): HostnameVerification | null {
  if (!leaf || !peer) return null;
  const validNames = namesForHostnameCheck(leaf);
  const failure = tls.checkServerIdentity(hostname, peer);
  if (!failure) return { ok: true, hostname, validNames };
  const list = validNames.length ? validNames.join(', ') : '(no names at all)';
  const note = wildcardNote(hostname, validNames);
  return {
    ok: false,
    hostname,
    validNames,
    message: `hostname mismatch: you asked for ${hostname}, but the certificate is valid only for ${list}${note ? `. ${note}` : ''}`,
  };
}

export function verificationResult(
  verifyPeer: boolean,
  checkHostname: boolean,
  chain: ChainVerification,
  hostname: HostnameVerification | null,
): VerificationResult {
  const chainCounts = verifyPeer && !chain.ok;
  const nameCounts = verifyPeer && checkHostname && hostname !== null && !hostname.ok;
  const accepted = !chainCounts && !nameCounts && !(verifyPeer && chain.code === 'NO_CERTIFICATE');
  const problems: string[] = [];
  if (!chain.ok) problems.push(chainReason(chain));
  if (hostname && !hostname.ok) {
    const note = wildcardNote(hostname.hostname, hostname.validNames);
    problems.push(`hostname mismatch: asked for ${hostname.hostname}, the certificate is valid only for ${hostname.validNames.join(', ') || 'no names'}${note ? ` (${note})` : ''}`);
  }
  let summary: string;
  if (!verifyPeer) {
    summary = problems.length
      ? `not verified (verification off); it would have failed: ${problems.join('; ')}`
      : 'not verified (verification off); the chain would have passed';
  } else if (accepted) {
    summary = checkHostname
      ? 'verified: trusted chain, hostname matches'
      : hostname && !hostname.ok
        ? `chain trusted; hostname check off, which let a mismatch through: ${hostname.message}`
        : 'chain trusted; hostname not checked';
  } else {
    summary = `not verified: ${problems.join('; ')}`;
  }
  return { verifyPeer, checkHostname, chain, hostname, accepted, summary };
}
