// What real clients will object to in a certificate, said before a student serves it: a CA
// without basicConstraints CA:TRUE, a leaf that may sign certificates, a server certificate
// without subjectAltName, a key usage no TLS handshake can use, a key or hash OpenSSL refuses.
// Each line names the client that refuses and what it says, and what to do instead. Pure: DER in,
// sentences out.
import { createPublicKey } from 'node:crypto';
import { type CertificateParts, OID, findExtension, parseCertificateDer, readBasicConstraints, readExtendedKeyUsage, readKeyUsage } from './certificateDer.js';
import { describeAnyKey } from './keys.js';
import { decodeGeneralNames, decodeName } from './names.js';
import { signatureAlgorithmInfo } from './signatures.js';

/** What the certificate was made for, when the caller knows (issuing with a profile); else read from it. */
export type CautionRole = 'server' | 'client' | 'ca';

export interface CautionKey {
  /** "RSA", "EC", "Ed25519", "RSA-PSS", "DSA", ... */
  type: string;
  bits: number;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

/**
 * The problems clients will have with this certificate, one sentence each; empty when none.
 * `role` is what it is meant to be; without it the certificate's own extensions decide.
 */
export function certificateCautions(parts: CertificateParts, key: CautionKey, role?: CautionRole): string[] {
  const out: string[] = [];
  const constraints = readBasicConstraints(parts);
  const basicConstraints = findExtension(parts, OID.basicConstraints);
  const usages = readKeyUsage(parts);
  const ekus = readExtendedKeyUsage(parts);
  const isCa = constraints?.ca === true;
  const signsCertificates = usages?.includes('keyCertSign') === true;

  // --- may it sign certificates? -------------------------------------------------------------
  if (!isCa && (role === 'ca' || (signsCertificates && !constraints))) {
    out.push(
      `It has no basicConstraints CA:TRUE${constraints ? ' (it says CA:FALSE)' : ''}, so it is not a CA: every certificate it signs is refused ` +
        '(OpenSSL: "invalid CA certificate"). A CA needs basicConstraints critical, CA:TRUE.',
    );
  }
  if (!isCa && signsCertificates && constraints) {
    out.push(
      'Its key usage includes Certificate Sign, but its basicConstraints say CA:FALSE: no client lets it sign certificates, and ' +
        'strict checkers refuse the certificate itself (openssl verify -x509_strict: "Key usage keyCertSign invalid for non-CA cert"). ' +
        'Leave Certificate Sign to CAs.',
    );
  }
  if (isCa) {
    if (usages && !signsCertificates) {
      out.push(
        `Its key usage (${usages.join(', ') || 'nothing'}) lacks Certificate Sign (keyCertSign): certificates it signs are refused ` +
          '(OpenSSL: "key usage does not include certificate signing"). A CA needs keyCertSign (and cRLSign).',
      );
    }
    if (basicConstraints && !basicConstraints.critical) {
      out.push(
        'Its basicConstraints extension is not marked critical: RFC 5280 requires it for a CA, and strict checkers refuse it ' +
          '(openssl verify -x509_strict: "basicConstraints of CA cert not marked critical").',
      );
    }
  }

  // --- as a TLS server or client --------------------------------------------------------------
  const leaf = !isCa && role !== 'ca';
  const forServer = leaf && (role === 'server' || (role === undefined && (!ekus || ekus.includes(SERVER_AUTH) || ekus.includes(ANY_EKU))));
  if (leaf && ekus && role !== undefined) {
    const wanted = role === 'server' ? SERVER_AUTH : CLIENT_AUTH;
    if (!ekus.includes(wanted) && !ekus.includes(ANY_EKU)) {
      out.push(
        `Its extended key usage lacks ${role === 'server' ? 'serverAuth' : 'clientAuth'}, so no TLS ${role === 'server' ? 'client accepts it from a server' : 'server accepts it from a client'} ` +
          `(OpenSSL: "unsuitable certificate purpose"). Add ${role === 'server' ? 'serverAuth' : 'clientAuth'}, or leave the extension out.`,
      );
    }
  }
  if (forServer) {
    const san = findExtension(parts, OID.subjectAltName);
    let names: string[] = [];
    try {
      names = san?.value.children[0] ? decodeGeneralNames(san.value.children[0]).map((n) => `${n.type}:${n.value}`) : [];
    } catch {
      names = [];
    }
    const hostNames = names.filter((n) => n.startsWith('dns:') || n.startsWith('ip:'));
    const cn = commonName(parts);
    if (!san) {
      out.push(
        'It has no Subject Alternative Name: Chromium and Firefox ignore the CN and refuse it for every host name ' +
          '(NET::ERR_CERT_COMMON_NAME_INVALID); only OpenSSL, curl and Python still fall back to the CN' +
          `${cn ? ` "${cn}"` : ''}. Give it the server's names as DNS: (or IP:) SANs.`,
      );
    } else if (hostNames.length === 0) {
      out.push(
        'Its Subject Alternative Name holds no DNS or IP name, so it matches no host name at all: clients then ignore the CN too. ' +
          'Add the server\'s names as DNS: (or IP:) SANs.',
      );
    } else if (cn && /^[A-Za-z0-9*][A-Za-z0-9.-]*\.[A-Za-z0-9-]+$/.test(cn) && !names.some((n) => n.toLowerCase() === `dns:${cn.toLowerCase()}`)) {
      out.push(
        `Its CN "${cn}" is not among its Subject Alternative Names: with SANs present clients check only those, so "${cn}" does not match. ` +
          'Add it as a DNS: SAN if the server answers to it.',
      );
    }
  }
  if (leaf && usages && !usages.includes('digitalSignature')) {
    const rsa = key.type === 'RSA';
    if (rsa && usages.includes('keyEncipherment')) {
      out.push(
        'Its key usage lacks Digital Signature: only TLS 1.2\'s RSA key exchange (no forward secrecy) can use it; TLS 1.3 and every ' +
          'ECDHE suite need the key to sign, and clients refuse it there. Add Digital Signature.',
      );
    } else if (!rsa && (usages.includes('keyEncipherment') || usages.includes('keyAgreement') || usages.includes('dataEncipherment'))) {
      out.push(
        `Its key usage lacks Digital Signature, and a${key.type === 'EC' ? 'n' : ''} ${key.type} key can only sign in TLS: servers refuse to ` +
          'use it for TLS 1.2 (handshake failure) and browsers refuse it. Use Digital Signature for this key.',
      );
    }
  }

  // --- the key and the hash -------------------------------------------------------------------
  if ((key.type === 'RSA' || key.type === 'RSA-PSS' || key.type === 'DSA') && key.bits > 0 && key.bits < 2048) {
    out.push(
      `Its ${key.type} key has ${key.bits} bits: OpenSSL at its usual security level (2, Debian's default) refuses keys under 2048 bits ` +
        `(${isCa ? '"CA certificate key too weak"' : '"ee key too small"'}). Make a new key of 2048 bits or more.`,
    );
  }
  const algorithm = signatureAlgorithmInfo(parts.signatureAlgorithm);
  // RSA-PSS names its hash in parameters this table does not read: left alone.
  const hash = algorithm.scheme === 'rsa-pss' ? null : algorithm.hash;
  const selfSigned = Buffer.from(parts.subject.encoded).equals(Buffer.from(parts.issuer.encoded));
  // A root's own signature is not checked by anyone: its hash does not matter.
  if ((hash === 'sha1' || hash === 'md5') && !(selfSigned && isCa)) {
    out.push(
      `It is signed with ${hash.toUpperCase()}: OpenSSL at its usual security level refuses it ("ca md too weak"), and so do browsers. ` +
        'Have it signed again with SHA-256.',
    );
  }
  return out;
}

function commonName(parts: CertificateParts): string | undefined {
  try {
    return decodeName(parts.subject)
      .flat()
      .find((attribute) => attribute.type === 'CN')?.value;
  } catch {
    return undefined;
  }
}

/** The same, from the certificate's DER; a key Node cannot read is left to the other checks. */
export function cautionsForCertificate(der: Uint8Array, role?: CautionRole): string[] {
  const parts = parseCertificateDer(der);
  let key: CautionKey = { type: 'unknown', bits: 0 };
  try {
    key = describeAnyKey(createPublicKey({ key: Buffer.from(parts.subjectPublicKeyInfo.encoded), format: 'der', type: 'spki' }));
  } catch {
    // An unreadable key: the key checks are skipped, the others still apply.
  }
  return certificateCautions(parts, key, role);
}

/**
 * A certificate that outlives a CA above it: from the day that CA expires every client refuses the
 * chain, whatever the certificate's own dates say. `chain` is the CAs above it, nearest first.
 */
export function outlivesChainCaution(notAfter: Date, chain: ReadonlyArray<{ name: string; notAfter: Date }>): string | undefined {
  const first = chain.filter((ca) => ca.notAfter.getTime() < notAfter.getTime()).sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0];
  if (!first) return undefined;
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return (
    `It is valid until ${day(notAfter)}, but the CA "${first.name}" above it expires on ${day(first.notAfter)}: from then on every client ` +
    'refuses it (OpenSSL: "certificate has expired", for the CA). Issue it for fewer days, or renew the CA first.'
  );
}
