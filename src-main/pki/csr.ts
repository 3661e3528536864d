// Certificate signing requests (PKCS#10, RFC 2986): make one as `openssl req -new` does, read
// one made anywhere, and sign one with a CA, copying its requested extensions or not
// (OpenSSL's copy_extensions).
import { type KeyObject, createPublicKey } from 'node:crypto';
import {
  type CertificateAuthority,
  type CertificateProfile,
  type KeyChoice,
  type SignKeyOptions,
  type SignedCertificate,
  extendedKeyUsageOid,
  signSubjectKey,
} from './certificates.js';
import {
  type ExtensionNode,
  type KeyUsageName,
  KEY_USAGE_NAMES,
  OID,
  parseExtensions,
  readExtendedKeyUsage,
  readKeyUsage,
} from './certificateDer.js';
import { type Asn1Node, decodeOid, parseDer } from './der.js';
import { PkiError, libraryReason } from './errors.js';
import { type PublicKeyDisplay, DEFAULT_KEY_SPEC, describeAnyKey, describeKey, generateKeyPair, parseKeySpec, toWebCryptoKeys } from './keys.js';
import {
  type GeneralNameEntry,
  type RelativeName,
  type SubjectInput,
  decodeGeneralNames,
  decodeName,
  encodeGeneralNames,
  encodeName,
  formatSubjectString,
  parseSubjectAltNames,
  subjectToRdns,
} from './names.js';
import { readDerOrPem, toPem } from './pem.js';
import { signatureAlgorithmInfo, verifySignature } from './signatures.js';
import { x509 } from './x509.js';

export interface CsrOptions {
  subject: SubjectInput;
  /** Requested SANs ("DNS:a,IP:127.0.0.1"); none by default, as `openssl req` without -addext. */
  subjectAltNames?: string | readonly string[];
  /** Requested key usage / extended key usage (names or OIDs); none by default. */
  keyUsage?: readonly KeyUsageName[];
  extendedKeyUsage?: readonly string[];
  /** Default rsa:2048. */
  key?: KeyChoice;
}

export interface CreatedCsr {
  /** DER of the request. */
  csr: Uint8Array;
  pem: string;
  privateKey: KeyObject;
}

export async function createCsr(options: CsrOptions): Promise<CreatedCsr> {
  const rdns = subjectToRdns(options.subject);
  const sans = options.subjectAltNames === undefined ? [] : parseSubjectAltNames(options.subjectAltNames);
  if (rdns.length === 0 && sans.length === 0) {
    throw new PkiError('BAD_SUBJECT', 'The request names nothing: give it a common name (CN) or subject alternative names.');
  }
  const extensions: x509.Extension[] = [];
  if (sans.length > 0) extensions.push(new x509.Extension(OID.subjectAltName, rdns.length === 0, encodeGeneralNames(sans)));
  if (options.keyUsage && options.keyUsage.length > 0) {
    extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(options.keyUsage), true));
  }
  if (options.extendedKeyUsage && options.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(options.extendedKeyUsage.map(extendedKeyUsageOid), false));
  }
  const privateKey = await resolvePrivateKey(options.key);
  const keys = await toWebCryptoKeys(privateKey);
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name(encodeName(rdns)),
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey } as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: keys.signingAlgorithm,
    extensions,
  });
  const csr = new Uint8Array(request.rawData);
  return { csr, pem: toPem('CERTIFICATE REQUEST', csr), privateKey };
}

async function resolvePrivateKey(choice: KeyChoice | undefined): Promise<KeyObject> {
  if (choice === undefined) return (await generateKeyPair(DEFAULT_KEY_SPEC)).privateKey;
  if (typeof choice === 'string') return (await generateKeyPair(parseKeySpec(choice))).privateKey;
  if ('kind' in choice) return (await generateKeyPair(choice)).privateKey;
  describeKey(choice);
  return choice;
}

function keyUsageFlags(names: readonly KeyUsageName[]): number {
  return names.reduce((flags, name) => {
    const index = KEY_USAGE_NAMES.indexOf(name);
    if (index < 0) throw new PkiError('BAD_OPTION', `"${name}" is not a key usage: use ${KEY_USAGE_NAMES.join(', ')}.`);
    return flags | (1 << index);
  }, 0);
}

// --- reading ----------------------------------------------------------------------------------

export interface RequestedExtension {
  oid: string;
  critical: boolean;
  /** The extension's own DER (the contents of extnValue). */
  value: Uint8Array;
}

