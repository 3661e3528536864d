// Export and verification forms: which formats a certificate can leave in, where trust comes from,
// and how the verifier's checks read for a student.
import type {
  PkiCertificateSummary,
  PkiExportFormat,
  PkiExportRequest,
  PkiImportResult,
  PkiVerifyCheck,
  PkiVerifyCheckName,
  PkiVerifyRequest,
  PkiVerifyResult,
} from '../api/contract';
import type { FormErrors, FormResult } from './pki-forms';

export interface ExportChoice {
  format: PkiExportFormat;
  label: string;
  hint: string;
  /** 'required' for PKCS#12, 'optional' for a key (plain without one). */
  password: 'none' | 'optional' | 'required';
  needsKey: boolean;
  caOnly: boolean;
  /** A trust folder is many files: it can only be written to a folder. */
  pathOnly: boolean;
  mime: string;
}

export const EXPORT_CHOICES: readonly ExportChoice[] = [
  { format: 'pem', label: 'Certificate (PEM)', hint: 'Text, -----BEGIN CERTIFICATE-----: what servers and openssl read.', password: 'none', needsKey: false, caOnly: false, pathOnly: false, mime: 'application/x-pem-file' },
  { format: 'der', label: 'Certificate (DER)', hint: 'The same certificate as raw binary ASN.1 (.cer / .der).', password: 'none', needsKey: false, caOnly: false, pathOnly: false, mime: 'application/pkix-cert' },
  { format: 'chain-pem', label: 'Certificate with chain (PEM)', hint: 'The certificate followed by its CAs: a server\'s fullchain.pem.', password: 'none', needsKey: false, caOnly: false, pathOnly: false, mime: 'application/x-pem-file' },
  { format: 'p12', label: 'PKCS#12 (.p12) with key and chain', hint: 'One password-protected file with key, certificate and chain, for browsers and Windows.', password: 'required', needsKey: true, caOnly: false, pathOnly: false, mime: 'application/x-pkcs12' },
  { format: 'key-pem', label: 'Private key (PEM)', hint: 'The private key alone; give a password to encrypt it (PKCS#8), leave it empty for a plain key.', password: 'optional', needsKey: true, caOnly: false, pathOnly: false, mime: 'application/x-pem-file' },
  { format: 'trust-folder', label: 'Trust folder (hash links)', hint: 'HASH.0 files for the CA and those above it: OpenSSL\'s -CApath and Python\'s capath= read it.', password: 'none', needsKey: false, caOnly: true, pathOnly: true, mime: 'application/octet-stream' },
];

/** The formats that make sense for this certificate, each with why not when it does not. */
export function exportChoices(certificate: Pick<PkiCertificateSummary, 'hasPrivateKey' | 'isCa'>): Array<ExportChoice & { unavailable?: string }> {
  return EXPORT_CHOICES.map((choice) => {
    if (choice.needsKey && !certificate.hasPrivateKey) return { ...choice, unavailable: 'the private key is not in the workbench' };
    if (choice.caOnly && !certificate.isCa) return { ...choice, unavailable: 'only a CA goes into a trust folder' };
    // A CA's key is not a browser's client identity: it signs certificates.
    if (certificate.isCa && choice.format === 'p12') return { ...choice, hint: "One password-protected file with the CA's key, certificate and chain: whoever has it can sign certificates." };
    return choice;
  });
}

/**
 * The warning beside an export that carries a CA's private key: a teacher handing it out gives
 * away the power to sign certificates that every machine trusting the CA accepts, for any site.
 * Null for any other export.
 */
export function caKeyWarning(format: PkiExportFormat, certificate: Pick<PkiCertificateSummary, 'hasPrivateKey' | 'isCa' | 'name'>): string | null {
  if (!certificate.isCa || !exportHoldsKey(format, certificate)) return null;
  return `This file holds the private key of the CA "${certificate.name}": whoever gets it can sign certificates for any site that every machine trusting this CA accepts, your students' included. ` +
    'Clients need only the certificate (PEM); give this file only to those who must sign, and the password separately.';
}

export interface ExportForm {
  format: PkiExportFormat;
  password: string;
  legacy: boolean;
  destination: 'download' | 'path';
  path: string;
}

