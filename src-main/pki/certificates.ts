// Making certificates: root and intermediate CAs, server and client certificates, and the
// forged leaf the proxy presents. Built with @peculiar/x509 and signed with the CA's key.
import { type KeyObject, X509Certificate, createHash, createPublicKey, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import {
  type CertificateParts,
  type KeyUsageName,
  KEY_USAGE_NAMES,
  OID,
  findExtension,
  parseCertificateDer,
  readBasicConstraints,
  readSubjectKeyIdentifier,
  subjectPublicKeyBits,
} from './certificateDer.js';
import { parseDer } from './der.js';
import { PkiError } from './errors.js';
import {
  type KeySpec,
  DEFAULT_KEY_SPEC,
  assertKeyMatchesCertificate,
  describeKey,
  generateKeyPair,
  parseKeySpec,
  publicKeyDer,
  toWebCryptoKeys,
} from './keys.js';
import {
  type GeneralNameEntry,
  type NameConstraintsInput,
  type RelativeName,
  type SubjectInput,
  decodeGeneralNames,
  decodeName,
  encodeGeneralNames,
  encodeName,
  encodeNameConstraints,
  parseSubjectAltNames,
  subjectToRdns,
} from './names.js';
import { readDerOrPem, toPem } from './pem.js';
import { x509 } from './x509.js';

/** A CA the workbench can sign with: its certificate, its key and the certificates above it. */
export interface CertificateAuthority {
  /** DER of the CA certificate. */
  certificate: Uint8Array;
  privateKey: KeyObject;
  /** DER of the CAs above this one, nearest first, up to and including the root; empty for a root. */
  chain: Uint8Array[];
}

export interface SignedCertificate {
  /** DER of the new certificate. */
  certificate: Uint8Array;
  /** DER of the issuing CA and the CAs above it, nearest first (what a server sends after its certificate). */
  chain: Uint8Array[];
  /** PEM of the new certificate. */
  pem: string;
}

export interface IssuedCertificate extends SignedCertificate {
  /** The key of the new certificate (generated or given). */
  privateKey: KeyObject;
}

export type CertificateProfile = 'server' | 'client' | 'ca';

/** A key to use: a spec to generate ("rsa:2048", { kind: 'ec', curve: 'P-256' }) or an existing key. */
export type KeyChoice = KeySpec | string | KeyObject;

export interface ValidityOptions {
  /** Days from notBefore to notAfter. Default 3650 for CAs, 365 for leaf certificates. */
  days?: number;
  /** Default: one hour ago, so that clocks a little behind still accept the certificate. */
  notBefore?: Date;
  /** Overrides `days`. */
  notAfter?: Date;
}

export interface CaOptions extends ValidityOptions {
  subject: SubjectInput;
  /** Default rsa:2048. */
  key?: KeyChoice;
  /** pathLenConstraint: how many CAs may stand below this one. Default: none (unlimited). */
  pathLength?: number;
  nameConstraints?: NameConstraintsInput;
}

export interface IssueOptions extends ValidityOptions {
  subject: SubjectInput;
  /** "DNS:a,DNS:*.b,IP:127.0.0.1" or a list. Default for a server: its CN as DNS (or IP) name. */
  subjectAltNames?: string | readonly string[] | readonly GeneralNameEntry[];
  /** Default server. */
  profile?: Exclude<CertificateProfile, 'ca'>;
  /** Replaces the profile's key usage. */
  keyUsage?: readonly KeyUsageName[];
  /** Replaces the profile's extended key usage: names (serverAuth, clientAuth, ...) or OIDs; [] leaves it out. */
  extendedKeyUsage?: readonly string[];
  key?: KeyChoice;
  /** Hex serial number; default 16 random bytes. */
  serialNumber?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const EXTENDED_KEY_USAGE_OIDS: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
};

/** Key usage a profile starts with (RSA servers also encipher the premaster secret in TLS 1.2 RSA key exchange). */
export function defaultKeyUsage(profile: CertificateProfile, keyType: 'RSA' | 'EC' | 'Ed25519'): KeyUsageName[] {
  if (profile === 'ca') return ['keyCertSign', 'cRLSign'];
  if (profile === 'server' && keyType === 'RSA') return ['digitalSignature', 'keyEncipherment'];
  return ['digitalSignature'];
}

export function defaultExtendedKeyUsage(profile: CertificateProfile): string[] {
  if (profile === 'server') return ['serverAuth'];
  if (profile === 'client') return ['clientAuth'];
  return [];
}

/** A random positive 16-byte serial (hex): the first byte is 0x01..0x7f so DER keeps all 16 bytes. */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) || 0x01;
  return bytes.toString('hex');
}