export interface CsrInfo {
  der: Uint8Array;
  pem: string;
  /** PKCS#10 version field + 1 (always 1 in practice). */
  version: number;
  subject: RelativeName[];
  /** "/C=US/CN=..." */
  subjectString: string;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  publicKeyDer: Uint8Array;
  key: PublicKeyDisplay;
  signatureAlgorithm: string;
  /** The request is signed by the private half of its own public key (proof of possession). */
  signatureValid: boolean;
  requestedExtensions: RequestedExtension[];
  /** Decoded from the requested subjectAltName, if any. */
  subjectAltNames: GeneralNameEntry[];
  keyUsage?: KeyUsageName[];
  /** OIDs. */
  extendedKeyUsage?: string[];
  /** Attributes other than extensionRequest (OID → raw DER of the values SET). */
  otherAttributes: Array<{ oid: string; value: Uint8Array }>;
  /** The parts of the request in the DER tree, for the inspector. */
  nodes: {
    root: Asn1Node;
    info: Asn1Node;
    subject: Asn1Node;
    subjectPublicKeyInfo: Asn1Node;
    attributes?: Asn1Node;
    extensions: ExtensionNode[];
  };
}

function notACsr(detail: string): PkiError {
  return new PkiError(
    'NOT_A_CSR',
    `This is not a certificate signing request: ${detail}. A CSR file starts with "-----BEGIN CERTIFICATE REQUEST-----".`,
  );
}

/** Reads a CSR from PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER and checks its signature. */
export function parseCsr(input: string | Uint8Array): CsrInfo {
  const der = readDerOrPem(input, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'certificate signing request');
  try {
    return parseCsrDer(der);
  } catch (error) {
    if (error instanceof PkiError) throw error;
    // A name, attribute or extension whose parts are missing or of the wrong kind.
    throw new PkiError(
      'BAD_DER',
      'This certificate signing request is damaged: its ASN.1 structure is not what a request holds (an element is missing or of the wrong kind). Ask for the request again.',
      { cause: error },
    );
  }
}

function parseCsrDer(der: Uint8Array): CsrInfo {
  const root = parseDer(der, 'the certificate signing request');
  const [info, algorithm, signature] = root.children;
  if (root.tagNumber !== 16 || root.children.length !== 3 || info?.tagNumber !== 16 || signature?.tagNumber !== 3) {
    throw notACsr('it is not SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature }');
  }
  const [versionNode, subjectNode, spkiNode, attributesNode] = info.children;
  if (versionNode?.tagNumber !== 2 || subjectNode?.tagNumber !== 16 || spkiNode?.tagNumber !== 16) {
    throw notACsr('its request info is not { version, subject, subjectPublicKeyInfo, attributes }');
  }
  if (info.children.length > 3 && !(attributesNode?.tagClass === 'context' && attributesNode.tagNumber === 0)) {
    throw notACsr('the attributes field is not tagged [0]');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spkiNode.encoded), format: 'der', type: 'spki' });
  } catch (error) {
    const reason = libraryReason(error);
    throw new PkiError(
      'UNSUPPORTED_KEY_TYPE',
      `The public key in this request cannot be read${reason ? ` (${reason})` : ''}: it is damaged, or of a kind OpenSSL does not know. Ask for the request again.`,
      { cause: error },
    );
  }
  const requestedExtensions: ExtensionNode[] = [];
  const otherAttributes: Array<{ oid: string; value: Uint8Array }> = [];
  for (const attribute of attributesNode?.children ?? []) {
    const oid = decodeOid(attribute.children[0]?.contents ?? new Uint8Array());
    const values = attribute.children[1];
    if (oid === OID.extensionRequest) requestedExtensions.push(...parseExtensions(values?.children[0]));
    else otherAttributes.push({ oid, value: values?.encoded.slice() ?? new Uint8Array() });
  }
  const sanNode = requestedExtensions.find((extension) => extension.oid === OID.subjectAltName)?.value.children[0];
  const subject = decodeName(subjectNode);
  const signatureValid = verifySignature(algorithm, info.encoded, signature.contents.subarray(1), publicKey) === true;
  return {
    der,
    pem: toPem('CERTIFICATE REQUEST', der),
    version: (versionNode.contents[0] ?? 0) + 1,
    subject,
    subjectString: formatSubjectString(subject),
    publicKey,
    publicKeyDer: spkiNode.encoded.slice(),
    key: describeAnyKey(publicKey),
    signatureAlgorithm: signatureAlgorithmInfo(algorithm).name,
    signatureValid,
    requestedExtensions: requestedExtensions.map((extension) => ({
      oid: extension.oid,
      critical: extension.critical,
      value: extension.value.contents.slice(),
    })),
    subjectAltNames: sanNode
      ? decodeGeneralNames(sanNode).filter((entry): entry is GeneralNameEntry => entry.type !== 'other')
      : [],
    keyUsage: readKeyUsage({ extensions: requestedExtensions }),
    extendedKeyUsage: readExtendedKeyUsage({ extensions: requestedExtensions }),
    otherAttributes,
    nodes: { root, info, subject: subjectNode, subjectPublicKeyInfo: spkiNode, attributes: attributesNode, extensions: requestedExtensions },
  };
}

