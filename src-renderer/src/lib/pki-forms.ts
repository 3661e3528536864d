// The workshop's forms as plain values: what the student typed, checked here, turned into requests.
// Every mistake gets one sentence next to its field before anything reaches the engine.
import type {
  ApiErrorInfo,
  PkiCaCreateRequest,
  PkiCsrCreateRequest,
  PkiCsrSignRequest,
  PkiCsrSigned,
  PkiForgeRequest,
  PkiIssueRequest,
  PkiKeyType,
  PkiKeyUsage,
  PkiSubjectFields,
} from '../api/contract';

export type FormErrors = Record<string, string>;
export type FormResult<T> = { ok: true; request: T } | { ok: false; errors: FormErrors };

export const KEY_TYPES: ReadonlyArray<{ value: PkiKeyType; label: string; hint: string }> = [
  { value: 'rsa:2048', label: 'RSA 2048', hint: 'The common default; every client accepts it.' },
  { value: 'rsa:3072', label: 'RSA 3072', hint: 'Stronger RSA; a second or so to generate.' },
  { value: 'rsa:4096', label: 'RSA 4096', hint: 'Slow to generate (seconds); the engine keeps working meanwhile.' },
  { value: 'ec:P-256', label: 'ECDSA P-256', hint: 'Small and fast; what most modern sites use.' },
  { value: 'ec:P-384', label: 'ECDSA P-384', hint: 'A larger curve, for CAs that want a longer life.' },
  { value: 'ed25519', label: 'Ed25519', hint: 'Modern signatures; browsers do not accept it for TLS yet.' },
];

export function keyTypeHint(key: PkiKeyType): string {
  return KEY_TYPES.find((k) => k.value === key)?.hint ?? '';
}

// --- subject ---------------------------------------------------------------------------------

export interface SubjectForm {
  CN: string;
  O: string;
  OU: string;
  C: string;
  ST: string;
  L: string;
  emailAddress: string;
}

export const SUBJECT_FIELDS: ReadonlyArray<{ key: keyof SubjectForm; label: string; placeholder: string; hint: string }> = [
  { key: 'CN', label: 'Common name (CN)', placeholder: 'www.bank32.com', hint: 'The name the certificate is for.' },
  { key: 'O', label: 'Organization (O)', placeholder: 'Bank32 Inc.', hint: 'Who owns it.' },
  { key: 'OU', label: 'Organizational unit (OU)', placeholder: 'Web', hint: 'A department.' },
  { key: 'C', label: 'Country (C)', placeholder: 'US', hint: 'Two letters, ISO 3166.' },
  { key: 'ST', label: 'State or province (ST)', placeholder: 'New York', hint: 'Spelled out.' },
  { key: 'L', label: 'Locality (L)', placeholder: 'Syracuse', hint: 'A city.' },
  { key: 'emailAddress', label: 'Email (emailAddress)', placeholder: 'admin@bank32.com', hint: 'A contact address.' },
];

/** The examples shown in the empty subject fields: a CA's name is not a host name, and a client certificate is for a person. */
export function subjectPlaceholders(profile: 'ca' | 'server' | 'client'): Record<keyof SubjectForm, string> {
  const server = Object.fromEntries(SUBJECT_FIELDS.map((field) => [field.key, field.placeholder])) as Record<keyof SubjectForm, string>;
  if (profile === 'ca') return { ...server, CN: 'Lab Root CA', O: 'Lab CA Ltd.', OU: 'Security lab', emailAddress: 'ca@lab.test' };
  if (profile === 'client') return { ...server, CN: 'alice', OU: 'Students', emailAddress: 'alice@bank32.com' };
  return server;
}

