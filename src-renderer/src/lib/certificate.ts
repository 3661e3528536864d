// What the certificate cards show beyond the raw fields: validity state, role in the chain.
import type { CertificateInfo, DistinguishedNameAttribute, PkiInspection } from '../api/contract';

export type ValidityState = 'valid' | 'expired' | 'not-yet-valid' | 'unknown';

export function validityState(cert: Pick<CertificateInfo, 'notBefore' | 'notAfter'>, now: number = Date.now()): ValidityState {
  const from = Date.parse(cert.notBefore);
  const to = Date.parse(cert.notAfter);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'unknown';
  if (now < from) return 'not-yet-valid';
  if (now > to) return 'expired';
  return 'valid';
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Certificate times in UTC, as X.509 states them: "2026-11-25 11:47 UTC". */
export function formatCertificateTime(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`;
}

export function commonName(attributes: readonly DistinguishedNameAttribute[]): string | null {
  const cn = attributes.find((a) => a.type === 'CN' || a.type === '2.5.4.3');
  return cn ? cn.value : null;
}

/** The distinguished name as "CN=www.bank32.com, O=Bank32", whatever form the engine sent. */
export function distinguishedName(text: string, attributes: readonly DistinguishedNameAttribute[]): string {
  if (attributes.length > 0) return attributes.map((a) => `${a.type}=${a.value}`).join(', ');
  return text;
}

export type ChainRole = 'Server certificate' | 'Intermediate CA' | 'Root CA' | 'Certificate';

export function chainRole(cert: Pick<CertificateInfo, 'isCA' | 'selfIssued'>, index: number): ChainRole {
  if (index === 0 && !cert.isCA) return 'Server certificate';
  if (cert.isCA && cert.selfIssued) return 'Root CA';
  if (cert.isCA) return 'Intermediate CA';
  return index === 0 ? 'Server certificate' : 'Certificate';
}

export function describePublicKey(key: CertificateInfo['publicKey']): string {
  const parts = [key.type];
  if (key.bits) parts.push(`${key.bits} bits`);
  if (key.curve) parts.push(key.curve);
  return parts.join(', ');
}

/**
 * The names to list when only `limit` fit: the first ones, and `match` too when it lies further
 * on (the name the check decided by always shows); `hidden` is how many are left out.
 */
export function visibleNames(names: string[], limit: number, match?: string): { names: string[]; hidden: number } {
  if (names.length <= limit) return { names, hidden: 0 };
  const first = names.slice(0, limit);
  if (match !== undefined && !first.includes(match) && names.includes(match)) first.push(match);
  return { names: first, hidden: names.length - first.length };
}

/**
 * What an inspected certificate is for, one line: "TLS server (serverAuth), TLS client (clientAuth)";
 * a CA without extendedKeyUsage signs certificates, any other certificate without one may be used
 * for anything. Null for a CSR that asks for no particular use.
 */
export function inspectedUsage(inspection: Pick<PkiInspection, 'kind' | 'extendedKeyUsage' | 'extensions'>): string | null {
  const purposes = inspection.extendedKeyUsage;
  if (purposes === undefined || (purposes === null && inspection.kind === 'csr')) return null;
  if (purposes === null) {
    const isCa = inspection.extensions.some((e) => e.oid === '2.5.29.19' && e.value.startsWith('CA:TRUE'));
    return isCa ? 'signing certificates: a CA (no extendedKeyUsage limits it)' : 'any use: no extendedKeyUsage limits it';
  }
  if (purposes.length === 0) return 'nothing: its extendedKeyUsage is empty';
  return purposes.map((p) => `${p.meaning} (${p.name})`).join(', ');
}