export function defaultExportForm(): ExportForm {
  return { format: 'pem', password: '', legacy: false, destination: 'download', path: '' };
}

export function validateExportForm(id: number, form: ExportForm): FormResult<PkiExportRequest> {
  const errors: FormErrors = {};
  const choice = EXPORT_CHOICES.find((c) => c.format === form.format);
  const request: PkiExportRequest = { id, format: form.format };
  if (choice?.password === 'required' && form.password === '') errors.password = 'PKCS#12 needs a password; openssl pkcs12 -passin asks for it.';
  if (choice?.password !== 'none' && form.password !== '') request.password = form.password;
  if (form.format === 'p12' && form.legacy) request.legacy = true;
  const toPath = choice?.pathOnly || form.destination === 'path';
  if (toPath) {
    const path = form.path.trim();
    if (path === '') errors.path = choice?.pathOnly ? 'Give the folder to write the hash links into, e.g. /home/student/lab/trust.' : 'Give the file path to write, e.g. /home/student/lab/server.pem.';
    else if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path) && path !== '~' && !path.startsWith('~/')) errors.path = 'Give a full path from the root, e.g. /home/student/lab/server.pem: the engine does not know your current folder.';
    else request.path = path;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, request };
}

// --- verification ------------------------------------------------------------------------------

export interface VerifyForm {
  trustKind: 'lab' | 'file' | 'dir' | 'system';
  trustCa: string;
  trustPath: string;
  hostname: string;
  /** A datetime-local value, empty for now. */
  at: string;
  purpose: 'serverAuth' | 'clientAuth' | 'any';
  intermediates: string;
  /** OpenSSL's -partial_chain: a trusted intermediate or leaf may end the chain. */
  partialChain: boolean;
}

export function defaultVerifyForm(trustCa = '', hostname = ''): VerifyForm {
  return { trustKind: trustCa ? 'lab' : 'system', trustCa, trustPath: '', hostname, at: '', purpose: 'serverAuth', intermediates: '', partialChain: false };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** `source` is the stored certificate or the pasted PEM being verified. */
export function validateVerifyForm(source: { certificateId: number } | { text: string }, form: VerifyForm): FormResult<PkiVerifyRequest> {
  const errors: FormErrors = {};
  const request: PkiVerifyRequest = { ...source, trust: { kind: 'system' }, purpose: form.purpose };
  if (form.trustKind === 'lab') {
    if (!form.trustCa) errors.trustCa = 'Choose the workbench CA to trust.';
    request.trust = { kind: 'lab', name: form.trustCa };
  } else if (form.trustKind === 'file' || form.trustKind === 'dir') {
    const path = form.trustPath.trim();
    if (path === '') errors.trustPath = form.trustKind === 'file' ? 'Give the path of a PEM file of CA certificates.' : 'Give the path of a folder of hash links (HASH.0).';
    request.trust = { kind: form.trustKind, path };
  }
  const hostname = form.hostname.trim();
  if (hostname) request.hostname = hostname;
  if (form.at.trim() !== '') {
    const t = Date.parse(form.at);
    if (Number.isNaN(t)) errors.at = 'Give a date and time, or leave it empty for now.';
    else request.at = new Date(t).toISOString();
  }
  const intermediates = form.intermediates.match(PEM_CERT) ?? [];
  if (form.intermediates.trim() !== '' && intermediates.length === 0) {
    errors.intermediates = 'Paste intermediate CA certificates as PEM blocks (-----BEGIN CERTIFICATE-----), or leave it empty.';
  }
  if (intermediates.length > 0) request.intermediatesPem = intermediates;
  if (form.partialChain) request.partialChain = true;
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, request };
}