export function emptySubject(cn = ''): SubjectForm {
  return { CN: cn, O: '', OU: '', C: '', ST: '', L: '', emailAddress: '' };
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The filled-in fields only; errors are keyed "subject-CN", "subject-C", ... */
export function readSubject(form: SubjectForm, errors: FormErrors, requireCn: boolean): PkiSubjectFields {
  const subject: PkiSubjectFields = {};
  for (const { key } of SUBJECT_FIELDS) {
    const value = form[key].trim();
    if (value !== '') subject[key] = value;
  }
  if (requireCn && !subject.CN) errors['subject-CN'] = 'Give a common name, e.g. "Lab Root CA" or "www.bank32.com".';
  if (subject.C !== undefined && !/^[A-Za-z]{2}$/.test(subject.C)) errors['subject-C'] = 'A country is two letters, e.g. US or DE.';
  if (subject.C) subject.C = subject.C.toUpperCase();
  if (subject.emailAddress !== undefined && !EMAIL.test(subject.emailAddress)) {
    errors['subject-emailAddress'] = 'An email address looks like name@example.com.';
  }
  if (Object.keys(subject).length === 0 && !errors['subject-CN']) errors['subject-CN'] = 'Fill in at least the common name.';
  return subject;
}

// --- subject alternative names ----------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIpv4(text: string): boolean {
  const m = IPV4.exec(text);
  return !!m && m.slice(1).every((octet) => Number(octet) <= 255);
}

function isIpv6(text: string): boolean {
  return text.includes(':') && /^[0-9a-f:.]+$/i.test(text) && text.split('::').length <= 2;
}

/** A DNS name, with a wildcard allowed only as the whole left-most label ("*.bank32.com"). */
export function isDnsName(text: string): boolean {
  const labels = text.split('.');
  if (text.length > 253 || labels.length === 0) return false;
  // No top-level domain is a number: "10.0.0.256" is a mistyped address, not a host name.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((label, i) => (i === 0 && label === '*' && labels.length > 2) || DNS_LABEL.test(label));
}

/**
 * An internationalised name (bücher.example) in the IDNA ASCII form certificates carry
 * (xn--bcher-kva.example), as browsers and the engine convert it; a leading "*." is kept. ASCII
 * comes back as it is; a name IDNA refuses comes back unchanged, for isDnsName to reject.
 */
export function asciiDnsName(text: string): string {
  if (!/[^\x00-\x7f]/.test(text)) return text;
  const wildcard = text.startsWith('*.');
  const rest = wildcard ? text.slice(2) : text;
  try {
    const host = new URL(`http://${rest}/`).hostname;
    return (wildcard ? '*.' : '') + host;
  } catch {
    return text;
  }
}

export type SanParse = { ok: true; names: string[] } | { ok: false; error: string };

/**
 * "www.bank32.com, *.bank32.com 127.0.0.1 admin@bank32.com" → DNS:, IP: and email: entries.
 * Prefixes written out ("DNS:", "IP:", "email:") are kept; otherwise the form of the name decides.
 */
export function parseSubjectAltNames(text: string): SanParse {
  const names: string[] = [];
  for (const raw of text.split(/[\s,;]+/).filter((t) => t !== '')) {
    const prefixed = /^(dns|ip|email|uri):(.*)$/i.exec(raw);
    const kind = prefixed ? prefixed[1]!.toLowerCase() : null;
    const value = prefixed ? prefixed[2]! : raw;
    if (value === '') return { ok: false, error: `"${raw}" has a type but no name after the colon.` };
    if (kind === 'uri') names.push(`URI:${value}`);
    else if (kind === 'email' || (kind === null && value.includes('@'))) {
      if (!EMAIL.test(value)) return { ok: false, error: `"${value}" is not an email address (name@example.com).` };
      names.push(`email:${value}`);
    } else if (kind === 'ip' || (kind === null && (isIpv4(value) || (value.includes(':') && isIpv6(value))))) {
      if (!isIpv4(value) && !isIpv6(value)) return { ok: false, error: `"${value}" is not an IP address such as 127.0.0.1 or ::1.` };
      names.push(`IP:${value}`);
    } else {
      const dns = asciiDnsName(value.toLowerCase());
      if (isIpv4(value)) return { ok: false, error: `"${raw}": an address is an IP entry, not a DNS name; write IP:${value}.` };
      if (IPV4.test(value)) return { ok: false, error: `"${value}" is not an IP address: each of its four numbers is 0 to 255.` };
      if (!isDnsName(dns)) {
        return {
          ok: false,
          error: dns.includes('*')
            ? `"${value}": a wildcard must be the whole first label of a name with at least two more, e.g. *.bank32.com.`
            : `"${value}" is not a DNS name, IP address or email address.`,
        };
      }
      names.push(`DNS:${dns}`);
    }
  }
  return { ok: true, names: [...new Set(names)] };
}

