// The certificate workshop's data as the UI and scripts see it (issue 3). Plain data, no Node or
// DOM imports: bytes travel as base64, instants as ISO-8601 strings or epoch ms as named.

/** The key types the workbench generates. */
export type PkiKeyType = 'rsa:2048' | 'rsa:3072' | 'rsa:4096' | 'ec:P-256' | 'ec:P-384' | 'ed25519';

/** What a stored certificate is: made here as a CA, server or client certificate, brought in, or forged for a host. */
export type PkiCertificateKind = 'ca' | 'server' | 'client' | 'imported' | 'forged';

/** The subject fields the forms offer; empty ones are left out. */
export interface PkiSubjectFields {
  CN?: string;
  O?: string;
  OU?: string;
  C?: string;
  ST?: string;
  L?: string;
  emailAddress?: string;
}

/** Form fields, or an OpenSSL-style string such as "/C=US/O=Model CA LTD./CN=www.modelCA.com". */
export type PkiSubject = string | PkiSubjectFields;

/** RFC 5280 name constraints: "DNS:.lab.test", "IP:10.0.0.0/8", "email:@lab.test". */
export interface PkiNameConstraints {
  permitted?: string[];
  excluded?: string[];
}

export type PkiKeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/**
 * How the private keys in the database are kept. 'not-protected': stored unencrypted (no
 * workbench passphrase set); 'locked': encrypted and the passphrase has not been given in this
 * engine; 'unlocked': encrypted and usable until locked.
 */
export interface PkiKeyProtection {
  status: 'not-protected' | 'locked' | 'unlocked';
  /** One line for the list and the about box. */
  message: string;
}

/** One purpose of a certificate's extendedKeyUsage extension. */
export interface PkiExtendedKeyUsage {
  /** OpenSSL's name ("serverAuth", "clientAuth"), else the OID. */
  name: string;
  oid: string;
  /** What it lets the certificate be, in a few words: "TLS server", "TLS client", "signing code". */
  meaning: string;
}

export interface PkiCertificateSummary {
  id: number;
  /** The workbench name, unique among certificates and CAs ("Lab Root", "www.bank32.com"). */
  name: string;
  kind: PkiCertificateKind;
  subject: string;
  issuer: string;
  /** Id of the workbench CA that issued it, when that CA is in the workbench. */
  issuerId: number | null;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
  isCa: boolean;
  /** CA certificates: pathLenConstraint when set. */
  pathLength?: number;
  selfSigned: boolean;
  subjectAltNames: string[];
  /** "RSA 2048 bits", "EC P-256 (256 bits)", ... */
  keySummary: string;
  /** The private key is in the workbench. */
  hasPrivateKey: boolean;
  fingerprintSha256: string;
  /** Epoch ms. */
  createdAt: number;
  /** What real clients will refuse in it (as PkiInspection.cautions). The engine always sets it. */
  cautions?: string[];
  /**
   * What the certificate is for, from its extendedKeyUsage: serverAuth ("TLS server"), clientAuth
   * ("TLS client"), ...; null when it has no such extension, which allows any use. The engine
   * always sets it; undefined only in summaries made in the renderer.
   */
  extendedKeyUsage?: PkiExtendedKeyUsage[] | null;
}

/** A CA with the CAs below it and the certificates it issued. */
export interface PkiCaNode extends PkiCertificateSummary {
  children: PkiCaNode[];
  issued: PkiCertificateSummary[];
}

export interface PkiCsrSummary {
  id: number;
  name: string;
  subject: string;
  subjectAltNames: string[];
  keySummary: string;
  hasPrivateKey: boolean;
  signatureValid: boolean;
  createdAt: number;
  pem: string;
}

/** Everything in the workshop: CAs as trees (roots first), certificates without a workbench issuer, CSRs. */
export interface PkiTree {
  cas: PkiCaNode[];
  /** Certificates whose issuer is not a workbench CA (imported from elsewhere). */
  others: PkiCertificateSummary[];
  csrs: PkiCsrSummary[];
  keyProtection: PkiKeyProtection;
}

export interface PkiCaCreateRequest {
  name: string;
  subject: PkiSubject;
  /** Default rsa:2048. */
  key?: PkiKeyType;
  /** Default 3650. */
  days?: number;
  /** Name of the workbench CA to sign under; absent for a root CA. */
  parent?: string;
  pathLength?: number;
  nameConstraints?: PkiNameConstraints;
}