export const CHECK_INFO: Record<PkiVerifyCheckName, { label: string; explanation: string }> = {
  chain: {
    label: 'Chain to a trusted CA',
    explanation: 'Each certificate\'s issuer is found, up to a self-signed root CA in the trust store (any trusted certificate, with partial chains).',
  },
  signature: { label: 'Signatures', explanation: 'Each certificate is signed by the key of the one above it, and nothing was changed.' },
  validity: { label: 'Validity period', explanation: 'The moment checked lies between notBefore and notAfter of every certificate.' },
  'ca-flag': { label: 'CA flag', explanation: 'Every issuer says basicConstraints CA:TRUE: only CAs may sign certificates.' },
  'key-usage': { label: 'Key usage', explanation: 'Issuers may sign certificates (keyCertSign); the leaf\'s key may do what TLS asks of it.' },
  'extended-key-usage': { label: 'Extended key usage', explanation: 'The leaf is meant for this purpose (serverAuth for a server).' },
  'path-length': { label: 'Path length', explanation: 'No CA has more CAs below it than its pathLenConstraint allows.' },
  'name-constraints': { label: 'Name constraints', explanation: 'The names lie inside what each CA is permitted to certify.' },
  hostname: { label: 'Host name', explanation: 'The name you connect to is among the certificate\'s subject alternative names.' },
  'critical-extension': { label: 'Critical extensions', explanation: 'Every extension marked critical is one the verifier understands; an unknown critical one must be refused.' },
};

export function checkLabel(check: Pick<PkiVerifyCheck, 'name'>): string {
  return CHECK_INFO[check.name]?.label ?? check.name;
}

/** The check that decides the answer: the one the engine named, else the first that failed. */
export function decisiveFailure(result: PkiVerifyResult): PkiVerifyCheck | null {
  return result.failed ?? result.checks.find((c) => !c.ok) ?? null;
}

export interface CheckRow {
  check: PkiVerifyCheck;
  /** Which certificate the check is about: "leaf", or the CA's common name; null for the whole chain. */
  about: string | null;
}

/**
 * The checks as a student reads them: the failed ones first, then certificate by certificate from
 * the leaf up (the engine lists them as it ran them, leaf and CA checks mixed), each saying which
 * certificate it is about ("Validity period" twice meant nothing without it).
 */
export function checkRows(result: Pick<PkiVerifyResult, 'checks'>): CheckRow[] {
  const order = (check: PkiVerifyCheck) => check.certificateIndex ?? Number.MAX_SAFE_INTEGER;
  return result.checks
    .map((check, position) => ({ check, position }))
    .sort((a, b) => Number(a.check.ok) - Number(b.check.ok) || order(a.check) - order(b.check) || a.position - b.position)
    .map(({ check }) => ({ check, about: checkSubject(check) }));
}

function checkSubject(check: PkiVerifyCheck): string | null {
  if (check.certificateIndex === 0) return 'leaf';
  if (!check.subject) return check.certificateIndex === undefined ? null : `certificate ${check.certificateIndex + 1}`;
  const cn = /(?:^|,\s*)CN=([^,]+)\s*$/.exec(check.subject);
  return cn ? cn[1]!.trim() : check.subject;
}

/**
 * Keys of an import that went with a certificate or request already in the workbench (a PKCS#12
 * or a key file for a certificate imported before): the list of new items does not show them.
 */
export function importedKeyNote(result: Pick<PkiImportResult, 'keysMatched' | 'certificates' | 'csrs'>): string | null {
  const withNew = result.certificates.filter((c) => c.hasPrivateKey).length + result.csrs.filter((c) => c.hasPrivateKey).length;
  const n = result.keysMatched - withNew;
  if (n <= 0) return null;
  return n === 1
    ? 'The key matched a certificate or request already in the workbench and is kept with it.'
    : `${n} keys matched certificates or requests already in the workbench and are kept with them.`;
}

// --- importing several files -------------------------------------------------------------------

export interface PickedFile {
  name: string;
  base64: string;
  size: number;
  /** The file read as text, when it is PEM. */
  pem: string | null;
}

/** Whether the file is a PEM file with a private key and no certificate or request (a .key file). */
function keyOnly(file: PickedFile): boolean {
  return file.pem !== null && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(file.pem) && !/-----BEGIN [A-Z0-9 ]*(CERTIFICATE|REQUEST)-----/.test(file.pem);
}

/**
 * The order several picked files are imported in: key files last, so that a key finds its
 * certificate whichever order the files were picked in (a key that matches nothing is not kept).
 */
