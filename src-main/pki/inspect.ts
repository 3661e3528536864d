// The inspector: any certificate or CSR decoded into fields and extensions, each with a
// one-line explanation for a student, plus fingerprints, both subject hashes, the PEM and an
// ASN.1 tree whose nodes carry byte offsets for a hex view. Whatever it cannot decode it shows
// raw; it never throws on the contents of a well-formed DER structure.
import { type KeyObject, createHash, createPublicKey } from 'node:crypto';
import { type CertificateParts, type ExtensionNode, KEY_USAGE_NAMES, parseCertificateDer, readExtendedKeyUsage } from './certificateDer.js';
import { certificateCautions } from './cautions.js';
import { type CsrInfo, parseCsr } from './csr.js';
import { type Asn1Node, decodeOid, parseDer, parseDerAt } from './der.js';
import { PkiError, libraryReason } from './errors.js';
import { describeAnyKey } from './keys.js';
import { bytesToIp, decodeGeneralNames, decodeName, decodeStringValue, formatDistinguishedName, formatGeneralName } from './names.js';
import type { PkiExtendedKeyUsage } from '../api/pkiTypes';
import { describeExtendedKeyUsage } from './extendedKeyUsage.js';
import { describeOid, extendedKeyUsageText, oidName } from './oids.js';
import { labelList, looksLikePem, splitPem, toPem } from './pem.js';
import { signatureAlgorithmInfo, verifySignature } from './signatures.js';
import { nameHash, nameHashOld } from './subjectHash.js';

/** Where a field lives in the DER, for highlighting in a hex view. */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface InspectedField {
  /** "Serial number", "Validity", "Subject Alternative Name", ... */
  label: string;
  /** The value on one line. */
  value: string;
  /** One line a student understands: what this field is for. */
  explanation: string;
  range?: ByteRange;
  /** More lines (list entries, sub-fields). */
  details?: string[];
}

export interface InspectedExtension extends InspectedField {
  oid: string;
  critical: boolean;
  /** False when the workbench does not know the extension (or could not decode it) and shows it raw. */
  decoded: boolean;
  /** The extension value's DER, hex. */
  rawHex: string;
}

export interface Asn1TreeNode {
  offset: number;
  headerLength: number;
  length: number;
  /** "SEQUENCE", "INTEGER", "[0]", ... */
  tag: string;
  constructed: boolean;
  /** A short rendering of a primitive value (OID with its name, string text, time, small integers). */
  value?: string;
  /** True when the children were found inside an OCTET STRING or BIT STRING. */
  encapsulates?: boolean;
  children: Asn1TreeNode[];
}

export interface PublicKeyDetails {
  type: string;
  bits: number;
  curve?: string;
  summary: string;
  /** RSA public exponent, decimal. */
  exponent?: string;
  /** SHA-256 of the SubjectPublicKeyInfo, base64 (the value used for key pinning). */
  spkiSha256: string;
  /** What to know about this kind of key (RSA-PSS restrictions, a curve few clients accept, ...). */
  notes: string[];
  /** The key's public value, colon hex: an RSA modulus, a DSA y, an EC point, an EdDSA key. */
  publicValue?: string;
  /** "Modulus", "Public value (y)", "Public key". */
  publicValueLabel?: string;
  /** DSA's domain parameters P, Q and G, colon hex. */
  domainParameters?: { label: string; value: string }[];
}

export interface Inspection {
  kind: 'certificate' | 'csr';
  /** One line: "Certificate for CN=www.bank32.com, issued by CN=Lab CA, valid until ..." */
  summary: string;
  der: Uint8Array;
  pem: string;
  subject: string;
  /** Certificates only. */
  issuer?: string;
  serialNumber?: string;
  notBefore?: string;
  notAfter?: string;
  fingerprints: { sha1: string; sha256: string };
  subjectHash: string;
  subjectHashOld: string;
  publicKey: PublicKeyDetails;
  signatureAlgorithm: string;
  /** For a CSR: its self-signature; for a self-issued certificate: its own signature; else null (needs the issuer). */
  signatureValid: boolean | null;
  fields: InspectedField[];
  extensions: InspectedExtension[];
  /** What real clients will refuse in it, one sentence each with what to do (certificates only). */
  cautions: string[];
  /** What the certificate (or the CSR asks to be) is for; null without an extendedKeyUsage. */
  extendedKeyUsage: PkiExtendedKeyUsage[] | null;
  asn1: Asn1TreeNode;
}

/** The extendedKeyUsage purposes, or null without the extension (or when it cannot be read: the inspector shows it raw). */
function purposesOf(extensions: ExtensionNode[]): PkiExtendedKeyUsage[] | null {
  try {
    return readExtendedKeyUsage({ extensions })?.map(describeExtendedKeyUsage) ?? null;
  } catch {
    return null;
  }
}

