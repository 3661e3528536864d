// Forging at proxy speed. forgeLeafCertificate makes one leaf per (CA, leaf key); every later
// host reuses its issuer, key, algorithm and extensions and only gets a new serial, validity,
// subject and SAN, signed in one synchronous OpenSSL call. Building each certificate through
// @peculiar/x509 costs about 15 ms of CPU; this costs about one signature.
import { type KeyObject, createHash, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { type CertificateParts, OID, findExtension, parseCertificateDer } from '../pki/certificateDer';
import { type CertificateAuthority, forgeLeafCertificate, forgedNotBefore, randomSerialNumber } from '../pki/certificates';
import { concatBytes, encodeTlv } from '../pki/der';
import { type GeneralNameEntry, type RelativeName, decodeGeneralNames, decodeName, encodeGeneralNames, encodeName, encodeOid } from '../pki/names';
import { signatureAlgorithmInfo } from '../pki/signatures';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ForgedLeaf {
  certificate: Uint8Array;
  notAfter: Date;
}

export class LeafTemplate {
  private constructor(
    private readonly parts: CertificateParts,
    private readonly signer: KeyObject,
    private readonly hash: string | null,
    private readonly caNotBefore: Date,
  ) {}

  /** Forges the first leaf the slow, general way and keeps it as the pattern for the rest. */
  static async create(ca: CertificateAuthority, leafKey: KeyObject): Promise<LeafTemplate> {
    const first = await forgeLeafCertificate({ ca, hostname: 'template.invalid', leafKey });
    const parts = parseCertificateDer(first.certificate);
    const info = signatureAlgorithmInfo(parts.tbsSignatureAlgorithm);
    if (info.scheme !== 'rsa-pkcs1' && info.scheme !== 'ecdsa' && info.scheme !== 'eddsa') {
      throw new Error(`cannot re-sign with ${info.name}`);
    }
    return new LeafTemplate(parts, ca.privateKey, info.scheme === 'eddsa' ? null : info.hash, parseCertificateDer(ca.certificate).notBefore);
  }

  /** A leaf for the host, named as forgeLeafCertificate names it (CN and O, and SANs, from the template when given). */
  forge(hostname: string, template?: Uint8Array, days = 365): ForgedLeaf {
    const { rdns, sans } = forgedNames(hostname, template);
    const notBefore = forgedNotBefore(this.caNotBefore);
    const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
    const p = this.parts;
    const extensions = p.extensions.map((extension) =>
      extension.oid === OID.subjectAltName ? sanExtension(sans, rdns.length === 0) : extension.node.encoded,
    );
    const tbs = encodeTlv(
      0x30,
      concatBytes([
        p.tbs.children[0].encoded, // [0] version v3
        encodeTlv(0x02, Buffer.from(randomSerialNumber(), 'hex')),
        p.tbsSignatureAlgorithm.encoded,
        p.issuer.encoded,
        encodeTlv(0x30, concatBytes([encodeTime(notBefore), encodeTime(notAfter)])),
        encodeName(rdns),
        p.subjectPublicKeyInfo.encoded,
        encodeTlv(0xa3, encodeTlv(0x30, concatBytes(extensions))),
      ]),
    );
    const signature = sign(this.hash, tbs, this.signer);
    const certificate = encodeTlv(
      0x30,
      concatBytes([tbs, p.signatureAlgorithm.encoded, encodeTlv(0x03, concatBytes([Uint8Array.of(0), signature]))]),
    );
    return { certificate, notAfter };
  }
}

function sanExtension(sans: GeneralNameEntry[], critical: boolean): Uint8Array {
  return encodeTlv(
    0x30,
    concatBytes([encodeOid(OID.subjectAltName), ...(critical ? [Uint8Array.of(0x01, 0x01, 0xff)] : []), encodeTlv(0x04, encodeGeneralNames(sans))]),
  );
}

/** RFC 5280, Section 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function encodeTime(date: Date): Uint8Array {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  return year < 2050 ? encodeTlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : encodeTlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

interface TemplateNames {
  rdns: RelativeName[];
  sans: GeneralNameEntry[];
}

/**
 * The names a template gives, by the template's SHA-256: the host names of one site often share
 * one real certificate (a wildcard, a long SAN list), and parsing it costs more than the signature.
 */
const templateNames = new Map<string, TemplateNames>();
const TEMPLATE_NAMES_LIMIT = 256;

function namesOfTemplate(template: Uint8Array): TemplateNames {
  const digest = createHash('sha256').update(template).digest('hex');
  const hit = templateNames.get(digest);
  if (hit) return hit;
  const parts = parseCertificateDer(template);
  const attributes = decodeName(parts.subject).flat();
  const o = attributes.find((a) => a.type === 'O' && a.value.length <= 64);
  const cn = attributes.find((a) => a.type === 'CN' && a.value.length <= 64);
  const rdns = [o, cn].filter((a) => a !== undefined).map((a) => [a]);
  let sans: GeneralNameEntry[] = [];
  const san = findExtension(parts, OID.subjectAltName);
  if (san?.value.children[0]) {
    sans = decodeGeneralNames(san.value.children[0]).filter((e): e is GeneralNameEntry => e.type === 'dns' || e.type === 'ip');
  }
  const names = { rdns, sans };
  if (templateNames.size >= TEMPLATE_NAMES_LIMIT) templateNames.delete(templateNames.keys().next().value!);
  templateNames.set(digest, names);
  return names;
}

/** The names forgeLeafCertificate gives a forged leaf: the template's CN and O and DNS/IP SANs, plus the host. */
function forgedNames(hostname: string, template?: Uint8Array): TemplateNames {
  const hostEntry: GeneralNameEntry = isIP(hostname) ? { type: 'ip', value: hostname } : { type: 'dns', value: hostname.toLowerCase() };
  let rdns: RelativeName[] = [];
  let sans: GeneralNameEntry[] = [];
  if (template !== undefined) {
    const names = namesOfTemplate(template);
    rdns = [...names.rdns];
    sans = [...names.sans];
  }
  if (!rdns.some((rdn) => rdn[0].type === 'CN') && hostname.length <= 64) rdns.push([{ type: 'CN', value: hostname }]);
  if (!sans.some((entry) => entry.type === hostEntry.type && covers(entry.value, hostEntry.value))) sans.unshift(hostEntry);
  return { rdns, sans };
}

function covers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === host) return true;
  if (!p.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot) === p.slice(1);
}