export interface PkiIssueRequest {
  /** Name of the issuing workbench CA. */
  ca: string;
  /** Workbench name of the new certificate; default its CN (made unique). */
  name?: string;
  subject: PkiSubject;
  /** "DNS:a,DNS:*.b,IP:127.0.0.1,email:x@y"; default for a server: its CN. */
  subjectAltNames?: string[];
  /** Default 'server'. */
  profile?: 'server' | 'client';
  /** Replaces the profile's default key usage. */
  keyUsage?: PkiKeyUsage[];
  /** Replaces the profile's default EKU: serverAuth, clientAuth, ... or OIDs; [] leaves it out. */
  extendedKeyUsage?: string[];
  /** Default 365. */
  days?: number;
  /**
   * When it starts (ISO 8601); default an hour ago. A start in the past with few days makes an
   * expired certificate, one in the future a certificate not valid yet (for a lesson).
   */
  notBefore?: string;
  /** Default rsa:2048. */
  key?: PkiKeyType;
}

/** A certificate with its chain, as PEM. */
export interface PkiIssued {
  certificate: PkiCertificateSummary;
  certificatePem: string;
  /** The issuing CA and those above it, nearest first. */
  chainPem: string[];
  /** What real clients will refuse in the new certificate (as PkiInspection.cautions); empty when nothing. */
  cautions: string[];
}

export interface PkiCsrCreateRequest {
  name?: string;
  subject: PkiSubject;
  subjectAltNames?: string[];
  key?: PkiKeyType;
}

export interface PkiCsrSignRequest {
  /** A workbench CSR by id, or a pasted PEM / base64 DER request. */
  csrId?: number;
  csr?: string;
  ca: string;
  /** OpenSSL's copy_extensions = copy. Default false. */
  copyExtensions?: boolean;
  profile?: 'server' | 'client';
  days?: number;
  name?: string;
}

export interface PkiCsrSigned extends PkiIssued {
  copiedExtensions: string[];
  ignoredExtensions: Array<{ oid: string; reason: string }>;
  /** OpenSSL's names of the OIDs above (2.5.29.17: subjectAltName), for those it names. */
  extensionNames: Record<string, string>;
}

export interface PkiImportRequest {
  /** The file's bytes, base64 (PEM text may be given as `text` instead). */
  dataBase64?: string;
  text?: string;
  fileName?: string;
  /** For encrypted keys and PKCS#12. */
  passphrase?: string;
  /** Name for the first certificate; default from its CN. */
  name?: string;
}

export interface PkiImportResult {
  /** What the file held ("PEM: 2 certificates, 1 key"). */
  description: string;
  certificates: PkiCertificateSummary[];
  csrs: PkiCsrSummary[];
  /** Keys stored with their certificate or CSR. */
  keysMatched: number;
  /** Keys that belong to nothing in the file or the workbench, and were therefore not kept. */
  keysUnmatched: number;
  /** Names of the certificates already in the workbench (same fingerprint), not added twice. */
  duplicates: string[];
  /**
   * The same certificates, each with the name it keeps and the one the file or the import asked
   * for. The engine always sets it; optional only for results merged in the renderer.
   */
  alreadyStored?: PkiAlreadyStored[];
}

/** A certificate of an imported file that the workbench already held (same DER): kept as it was, not renamed. */
export interface PkiAlreadyStored {
  id: number;
  /** The workbench name it keeps. */
  name: string;
  subject: string;
  /** The name the file (PKCS#12 friendlyName) or the import (--name) gave it, when it differs from the stored one: not applied. */
  nameAsked?: string;
  /** The file's private key was added to it (it had none before). */
  keyAdded: boolean;
  /** One line that says all of the above: "CN=x is already stored as 'first' ...". */
  message: string;
}

/** What to inspect: a stored certificate, a stored CSR, or pasted PEM / base64 DER. */
export type PkiInspectRequest = { certificateId: number } | { csrId: number } | { text: string };

// --- the inspector (mirrors src-main/pki/inspect.ts with bytes as base64) -----------------------

export interface PkiByteRange {
  offset: number;
  length: number;
}

export interface PkiInspectedField {
  label: string;
  value: string;
  /** One line a student understands: what this field is for. */
  explanation: string;
  range?: PkiByteRange;
  details?: string[];
}

export interface PkiInspectedExtension extends PkiInspectedField {
  oid: string;
  critical: boolean;
  /** False when shown raw. */
  decoded: boolean;
  rawHex: string;
}

export interface PkiAsn1Node {
  offset: number;
  headerLength: number;
  length: number;
  tag: string;
  constructed: boolean;
  value?: string;
  encapsulates?: boolean;
  children: PkiAsn1Node[];
}