/** Reads a certificate from PEM or DER. */
export function readCertificate(input: string | Uint8Array): Uint8Array {
  const der = readDerOrPem(input, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'], 'certificate');
  parseCertificateDer(der);
  return der;
}

export function certificatePem(der: Uint8Array): string {
  return toPem('CERTIFICATE', der);
}

// --- CAs --------------------------------------------------------------------------------------

export async function createRootCa(options: CaOptions): Promise<CertificateAuthority> {
  const privateKey = await resolveKey(options.key);
  const subject = encodeName(options.subject);
  requireNonEmptySubject(subject, 'A CA');
  const extensions = caExtensions(options, privateKey);
  const certificate = await buildCertificate({
    subject,
    issuer: subject,
    publicKey: privateKey,
    signer: privateKey,
    serialNumber: randomSerialNumber(),
    ...validityWindow(options, 3650),
    extensions: [...extensions, authorityKeyIdentifier(keyIdentifier(privateKey))],
  });
  return { certificate, privateKey, chain: [] };
}

export async function createIntermediateCa(parent: CertificateAuthority, options: CaOptions): Promise<CertificateAuthority> {
  const issuer = inspectIssuer(parent);
  if (issuer.pathLength === 0) {
    throw new PkiError(
      'NOT_A_CA',
      `The CA "${issuer.name}" has path length 0: it may sign server and client certificates but no other CA. ` +
        'Create the intermediate under a CA without that limit, or recreate this CA with a larger path length.',
    );
  }
  const privateKey = await resolveKey(options.key);
  const subject = encodeName(options.subject);
  requireNonEmptySubject(subject, 'A CA');
  const certificate = await buildCertificate({
    subject,
    issuer: issuer.subject,
    publicKey: privateKey,
    signer: parent.privateKey,
    serialNumber: randomSerialNumber(),
    ...validityWindow(options, 3650),
    extensions: [...caExtensions(options, privateKey), authorityKeyIdentifier(issuer.keyIdentifier)],
  });
  return { certificate, privateKey, chain: [parent.certificate, ...parent.chain] };
}

function caExtensions(options: CaOptions, privateKey: KeyObject): x509.Extension[] {
  if (options.pathLength !== undefined && (!Number.isInteger(options.pathLength) || options.pathLength < 0)) {
    throw new PkiError('BAD_OPTION', `The path length must be a whole number 0 or more, not ${options.pathLength}.`);
  }
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, options.pathLength, true),
    new x509.KeyUsagesExtension(keyUsageFlags(['keyCertSign', 'cRLSign']), true),
    new x509.SubjectKeyIdentifierExtension(keyIdentifier(privateKey)),
  ];
  if (options.nameConstraints) {
    extensions.push(new x509.Extension(OID.nameConstraints, true, encodeNameConstraints(options.nameConstraints)));
  }
  return extensions;
}

// --- leaf certificates ------------------------------------------------------------------------

export async function issueCertificate(ca: CertificateAuthority, options: IssueOptions): Promise<IssuedCertificate> {
  const profile = options.profile ?? 'server';
  const rdns = subjectToRdns(options.subject);
  const sans = resolveSubjectAltNames(options.subjectAltNames, rdns, profile);
  inspectIssuer(ca);
  const privateKey = await resolveKey(options.key);
  const signed = await signSubjectKey(ca, { ...options, subject: rdns, subjectAltNames: sans }, privateKey);
  return { ...signed, privateKey };
}

/** Options for signing a public key that arrived without its private half (a CSR). */
export interface SignKeyOptions extends Omit<IssueOptions, 'key'> {
  /** Extensions to add as they are (from a CSR), replacing the profile's extension of the same OID. */
  extraExtensions?: readonly x509.Extension[];
}