// --- usages --------------------------------------------------------------------------------

export type IssueProfile = 'server' | 'client';

export const KEY_USAGES: ReadonlyArray<{ value: PkiKeyUsage; label: string; hint: string }> = [
  { value: 'digitalSignature', label: 'Digital signature', hint: 'Sign handshakes (ECDHE, TLS 1.3).' },
  { value: 'keyEncipherment', label: 'Key encipherment', hint: 'Receive an RSA-encrypted premaster secret (TLS 1.2 RSA key exchange).' },
  { value: 'keyAgreement', label: 'Key agreement', hint: 'Static (EC)DH key agreement.' },
  { value: 'nonRepudiation', label: 'Non-repudiation', hint: 'Content commitment: signed documents.' },
  { value: 'dataEncipherment', label: 'Data encipherment', hint: 'Encrypt data directly with the public key (rare).' },
  { value: 'keyCertSign', label: 'Certificate signing', hint: 'Sign other certificates: only for CAs.' },
  { value: 'cRLSign', label: 'CRL signing', hint: 'Sign revocation lists: only for CAs.' },
  { value: 'encipherOnly', label: 'Encipher only', hint: 'With key agreement: only to encipher.' },
  { value: 'decipherOnly', label: 'Decipher only', hint: 'With key agreement: only to decipher.' },
];

export const EXTENDED_KEY_USAGES: ReadonlyArray<{ value: string; label: string; hint: string }> = [
  { value: 'serverAuth', label: 'TLS server', hint: 'serverAuth: a client accepts it from a server.' },
  { value: 'clientAuth', label: 'TLS client', hint: 'clientAuth: a server accepts it from a client.' },
  { value: 'codeSigning', label: 'Code signing', hint: 'codeSigning: signs programs.' },
  { value: 'emailProtection', label: 'Email', hint: 'emailProtection: S/MIME.' },
  { value: 'timeStamping', label: 'Time stamping', hint: 'timeStamping: a time-stamp authority.' },
  { value: 'OCSPSigning', label: 'OCSP signing', hint: 'OCSPSigning: signs revocation answers.' },
];

/** What the engine would pick for the profile: RSA servers also encipher the TLS 1.2 premaster secret. */
export function defaultKeyUsage(profile: IssueProfile, key: PkiKeyType): PkiKeyUsage[] {
  return profile === 'server' && key.startsWith('rsa:') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
}

export function defaultExtendedKeyUsage(profile: IssueProfile): string[] {
  return profile === 'server' ? ['serverAuth'] : ['clientAuth'];
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

// --- numbers ---------------------------------------------------------------------------------

function readDays(text: string, errors: FormErrors, key: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 36500) {
    errors[key] = 'Validity is a whole number of days from 1 to 36500.';
    return undefined;
  }
  return Number(t);
}

/**
 * "Starts in" as days from now: empty or 0 for now, -400 for a start in the past (with 365 days of
 * validity, an expired certificate), 30 for one not yet valid. The ISO start, or undefined for now.
 */
function readStart(text: string, errors: FormErrors, key: string, now: number): string | undefined {
  const t = text.trim().replace(/^\u2212/, '-');
  if (t === '' || /^[-+]?0+$/.test(t)) return undefined;
  if (!/^[-+]?\d+$/.test(t) || Math.abs(Number(t)) > 36500) {
    errors[key] = 'Write a whole number of days: 0 for now, -400 for a start in the past, 30 for one in the future.';
    return undefined;
  }
  return new Date(now + Number(t) * 86_400_000).toISOString();
}