/** Inspects the first certificate or CSR in PEM text, or DER bytes of either. */
export function inspect(input: string | Uint8Array, now: Date = new Date()): Inspection {
  if (typeof input === 'string' || looksLikePem(input)) {
    const blocks = splitPem(input);
    const block = blocks.find((b) => ['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'].includes(b.label));
    if (!block) {
      throw new PkiError(
        'NOT_PEM',
        blocks.length > 0
          ? `The inspector shows certificates and CSRs; this file holds "${labelList(blocks)}.`
          : 'This is not PEM: there is no "-----BEGIN CERTIFICATE-----" or "-----BEGIN CERTIFICATE REQUEST-----" line.',
      );
    }
    return block.label.includes('REQUEST') ? inspectCsr(block.der) : inspectCertificate(block.der, now);
  }
  const root = parseDer(input, 'the file');
  // A certificate's tbsCertificate starts with [0] version or an INTEGER serial; a CSR's info with INTEGER version then a Name.
  const first = root.children[0];
  const looksLikeCsr = first?.children[0]?.tagNumber === 2 && first.children[1]?.tagNumber === 16 && first.children[1].children[0]?.tagNumber === 17;
  return looksLikeCsr ? inspectCsr(input) : inspectCertificate(input, now);
}

/** Damaged input must end in a PkiError the student can read, never in a TypeError. */
function damaged<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError(
      'BAD_DER',
      `${what} is damaged: its ASN.1 structure is not what a ${what} holds (an element is missing or of the wrong kind). Get an intact copy of the file.`,
    );
  }
}

export function inspectCertificate(der: Uint8Array, now: Date = new Date()): Inspection {
  return damaged('certificate', () => inspectCertificateUnchecked(der, now));
}

function inspectCertificateUnchecked(der: Uint8Array, now: Date): Inspection {
  const parts = parseCertificateDer(der);
  const subject = formatDistinguishedName(decodeName(parts.subject));
  const issuer = formatDistinguishedName(decodeName(parts.issuer));
  const serialNumber = serialText(parts.serialNumber.contents);
  const publicKey = publicKeyDetails(parts.subjectPublicKeyInfo);
  const algorithm = signatureAlgorithmInfo(parts.signatureAlgorithm).name;
  const selfIssued = Buffer.from(parts.subject.encoded).equals(Buffer.from(parts.issuer.encoded));
  let signatureValid: boolean | null = null;
  if (selfIssued && publicKey.key) {
    signatureValid = verifySignature(parts.signatureAlgorithm, parts.tbs.encoded, parts.signature.contents.subarray(1), publicKey.key);
  }
  const status = now < parts.notBefore ? 'not yet valid' : now > parts.notAfter ? 'EXPIRED' : `valid for ${timeLeft(parts.notAfter.getTime() - now.getTime())}`;
  const fields: InspectedField[] = [
    {
      label: 'Version',
      value: `v${parts.version}`,
      explanation: 'X.509 version; v3 is the one that can carry extensions, which every TLS certificate needs.',
      range: parts.version > 1 ? range(parts.tbs.children[0]) : undefined,
    },
    {
      label: 'Serial number',
      value: serialNumber.startsWith('-') ? `${serialNumber} (negative: RFC 5280 requires a positive serial, and strict clients refuse it)` : serialNumber,
      explanation: 'A number the issuing CA makes unique among its certificates; revocation lists name certificates by it.',
      range: range(parts.serialNumber),
    },
    {
      label: 'Signature algorithm',
      value: algorithm,
      explanation: 'How the issuer signed this certificate: the hash and the kind of key it used.',
      range: range(parts.tbsSignatureAlgorithm),
    },
    {
      label: 'Issuer',
      value: issuer || '(empty)',
      explanation: selfIssued
        ? 'Who signed the certificate. Here it is the subject itself: a self-signed (root) certificate.'
        : 'Who signed the certificate: a client looks for a CA certificate whose subject is exactly this name.',
      range: range(parts.issuer),
    },
    {
      label: 'Validity',
      value: `${parts.notBefore.toISOString()} to ${parts.notAfter.toISOString()} (${status})`,
      explanation: 'The certificate is accepted only between these two moments, checked against the client\'s clock.',
      range: range(parts.validity),
      details: [`Not before: ${parts.notBefore.toISOString()}`, `Not after:  ${parts.notAfter.toISOString()}`],
    },
    {
      label: 'Subject',
      value: subject || '(empty)',
      explanation: 'Who the certificate is about. For TLS servers the names that count are in the Subject Alternative Name.',
      range: range(parts.subject),
    },
    {
      label: 'Public key',
      value: publicKey.summary,
      explanation: 'The key the subject proves it holds during the handshake, by signing with the private half.',
      range: range(parts.subjectPublicKeyInfo),
      details: publicKeyDetailLines(publicKey),
    },
    {
      label: 'Signature',
      value: `${parts.signature.length - 1} bytes${signatureValid === true ? ' (verified with its own key)' : signatureValid === false ? ' (does NOT verify with its own key)' : ''}`,
      explanation: 'The issuer\'s signature over everything above; changing any byte of the certificate breaks it.',
      range: range(parts.signature),
      details: signatureLines(parts),
    },
  ];
  const extensions = parts.extensions.map(inspectExtension);
  const sha256 = colonHex(createHash('sha256').update(der).digest());
  return {
    kind: 'certificate',
    summary: `Certificate for ${subject || '(empty subject)'}, issued by ${selfIssued ? 'itself' : issuer}, ${status}`,
    der,
    pem: toPem('CERTIFICATE', der),
    subject,
    issuer,
    serialNumber,
    notBefore: parts.notBefore.toISOString(),
    notAfter: parts.notAfter.toISOString(),
    fingerprints: { sha1: colonHex(createHash('sha1').update(der).digest()), sha256 },
    ...subjectHashes(parts.subject.encoded),
    publicKey: withoutKey(publicKey),
    signatureAlgorithm: algorithm,
    signatureValid,
    fields,
    extensions,
    cautions: [...certificateCautions(parts, publicKey), ...hashCaution(parts.subject.encoded)],
    extendedKeyUsage: purposesOf(parts.extensions),
    asn1: asn1Tree(parts.root, certificateLabels(parts)),
  };
}