/** Signs a certificate for a public key (KeyObject or SPKI DER) under the CA, as issueCertificate does. */
export async function signSubjectKey(
  ca: CertificateAuthority,
  options: SignKeyOptions,
  subjectKey: KeyObject | Uint8Array,
): Promise<SignedCertificate> {
  const issuer = inspectIssuer(ca);
  const profile = options.profile ?? 'server';
  const rdns = subjectToRdns(options.subject);
  const sans = resolveSubjectAltNames(options.subjectAltNames, rdns, profile);
  const subject = encodeName(rdns);
  const extra = options.extraExtensions ?? [];
  const extraSans = extra.some((extension) => extension.type === OID.subjectAltName);
  if (rdns.length === 0 && sans.length === 0 && !extraSans) {
    throw new PkiError(
      'BAD_SUBJECT',
      'The certificate names nothing: give it a common name (CN) or at least one subject alternative name.',
    );
  }
  const publicKey = subjectKey instanceof Uint8Array ? createPublicKey({ key: Buffer.from(subjectKey), format: 'der', type: 'spki' }) : subjectKey;
  const keyType = describeKey(publicKey).type;
  const profileExtensions = leafExtensions({
    keyUsage: options.keyUsage ?? defaultKeyUsage(profile, keyType),
    extendedKeyUsage: options.extendedKeyUsage ?? defaultExtendedKeyUsage(profile),
    sans,
    emptySubject: rdns.length === 0,
    subjectKeyId: keyIdentifier(publicKey),
    authorityKeyId: issuer.keyIdentifier,
  });
  const extensions = mergeExtensions(profileExtensions, extra);
  const certificate = await buildCertificate({
    subject,
    issuer: issuer.subject,
    publicKey,
    signer: ca.privateKey,
    serialNumber: options.serialNumber ?? randomSerialNumber(),
    ...validityWindow(options, 365),
    extensions,
  });
  return signed(certificate, ca);
}

/** The profile's extensions with same-OID ones replaced in place by `extra`, the rest of `extra` appended before SKI/AKI. */
function mergeExtensions(profile: x509.Extension[], extra: readonly x509.Extension[]): x509.Extension[] {
  const extraByOid = new Map(extra.map((extension) => [extension.type, extension]));
  const merged = profile.map((extension) => extraByOid.get(extension.type) ?? extension);
  const present = new Set(profile.map((extension) => extension.type));
  const appended = extra.filter((extension) => !present.has(extension.type));
  const keyIds = merged.filter((e) => e.type === OID.subjectKeyIdentifier || e.type === OID.authorityKeyIdentifier);
  const rest = merged.filter((e) => e.type !== OID.subjectKeyIdentifier && e.type !== OID.authorityKeyIdentifier);
  return [...rest, ...appended, ...keyIds];
}

function resolveSubjectAltNames(
  input: IssueOptions['subjectAltNames'],
  rdns: RelativeName[],
  profile: CertificateProfile,
): GeneralNameEntry[] {
  if (input !== undefined) {
    if (typeof input === 'string') return parseSubjectAltNames(input);
    if (input.length === 0) return [];
    if (typeof input[0] === 'string') return parseSubjectAltNames(input as readonly string[]);
    return parseSubjectAltNames((input as readonly GeneralNameEntry[]).map((entry) => `${entry.type === 'ip' ? 'IP' : entry.type}:${entry.value}`));
  }
  // Browsers and Python ignore the CN: a server certificate without SANs matches no name.
  const cn = rdns.flat().find((attribute) => attribute.type === 'CN')?.value;
  if (profile !== 'server' || !cn) return [];
  if (isIP(cn)) return [{ type: 'ip', value: cn }];
  try {
    return parseSubjectAltNames([`DNS:${cn}`]);
  } catch {
    return [];
  }
}

interface LeafExtensionInput {
  keyUsage: readonly KeyUsageName[];
  extendedKeyUsage: readonly string[];
  sans: readonly GeneralNameEntry[];
  emptySubject: boolean;
  subjectKeyId: string;
  authorityKeyId: string;
}

function leafExtensions(input: LeafExtensionInput): x509.Extension[] {
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(false, undefined, true)];
  if (input.keyUsage.length > 0) extensions.push(new x509.KeyUsagesExtension(keyUsageFlags(input.keyUsage), true));
  if (input.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(input.extendedKeyUsage.map(extendedKeyUsageOid), false));
  }
  if (input.sans.length > 0) {
    // RFC 5280, Section 4.2.1.6: with an empty subject the SAN extension is critical.
    extensions.push(new x509.Extension(OID.subjectAltName, input.emptySubject, encodeGeneralNames(input.sans)));
  }
  extensions.push(new x509.SubjectKeyIdentifierExtension(input.subjectKeyId));
  extensions.push(authorityKeyIdentifier(input.authorityKeyId));
  return extensions;
}

export function extendedKeyUsageOid(name: string): string {
  if (/^\d+(\.\d+)+$/.test(name)) return name;
  const oid = EXTENDED_KEY_USAGE_OIDS[name] ?? Object.entries(EXTENDED_KEY_USAGE_OIDS).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  if (!oid) {
    throw new PkiError(
      'BAD_OPTION',
      `"${name}" is not an extended key usage the workbench knows: use ${Object.keys(EXTENDED_KEY_USAGE_OIDS).join(', ')} or a dotted OID.`,
    );
  }
  return oid;
}