/** What the validity fields make: "expired" or "not valid yet" when the teacher asks for that, else null. */
export function validityLesson(startsIn: string, days: string, now: number = Date.now()): 'expired' | 'not yet valid' | null {
  const errors: FormErrors = {};
  const start = readStart(startsIn, errors, 'start', now);
  const length = readDays(days, errors, 'days') ?? 365;
  if (start === undefined || Object.keys(errors).length > 0) return null;
  const from = Date.parse(start);
  if (from > now) return 'not yet valid';
  return from + length * 86_400_000 < now ? 'expired' : null;
}

function readName(text: string, errors: FormErrors, key: string, required: boolean, taken: ReadonlySet<string>): string | undefined {
  const t = text.trim();
  if (t === '') {
    if (required) errors[key] = 'Give it a name to find it by in the workbench, e.g. "Lab Root".';
    return undefined;
  }
  if (t.length > 200) errors[key] = 'Keep the name under 200 characters.';
  else if (taken.has(t)) errors[key] = `"${t}" is already the name of something in the workbench; choose another, e.g. "${freeName(t, taken)}".`;
  return t;
}

function freeName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 2; ; n++) if (!taken.has(`${name} ${n}`)) return `${name} ${n}`;
}

const NO_NAMES: ReadonlySet<string> = new Set();

function result<T>(errors: FormErrors, request: T): FormResult<T> {
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, request };
}

// --- create a CA ----------------------------------------------------------------------------

export interface CaForm {
  name: string;
  subject: SubjectForm;
  key: PkiKeyType;
  days: string;
  /** Empty for a root CA. */
  parent: string;
  pathLength: string;
  permitted: string;
  excluded: string;
}

export function defaultCaForm(parent = ''): CaForm {
  return {
    name: '',
    subject: emptySubject(),
    key: 'rsa:2048',
    days: parent ? '1825' : '3650',
    parent,
    pathLength: parent ? '0' : '',
    permitted: '',
    excluded: '',
  };
}

const CONSTRAINT = /^(DNS|IP|email|URI):\S+$/i;

function readConstraints(text: string, errors: FormErrors, key: string): string[] | undefined {
  const entries = text.split(/[\s,]+/).filter((t) => t !== '');
  if (entries.length === 0) return undefined;
  const bad = entries.find((e) => !CONSTRAINT.test(e));
  if (bad) errors[key] = `"${bad}": write each constraint with its type, e.g. DNS:.lab.test, IP:10.0.0.0/8 or email:@lab.test.`;
  return entries;
}

/** `taken`: the names already in the workbench (workbenchNames), refused next to the field. */
export function validateCaForm(form: CaForm, taken: ReadonlySet<string> = NO_NAMES): FormResult<PkiCaCreateRequest> {
  const errors: FormErrors = {};
  const name = readName(form.name, errors, 'name', true, taken);
  const subject = readSubject(form.subject, errors, true);
  const days = readDays(form.days, errors, 'days');
  let pathLength: number | undefined;
  if (form.pathLength.trim() !== '') {
    const t = form.pathLength.trim();
    if (!/^\d+$/.test(t) || Number(t) > 32) errors.pathLength = 'Path length is how many CAs may sit below this one: 0 to 32, or empty for no limit.';
    else pathLength = Number(t);
  }
  const permitted = readConstraints(form.permitted, errors, 'permitted');
  const excluded = readConstraints(form.excluded, errors, 'excluded');
  const request: PkiCaCreateRequest = { name: name ?? '', subject, key: form.key };
  if (days !== undefined) request.days = days;
  if (form.parent) request.parent = form.parent;
  if (pathLength !== undefined) request.pathLength = pathLength;
  if (permitted || excluded) request.nameConstraints = { ...(permitted ? { permitted } : {}), ...(excluded ? { excluded } : {}) };
  return result(errors, request);
}

// --- issue a certificate ----------------------------------------------------------------------