export function inspectCsr(der: Uint8Array): Inspection {
  return damaged('certificate request', () => inspectCsrUnchecked(der));
}

function inspectCsrUnchecked(der: Uint8Array): Inspection {
  const info: CsrInfo = parseCsr(der);
  const subject = formatDistinguishedName(info.subject);
  const publicKey = publicKeyDetails(info.nodes.subjectPublicKeyInfo);
  const extensions = info.nodes.extensions.map(inspectExtension);
  const fields: InspectedField[] = [
    {
      label: 'Subject',
      value: subject || '(empty)',
      explanation: 'The name the requester asks for; the CA may change it before signing.',
      range: range(info.nodes.subject),
    },
    {
      label: 'Public key',
      value: publicKey.summary,
      explanation: 'The key to certify. The private half stays with the requester; the CA never sees it.',
      range: range(info.nodes.subjectPublicKeyInfo),
      details: publicKeyDetailLines(publicKey),
    },
    {
      label: 'Signature',
      value: `${info.signatureAlgorithm}, ${info.signatureValid ? 'verifies' : 'does NOT verify'} with the key inside`,
      explanation: 'The requester signs the request with its private key to prove it holds it; a CA refuses a request whose signature fails.',
      range: range(info.nodes.root.children[2]),
    },
  ];
  for (const attribute of info.otherAttributes) {
    fields.push({
      label: oidName(attribute.oid) ?? attribute.oid,
      value: Buffer.from(attribute.value).toString('hex'),
      explanation: attribute.oid === '1.2.840.113549.1.9.7' ? 'A password for revoking later, sent in clear; modern CAs ignore it.' : 'An attribute of the request the workbench shows raw.',
    });
  }
  return {
    kind: 'csr',
    summary: `Certificate signing request for ${subject || '(empty subject)'}, ${publicKey.summary}${info.signatureValid ? '' : ', signature does NOT verify'}`,
    der,
    pem: info.pem,
    subject,
    fingerprints: {
      sha1: colonHex(createHash('sha1').update(der).digest()),
      sha256: colonHex(createHash('sha256').update(der).digest()),
    },
    ...subjectHashes(info.nodes.subject.encoded),
    publicKey: withoutKey(publicKey),
    signatureAlgorithm: info.signatureAlgorithm,
    signatureValid: info.signatureValid,
    fields,
    extensions,
    cautions: hashCaution(info.nodes.subject.encoded),
    extendedKeyUsage: purposesOf(info.nodes.extensions),
    asn1: asn1Tree(info.nodes.root, csrLabels(info)),
  };
}

/**
 * OpenSSL's subject hashes, or "(none)" where they cannot be computed: a name OpenSSL refuses (a
 * UTF8String that is not UTF-8, a Name not laid out as one) has none, and the rest still shows.
 */
function subjectHashes(name: Uint8Array): { subjectHash: string; subjectHashOld: string } {
  return { subjectHash: hashOrNone(() => nameHash(name)), subjectHashOld: hashOrNone(() => nameHashOld(name)) };
}

function hashOrNone(hash: () => string): string {
  try {
    return hash();
  } catch (error) {
    if (error instanceof PkiError) return '(none)';
    throw error;
  }
}

/** Why the subject hashes read "(none)", when they do. */
function hashCaution(name: Uint8Array): string[] {
  try {
    nameHash(name);
    return [];
  } catch (error) {
    if (error instanceof PkiError) return [`No subject hash: ${error.message}`];
    throw error;
  }
}

// --- extensions ------------------------------------------------------------------------------

interface Decoded {
  value: string;
  details?: string[];
}

type ExtensionDecoder = (value: Asn1Node) => Decoded;

const EXPLANATIONS: Record<string, string> = {
  '2.5.29.19': 'Says whether this certificate may sign other certificates (CA) and how many CAs may stand below it (path length).',
  '2.5.29.15': 'What the key may do: sign handshakes (Digital Signature), encrypt keys (Key Encipherment), sign certificates (Certificate Sign) ...',
  '2.5.29.37': 'What the certificate is for: a TLS server, a TLS client, code signing ...; a TLS client refuses a server certificate without serverAuth here.',
  '2.5.29.17': 'The names (DNS, IP, email) the certificate is valid for; clients check the host name against these, not against the CN.',
  '2.5.29.14': 'An identifier of this certificate\'s key (usually its SHA-1), so certificates it signs can point back at it.',
  '2.5.29.35': 'The identifier of the issuer\'s key: it helps clients find the right CA certificate when several share a name.',
  '1.3.6.1.5.5.7.1.1': 'Where to learn more about the issuer: the OCSP responder to ask about revocation and the URL of the issuer\'s certificate.',
  '2.5.29.31': 'Where to download the list of certificates the issuer has revoked (CRL).',
  '2.5.29.32': 'The rules the CA followed when it issued this certificate (for example DV: it only checked control of the domain).',
  '1.3.6.1.4.1.11129.2.4.2': 'Signed Certificate Timestamps: promises from Certificate Transparency logs that this certificate was published.',
  '2.5.29.30': 'Limits on the names that certificates below this CA may carry (permitted and excluded names).',
  '2.5.29.18': 'Other names of the issuer.',
  '1.3.6.1.5.5.7.1.24': 'TLS features the server promises, such as OCSP stapling (must-staple).',
  '2.16.840.1.113730.1.13': 'A free-text comment (Netscape era), often "OpenSSL Generated Certificate".',
  '2.5.29.36':
    'For CAs: after how many more certificates down the chain every certificate must carry an acceptable policy, and policy mapping stops being allowed.',
  '2.5.29.54': 'For CAs: after how many more certificates down the chain the anyPolicy OID stops counting as a match for every policy.',
  '2.5.29.33': 'For CAs: which of the issuer\'s policies count as which policy of the subject CA\'s domain.',
  '2.5.29.46': 'Where to download the delta CRLs: the revocations since the last full CRL.',
  '1.3.6.1.5.5.7.1.11': 'Where to learn more about the subject: for a CA, where the certificates it issued are published.',
  '1.3.6.1.5.5.7.48.1.5': 'On an OCSP responder\'s certificate: clients need not check whether this certificate itself is revoked.',
  '2.16.840.1.113730.1.1': 'The Netscape-era forerunner of extended key usage; OpenSSL still honours it when it is there.',
};