function keyUsageFlags(names: readonly KeyUsageName[]): number {
  let flags = 0;
  for (const name of names) {
    const index = KEY_USAGE_NAMES.indexOf(name);
    if (index < 0) {
      throw new PkiError('BAD_OPTION', `"${name}" is not a key usage: use ${KEY_USAGE_NAMES.join(', ')}.`);
    }
    flags |= 1 << index;
  }
  return flags;
}

// --- forging ----------------------------------------------------------------------------------

export interface ForgeOptions {
  ca: CertificateAuthority;
  /** The name the client asked for (SNI or CONNECT host); a DNS name or an IP address. */
  hostname: string;
  /** The real server's certificate (PEM or DER): its CN, O and SANs are copied. */
  template?: string | Uint8Array;
  /** Reused for every forged certificate to keep forging fast; default a new key like the CA's. */
  leafKey?: KeyObject;
  /** Default 365 days, starting two days ago (clock skew on the victim's side). */
  days?: number;
}

/**
 * A server certificate for `hostname`, signed by the CA, that looks like the template when one
 * is given. This is what a man-in-the-middle proxy shows the client.
 */
export async function forgeLeafCertificate(options: ForgeOptions): Promise<IssuedCertificate> {
  const { ca, hostname } = options;
  const issuer = inspectIssuer(ca);
  const hostIsIp = isIP(hostname) !== 0;
  const hostEntry: GeneralNameEntry = hostIsIp ? { type: 'ip', value: hostname } : { type: 'dns', value: hostname.toLowerCase() };
  let rdns: RelativeName[] = [];
  let sans: GeneralNameEntry[] = [];
  if (options.template !== undefined) {
    const template = parseCertificateDer(readCertificate(options.template));
    const templateRdns = decodeName(template.subject).flat();
    const copied = ['CN', 'O']
      .map((type) => templateRdns.find((attribute) => attribute.type === type))
      .filter((attribute): attribute is { type: string; value: string } => attribute !== undefined && attribute.value.length <= 64);
    rdns = copied.sort((a, b) => (a.type === 'O' ? -1 : b.type === 'O' ? 1 : 0)).map((attribute) => [attribute]);
    const sanExtension = findExtension(template, OID.subjectAltName);
    if (sanExtension?.value.children[0]) {
      sans = decodeGeneralNames(sanExtension.value.children[0]).filter(
        (entry): entry is GeneralNameEntry => entry.type === 'dns' || entry.type === 'ip',
      );
    }
  }
  if (!rdns.some((rdn) => rdn[0].type === 'CN') && hostname.length <= 64) rdns.push([{ type: 'CN', value: hostname }]);
  if (!sans.some((entry) => entry.type === hostEntry.type && sanCovers(entry.value, hostEntry.value))) sans.unshift(hostEntry);
  const privateKey = options.leafKey ?? (await generateKeyPair(leafKeySpecFor(ca.privateKey))).privateKey;
  const keyType = describeKey(privateKey).type;
  const notBefore = forgedNotBefore(parseCertificateDer(readCertificate(ca.certificate)).notBefore);
  const certificate = await buildCertificate({
    subject: encodeName(rdns),
    issuer: issuer.subject,
    publicKey: privateKey,
    signer: ca.privateKey,
    serialNumber: randomSerialNumber(),
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.days ?? 365) * DAY_MS),
    extensions: leafExtensions({
      keyUsage: defaultKeyUsage('server', keyType),
      extendedKeyUsage: ['serverAuth'],
      sans,
      emptySubject: rdns.length === 0,
      subjectKeyId: keyIdentifier(privateKey),
      authorityKeyId: issuer.keyIdentifier,
    }),
  });
  return { ...signed(certificate, ca), privateKey };
}

function sanCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === host) return true;
  if (!p.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot) === p.slice(1);
}

/** The leaf key type that goes with a CA: EC for an EC CA (same curve), Ed25519 for Ed25519, else RSA 2048. */
export function leafKeySpecFor(caKey: KeyObject): KeySpec {
  const description = describeKey(caKey);
  if (description.type === 'EC') return { kind: 'ec', curve: description.curve === 'P-384' ? 'P-384' : 'P-256' };
  if (description.type === 'Ed25519') return { kind: 'ed25519' };
  return { kind: 'rsa', bits: 2048 };
}

// --- shared machinery -------------------------------------------------------------------------

interface IssuerFacts {
  name: string;
  subject: Uint8Array;
  keyIdentifier: string;
  pathLength?: number;
}

const issuerCache = new WeakMap<CertificateAuthority, IssuerFacts>();

