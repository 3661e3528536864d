// Verifying a certificate the way OpenSSL does (RFC 5280, Section 6, the parts a lab meets):
// build the path from the leaf up to a trust anchor, then run every check on every certificate
// and name each one, so a student sees which check failed, on which certificate, and why.
//
// As `openssl verify` (and every TLS client built on OpenSSL, ours included), the path must end
// at a self-signed certificate of the trust list; a trusted intermediate or leaf ends it only
// when `partialChain` is asked for (OpenSSL's -partial_chain). One difference worth knowing:
// every check runs even after one fails (OpenSSL stops at its first error).
import { type KeyObject, createHash, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import {
  type CertificateParts,
  type KeyUsageName,
  OID,
  findExtension,
  parseCertificateDer,
  readAuthorityKeyIdentifier,
  readBasicConstraints,
  readExtendedKeyUsage,
  readKeyUsage,
  readSubjectKeyIdentifier,
} from './certificateDer.js';
import { wildcardNote } from './certificateInfo.js';
import { type Asn1Node } from './der.js';
import { PkiError, isPkiError } from './errors.js';
import { bytesToIp, decodeGeneralNames, decodeName, formatDistinguishedName, ipToBytes } from './names.js';
import { verifySignature } from './signatures.js';
import { canonicalNameEncoding } from './subjectHash.js';

export type VerifyCheckName =
  | 'chain'
  | 'signature'
  | 'validity'
  | 'ca-flag'
  | 'key-usage'
  | 'extended-key-usage'
  | 'path-length'
  | 'name-constraints'
  | 'hostname'
  | 'critical-extension';

export interface VerifyCheck {
  name: VerifyCheckName;
  ok: boolean;
  /** index in `chain`, 0 = leaf */
  certificateIndex?: number;
  subject?: string;
  /** one sentence a student can act on */
  detail: string;
}

export interface VerifyOptions {
  trustAnchors: Uint8Array[];
  intermediates?: Uint8Array[];
  hostname?: string;
  at?: Date;
  purpose?: 'serverAuth' | 'clientAuth' | 'any';
  /**
   * Let the path end at any certificate of the trust list, self-signed or not, as OpenSSL's
   * -partial_chain does. Off by default, as in OpenSSL, Node, curl, Python and browsers.
   */
  partialChain?: boolean;
}

export interface VerifyResult {
  ok: boolean;
  /** leaf first, ending at the trust anchor when one was found */
  chain: { der: Uint8Array; subject: string; issuer: string; fingerprintSha256: string }[];
  checks: VerifyCheck[];
  /** the first failed check */
  failed?: VerifyCheck;
  /** True when the path reached one of the trust anchors. */
  anchored?: boolean;
}

/** Deeper chains are refused, as OpenSSL's default verify depth (100) would be far too generous for a lab. */
const MAX_CHAIN_LENGTH = 12;

const PURPOSE_OIDS = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' } as const;
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** What OpenSSL's TLS purposes require of a leaf's keyUsage when it is present (KU_TLS). */
const TLS_KEY_USAGES: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyAgreement'];

interface Candidate {
  der: Uint8Array;
  parts: CertificateParts;
  subject: string;
  issuer: string;
  subjectKey: string;
  issuerKey: string;
  fingerprint: string;
  subjectKeyId?: string;
  authorityKeyId?: string;
  selfIssued: boolean;
  publicKey: KeyObject | null;
}

export function verifyCertificate(leaf: Uint8Array, options: VerifyOptions): VerifyResult {
  const at = options.at ?? new Date();
  if (Number.isNaN(at.getTime())) {
    throw new PkiError('BAD_OPTION', 'The moment to verify at is not a valid date: give it as an ISO time such as 2025-06-01T12:00:00Z.');
  }
  const purpose = options.purpose ?? 'any';
  const leafCandidate = candidate(leaf, 'the certificate to verify');
  const anchors = dedupe(options.trustAnchors.map((der, i) => candidate(der, `trust anchor ${i + 1}`)));
  const intermediates = dedupe((options.intermediates ?? []).map((der, i) => candidate(der, `intermediate certificate ${i + 1}`)));

  const path = buildPath(leafCandidate, anchors, intermediates, at, options.partialChain === true);
  const { chain, anchored } = path;
  const checks: VerifyCheck[] = [chainCheck(path, anchors, intermediates.length)];

  // The order is OpenSSL's (x509_vfy.c verify_chain), so that `failed` is the error OpenSSL,
  // curl and Python would report: extensions and purpose from the leaf up, then the hostname,
  // then signatures and dates from the anchor down, then name constraints.
  chain.forEach((cert, index) => {
    checks.push(criticalExtensionCheck(cert, index));
    if (index > 0) {
      checks.push(caFlagCheck(cert, index, anchored && index === chain.length - 1));
      checks.push(issuerKeyUsageCheck(cert, index));
    }
    if (purpose !== 'any') {
      if (index === 0) checks.push(leafKeyUsageCheck(cert, purpose));
      const eku = extendedKeyUsageCheck(cert, index, purpose);
      if (eku) checks.push(eku);
      else if (index === 0) checks.push(noEku(cert, purpose));
    }
    const pathLength = index > 1 ? pathLengthCheck(chain, index) : undefined;
    if (pathLength) checks.push(pathLength);
  });
  if (options.hostname !== undefined && options.hostname.trim() !== '') checks.push(hostnameCheck(leafCandidate, options.hostname));
  for (let index = chain.length - 1; index >= 0; index--) {
    const issuer = chain[index + 1];
    if (issuer) checks.push(signatureCheck(chain[index], issuer, index));
    checks.push(validityCheck(chain[index], index, at));
  }
  checks.push(...nameConstraintChecks(chain));

  const failed = checks.find((check) => !check.ok);
  return {
    ok: failed === undefined,
    chain: chain.map((cert) => ({ der: cert.der, subject: cert.subject, issuer: cert.issuer, fingerprintSha256: cert.fingerprint })),
    checks,
    failed,
    anchored,
  };
}

// --- reading the certificates ---------------------------------------------------------------

function candidate(der: Uint8Array, what: string): Candidate {
  let parts: CertificateParts;
  try {
    parts = parseCertificateDer(der);
    // Read every extension the checks use now, so that a malformed one fails here, clearly.
    readBasicConstraints(parts);
    readKeyUsage(parts);
    readExtendedKeyUsage(parts);
  } catch (error) {
    if (isPkiError(error)) throw new PkiError(error.code, `${capitalise(what)}: ${error.message}`, { cause: error });
    if (error instanceof Error) {
      throw new PkiError(
        'BAD_DER',
        `${capitalise(what)} is damaged: its ASN.1 structure is not laid out as a certificate is (an element is missing or of the wrong kind). Get an undamaged copy of it.`,
        { cause: error },
      );
    }
    throw error;
  }
  const subjectKey = nameKey(parts.subject);
  const issuerKey = nameKey(parts.issuer);
  let publicKey: KeyObject | null = null;
  try {
    publicKey = createPublicKey({ key: Buffer.from(parts.subjectPublicKeyInfo.encoded), format: 'der', type: 'spki' });
  } catch {
    publicKey = null;
  }
  return {
    der,
    parts,
    subject: showName(parts.subject),
    issuer: showName(parts.issuer),
    subjectKey,
    issuerKey,
    fingerprint: colonHex(createHash('sha256').update(der).digest()),
    subjectKeyId: readSubjectKeyIdentifier(parts),
    authorityKeyId: readAuthorityKeyIdentifier(parts),
    selfIssued: subjectKey === issuerKey,
    publicKey,
  };
}

/** Names compare as OpenSSL compares them: by their canonical encoding (case and spaces folded). */
function nameKey(name: Asn1Node): string {
  try {
    return Buffer.from(canonicalNameEncoding(name.encoded)).toString('hex');
  } catch {
    return Buffer.from(name.encoded).toString('hex');
  }
}

function showName(name: Asn1Node): string {
  try {
    return formatDistinguishedName(decodeName(name)) || '(empty name)';
  } catch {
    return `(undecodable name ${Buffer.from(name.encoded).toString('hex')})`;
  }
}

function dedupe(list: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return list.filter((cert) => !seen.has(cert.fingerprint) && seen.add(cert.fingerprint) !== undefined);
}

function colonHex(digest: Uint8Array): string {
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function quote(cert: Candidate): string {
  return `"${cert.subject}"`;
}

// --- path building --------------------------------------------------------------------------

interface Path {
  chain: Candidate[];
  anchored: boolean;
  /** Why the path stopped short of an anchor. */
  stop?: { reason: 'issuer-unknown' | 'self-signed' | 'too-long' | 'anchor-not-self-signed'; at: Candidate };
}

/**
 * OpenSSL's build_chain: the issuer is looked for among the trust anchors first, then among the
 * intermediates; once the path has reached a trust anchor it climbs through trust anchors only,
 * until a self-signed one ends it (or, with partialChain, the first trust anchor ends it).
 */
function buildPath(leaf: Candidate, anchors: Candidate[], intermediates: Candidate[], at: Date, partialChain: boolean): Path {
  const chain = [leaf];
  const isAnchor = (cert: Candidate) => anchors.some((anchor) => anchor.fingerprint === cert.fingerprint);
  if (isAnchor(leaf) && (partialChain || selfSigned(leaf))) return { chain, anchored: true };
  let trusted = false;
  for (;;) {
    const current = chain[chain.length - 1];
    const used = new Set(chain.map((cert) => cert.fingerprint));
    const anchor = findIssuer(current, anchors.filter((cert) => !used.has(cert.fingerprint)), at);
    if (anchor) {
      chain.push(anchor);
      if (partialChain || selfSigned(anchor)) return { chain, anchored: true };
      trusted = true;
      continue;
    }
    if (trusted) return { chain, anchored: false, stop: { reason: 'anchor-not-self-signed', at: current } };
    if (current.selfIssued && signedBy(current, current)) return { chain, anchored: false, stop: { reason: 'self-signed', at: current } };
    if (chain.length >= MAX_CHAIN_LENGTH) return { chain, anchored: false, stop: { reason: 'too-long', at: current } };
    const next = findIssuer(current, intermediates.filter((cert) => !used.has(cert.fingerprint)), at);
    if (!next) return { chain, anchored: false, stop: { reason: 'issuer-unknown', at: current } };
    chain.push(next);
  }
}

/**
 * Self-signed as OpenSSL decides it for a trust anchor (X509_self_signed without checking the
 * signature): issued to itself, with its own key identifier when it names one.
 */
function selfSigned(cert: Candidate): boolean {
  return cert.selfIssued && (cert.authorityKeyId === undefined || cert.subjectKeyId === undefined || cert.authorityKeyId === cert.subjectKeyId);
}

/**
 * The issuer of `cert` among `candidates`: same (canonical) name, and the same key identifier
 * when both carry one. Of several, the one whose signature checks out, then the one valid at `at`.
 */
function findIssuer(cert: Candidate, candidates: Candidate[], at: Date): Candidate | undefined {
  const named = candidates.filter(
    (issuer) =>
      issuer.subjectKey === cert.issuerKey &&
      (cert.authorityKeyId === undefined || issuer.subjectKeyId === undefined || cert.authorityKeyId === issuer.subjectKeyId),
  );
  if (named.length <= 1) return named[0];
  const score = (issuer: Candidate) => (signedBy(cert, issuer) ? 2 : 0) + (validAt(issuer, at) ? 1 : 0);
  return [...named].sort((a, b) => score(b) - score(a))[0];
}

function signedBy(cert: Candidate, issuer: Candidate): boolean {
  if (!issuer.publicKey) return false;
  const { parts } = cert;
  return verifySignature(parts.signatureAlgorithm, parts.tbs.encoded, parts.signature.contents.subarray(1), issuer.publicKey) === true;
}

function validAt(cert: Candidate, at: Date): boolean {
  return cert.parts.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.parts.notAfter.getTime();
}

// --- the checks -----------------------------------------------------------------------------

/** What to do about a trusted certificate that is not self-signed, said the same way everywhere. */
const PARTIAL_CHAIN_ADVICE =
  'or, to trust it on its own, allow partial chains (tlslab cert verify --partial-chain, or "Accept partial chains" in the ' +
  'verify panel; OpenSSL\'s -partial_chain). Browsers, curl, Python and the workbench\'s own TLS client do not do that, ' +
  'so a server that relies on it fails for them.';

function chainCheck(path: Path, anchors: Candidate[], intermediateCount: number): VerifyCheck {
  const anchorCount = anchors.length;
  const top = path.chain[path.chain.length - 1];
  if (path.anchored) {
    const steps = path.chain.length - 1;
    const detail =
      steps === 0
        ? `The certificate ${quote(top)} is itself one of the trust anchors, so it is trusted as it is.`
        : `The chain climbs ${steps} step${steps === 1 ? '' : 's'} from the leaf to the trust anchor ${quote(top)}.`;
    return { name: 'chain', ok: true, certificateIndex: path.chain.length - 1, subject: top.subject, detail };
  }
  const stop = path.stop ?? { reason: 'issuer-unknown', at: top };
  const index = path.chain.length - 1;
  let detail: string;
  if (stop.reason === 'self-signed') {
    detail =
      index === 0
        ? `The certificate ${quote(stop.at)} is self-signed and is not one of the trust anchors: ` +
          'trust it explicitly (add it to the trust store) or use a certificate issued by a CA you trust.'
        : `The chain ends at the self-signed certificate ${quote(stop.at)}, which is not one of the trust anchors: ` +
          'add that root CA to the trust store if you mean to trust it.';
  } else if (stop.reason === 'anchor-not-self-signed') {
    detail =
      `The chain reaches ${quote(stop.at)}, which is in the trust list but is not self-signed, and its issuer ` +
      `"${stop.at.issuer}" is not in the trust list, so the chain does not end at a root CA (OpenSSL says "unable to get ` +
      `issuer certificate"). Add the root CA "${stop.at.issuer}" to the trust store, ${PARTIAL_CHAIN_ADVICE}`;
  } else if (stop.reason === 'too-long') {
    detail = `The chain grew past ${MAX_CHAIN_LENGTH} certificates without reaching a trust anchor; the intermediates probably form a loop.`;
  } else {
    const keyId = stop.at.authorityKeyId ? ` with key identifier ${stop.at.authorityKeyId}` : '';
    detail =
      `No certificate named "${stop.at.issuer}"${keyId} (the issuer of ${quote(stop.at)}) was found among ` +
      `the ${anchorCount} trust anchor${anchorCount === 1 ? '' : 's'} and ${intermediateCount} intermediate` +
      `${intermediateCount === 1 ? '' : 's'} given: add the CA that issued it to the trust store, ` +
      'or give the missing intermediate certificate as part of the chain (OpenSSL says "unable to get local issuer certificate").';
    // The lesson of a forged or remade CA: the name is right, the key is not.
    const sameName = anchors.filter((anchor) => anchor.subject === stop.at.issuer && anchor.fingerprint !== stop.at.fingerprint);
    if (sameName.length > 0) {
      const theirs = sameName.map((anchor) => anchor.subjectKeyId).filter((id): id is string => id !== undefined);
      detail =
        `The issuer of ${quote(stop.at)} is named "${stop.at.issuer}"${keyId}. The trust store holds a CA of that name, but with another key` +
        `${theirs.length > 0 ? ` (key identifier ${theirs.join(', ')})` : ''}, so that CA did not sign it (OpenSSL says "unable to get local issuer certificate"). ` +
        'Two CAs share the name (a CA made again, or a look-alike): a name proves nothing, only the key does. Trust the CA that really issued it.';
    }
    if (anchors.some((anchor) => anchor.fingerprint === stop.at.fingerprint)) {
      detail +=
        ` ${quote(stop.at)} is itself in the trust list, but it is not self-signed, so it cannot end the chain: ` +
        `add the CA that issued it, ${PARTIAL_CHAIN_ADVICE}`;
    }
  }
  return { name: 'chain', ok: false, certificateIndex: index, subject: stop.at.subject, detail };
}

function signatureCheck(cert: Candidate, issuer: Candidate, index: number): VerifyCheck {
  const base = { name: 'signature' as const, certificateIndex: index, subject: cert.subject };
  if (!issuer.publicKey) {
    return { ...base, ok: false, detail: `The public key of the issuer ${quote(issuer)} cannot be read, so the signature on ${quote(cert)} cannot be checked.` };
  }
  const { parts } = cert;
  const result = verifySignature(parts.signatureAlgorithm, parts.tbs.encoded, parts.signature.contents.subarray(1), issuer.publicKey);
  if (result === null) {
    return {
      ...base,
      ok: false,
      detail: `The signature algorithm ${parts.signatureAlgorithmOid} of ${quote(cert)} is not one the workbench can check (RSA PKCS#1, RSA-PSS, ECDSA, DSA, Ed25519, Ed448).`,
    };
  }
  if (result) return { ...base, ok: true, detail: `The signature on ${quote(cert)} was made by the key of ${quote(issuer)}.` };
  return {
    ...base,
    ok: false,
    detail:
      `The signature on ${quote(cert)} does not verify with the public key of ${quote(issuer)}: the certificate was altered ` +
      'after signing, or it was signed by another key with the same issuer name. Get an untouched copy, or the right CA.',
  };
}

function validityCheck(cert: Candidate, index: number, at: Date): VerifyCheck {
  const base = { name: 'validity' as const, certificateIndex: index, subject: cert.subject };
  const { notBefore, notAfter } = cert.parts;
  const when = showDate(at);
  if (at.getTime() < notBefore.getTime()) {
    return {
      ...base,
      ok: false,
      detail: `${quote(cert)} is not yet valid: it is valid from ${showDate(notBefore)} but the check was made at ${when}. Wait, fix the clock, or reissue it with an earlier start.`,
    };
  }
  if (at.getTime() > notAfter.getTime()) {
    return {
      ...base,
      ok: false,
      detail: `${quote(cert)} has expired: it was valid until ${showDate(notAfter)} and the check was made at ${when}. Renew (reissue) the certificate.`,
    };
  }
  return { ...base, ok: true, detail: `${quote(cert)} is valid from ${showDate(notBefore)} to ${showDate(notAfter)}, which includes ${when}.` };
}

function showDate(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.000Z$/, ' UTC').replace(/Z$/, ' UTC');
}

/** The extensions OpenSSL understands (X509_supported_extension); any other marked critical is fatal. */
const UNDERSTOOD_EXTENSIONS = new Map<string, string>([
  ['2.16.840.1.113730.1.1', 'nsCertType'],
  ['2.5.29.15', 'keyUsage'],
  ['2.5.29.17', 'subjectAltName'],
  ['2.5.29.19', 'basicConstraints'],
  ['2.5.29.32', 'certificatePolicies'],
  ['2.5.29.37', 'extendedKeyUsage'],
  ['2.5.29.36', 'policyConstraints'],
  ['1.3.6.1.5.5.7.1.14', 'proxyCertInfo'],
  ['2.5.29.30', 'nameConstraints'],
  ['2.5.29.33', 'policyMappings'],
  ['2.5.29.54', 'inhibitAnyPolicy'],
  ['1.3.6.1.5.5.7.1.7', 'ipAddrBlocks'],
  ['1.3.6.1.5.5.7.1.8', 'autonomousSysIds'],
]);

function criticalExtensionCheck(cert: Candidate, index: number): VerifyCheck {
  const base = { name: 'critical-extension' as const, certificateIndex: index, subject: cert.subject };
  const unknown = cert.parts.extensions.filter((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
  if (unknown.length === 0) {
    return { ...base, ok: true, detail: `${quote(cert)} has no critical extension a verifier would not understand.` };
  }
  const oids = unknown.map((e) => e.oid).join(', ');
  return {
    ...base,
    ok: false,
    detail:
      `${quote(cert)} marks the extension ${oids} critical, and a verifier must refuse a certificate with a critical ` +
      'extension it does not understand (OpenSSL says "unhandled critical extension"); reissue it with that extension not critical.',
  };
}

function caFlagCheck(cert: Candidate, index: number, isAnchor: boolean): VerifyCheck {
  const base = { name: 'ca-flag' as const, certificateIndex: index, subject: cert.subject };
  const constraints = readBasicConstraints(cert.parts);
  if (constraints?.ca) return { ...base, ok: true, detail: `${quote(cert)} is a CA (basicConstraints CA:TRUE), so it may sign certificates.` };
  // OpenSSL (X509_check_ca) lets a trust anchor without basicConstraints act as a CA when it is
  // a v1 self-signed certificate or when its keyUsage allows keyCertSign.
  if (!constraints && isAnchor && (cert.parts.version === 1 || readKeyUsage(cert.parts)?.includes('keyCertSign'))) {
    return {
      ...base,
      ok: true,
      detail: `${quote(cert)} has no basicConstraints but, as a ${cert.parts.version === 1 ? 'version 1' : 'keyCertSign'} trust anchor, OpenSSL accepts it as a CA.`,
    };
  }
  const said = constraints ? 'its basicConstraints say CA:FALSE' : 'it has no basicConstraints extension';
  return {
    ...base,
    ok: false,
    detail:
      `${quote(cert)} signed the certificate below it but is not a CA: ${said}. Only a certificate with ` +
      'basicConstraints CA:TRUE may issue certificates; sign with a real CA (OpenSSL says "invalid CA certificate").',
  };
}

function issuerKeyUsageCheck(cert: Candidate, index: number): VerifyCheck {
  const base = { name: 'key-usage' as const, certificateIndex: index, subject: cert.subject };
  const usages = readKeyUsage(cert.parts);
  if (!usages) return { ...base, ok: true, detail: `${quote(cert)} has no keyUsage extension, so its key is not limited.` };
  if (usages.includes('keyCertSign')) return { ...base, ok: true, detail: `The keyUsage of ${quote(cert)} includes keyCertSign: it may sign certificates.` };
  return {
    ...base,
    ok: false,
    detail:
      `The keyUsage of ${quote(cert)} (${usages.join(', ') || 'nothing'}) lacks keyCertSign, so its key may not sign certificates; ` +
      'reissue the CA with keyUsage keyCertSign (and cRLSign).',
  };
}

function leafKeyUsageCheck(leaf: Candidate, purpose: 'serverAuth' | 'clientAuth'): VerifyCheck {
  const base = { name: 'key-usage' as const, certificateIndex: 0, subject: leaf.subject };
  const usages = readKeyUsage(leaf.parts);
  const role = purpose === 'serverAuth' ? 'a TLS server' : 'a TLS client';
  if (!usages) return { ...base, ok: true, detail: `${quote(leaf)} has no keyUsage extension, so its key may serve ${role}.` };
  if (usages.some((usage) => TLS_KEY_USAGES.includes(usage))) {
    // What OpenSSL's verify lets through but a handshake or a stricter client does not.
    const caveats: string[] = [];
    const keyType = leaf.publicKey?.asymmetricKeyType;
    if (!usages.includes('digitalSignature') && keyType !== undefined && keyType !== 'rsa') {
      caveats.push(
        `but its ${keyType === 'ec' ? 'EC' : keyType} key can only sign, and without digitalSignature TLS 1.2 servers refuse to use it and browsers refuse it`,
      );
    }
    if (usages.includes('keyCertSign') && readBasicConstraints(leaf.parts)?.ca !== true) {
      caveats.push('but keyCertSign on a certificate that is not a CA is refused by strict checkers (openssl verify -x509_strict)');
    }
    const allows = `The keyUsage of ${quote(leaf)} (${usages.join(', ')}) allows a TLS handshake as OpenSSL checks it`;
    return { ...base, ok: true, detail: caveats.length > 0 ? `${allows}, ${caveats.join('; and ')}.` : `The keyUsage of ${quote(leaf)} (${usages.join(', ')}) allows a TLS handshake.` };
  }
  return {
    ...base,
    ok: false,
    detail:
      `The keyUsage of ${quote(leaf)} (${usages.join(', ') || 'nothing'}) allows none of digitalSignature, keyEncipherment, ` +
      `keyAgreement, so it cannot act as ${role}; reissue it with digitalSignature.`,
  };
}

/** undefined when the certificate has no extKeyUsage (then every purpose is allowed). */
function extendedKeyUsageCheck(cert: Candidate, index: number, purpose: 'serverAuth' | 'clientAuth' | 'any'): VerifyCheck | undefined {
  const usages = readExtendedKeyUsage(cert.parts);
  if (!usages || purpose === 'any') return undefined;
  const base = { name: 'extended-key-usage' as const, certificateIndex: index, subject: cert.subject };
  const wanted = PURPOSE_OIDS[purpose];
  const names = usages.map(ekuName).join(', ') || 'nothing';
  if (usages.includes(wanted) || usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    return { ...base, ok: true, detail: `The extendedKeyUsage of ${quote(cert)} (${names}) includes ${purpose}.` };
  }
  return {
    ...base,
    ok: false,
    detail:
      `The extendedKeyUsage of ${quote(cert)} allows ${names} but not ${purpose}, so it may not be used ` +
      `${purpose === 'serverAuth' ? 'by a TLS server' : 'by a TLS client'} (OpenSSL says "unsuitable certificate purpose"); ` +
      `reissue it with the ${purpose === 'serverAuth' ? 'server' : 'client'} profile.`,
  };
}

function noEku(leaf: Candidate, purpose: 'serverAuth' | 'clientAuth'): VerifyCheck {
  return {
    name: 'extended-key-usage',
    ok: true,
    certificateIndex: 0,
    subject: leaf.subject,
    detail: `${quote(leaf)} has no extendedKeyUsage extension, so it may be used for ${purpose}.`,
  };
}

function ekuName(oid: string): string {
  const names: Record<string, string> = {
    '1.3.6.1.5.5.7.3.1': 'serverAuth',
    '1.3.6.1.5.5.7.3.2': 'clientAuth',
    '1.3.6.1.5.5.7.3.3': 'codeSigning',
    '1.3.6.1.5.5.7.3.4': 'emailProtection',
    '1.3.6.1.5.5.7.3.8': 'timeStamping',
    '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
    [ANY_EXTENDED_KEY_USAGE]: 'anyExtendedKeyUsage',
  };
  return names[oid] ?? oid;
}

/**
 * pathLenConstraint (RFC 5280, Section 4.2.1.9): how many non-self-issued intermediate CAs may
 * stand between this CA and the leaf. Counted as OpenSSL's check_extensions counts.
 */
function pathLengthCheck(chain: Candidate[], index: number): VerifyCheck | undefined {
  const cert = chain[index];
  const limit = readBasicConstraints(cert.parts)?.pathLength;
  if (limit === undefined) return undefined;
  const below = chain.slice(1, index).filter((intermediate) => !intermediate.selfIssued).length;
  const base = { name: 'path-length' as const, certificateIndex: index, subject: cert.subject };
  if (below <= limit) {
    return { ...base, ok: true, detail: `${quote(cert)} allows ${limit} intermediate CA${limit === 1 ? '' : 's'} below it and has ${below}.` };
  }
  return {
    ...base,
    ok: false,
    detail:
      `${quote(cert)} has pathLenConstraint ${limit}: at most ${limit} intermediate CA${limit === 1 ? '' : 's'} may stand ` +
      `below it, but this chain has ${below} (OpenSSL says "path length constraint exceeded"); issue from a CA higher up ` +
      'or recreate the CA with a larger path length.',
  };
}

// --- name constraints -----------------------------------------------------------------------

interface Subtree {
  type: 'dns' | 'ip' | 'email' | 'other';
  /** dns/email: the constraint text; ip: address bytes and mask. */
  text: string;
  address?: Uint8Array;
  mask?: Uint8Array;
}

interface Constraints {
  permitted: Subtree[];
  excluded: Subtree[];
}

function readNameConstraints(cert: Candidate): Constraints | undefined {
  const sequence = findExtension(cert.parts, OID.nameConstraints)?.value.children[0];
  if (!sequence) return undefined;
  const out: Constraints = { permitted: [], excluded: [] };
  for (const part of sequence.children) {
    if (part.tagClass !== 'context') continue;
    const target = part.tagNumber === 0 ? out.permitted : part.tagNumber === 1 ? out.excluded : undefined;
    for (const subtree of part.children) {
      const base = subtree.children[0];
      if (base && target) target.push(readSubtree(base));
    }
  }
  return out;
}

function readSubtree(base: Asn1Node): Subtree {
  const text = Buffer.from(base.contents).toString('latin1');
  if (base.tagClass === 'context' && base.tagNumber === 2) return { type: 'dns', text };
  if (base.tagClass === 'context' && base.tagNumber === 1) return { type: 'email', text };
  if (base.tagClass === 'context' && base.tagNumber === 7 && (base.contents.length === 8 || base.contents.length === 32)) {
    const half = base.contents.length / 2;
    return { type: 'ip', text: bytesToIp(base.contents), address: base.contents.subarray(0, half), mask: base.contents.subarray(half) };
  }
  return { type: 'other', text: base.typeName };
}

interface SubjectName {
  type: 'dns' | 'ip' | 'email';
  value: string;
  bytes?: Uint8Array;
}

/** The names of a certificate that name constraints apply to: SANs, emailAddress, and a host-like CN when no DNS SAN exists. */
function constrainedNames(cert: Candidate, isLeaf: boolean): SubjectName[] {
  const names: SubjectName[] = [];
  const sans = sanNodes(cert);
  for (const node of sans) {
    if (node.tagClass !== 'context') continue;
    if (node.tagNumber === 2) names.push({ type: 'dns', value: Buffer.from(node.contents).toString('latin1') });
    if (node.tagNumber === 1) names.push({ type: 'email', value: Buffer.from(node.contents).toString('latin1') });
    if (node.tagNumber === 7) names.push({ type: 'ip', value: bytesToIp(node.contents), bytes: node.contents });
  }
  const attributes = safeAttributes(cert);
  for (const attribute of attributes) {
    if (attribute.type === 'emailAddress') names.push({ type: 'email', value: attribute.value });
  }
  // OpenSSL (NAME_CONSTRAINTS_check_CN) also checks a leaf's CN as a DNS name when it has no DNS SAN.
  if (isLeaf && !names.some((name) => name.type === 'dns')) {
    for (const attribute of attributes) {
      if (attribute.type === 'CN' && /^[A-Za-z0-9*_-]+(\.[A-Za-z0-9_-]+)+\.?$/.test(attribute.value)) {
        names.push({ type: 'dns', value: attribute.value });
      }
    }
  }
  return names;
}

function sanNodes(cert: Candidate): Asn1Node[] {
  return findExtension(cert.parts, OID.subjectAltName)?.value.children[0]?.children ?? [];
}

function safeAttributes(cert: Candidate): { type: string; value: string }[] {
  try {
    return decodeName(cert.parts.subject).flat();
  } catch {
    return [];
  }
}

function subtreeMatches(name: SubjectName, subtree: Subtree): boolean {
  if (name.type !== subtree.type) return false;
  if (name.type === 'dns') return dnsWithin(name.value, subtree.text);
  if (name.type === 'email') return emailWithin(name.value, subtree.text);
  const bytes = name.bytes ?? ipToBytes(name.value);
  if (!subtree.address || !subtree.mask || bytes.length !== subtree.address.length) return false;
  return bytes.every((byte, i) => (byte & subtree.mask![i]) === (subtree.address![i] & subtree.mask![i]));
}

/** OpenSSL's nc_dns: zero or more labels may be added on the left of the constraint. */
function dnsWithin(name: string, constraint: string): boolean {
  const dns = name.toLowerCase();
  const base = constraint.toLowerCase();
  if (base === '') return true;
  if (dns.length < base.length) return false;
  if (dns.length > base.length && !base.startsWith('.') && dns[dns.length - base.length - 1] !== '.') return false;
  return dns.endsWith(base);
}

/** RFC 5280: "user@host" is one mailbox, "host" every mailbox there, ".host" every mailbox below it. */
function emailWithin(address: string, constraint: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const domain = address.slice(at + 1).toLowerCase();
  const base = constraint.toLowerCase();
  if (base.includes('@')) return address.slice(0, at) === constraint.slice(0, constraint.lastIndexOf('@')) && domain === base.slice(base.lastIndexOf('@') + 1);
  if (base.startsWith('.')) return domain.endsWith(base);
  return domain === base;
}

function nameConstraintChecks(chain: Candidate[]): VerifyCheck[] {
  const checks: VerifyCheck[] = [];
  chain.forEach((ca, index) => {
    if (index === 0) return;
    const constraints = readNameConstraints(ca);
    if (!constraints) return;
    let checked = 0;
    for (let below = index - 1; below >= 0; below--) {
      const cert = chain[below];
      // RFC 5280, Section 6.1.3: self-issued intermediates are exempt, the leaf never is.
      if (below > 0 && cert.selfIssued) continue;
      for (const name of constrainedNames(cert, below === 0)) {
        checked++;
        const detail = nameViolation(name, cert, ca, constraints);
        // As OpenSSL does, a violation is reported at the certificate that carries the name.
        if (detail) {
          checks.push({ name: 'name-constraints', ok: false, certificateIndex: below, subject: cert.subject, detail });
          return;
        }
      }
    }
    const trees = [...constraints.permitted.map((s) => `permitted ${s.text}`), ...constraints.excluded.map((s) => `excluded ${s.text}`)];
    checks.push({
      name: 'name-constraints',
      ok: true,
      certificateIndex: index,
      subject: ca.subject,
      detail: `All ${checked} name${checked === 1 ? '' : 's'} below ${quote(ca)} respect its name constraints (${trees.join(', ')}).`,
    });
  });
  return checks;
}

function nameViolation(name: SubjectName, cert: Candidate, ca: Candidate, constraints: Constraints): string | undefined {
  const excludedBy = constraints.excluded.find((subtree) => subtreeMatches(name, subtree));
  if (excludedBy) {
    return (
      `${quote(cert)} carries the name ${label(name)}, which the CA ${quote(ca)} excludes (${label({ ...name, value: excludedBy.text })}); ` +
      'a certificate under this CA may not use it (OpenSSL says "excluded subtree violation").'
    );
  }
  const permittedOfType = constraints.permitted.filter((subtree) => subtree.type === name.type);
  if (permittedOfType.length > 0 && !permittedOfType.some((subtree) => subtreeMatches(name, subtree))) {
    return (
      `${quote(cert)} carries the name ${label(name)}, outside the names the CA ${quote(ca)} may certify ` +
      `(${permittedOfType.map((subtree) => label({ ...name, value: subtree.text })).join(', ')}); issue it from another CA ` +
      '(OpenSSL says "permitted subtree violation").'
    );
  }
  return undefined;
}

function label(name: { type: string; value: string }): string {
  const prefix = { dns: 'DNS', ip: 'IP', email: 'email', other: '' }[name.type] ?? name.type;
  return `${prefix}:${name.value}`;
}

// --- hostname ------------------------------------------------------------------------------

/**
 * RFC 6125 as OpenSSL's X509_check_host / X509_check_ip do it with the flags Python and curl
 * use: DNS SANs take precedence over the CN; a wildcard only as the whole left-most label,
 * matching exactly one label; an IP address matches IP SANs only.
 */
function hostnameCheck(leaf: Candidate, hostname: string): VerifyCheck {
  const base = { name: 'hostname' as const, certificateIndex: 0, subject: leaf.subject };
  const host = hostname.trim().replace(/^\[(.*)\]$/, '$1');
  const valid = namesForHost(leaf);
  const listed = valid.length > 0 ? valid.join(', ') : 'no names at all (no SANs, no CN)';
  if (isIP(host)) {
    const wanted = Buffer.from(ipToBytes(host));
    const match = sanNodes(leaf).find((node) => node.tagClass === 'context' && node.tagNumber === 7 && wanted.equals(Buffer.from(node.contents)));
    if (match) return { ...base, ok: true, detail: `The IP address ${host} is among the certificate's IP SANs.` };
    return {
      ...base,
      ok: false,
      detail:
        `The certificate is valid for ${listed}, not for the IP address ${host}: an address matches only an IP SAN (never a DNS name or the CN); ` +
        `connect with one of those names, or reissue the certificate with IP:${host}.`,
    };
  }
  const wanted = host.toLowerCase().replace(/\.$/, '');
  const dnsSans = sanNodes(leaf)
    .filter((node) => node.tagClass === 'context' && node.tagNumber === 2)
    .map((node) => Buffer.from(node.contents).toString('latin1'));
  const patterns = dnsSans.length > 0 ? dnsSans : safeAttributes(leaf).filter((a) => a.type === 'CN').map((a) => a.value);
  const source = dnsSans.length > 0 ? 'DNS SAN' : 'common name (there are no DNS SANs)';
  const match = patterns.find((pattern) => hostMatches(pattern, wanted));
  if (match !== undefined) return { ...base, ok: true, detail: `The name ${hostname} matches the ${source} "${match}".` };
  const cnNote = dnsSans.length > 0 && safeAttributes(leaf).some((a) => a.type === 'CN' && hostMatches(a.value, wanted))
    ? ' Its CN matches, but a certificate with DNS SANs is matched on its SANs only.'
    : '';
  const wildcard = wildcardNote(wanted, patterns);
  return {
    ...base,
    ok: false,
    detail: `The certificate is valid for ${listed}, not for ${hostname}.${cnNote}${wildcard ? ` ${wildcard}` : ''} Connect with one of those names, or reissue the certificate with DNS:${wanted}.`,
  };
}

function namesForHost(leaf: Candidate): string[] {
  const names: string[] = [];
  const sequence = findExtension(leaf.parts, OID.subjectAltName)?.value.children[0];
  for (const entry of sequence ? decodeGeneralNames(sequence) : []) {
    if (entry.type === 'dns') names.push(`DNS:${entry.value}`);
    if (entry.type === 'ip') names.push(`IP:${entry.value}`);
  }
  if (!names.some((name) => name.startsWith('DNS:'))) {
    for (const attribute of safeAttributes(leaf)) if (attribute.type === 'CN') names.push(`CN=${attribute.value}`);
  }
  return names;
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (p === host) return true;
  if (!p.startsWith('*.')) return false;
  const rest = p.slice(2);
  // OpenSSL's valid_star: the wildcard needs two more labels after it (not "*.com"), and only one "*".
  if (!rest.includes('.') || rest.includes('*') || rest.startsWith('.') || rest.endsWith('.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === rest;
}