const DECODERS: Record<string, ExtensionDecoder> = {
  '2.5.29.19': (value) => {
    let ca = false;
    let pathLength: string | undefined;
    for (const child of value.children) {
      if (child.tagNumber === 1) ca = child.contents[0] !== 0;
      if (child.tagNumber === 2) pathLength = integerText(child.contents);
    }
    const details = ca
      ? ['CA:TRUE: a CA, it may sign certificates', pathLength !== undefined ? `pathlen:${pathLength}: at most ${pathLength} CA${pathLength === '1' ? '' : 's'} may stand below it` : 'no pathlen: any number of CAs may stand below it']
      : ['CA:FALSE: an end-entity (leaf) certificate, which may not sign other certificates'];
    return { value: `CA:${ca ? 'TRUE' : 'FALSE'}${pathLength !== undefined ? `, pathlen:${pathLength}` : ''}`, details };
  },
  '2.5.29.15': (value) => {
    expectTag(value, 3);
    const bits = value.contents.subarray(1);
    const names = KEY_USAGE_NAMES.filter((_, index) => ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0);
    return { value: names.length ? names.map(keyUsageText).join(', ') : '(none)', details: names.map((name) => `${name}: ${KEY_USAGE_MEANING[name]}`) };
  },
  '2.5.29.37': (value) => {
    const oids = value.children.map((child) => decodeOid(expectTag(child, 6).contents));
    return {
      value: oids.map(extendedKeyUsageText).join(', '),
      details: oids.map(describeExtendedKeyUsage).map((p) => `${p.name}${p.name === p.oid ? '' : ` (${p.oid})`}: ${p.meaning}`),
    };
  },
  '2.5.29.17': (value) => generalNamesDecoded(value),
  '2.5.29.18': (value) => generalNamesDecoded(value),
  '2.5.29.14': (value) => ({ value: colonHex(expectTag(value, 4).contents) }),
  '2.5.29.35': (value) => {
    const details: string[] = [];
    let keyId = '';
    for (const child of value.children) {
      if (child.tagNumber === 0) keyId = colonHex(child.contents);
      if (child.tagNumber === 1) details.push(`Issuer: ${generalNamesDecoded(child).value}`);
      if (child.tagNumber === 2) details.push(`Serial: ${colonHex(child.contents)}`);
    }
    return { value: keyId ? `keyid:${keyId}` : details.join(', '), details: details.length ? details : undefined };
  },
  '1.3.6.1.5.5.7.1.1': accessDescriptions,
  '1.3.6.1.5.5.7.1.11': accessDescriptions,
  '2.5.29.46': (value) => crlDistributionPoints(value),
  '1.3.6.1.5.5.7.48.1.5': () => ({ value: '(present)' }),
  '2.16.840.1.113730.1.1': (value) => {
    const names = ['SSL Client', 'SSL Server', 'S/MIME', 'Object Signing', 'Unused', 'SSL CA', 'S/MIME CA', 'Object Signing CA'];
    const bits = expectTag(value, 3).contents.subarray(1);
    const set = names.filter((_, index) => ((bits[0] ?? 0) & (0x80 >> index)) !== 0);
    return { value: set.join(', ') || '(none)' };
  },
  '2.5.29.31': (value) => crlDistributionPoints(value),
  '2.5.29.32': (value) => {
    const lines: string[] = [];
    for (const policy of value.children) {
      const oid = decodeOid(expectTag(policy.children[0], 6).contents);
      lines.push(`Policy: ${describeOid(oid)}`);
      for (const qualifier of policy.children[1]?.children ?? []) {
        const qualifierOid = decodeOid(qualifier.children[0]?.contents ?? new Uint8Array());
        const body = qualifier.children[1];
        if (qualifierOid === '1.3.6.1.5.5.7.2.1' && body) lines.push(`  CPS: ${decodeStringValue(body)}`);
        else if (qualifierOid === '1.3.6.1.5.5.7.2.2' && body) lines.push(...userNoticeLines(body));
        else lines.push(`  Qualifier ${describeOid(qualifierOid)}`);
      }
    }
    return { value: lines.filter((line) => !line.startsWith('  ')).map((line) => line.slice(8)).join(', '), details: lines };
  },
  '2.5.29.30': (value) => {
    const lines: string[] = [];
    for (const subtrees of value.children) {
      const kind = subtrees.tagNumber === 0 ? 'Permitted' : 'Excluded';
      for (const subtree of subtrees.children) {
        const base = subtree.children[0];
        if (!base) continue;
        const [entry] = decodeGeneralNames({ ...subtree, children: [base] });
        const text = entry.type === 'ip' ? `IP:${bytesToIp(base.contents)}` : entry.type === 'other' ? entry.value : formatGeneralName(entry);
        lines.push(`${kind}: ${text}`);
      }
    }
    return { value: lines.join(', '), details: lines };
  },
  '1.3.6.1.4.1.11129.2.4.2': (value) => {
    const scts = decodeSctList(expectTag(value, 4).contents);
    return { value: `${scts.length} SCT${scts.length === 1 ? '' : 's'}`, details: scts };
  },
  '1.3.6.1.5.5.7.1.24': (value) => ({
    value: value.children.map((child) => (integerText(child.contents) === '5' ? 'status_request (must-staple)' : `feature ${integerText(child.contents)}`)).join(', '),
  }),
  '2.16.840.1.113730.1.13': (value) => ({ value: decodeStringValue(value) }),
  '2.5.29.36': policyConstraintsDecoded,
  '2.5.29.54': (value) => ({ value: integerText(expectTag(value, 2).contents) }),
  '2.5.29.33': policyMappingsDecoded,
};