export function importOrder(files: readonly PickedFile[]): PickedFile[] {
  return [...files.filter((f) => !keyOnly(f)), ...files.filter(keyOnly)];
}

/** Several files' import results as one, each file's description named by the file. */
export function mergeImportResults(results: ReadonlyArray<{ file: string; result: PkiImportResult }>): PkiImportResult {
  if (results.length === 1) return results[0]!.result;
  return {
    description: results.map(({ file, result }) => `${file}: ${result.description}`).join('; '),
    certificates: results.flatMap(({ result }) => result.certificates),
    csrs: results.flatMap(({ result }) => result.csrs),
    keysMatched: results.reduce((n, { result }) => n + result.keysMatched, 0),
    keysUnmatched: results.reduce((n, { result }) => n + result.keysUnmatched, 0),
    duplicates: [...new Set(results.flatMap(({ result }) => result.duplicates))],
    alreadyStored: results.flatMap(({ result }) => result.alreadyStored ?? []),
  };
}

// --- files that hold a key, saved from the desktop app --------------------------------------------

type SaveFile = (options: { title?: string; defaultPath?: string }) => Promise<string | null>;

/**
 * The desktop shell's native save dialog (its preload's workbenchShell.saveFile), or null in a
 * browser. A file that holds a private key is written by the engine to the path it gives, mode
 * 0600 from the start; a browser download gets whatever permissions the browser gives its files.
 */
export function shellSaveFile(): SaveFile | null {
  const shell = (globalThis as { workbenchShell?: { saveFile?: SaveFile } }).workbenchShell;
  return typeof shell?.saveFile === 'function' ? (options) => shell.saveFile!(options) : null;
}

/** Whether an export in this format of this certificate holds its private key. */
export function exportHoldsKey(format: PkiExportFormat, certificate: Pick<PkiCertificateSummary, 'hasPrivateKey'>): boolean {
  return format === 'key-pem' || (format === 'p12' && certificate.hasPrivateKey);
}

/** Whether a picked file is PKCS#12: named .p12/.pfx, or DER that opens as a PFX does (SEQUENCE, then version 3). */
export function isPkcs12File(file: Pick<PickedFile, 'name' | 'base64' | 'pem'>): boolean {
  if (/\.(p12|pfx)$/i.test(file.name)) return true;
  if (file.pem !== null) return false;
  const head = atob(file.base64.slice(0, 12));
  const bytes = [...head].map((c) => c.charCodeAt(0));
  if (bytes[0] !== 0x30) return false;
  const lengthBytes = bytes[1] >= 0x80 ? bytes[1] - 0x80 : 0;
  const at = 2 + lengthBytes;
  return bytes[at] === 0x02 && bytes[at + 1] === 0x01 && bytes[at + 2] === 0x03;
}

const ENCRYPTED_KEY = /-----BEGIN (ENCRYPTED PRIVATE KEY|[A-Z ]*PRIVATE KEY-----\s*Proc-Type: 4,ENCRYPTED)/;

/**
 * The passphrase field as fits what is to be imported: a PKCS#12 file needs the password it was
 * exported with (a student who read "optional" left it empty and was refused), an encrypted key its
 * passphrase; for anything else it is optional.
 */
export function importPassphraseField(files: readonly Pick<PickedFile, 'name' | 'base64' | 'pem'>[] | null, text: string): { label: string; optional: boolean; hint: string } {
  const p12 = files?.find((f) => isPkcs12File(f));
  if (p12) return { label: 'PKCS#12 password', optional: false, hint: `The password ${p12.name} was exported with (empty only if it was exported without one).` };
  const encrypted = files ? files.find((f) => f.pem !== null && ENCRYPTED_KEY.test(f.pem)) : null;
  if (encrypted) return { label: 'Key passphrase', optional: false, hint: `${encrypted.name} holds an encrypted private key: give its passphrase.` };
  if (!files && ENCRYPTED_KEY.test(text)) return { label: 'Key passphrase', optional: false, hint: 'The pasted private key is encrypted: give its passphrase.' };
  return { label: 'Passphrase', optional: true, hint: 'For PKCS#12 files and encrypted keys.' };
}