/** Checks that the CA can sign (CA flag, keyCertSign, matching key) and caches what signing needs. */
function inspectIssuer(ca: CertificateAuthority): IssuerFacts {
  const cached = issuerCache.get(ca);
  if (cached) return cached;
  const parts = parseCertificateDer(ca.certificate);
  const name = new X509Certificate(ca.certificate).subject.replace(/\n/g, ', ');
  const constraints = readBasicConstraints(parts);
  if (!constraints?.ca) {
    throw new PkiError(
      'NOT_A_CA',
      `The certificate "${name}" is not a CA (its basicConstraints do not say CA:TRUE), so certificates it signed ` +
        'would be refused by every client. Choose a CA certificate, or create one.',
    );
  }
  assertKeyMatchesCertificate(ca.privateKey, ca.certificate);
  const facts: IssuerFacts = {
    name,
    subject: parts.subject.encoded.slice(),
    keyIdentifier: readSubjectKeyIdentifier(parts) ?? keyIdentifierFromParts(parts),
    pathLength: constraints.pathLength,
  };
  issuerCache.set(ca, facts);
  return facts;
}

/** RFC 5280, Section 4.2.1.2, method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(key: KeyObject): string {
  const spki = parseDer(publicKeyDer(key), 'the public key');
  return createHash('sha1').update(subjectPublicKeyBits(spki)).digest('hex');
}

function keyIdentifierFromParts(parts: CertificateParts): string {
  return createHash('sha1').update(subjectPublicKeyBits(parts.subjectPublicKeyInfo)).digest('hex');
}

function authorityKeyIdentifier(keyId: string): x509.Extension {
  return new x509.AuthorityKeyIdentifierExtension(keyId, false);
}

async function resolveKey(choice: KeyChoice | undefined): Promise<KeyObject> {
  if (choice === undefined) return (await generateKeyPair(DEFAULT_KEY_SPEC)).privateKey;
  if (typeof choice === 'string') return (await generateKeyPair(parseKeySpec(choice))).privateKey;
  if ('kind' in choice) return (await generateKeyPair(choice)).privateKey;
  if (choice.type !== 'private') {
    throw new PkiError('NOT_A_KEY', 'A certificate needs the private key here, but a public key was given.');
  }
  describeKey(choice);
  return choice;
}

function requireNonEmptySubject(subject: Uint8Array, what: string): void {
  if (subject.length <= 2) {
    throw new PkiError('BAD_SUBJECT', `${what} needs a subject name, for example /O=Lab/CN=Lab Root CA.`);
  }
}

/**
 * When a forged leaf starts: two days back, for clients whose clock is behind, but never before
 * its CA does (a leaf older than its issuer is legal, and looks forged to anyone who compares).
 */
export function forgedNotBefore(caNotBefore: Date, now = Date.now()): Date {
  return new Date(Math.max(now - 2 * DAY_MS, caNotBefore.getTime()));
}

function validityWindow(options: ValidityOptions, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const days = options.days ?? defaultDays;
  if (options.notAfter === undefined && (!Number.isFinite(days) || days <= 0 || days > 36500)) {
    throw new PkiError('BAD_VALIDITY', `The validity must be between 1 and 36500 days, not ${days}.`);
  }
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + days * DAY_MS);
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new PkiError(
      'BAD_VALIDITY',
      `The certificate would end (${notAfter.toISOString()}) before it starts (${notBefore.toISOString()}). Check the dates.`,
    );
  }
  return { notBefore, notAfter };
}

function signed(certificate: Uint8Array, ca: CertificateAuthority): SignedCertificate {
  return { certificate, chain: [ca.certificate, ...ca.chain], pem: certificatePem(certificate) };
}

export interface CertificateBuildParams {
  subject: Uint8Array;
  issuer: Uint8Array;
  /** The subject's key (private or public KeyObject) or its SubjectPublicKeyInfo DER. */
  publicKey: KeyObject | Uint8Array;
  signer: KeyObject;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
}

/** Signs a certificate with exactly the given names, key, dates and extensions. */
export async function buildCertificate(params: CertificateBuildParams): Promise<Uint8Array> {
  const signer = await toWebCryptoKeys(params.signer);
  const spki = params.publicKey instanceof Uint8Array ? params.publicKey : publicKeyDer(params.publicKey.type === 'private' ? createPublicKey(params.publicKey) : params.publicKey);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: params.serialNumber,
    subject: new x509.Name(params.subject),
    issuer: new x509.Name(params.issuer),
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    publicKey: spki,
    signingKey: signer.privateKey,
    signingAlgorithm: signer.signingAlgorithm,
    extensions: params.extensions,
  });
  return new Uint8Array(certificate.rawData);
}