/** AuthorityInfoAccess and SubjectInfoAccess (RFC 5280, Sections 4.2.2.1 and 4.2.2.2): method - location. */
function accessDescriptions(value: Asn1Node): Decoded {
  const methods: Record<string, string> = {
    '1.3.6.1.5.5.7.48.1': 'OCSP',
    '1.3.6.1.5.5.7.48.2': 'CA Issuers',
    '1.3.6.1.5.5.7.48.3': 'Time Stamping',
    '1.3.6.1.5.5.7.48.5': 'CA Repository',
  };
  const lines = value.children.map((access) => {
    const method = decodeOid(expectTag(access.children[0], 6).contents);
    const location = decodeGeneralNames({ ...access, children: [access.children[1]] })[0];
    return `${methods[method] ?? describeOid(method)} - ${location ? location.value : '?'}`;
  });
  return { value: lines.join('; '), details: lines };
}

/** CRLDistributionPoints and FreshestCRL (RFC 5280, Sections 4.2.1.13 and 4.2.1.15). */
function crlDistributionPoints(value: Asn1Node): Decoded {
  const lines: string[] = [];
  for (const point of value.children) {
    for (const field of point.children) {
      if (field.tagClass === 'context' && field.tagNumber === 0) {
        const name = field.children[0];
        if (name?.tagNumber === 0) lines.push(...generalNamesDecoded(name).details!);
        // nameRelativeToCRLIssuer: one RDN, read as a name of one RDN.
        else if (name) lines.push(`Relative name: ${formatDistinguishedName(decodeName({ ...name, children: [name] }))}`);
      } else if (field.tagClass === 'context' && field.tagNumber === 1) {
        lines.push(`Reasons: ${reasonFlags(field).join(', ') || '(none)'}`);
      } else if (field.tagClass === 'context' && field.tagNumber === 2) {
        lines.push(`CRL issuer: ${generalNamesDecoded(field).value}`);
      }
    }
  }
  return { value: lines.join(', ') || '(no location)', details: lines };
}