// --- signing ----------------------------------------------------------------------------------

export interface SignCsrOptions {
  /** Copy the requested extensions into the certificate (OpenSSL's copy_extensions = copy). Default false. */
  copyExtensions?: boolean;
  /** Default server. */
  profile?: Exclude<CertificateProfile, 'ca'>;
  days?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** SANs to set, whatever the request asked. */
  subjectAltNames?: string | readonly string[];
  keyUsage?: readonly KeyUsageName[];
  extendedKeyUsage?: readonly string[];
  serialNumber?: string;
  /** Replaces the requested subject. */
  subject?: SubjectInput;
}

export interface SignedCsr extends SignedCertificate {
  /** OIDs of requested extensions that went into the certificate. */
  copiedExtensions: string[];
  /** Requested extensions that were left out, each with the reason. */
  ignoredExtensions: Array<{ oid: string; reason: string }>;
}

/** Extensions the CA always decides itself, whatever the request says. */
const NEVER_COPIED: Record<string, string> = {
  [OID.basicConstraints]: 'a request cannot make itself a CA; the CA sets basicConstraints',
  [OID.subjectKeyIdentifier]: 'the CA computes the subject key identifier from the key',
  [OID.authorityKeyIdentifier]: 'the CA sets its own key identifier',
  [OID.nameConstraints]: 'name constraints belong in CA certificates only',
};

/**
 * Signs the request with the CA after checking its signature. Without `copyExtensions` the
 * certificate gets the profile's extensions only (and, for a server, its CN as SAN); with it,
 * the requested SAN, key usage, EKU and other extensions replace the profile's.
 */
export async function signCsr(ca: CertificateAuthority, input: string | Uint8Array, options: SignCsrOptions = {}): Promise<SignedCsr> {
  const request = parseCsr(input);
  if (!request.signatureValid) {
    throw new PkiError(
      'BAD_CSR_SIGNATURE',
      'The request\'s signature does not verify with the public key inside it: it was changed after it was signed, ' +
        'or it is damaged. Ask for a new request; a CA must never sign one that fails this check.',
    );
  }
  const copiedExtensions: string[] = [];
  const ignoredExtensions: Array<{ oid: string; reason: string }> = [];
  const extraExtensions: x509.Extension[] = [];
  for (const extension of request.requestedExtensions) {
    if (!options.copyExtensions) {
      ignoredExtensions.push({ oid: extension.oid, reason: 'extensions are copied only when asked (copy extensions)' });
    } else if (NEVER_COPIED[extension.oid]) {
      ignoredExtensions.push({ oid: extension.oid, reason: NEVER_COPIED[extension.oid] });
    } else if (extension.oid === OID.subjectAltName && options.subjectAltNames !== undefined) {
      ignoredExtensions.push({ oid: extension.oid, reason: 'the SANs given to the CA replace the requested ones' });
    } else if (
      (extension.oid === OID.keyUsage && options.keyUsage !== undefined) ||
      (extension.oid === OID.extKeyUsage && options.extendedKeyUsage !== undefined)
    ) {
      ignoredExtensions.push({ oid: extension.oid, reason: 'the usage given to the CA replaces the requested one' });
    } else if (extension.oid === OID.keyUsage && request.keyUsage?.some((u) => u === 'keyCertSign' || u === 'cRLSign')) {
      // RFC 5280 4.2.1.3: keyCertSign only with basicConstraints CA:TRUE, which a request never gets.
      ignoredExtensions.push({
        oid: extension.oid,
        reason: 'it asks for keyCertSign or cRLSign, which only a CA certificate may have (basicConstraints CA:TRUE, which the CA never copies); the profile\'s key usage is used',
      });
    } else {
      extraExtensions.push(new x509.Extension(extension.oid, extension.critical, extension.value));
      copiedExtensions.push(extension.oid);
    }
  }
  const copiesSan = copiedExtensions.includes(OID.subjectAltName);
  const signOptions: SignKeyOptions = {
    subject: options.subject ?? request.subject,
    profile: options.profile,
    days: options.days,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    serialNumber: options.serialNumber,
    keyUsage: options.keyUsage,
    extendedKeyUsage: options.extendedKeyUsage,
    subjectAltNames: copiesSan ? [] : options.subjectAltNames,
    extraExtensions,
  };
  const signed = await signSubjectKey(ca, signOptions, request.publicKeyDer);
  return { ...signed, copiedExtensions, ignoredExtensions };
}
