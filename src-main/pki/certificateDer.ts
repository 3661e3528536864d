// The parts of a DER certificate (RFC 5280, Section 4.1) located in the node tree, with the
// exact bytes of each part, for the issuer, verifier and inspector.
import { type Asn1Node, decodeOid, parseDer } from './der.js';
import { PkiError } from './errors.js';

export interface ExtensionNode {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING node; its `contents` are the extension's own DER. */
  value: Asn1Node;
  /** The whole Extension SEQUENCE. */
  node: Asn1Node;
}

export interface CertificateParts {
  root: Asn1Node;
  tbs: Asn1Node;
  /** 1, 2 or 3 (the v1/v2/v3 of X.509). */
  version: number;
  serialNumber: Asn1Node;
  /** signature AlgorithmIdentifier inside tbsCertificate. */
  tbsSignatureAlgorithm: Asn1Node;
  issuer: Asn1Node;
  validity: Asn1Node;
  notBefore: Date;
  notAfter: Date;
  subject: Asn1Node;
  subjectPublicKeyInfo: Asn1Node;
  extensions: ExtensionNode[];
  signatureAlgorithm: Asn1Node;
  signatureAlgorithmOid: string;
  signature: Asn1Node;
}

function notACertificate(detail: string): PkiError {
  return new PkiError(
    'NOT_A_CERTIFICATE',
    `This is not an X.509 certificate: ${detail}. It may be a CSR, a key or a PKCS#12 file; ` +
      'open it in the inspector to see what it is.',
  );
}

function isUniversal(node: Asn1Node | undefined, tagNumber: number): node is Asn1Node {
  return node !== undefined && node.tagClass === 'universal' && node.tagNumber === tagNumber;
}

export function parseCertificateDer(der: Uint8Array): CertificateParts {
  const root = parseDer(der, 'the certificate');
  const [tbs, signatureAlgorithm, signature] = root.children;
  if (!isUniversal(root, 16) || root.children.length !== 3 || !isUniversal(tbs, 16)) {
    throw notACertificate('it is not SEQUENCE { tbsCertificate, signatureAlgorithm, signature }');
  }
  if (!isUniversal(signatureAlgorithm, 16) || !isUniversal(signature, 3)) {
    throw notACertificate('the signature algorithm or the signature is missing');
  }
  const fields = tbs.children;
  let index = 0;
  let version = 1;
  if (fields[0]?.tagClass === 'context' && fields[0].tagNumber === 0) {
    const versionNode = fields[0].children[0];
    version = (versionNode?.contents[0] ?? 0) + 1;
    index = 1;
  }
  const [serialNumber, tbsSignatureAlgorithm, issuer, validity, subject, subjectPublicKeyInfo] = fields.slice(index, index + 6);
  if (
    !isUniversal(serialNumber, 2) ||
    !isUniversal(tbsSignatureAlgorithm, 16) ||
    !isUniversal(issuer, 16) ||
    !isUniversal(validity, 16) ||
    !isUniversal(subject, 16) ||
    !isUniversal(subjectPublicKeyInfo, 16)
  ) {
    throw notACertificate('the fields of tbsCertificate are not serial, algorithm, issuer, validity, subject, key');
  }
  const extensions: ExtensionNode[] = [];
  for (const field of fields.slice(index + 6)) {
    if (field.tagClass === 'context' && field.tagNumber === 3) extensions.push(...parseExtensions(field.children[0]));
  }
  return {
    root,
    tbs,
    version,
    serialNumber,
    tbsSignatureAlgorithm,
    issuer,
    validity,
    notBefore: parseTime(validity.children[0]),
    notAfter: parseTime(validity.children[1]),
    subject,
    subjectPublicKeyInfo,
    extensions,
    signatureAlgorithm,
    signatureAlgorithmOid: decodeOid(signatureAlgorithm.children[0]?.contents ?? new Uint8Array()),
    signature,
  };
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue } */
export function parseExtensions(sequence: Asn1Node | undefined): ExtensionNode[] {
  if (!sequence || !isUniversal(sequence, 16)) return [];
  const out: ExtensionNode[] = [];
  for (const node of sequence.children) {
    const oidNode = node.children[0];
    const last = node.children[node.children.length - 1];
    if (!isUniversal(oidNode, 6) || !isUniversal(last, 4)) continue;
    const criticalNode = node.children.length === 3 ? node.children[1] : undefined;
    out.push({
      oid: decodeOid(oidNode.contents),
      critical: isUniversal(criticalNode, 1) && criticalNode.contents[0] !== 0,
      value: last,
      node,
    });
  }
  return out;
}