/** ReasonFlags (RFC 5280, Section 4.2.1.13), a BIT STRING, named as openssl x509 -text names them. */
function reasonFlags(bits: Asn1Node): string[] {
  const names = [
    'Unused', 'Key Compromise', 'CA Compromise', 'Affiliation Changed', 'Superseded',
    'Cessation Of Operation', 'Certificate Hold', 'Privilege Withdrawn', 'AA Compromise',
  ];
  const bytes = bits.contents.subarray(1);
  return names.filter((_, index) => ((bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0);
}

/** UserNotice (RFC 5280, Section 4.2.1.4): an optional noticeRef (organization and numbers), then an optional explicitText. */
function userNoticeLines(notice: Asn1Node): string[] {
  const lines = ['  User notice:'];
  for (const part of notice.children) {
    if (part.tagClass === 'universal' && part.tagNumber === 16) {
      const [organization, numbers] = part.children;
      if (organization) lines.push(`    Organization: ${decodeStringValue(organization)}`);
      if (numbers) lines.push(`    Numbers: ${numbers.children.map((number) => integerText(number.contents)).join(', ')}`);
    } else {
      lines.push(`    Explicit text: ${decodeStringValue(part)}`);
    }
  }
  return lines;
}

/** SkipCerts of policyConstraints and inhibitAnyPolicy: how many certificates below may pass before the rule applies. */
function policyConstraintsDecoded(value: Asn1Node): Decoded {
  const parts = value.children.map((child) => {
    const count = integerText(child.contents);
    if (child.tagNumber === 0) return `Require Explicit Policy: ${count}`;
    if (child.tagNumber === 1) return `Inhibit Policy Mapping: ${count}`;
    throw new Error(`unexpected field [${child.tagNumber}]`);
  });
  return { value: parts.join(', ') || '(empty)' };
}

function policyMappingsDecoded(value: Asn1Node): Decoded {
  const lines = value.children.map((mapping) => {
    const [issuer, subject] = mapping.children.map((oid) => describeOid(decodeOid(expectTag(oid, 6).contents)));
    return `${issuer} maps to ${subject}`;
  });
  return { value: lines.join(', '), details: lines };
}

function inspectExtension(extension: ExtensionNode): InspectedExtension {
  const name = oidName(extension.oid);
  const decoder = DECODERS[extension.oid];
  const rawHex = Buffer.from(extension.value.contents).toString('hex');
  const base = {
    oid: extension.oid,
    critical: extension.critical,
    label: name ? labelFor(extension.oid, name) : `Unknown extension ${extension.oid}`,
    range: range(extension.node),
    rawHex,
  };
  if (decoder) {
    try {
      const inner =
        extension.value.children[0] ??
        parseDerAt(extension.value.contents, extension.value.offset + extension.value.headerLength, 'the extension value');
      const decoded = decoder(inner);
      return { ...base, ...decoded, explanation: EXPLANATIONS[extension.oid] ?? '', decoded: true };
    } catch (error) {
      return {
        ...base,
        value: rawHex,
        explanation: `The workbench could not decode this ${name} extension (${libraryReason(error) ?? 'its contents are not laid out as this extension is'}); it is shown raw.`,
        decoded: false,
      };
    }
  }
  const text = stringInside(extension.value.contents);
  return {
    ...base,
    value: rawHex,
    details: text === undefined ? undefined : [`As text: ${text}`],
    explanation: extension.critical
      ? 'An extension the workbench does not decode. It is marked critical: a client that does not understand it must reject the certificate.'
      : 'An extension the workbench does not decode; it is not critical, so clients that do not know it ignore it.',
    decoded: false,
  };
}

/** The text of an extension value that is one DER string (as openssl x509 -text dumps it), else undefined. */
function stringInside(bytes: Uint8Array): string | undefined {
  try {
    const node = parseDer(bytes, 'the extension value');
    if (node.tagClass !== 'universal' || ![12, 18, 19, 20, 22, 26, 28, 30].includes(node.tagNumber)) return undefined;
    return decodeStringValue(node);
  } catch {
    return undefined;
  }
}

function labelFor(oid: string, name: string): string {
  const labels: Record<string, string> = {
    '2.5.29.19': 'Basic Constraints',
    '2.5.29.15': 'Key Usage',
    '2.5.29.37': 'Extended Key Usage',
    '2.5.29.17': 'Subject Alternative Name',
    '2.5.29.18': 'Issuer Alternative Name',
    '2.5.29.14': 'Subject Key Identifier',
    '2.5.29.35': 'Authority Key Identifier',
    '1.3.6.1.5.5.7.1.1': 'Authority Information Access',
    '2.5.29.31': 'CRL Distribution Points',
    '2.5.29.32': 'Certificate Policies',
    '1.3.6.1.4.1.11129.2.4.2': 'CT Precertificate SCTs',
    '2.5.29.30': 'Name Constraints',
    '1.3.6.1.5.5.7.1.24': 'TLS Feature',
    '2.5.29.36': 'Policy Constraints',
    '2.5.29.54': 'Inhibit Any Policy',
    '2.5.29.33': 'Policy Mappings',
    '2.5.29.46': 'Freshest CRL',
    '1.3.6.1.5.5.7.1.11': 'Subject Information Access',
    '2.16.840.1.113730.1.1': 'Netscape Cert Type',
    '2.16.840.1.113730.1.13': 'Netscape Comment',
  };
  return labels[oid] ?? name;
}

function generalNamesDecoded(node: Asn1Node): Required<Decoded> {
  const entries = decodeGeneralNames(node).map((entry) => (entry.type === 'other' ? entry.value : formatGeneralName(entry)));
  return { value: entries.join(', '), details: entries };
}

/** What each keyUsage bit lets the key do, in TLS terms (RFC 5280, Section 4.2.1.3). */
const KEY_USAGE_MEANING: Record<(typeof KEY_USAGE_NAMES)[number], string> = {
  digitalSignature: 'signs the handshake (ECDHE key exchange, every TLS 1.3 handshake)',
  nonRepudiation: 'signs content its owner commits to (documents), not a TLS use',
  keyEncipherment: 'receives the premaster secret encrypted to it (TLS 1.2 RSA key exchange)',
  dataEncipherment: 'decrypts data encrypted straight to the key, rarely used',
  keyAgreement: 'agrees on a key with its static (EC)DH key (TLS 1.2 static ECDH)',
  keyCertSign: 'signs certificates: only a CA may have it',
  cRLSign: 'signs revocation lists (CRLs): a CA\'s job',
  encipherOnly: 'with keyAgreement: only to encipher',
  decipherOnly: 'with keyAgreement: only to decipher',
};

function keyUsageText(name: string): string {
  const text: Record<string, string> = {
    digitalSignature: 'Digital Signature',
    nonRepudiation: 'Non Repudiation',
    keyEncipherment: 'Key Encipherment',
    dataEncipherment: 'Data Encipherment',
    keyAgreement: 'Key Agreement',
    keyCertSign: 'Certificate Sign',
    cRLSign: 'CRL Sign',
    encipherOnly: 'Encipher Only',
    decipherOnly: 'Decipher Only',
  };
  return text[name] ?? name;
}

/** RFC 6962, Section 3.3: a TLS-encoded list of SignedCertificateTimestamp. */
function decodeSctList(bytes: Uint8Array): string[] {
  const read16 = (at: number) => (bytes[at] << 8) | bytes[at + 1];
  if (bytes.length < 2 || read16(0) !== bytes.length - 2) throw new Error('the SCT list length does not match');
  const out: string[] = [];
  let pos = 2;
  while (pos < bytes.length) {
    const length = read16(pos);
    const start = pos + 2;
    const end = start + length;
    if (end > bytes.length || length < 1 + 32 + 8 + 2) throw new Error('an SCT runs past the end of the list');
    const version = bytes[start];
    const logId = Buffer.from(bytes.subarray(start + 1, start + 33)).toString('base64');
    let timestamp = 0;
    for (let i = 0; i < 8; i++) timestamp = timestamp * 256 + bytes[start + 33 + i];
    const when = Number.isFinite(timestamp) && timestamp < 8.64e15 ? new Date(timestamp).toISOString() : String(timestamp);
    out.push(`SCT v${version + 1} from log ${logId} at ${when}`);
    pos = end;
  }
  return out;
}

function expectTag(node: Asn1Node | undefined, tagNumber: number): Asn1Node {
  if (!node || node.tagClass !== 'universal' || node.tagNumber !== tagNumber) {
    throw new Error(`expected ${tagNumber === 3 ? 'a BIT STRING' : tagNumber === 4 ? 'an OCTET STRING' : tagNumber === 6 ? 'an OID' : `tag ${tagNumber}`}`);
  }
  return node;
}

// --- public key ------------------------------------------------------------------------------

interface PublicKeyDetailsWithKey extends PublicKeyDetails {
  key?: KeyObject;
}

function publicKeyDetails(spki: Asn1Node): PublicKeyDetailsWithKey {
  const spkiSha256 = createHash('sha256').update(spki.encoded).digest('base64');
  const algorithmOid = decodeOid(spki.children[0]?.children[0]?.contents ?? new Uint8Array());
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki.encoded), format: 'der', type: 'spki' });
  } catch {
    const name = oidName(algorithmOid) ?? algorithmOid;
    return { type: name, bits: 0, summary: `${name} (a key type Node's OpenSSL cannot read)`, notes: [], spkiSha256 };
  }
  const description = describeAnyKey(key);
  const exponent = key.asymmetricKeyDetails?.publicExponent;
  return {
    type: description.type,
    bits: description.bits,
    curve: description.curve,
    summary: description.summary,
    notes: description.notes,
    exponent: exponent !== undefined ? exponent.toString() : undefined,
    spkiSha256,
    ...publicValue(spki, description.type),
    key,
  };
}