export interface IssueForm {
  ca: string;
  name: string;
  profile: IssueProfile;
  subject: SubjectForm;
  sans: string;
  key: PkiKeyType;
  days: string;
  /** Days from now to the start; empty for now. */
  startsIn: string;
  keyUsage: PkiKeyUsage[];
  extendedKeyUsage: string[];
}

export function defaultIssueForm(ca = '', cn = ''): IssueForm {
  return {
    ca,
    name: '',
    profile: 'server',
    subject: emptySubject(cn),
    sans: '',
    key: 'rsa:2048',
    days: '365',
    startsIn: '',
    keyUsage: defaultKeyUsage('server', 'rsa:2048'),
    extendedKeyUsage: defaultExtendedKeyUsage('server'),
  };
}

/** The SANs a server gets when none are typed: its CN, as the engine does. */
export function implicitServerSans(form: IssueForm): string | null {
  if (form.profile !== 'server' || form.sans.trim() !== '') return null;
  const cn = asciiDnsName(form.subject.CN.trim().toLowerCase());
  return cn && isDnsName(cn) ? `DNS:${cn}` : null;
}

export function validateIssueForm(form: IssueForm, now: number = Date.now(), taken: ReadonlySet<string> = NO_NAMES): FormResult<PkiIssueRequest> {
  const errors: FormErrors = {};
  if (!form.ca) errors.ca = 'Choose the CA that signs it; create a root CA first if there is none.';
  const name = readName(form.name, errors, 'name', false, taken);
  const subject = readSubject(form.subject, errors, true);
  const sans = parseSubjectAltNames(form.sans);
  if (!sans.ok) errors.sans = sans.error;
  const days = readDays(form.days, errors, 'days');
  const notBefore = readStart(form.startsIn, errors, 'startsIn', now);
  if (form.keyUsage.length === 0) errors.keyUsage = 'Tick at least one key usage; a TLS certificate needs "Digital signature".';
  const request: PkiIssueRequest = {
    ca: form.ca,
    subject,
    profile: form.profile,
    key: form.key,
    keyUsage: [...form.keyUsage],
    extendedKeyUsage: [...form.extendedKeyUsage],
  };
  if (name) request.name = name;
  if (sans.ok && sans.names.length > 0) request.subjectAltNames = sans.names;
  if (days !== undefined) request.days = days;
  if (notBefore !== undefined) request.notBefore = notBefore;
  return result(errors, request);
}

// --- CSRs ------------------------------------------------------------------------------------

export interface CsrForm {
  name: string;
  subject: SubjectForm;
  sans: string;
  key: PkiKeyType;
}

export function defaultCsrForm(): CsrForm {
  return { name: '', subject: emptySubject(), sans: '', key: 'rsa:2048' };
}

export function validateCsrForm(form: CsrForm, taken: ReadonlySet<string> = NO_NAMES): FormResult<PkiCsrCreateRequest> {
  const errors: FormErrors = {};
  const name = readName(form.name, errors, 'name', false, taken);
  const subject = readSubject(form.subject, errors, true);
  const sans = parseSubjectAltNames(form.sans);
  if (!sans.ok) errors.sans = sans.error;
  const request: PkiCsrCreateRequest = { subject, key: form.key };
  if (name) request.name = name;
  if (sans.ok && sans.names.length > 0) request.subjectAltNames = sans.names;
  return result(errors, request);
}

export interface CsrSignForm {
  /** A workbench CSR, or null to use the pasted text. */
  csrId: number | null;
  csrText: string;
  ca: string;
  copyExtensions: boolean;
  profile: IssueProfile;
  days: string;
  name: string;
}

export function defaultCsrSignForm(csrId: number | null = null): CsrSignForm {
  return { csrId, csrText: '', ca: '', copyExtensions: true, profile: 'server', days: '365', name: '' };
}