/** UTCTime (YYMMDDHHMMSSZ, 50-99 → 19xx) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function parseTime(node: Asn1Node | undefined): Date {
  if (!node) throw notACertificate('the validity has no dates');
  const text = Buffer.from(node.contents).toString('latin1');
  const utc = node.tagNumber === 23;
  const match = utc
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(text);
  if (!match) throw notACertificate(`the time "${text}" is not in X.509 form`);
  let year = Number(match[1]);
  if (utc) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0)));
}

export function findExtension(parts: { extensions: ExtensionNode[] }, oid: string): ExtensionNode | undefined {
  return parts.extensions.find((extension) => extension.oid === oid);
}

/** Contents of the subjectPublicKey BIT STRING (without the unused-bits byte). */
export function subjectPublicKeyBits(subjectPublicKeyInfo: Asn1Node): Uint8Array {
  const bitString = subjectPublicKeyInfo.children[1];
  if (!bitString) return new Uint8Array();
  return bitString.contents.subarray(1);
}

export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

/** basicConstraints: { cA, pathLenConstraint } or undefined when the extension is absent. */
export function readBasicConstraints(parts: { extensions: ExtensionNode[] }): { ca: boolean; pathLength?: number } | undefined {
  const extension = findExtension(parts, OID.basicConstraints);
  const sequence = extension?.value.children[0];
  if (!extension || !sequence) return undefined;
  let ca = false;
  let pathLength: number | undefined;
  for (const child of sequence.children) {
    if (isUniversal(child, 1)) ca = child.contents[0] !== 0;
    if (isUniversal(child, 2)) pathLength = child.contents.reduce((n, byte) => n * 256 + byte, 0);
  }
  return { ca, pathLength };
}

/** The keyUsage bit names that are set, or undefined when the extension is absent. */
export function readKeyUsage(parts: { extensions: ExtensionNode[] }): KeyUsageName[] | undefined {
  const extension = findExtension(parts, OID.keyUsage);
  const bitString = extension?.value.children[0];
  if (!extension || !bitString) return undefined;
  const bits = bitString.contents.subarray(1);
  return KEY_USAGE_NAMES.filter((_, index) => ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0);
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** In bit order (bit 0 first), RFC 5280, Section 4.2.1.3. */
export const KEY_USAGE_NAMES: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** The extKeyUsage OIDs, or undefined when the extension is absent. */
export function readExtendedKeyUsage(parts: { extensions: ExtensionNode[] }): string[] | undefined {
  const extension = findExtension(parts, OID.extKeyUsage);
  const sequence = extension?.value.children[0];
  if (!extension || !sequence) return undefined;
  return sequence.children.filter((child) => isUniversal(child, 6)).map((child) => decodeOid(child.contents));
}

/** The keyIdentifier of subjectKeyIdentifier, hex. */
export function readSubjectKeyIdentifier(parts: { extensions: ExtensionNode[] }): string | undefined {
  const inner = findExtension(parts, OID.subjectKeyIdentifier)?.value.children[0];
  return inner ? Buffer.from(inner.contents).toString('hex') : undefined;
}

/** The keyIdentifier [0] of authorityKeyIdentifier, hex. */
export function readAuthorityKeyIdentifier(parts: { extensions: ExtensionNode[] }): string | undefined {
  const sequence = findExtension(parts, OID.authorityKeyIdentifier)?.value.children[0];
  const keyId = sequence?.children.find((child) => child.tagClass === 'context' && child.tagNumber === 0);
  return keyId ? Buffer.from(keyId.contents).toString('hex') : undefined;
}