/**
 * The key itself, as openssl x509 -text prints it: an RSA key's modulus (the DER INTEGER, with
 * its leading 00), a DSA key's y, and for EC, EdDSA and X25519/X448 the bytes of the key's BIT STRING.
 */
function publicValue(spki: Asn1Node, type: string): Pick<PublicKeyDetails, 'publicValue' | 'publicValueLabel' | 'domainParameters'> {
  const bits = spki.children[1];
  if (!bits || bits.tagNumber !== 3 || bits.contents.length < 2) return {};
  const keyBytes = bits.contents.subarray(1);
  try {
    if (type === 'RSA' || type === 'RSA-PSS') return { publicValueLabel: 'Modulus', publicValue: colonHex(parseDer(keyBytes).children[0].contents) };
    if (type === 'DSA') {
      const [p, q, g] = spki.children[0]?.children[1]?.children ?? [];
      const domainParameters = p && q && g ? [{ label: 'P', value: colonHex(p.contents) }, { label: 'Q', value: colonHex(q.contents) }, { label: 'G', value: colonHex(g.contents) }] : undefined;
      return { publicValueLabel: 'Public value (y)', publicValue: colonHex(parseDer(keyBytes).contents), domainParameters };
    }
  } catch {
    return {};
  }
  return { publicValueLabel: 'Public key', publicValue: colonHex(keyBytes) };
}

function publicKeyDetailLines(details: PublicKeyDetails): string[] {
  const lines = [`Type: ${details.type}`];
  if (details.bits) lines.push(`Size: ${details.bits} bits`);
  if (details.curve) lines.push(`Curve: ${details.curve}`);
  if (details.exponent) lines.push(`Exponent: ${details.exponent}`);
  const hexValue = (label: string, value: string) => [`${label}:`, ...hexLines(value.split(':').map((byte) => parseInt(byte, 16)))];
  if (details.publicValue) lines.push(...hexValue(details.publicValueLabel ?? 'Public key', details.publicValue));
  for (const parameter of details.domainParameters ?? []) lines.push(...hexValue(parameter.label, parameter.value));
  lines.push(`SPKI SHA-256 (pin): ${details.spkiSha256}`);
  lines.push(...details.notes);
  return lines;
}

function withoutKey(details: PublicKeyDetailsWithKey): PublicKeyDetails {
  const { key: _key, ...rest } = details;
  return rest;
}

// --- ASN.1 tree ------------------------------------------------------------------------------

/** The DER of a certificate, CSR or anything else as a tree of nodes with byte offsets. */
export function asn1Tree(input: Uint8Array | Asn1Node, labels: Map<Asn1Node, string> = new Map()): Asn1TreeNode {
  const root = input instanceof Uint8Array ? parseDer(input) : input;
  const convert = (node: Asn1Node): Asn1TreeNode => {
    const label = labels.get(node);
    const value = primitiveText(node);
    return {
      offset: node.offset,
      headerLength: node.headerLength,
      length: node.length,
      tag: node.typeName,
      constructed: node.constructed,
      value: label ? (value ? `${label}: ${value}` : label) : value,
      encapsulates: node.encapsulates || undefined,
      children: node.children.map(convert),
    };
  };
  return convert(root);
}