export function validateCsrSignForm(form: CsrSignForm, taken: ReadonlySet<string> = NO_NAMES): FormResult<PkiCsrSignRequest> {
  const errors: FormErrors = {};
  if (!form.ca) errors.ca = 'Choose the CA that signs the request.';
  if (form.csrId === null && form.csrText.trim() === '') {
    errors.csrText = 'Paste the request (-----BEGIN CERTIFICATE REQUEST-----) or pick one of the workbench CSRs.';
  } else if (form.csrId === null && !/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(form.csrText) && !/^[A-Za-z0-9+/=\s]+$/.test(form.csrText)) {
    errors.csrText = 'That is not a certificate request: paste the PEM block that starts with -----BEGIN CERTIFICATE REQUEST-----.';
  }
  const days = readDays(form.days, errors, 'days');
  const name = readName(form.name, errors, 'name', false, taken);
  const request: PkiCsrSignRequest = { ca: form.ca, copyExtensions: form.copyExtensions, profile: form.profile };
  if (form.csrId !== null) request.csrId = form.csrId;
  else request.csr = form.csrText.trim();
  if (days !== undefined) request.days = days;
  if (name) request.name = name;
  return result(errors, request);
}

/** "subjectAltName (2.5.29.17)" with the engine's name for it; an OID it does not name stays as is. */
export function extensionName(oid: string, names: Readonly<Record<string, string>>): string {
  const name = names[oid];
  return name ? `${name} (${oid})` : oid;
}

/** What became of the request's extensions, in the student's words: copied, and not copied with why. */
export function signedExtensionsNote(signed: Pick<PkiCsrSigned, 'copiedExtensions' | 'ignoredExtensions' | 'extensionNames'>): string[] {
  const lines: string[] = [];
  const named = (oid: string) => extensionName(oid, signed.extensionNames);
  if (signed.copiedExtensions.length > 0) lines.push(`Copied from the request: ${signed.copiedExtensions.map(named).join(', ')}.`);
  // One line per reason: without copying, every extension is left out for the same one.
  const byReason = new Map<string, string[]>();
  for (const ignored of signed.ignoredExtensions) byReason.set(ignored.reason, [...(byReason.get(ignored.reason) ?? []), named(ignored.oid)]);
  for (const [reason, names] of byReason) lines.push(`Not copied: ${names.join(', ')}: ${reason}.`);
  return lines;
}

// --- forge ------------------------------------------------------------------------------------

export interface ForgeForm {
  ca: string;
  hostname: string;
  templatePem: string;
}

export function validateForgeForm(form: ForgeForm): FormResult<PkiForgeRequest> {
  const errors: FormErrors = {};
  if (!form.ca) errors.ca = 'Choose the CA that signs the forged certificate (the one the victim trusts).';
  const host = asciiDnsName(form.hostname.trim().toLowerCase());
  if (host === '') errors.hostname = 'Give the host name to forge for, e.g. www.bank32.com.';
  else if (!isDnsName(host) && !isIpv4(host) && !isIpv6(host)) errors.hostname = `"${form.hostname.trim()}" is not a host name or IP address.`;
  const template = form.templatePem.trim();
  if (template !== '' && !template.includes('-----BEGIN CERTIFICATE-----')) {
    errors.templatePem = 'The template is a certificate in PEM form (-----BEGIN CERTIFICATE-----), or leave it empty.';
  }
  const request: PkiForgeRequest = { ca: form.ca, hostname: host, store: true };
  if (template) request.templatePem = template;
  return result(errors, request);
}

// --- passphrase ---------------------------------------------------------------------------------

export function validateNewPassphrase(passphrase: string, repeat: string): string | null {
  if (passphrase.length < 8) return 'Use at least 8 characters; it protects every private key in the workbench.';
  if (passphrase !== repeat) return 'The two passphrases differ; type the same one twice.';
  return null;
}

// --- engine errors ------------------------------------------------------------------------------

/** An engine error as code and message, whatever was thrown. */
export function errorInfo(error: unknown): ApiErrorInfo {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error as { code: unknown; message: unknown };
    if (typeof code === 'string' && typeof message === 'string') return { code, message };
  }
  return { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
}
