// A certificate summarised for the session views: who it names, who signed it, for when,
// for which names, and how to recognise it again (fingerprints).
import { X509Certificate, createHash } from 'node:crypto';
import type { CertificateInfo, DistinguishedNameAttribute } from '../api/types';
import { describeAnyKey } from './keys.js';
import { bytesToIp } from './names.js';

/** Node prints names one attribute per line ("C=US\nO=...\nCN=..."); keep that order. */
function parseNodeName(text: string): DistinguishedNameAttribute[] {
  const attributes: DistinguishedNameAttribute[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      // A continuation of a value that itself held a newline.
      const last = attributes.at(-1);
      if (last) last.value += `\n${line}`;
      continue;
    }
    attributes.push({ type: line.slice(0, eq), value: line.slice(eq + 1) });
  }
  return attributes;
}

function formatName(attributes: DistinguishedNameAttribute[]): string {
  return attributes.map((a) => `${a.type}=${a.value}`).join(', ');
}

function colonHex(digest: Buffer): string {
  return [...digest].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

/** "DNS:a, IP Address:1.2.3.4" -> ["DNS:a", "IP:1.2.3.4"] */
export function parseSubjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/,\s*/)
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => entry.replace(/^IP Address:/, 'IP:').replace(/^email:/, 'email:'))
    .map((entry) => (entry.startsWith('IP:') ? `IP:${shortIpv6(entry.slice(3))}` : entry));
}

/**
 * Node writes an IPv6 address in full ("0:0:0:0:0:0:0:1"); the inspector, curl and a URL write
 * it as RFC 5952 does ("::1"). Anything that is not eight hex groups is left as it is.
 */
function shortIpv6(text: string): string {
  const groups = text.split(':');
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return text;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  });
  return bytesToIp(bytes);
}

function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Servers send the same certificates on every handshake: describe each one once. */
const DESCRIBED_LIMIT = 512;
const described = new Map<string, CertificateInfo>();

/** Descriptions are shared between callers, so none may change one (a clone per handshake cost more than the lookup). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export function describeCertificate(der: Uint8Array): CertificateInfo {
  const sha256 = createHash('sha256').update(der).digest();
  const key = sha256.toString('hex');
  const cached = described.get(key);
  if (cached) {
    described.delete(key);
    described.set(key, cached);
    return cached;
  }
  const info = deepFreeze(describeUncached(der, sha256));
  described.set(key, info);
  if (described.size > DESCRIBED_LIMIT) described.delete(described.keys().next().value as string);
  return info;
}

function describeUncached(der: Uint8Array, sha256: Buffer): CertificateInfo {
  const cert = new X509Certificate(der);
  const subjectAttributes = parseNodeName(cert.subject);
  const issuerAttributes = parseNodeName(cert.issuer);
  const key = describeAnyKey(cert.publicKey);
  return {
    subject: formatName(subjectAttributes),
    subjectAttributes,
    issuer: formatName(issuerAttributes),
    issuerAttributes,
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    subjectAltNames: parseSubjectAltNames(cert.subjectAltName),
    isCA: cert.ca,
    selfIssued: cert.subject === cert.issuer,
    publicKey: { type: key.type, bits: key.bits || undefined, curve: key.curve },
    fingerprintSha1: colonHex(createHash('sha1').update(der).digest()),
    fingerprintSha256: colonHex(sha256),
    pem: toPem(der),
  };
}

/**
 * Why a wildcard name did not cover `hostname`, when one nearly did: a wildcard stands for exactly
 * one label (RFC 6125), so "*.bank32.com" covers neither "bank32.com" nor "a.b.bank32.com". Empty
 * when no wildcard among `names` (DNS names, with or without a "DNS:" prefix) comes close.
 */
export function wildcardNote(hostname: string, names: string[]): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  for (const name of names) {
    const pattern = name.replace(/^(DNS:|CN=)/, '').toLowerCase();
    if (!pattern.startsWith('*.')) continue;
    const base = pattern.slice(2);
    if (host === base) {
      return `A wildcard stands for exactly one label: ${pattern} covers www.${base} but not ${base} itself, which needs its own name in the certificate.`;
    }
    const labels = host.endsWith(`.${base}`) ? host.slice(0, -base.length - 1).split('.') : [];
    if (labels.length > 1) {
      return `A wildcard stands for exactly one label: ${pattern} covers ${labels.at(-1)}.${base} but not ${host}, which has ${labels.length} labels before ${base}.`;
    }
  }
  return '';
}

/** The names a certificate is valid for, as the hostname check sees them. */
export function namesForHostnameCheck(info: CertificateInfo): string[] {
  const sanNames = info.subjectAltNames
    .filter((n) => n.startsWith('DNS:') || n.startsWith('IP:'))
    .map((n) => n.slice(n.indexOf(':') + 1));
  if (sanNames.length > 0) return sanNames;
  return info.subjectAttributes.filter((a) => a.type === 'CN').map((a) => a.value);
}