function primitiveText(node: Asn1Node): string | undefined {
  if (node.constructed || node.encapsulates) return undefined;
  if (node.tagClass !== 'universal') return node.length <= 32 ? Buffer.from(node.contents).toString('hex') : `${node.length} bytes`;
  switch (node.tagNumber) {
    case 1:
      return node.contents[0] ? 'TRUE' : 'FALSE';
    case 2:
      return node.length <= 8 ? integerText(node.contents) : colonHex(stripLeadingZero(node.contents));
    case 3:
    case 4:
      return node.length <= 32 ? Buffer.from(node.contents).toString('hex') : `${node.length} bytes`;
    case 5:
      return undefined;
    case 6: {
      const oid = decodeOid(node.contents);
      return describeOid(oid);
    }
    case 23:
    case 24:
      return Buffer.from(node.contents).toString('latin1');
    default:
      if ([12, 18, 19, 20, 22, 26, 28, 30].includes(node.tagNumber)) return decodeStringValue(node);
      return node.length <= 32 ? Buffer.from(node.contents).toString('hex') : `${node.length} bytes`;
  }
}

function certificateLabels(parts: CertificateParts): Map<Asn1Node, string> {
  const labels = new Map<Asn1Node, string>([
    [parts.root, 'Certificate'],
    [parts.tbs, 'tbsCertificate'],
    [parts.serialNumber, 'serialNumber'],
    [parts.tbsSignatureAlgorithm, 'signature'],
    [parts.issuer, 'issuer'],
    [parts.validity, 'validity'],
    [parts.subject, 'subject'],
    [parts.subjectPublicKeyInfo, 'subjectPublicKeyInfo'],
    [parts.signatureAlgorithm, 'signatureAlgorithm'],
    [parts.signature, 'signatureValue'],
  ]);
  if (parts.version > 1) labels.set(parts.tbs.children[0], 'version');
  for (const extension of parts.extensions) labels.set(extension.node, `extension ${oidName(extension.oid) ?? extension.oid}`);
  return labels;
}

function csrLabels(info: CsrInfo): Map<Asn1Node, string> {
  const labels = new Map<Asn1Node, string>([
    [info.nodes.root, 'CertificationRequest'],
    [info.nodes.info, 'certificationRequestInfo'],
    [info.nodes.subject, 'subject'],
    [info.nodes.subjectPublicKeyInfo, 'subjectPKInfo'],
  ]);
  if (info.nodes.attributes) labels.set(info.nodes.attributes, 'attributes');
  for (const extension of info.nodes.extensions) labels.set(extension.node, `extension ${oidName(extension.oid) ?? extension.oid}`);
  return labels;
}

// --- formatting ------------------------------------------------------------------------------

function range(node: Asn1Node | undefined): ByteRange | undefined {
  return node ? { offset: node.offset, length: node.headerLength + node.length } : undefined;
}

function colonHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** The signature bytes; for (EC)DSA also its two integers r and s, as openssl x509 -text shows a DSA signature. */
function signatureLines(parts: CertificateParts): string[] {
  const bytes = parts.signature.contents.subarray(1);
  const lines = ['Value:', ...hexLines(bytes)];
  const { scheme } = signatureAlgorithmInfo(parts.signatureAlgorithm);
  if (scheme !== 'dsa' && scheme !== 'ecdsa') return lines;
  try {
    const [r, s] = parseDer(bytes, 'the signature').children;
    if (r && s) lines.push('r:', ...hexLines(r.contents), 's:', ...hexLines(s.contents));
  } catch {
    // Not a DER pair: the bytes above are all there is to show.
  }
  return lines;
}

/** Colon hex, 16 bytes to a line, each line indented, as a list of detail lines. */
function hexLines(bytes: ArrayLike<number>): string[] {
  const all = Array.from(bytes);
  const lines: string[] = [];
  for (let i = 0; i < all.length; i += 16) lines.push(`  ${colonHex(Uint8Array.from(all.slice(i, i + 16)))}`);
  return lines;
}

/** A serial as colon hex; a negative one (two's complement in DER) with a minus sign, as OpenSSL shows it. */
function serialText(bytes: Uint8Array): string {
  if (bytes.length === 0 || (bytes[0] & 0x80) === 0) return colonHex(stripLeadingZero(bytes));
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const magnitude = (1n << BigInt(bytes.length * 8)) - value;
  const hex = magnitude.toString(16);
  return `-${colonHex(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'))}`;
}

function stripLeadingZero(bytes: Uint8Array): Uint8Array {
  return bytes.length > 1 && bytes[0] === 0 ? bytes.subarray(1) : bytes;
}

function integerText(bytes: Uint8Array): string {
  if (bytes.length === 0) return '0';
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  if (bytes[0] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value.toString();
}

/**
 * What is left of a validity, as a person counts it: a certificate issued with 365 days (which
 * starts an hour back, for clocks behind) has 365 more days, not 364; under two days, in hours.
 */
export function timeLeft(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return 'less than an hour more';
  if (hours < 48) return `${Math.floor(hours)} more hour${Math.floor(hours) === 1 ? '' : 's'}`;
  return `${Math.round(hours / 24)} more days`;
}