export interface PkiPublicKeyDetails {
  type: string;
  bits: number;
  curve?: string;
  summary: string;
  exponent?: string;
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

export interface PkiInspection {
  kind: 'certificate' | 'csr';
  summary: string;
  /** The DER the byte ranges and the ASN.1 tree refer to. */
  derBase64: string;
  pem: string;
  subject: string;
  issuer?: string;
  serialNumber?: string;
  notBefore?: string;
  notAfter?: string;
  fingerprints: { sha1: string; sha256: string };
  /** As `openssl x509 -subject_hash` and `-subject_hash_old` print them. */
  subjectHash: string;
  subjectHashOld: string;
  publicKey: PkiPublicKeyDetails;
  signatureAlgorithm: string;
  signatureValid: boolean | null;
  fields: PkiInspectedField[];
  extensions: PkiInspectedExtension[];
  /** What real clients will refuse in it, one sentence each with what to do; empty for a CSR and a sound certificate. */
  cautions: string[];
  /** What the certificate (or the CSR asks to be) is for, as PkiCertificateSummary.extendedKeyUsage; null without the extension. */
  extendedKeyUsage: PkiExtendedKeyUsage[] | null;
  asn1: PkiAsn1Node;
}

// --- verification ----------------------------------------------------------------------------

/** Where trust comes from: a workbench CA, a PEM file, a hash-link folder or the system store. */
export type PkiTrustSpec =
  | { kind: 'lab'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'dir'; path: string }
  | { kind: 'system' };

export interface PkiVerifyRequest {
  /** A stored certificate, or a pasted PEM / base64 DER. */
  certificateId?: number;
  text?: string;
  trust: PkiTrustSpec;
  /** Extra intermediates (PEM text); a stored certificate's workbench chain is added by itself. */
  intermediatesPem?: string[];
  hostname?: string;
  /** ISO-8601; default now. */
  at?: string;
  purpose?: 'serverAuth' | 'clientAuth' | 'any';
  /**
   * Let the chain end at any trusted certificate, self-signed or not (OpenSSL's -partial_chain).
   * Off by default: TLS clients, the workbench's own included, need the chain to reach a root.
   */
  partialChain?: boolean;
}

export type PkiVerifyCheckName =
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

export interface PkiVerifyCheck {
  name: PkiVerifyCheckName;
  ok: boolean;
  certificateIndex?: number;
  subject?: string;
  detail: string;
}

export interface PkiVerifyResult {
  ok: boolean;
  chain: Array<{ subject: string; issuer: string; fingerprintSha256: string; pem: string }>;
  checks: PkiVerifyCheck[];
  failed?: PkiVerifyCheck;
  /** "3 certificates from /tmp/ca.pem", "workbench CA Lab Root", ... */
  trustDescription: string;
}

// --- export ----------------------------------------------------------------------------------

/**
 * pem / der: the certificate; chain-pem: the certificate and its CAs; p12: PKCS#12 with key and
 * chain (needs a password); key-pem: the private key, encrypted when a password is given;
 * trust-folder: hash links of the CA (and those above it), needs `path`.
 */
export type PkiExportFormat = 'pem' | 'der' | 'chain-pem' | 'p12' | 'key-pem' | 'trust-folder';

export interface PkiExportRequest {
  id: number;
  format: PkiExportFormat;
  password?: string;
  /** PKCS#12 for old tools (3DES, SHA-1 MAC). */
  legacy?: boolean;
  /** Write here (a file; a folder for trust-folder) instead of returning the bytes. */
  path?: string;
}

export interface PkiExportResult {
  /** Suggested file name ("www.bank32.com.pem", "Lab Root.p12"). */
  fileName: string;
  /** The bytes, when no path was given. */
  dataBase64?: string;
  /** Files written, when a path was given. */
  written?: string[];
  /** True when the output holds a private key (written with mode 0600). */
  containsPrivateKey: boolean;
}

export interface PkiForgeRequest {
  ca: string;
  hostname: string;
  /** A certificate to copy names from (PEM). */
  templatePem?: string;
  /** Keep the forged certificate in the workbench (kind 'forged'). Default true. */
  store?: boolean;
}

export interface PkiForgeResult {
  certificatePem: string;
  chainPem: string[];
  certificate?: PkiCertificateSummary;
  /** True when the certificate came from the forge cache. */
  cached: boolean;
}

export interface PkiDeleteRequest {
  /** A certificate or CA; a CA goes with everything it issued. */
  id?: number;
  csrId?: number;
}

export interface PkiPassphraseSetRequest {
  passphrase: string;
  /** Needed when a passphrase is already set and the keys are locked. */
  current?: string;
}

/** A long job (RSA 4096 key generation) started or ended. */
export interface PkiJobEvent {
  id: number;
  /** "Generating an RSA 4096 key for Lab Root" */
  label: string;
  state: 'started' | 'finished' | 'failed';
  /** Epoch ms. */
  startedAt: number;
  endedAt?: number;
  error?: string;
}

export interface PkiChangedEvent {
  /** "ca.created", "certificate.issued", "imported", "deleted", "passphrase", ... */
  reason: string;
  ids: number[];
}
