// What the certificate commands share: the workbench with its keys unlocked when a workbench
// passphrase is given, passphrase files, subjects from flags, and the text of a summary.
import type { Command } from 'commander';
import type { PkiCaNode, PkiCertificateSummary, PkiExtendedKeyUsage, PkiKeyProtection, PkiKeyType, PkiSubject, PkiSubjectFields, PkiTree } from '../api/pkiTypes';
import { WorkbenchError } from '../errors';
import { readUserFile } from '../userFiles';
import { parseKeySpec, formatKeySpec } from '../pki/keys';
import type { Workbench } from '../workbench';
import { CliExit, openWorkbench } from './common';

/** Adds --workbench-passphrase-file to a command that uses keys kept in the workbench. */
export function withWorkbenchPassphrase(command: Command): Command {
  return command.option(
    '--workbench-passphrase-file <file>',
    'file whose first line is the workbench passphrase (else $TLSLAB_PASSPHRASE), for keys kept encrypted',
  );
}

/** Opens the workbench and, when its keys are encrypted and a passphrase is given, unlocks them. */
export async function openWorkshop(command: Command): Promise<Workbench> {
  const opts = command.opts<{ workbenchPassphraseFile?: string }>();
  const wb = openWorkbench(command);
  try {
    const passphrase = opts.workbenchPassphraseFile !== undefined ? readPassphraseFile(opts.workbenchPassphraseFile) : process.env.TLSLAB_PASSPHRASE;
    if (passphrase !== undefined && passphrase !== '' && wb.workshop.vault.passphraseSet) await wb.workshop.unlock(passphrase);
  } catch (error) {
    await wb.close();
    throw error;
  }
  return wb;
}

/** The first line of the file, as openssl's -passin file: reads it. */
export function readPassphraseFile(file: string): string {
  const line = readFileText(file, 'passphrase file').split(/\r?\n/)[0];
  if (line === '') throw new WorkbenchError('BAD_INPUT', `the passphrase file ${file} is empty: write the passphrase on its first line`);
  return line;
}

/**
 * The passphrases to try for files being imported: the first line exactly as `openssl -passin
 * file:` reads it (up to the first "\n", so a Windows "\r" stays, and an empty line is an empty
 * passphrase), then the same line without its "\r", the passphrase a person typed.
 */
export function readImportPassphrases(file: string): string[] {
  const text = readFileText(file, 'passphrase file');
  if (text === '') {
    throw new WorkbenchError(
      'BAD_INPUT',
      `the passphrase file ${file} is empty: write the passphrase on its first line (a PKCS#12 file exported with an empty password opens without --passphrase-file)`,
    );
  }
  const line = text.split('\n')[0];
  return line.endsWith('\r') ? [line.slice(0, -1), line] : [line];
}

/**
 * The passphrase a file is exported under: the first line, as `openssl -passin file:` reads it.
 * A line ending in "\r" (saved on Windows) is refused: openssl would take the "\r" into the
 * passphrase and a person typing it would not, so the file would open for one and not the other.
 */
export function readExportPassphrase(file: string): string {
  if (readFileText(file, 'passphrase file').split('\n')[0].endsWith('\r')) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `the passphrase file ${file} has a Windows line ending (\\r\\n): \`openssl -passin file:${file}\` would take the \\r into the passphrase, ` +
        'typing it would not; save the file with Unix line endings (dos2unix) and export again',
    );
  }
  return readPassphraseFile(file);
}

function readFileText(file: string, what: string): string {
  return readUserFile(file, what, {}, 'utf8');
}

export function readInputFile(file: string, what: string): Uint8Array {
  return new Uint8Array(readUserFile(file, /\bfile$/.test(what) ? what : `${what} file`, { folderHint: 'name a file inside it' }));
}

export function keyTypeOption(value: string): PkiKeyType {
  try {
    return formatKeySpec(parseKeySpec(value));
  } catch (error) {
    throw new CliExit(2, (error as Error).message);
  }
}

/** --san DNS:a,DNS:*.b,IP:127.0.0.1 (repeatable) */
export function collectSans(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function commaList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

export interface SubjectFlags {
  subject?: string;
  cn?: string;
  o?: string;
  ou?: string;
  c?: string;
  st?: string;
  l?: string;
  email?: string;
}

export function addSubjectOptions(command: Command): Command {
  return command
    .option('--subject <dn>', 'the whole subject, openssl style: "/C=US/O=Model CA LTD./CN=www.modelCA.com"')
    .option('--cn <cn>', 'common name')
    .option('--o <org>', 'organization (O)')
    .option('--ou <unit>', 'organizational unit (OU)')
    .option('--c <country>', 'two-letter country (C)')
    .option('--st <state>', 'state or province (ST)')
    .option('--l <locality>', 'locality (L)')
    .option('--email <address>', 'emailAddress');
}

/** The subject from --subject, or from the field flags; --cn alone is enough. */
export function subjectFromFlags(opts: SubjectFlags, fallbackCn?: string): PkiSubject {
  const fields: PkiSubjectFields = { CN: opts.cn ?? undefined, O: opts.o, OU: opts.ou, C: opts.c, ST: opts.st, L: opts.l, emailAddress: opts.email };
  const anyField = Object.values(fields).some((v) => v !== undefined);
  if (opts.subject !== undefined) {
    if (anyField) throw new CliExit(2, 'give the subject either with --subject or with --cn/--o/... flags, not both');
    return opts.subject;
  }
  if (!anyField) {
    if (fallbackCn !== undefined) return { CN: fallbackCn };
    throw new CliExit(2, 'give a subject: --cn NAME, or --subject "/O=.../CN=..."');
  }
  return fields;
}

/** The key-protection line of the CLI, with the command that changes it. */
export function keysLine(protection: PkiKeyProtection): string {
  const how = protection.status === 'not-protected' ? ' ("tlslab passphrase set")' : protection.status === 'locked' ? ' (give --workbench-passphrase-file, or set $TLSLAB_PASSPHRASE)' : '';
  return `Keys: ${protection.message}${how}`;
}

export function formatTree(tree: PkiTree): string {
  const lines: string[] = [keysLine(tree.keyProtection)];
  if (tree.cas.length === 0 && tree.others.length === 0 && tree.csrs.length === 0) {
    lines.push('The workshop is empty: create a CA with "tlslab ca create NAME --cn NAME".');
    return lines.join('\n');
  }
  const walk = (node: PkiCaNode, depth: number) => {
    const pad = '  '.repeat(depth);
    lines.push(`${pad}${line(node)}`);
    for (const child of node.children) walk(child, depth + 1);
    for (const leaf of node.issued) lines.push(`${pad}  - ${line(leaf)}`);
  };
  for (const ca of tree.cas) walk(ca, 0);
  if (tree.others.length) {
    lines.push('Certificates without a workbench issuer:');
    for (const cert of tree.others) lines.push(`  - ${line(cert)}`);
  }
  if (tree.csrs.length) {
    lines.push('Certificate signing requests:');
    for (const csr of tree.csrs) lines.push(`  - [csr ${csr.id}] ${csr.name}: ${csr.subject}${csr.subjectAltNames.length ? ` (${csr.subjectAltNames.join(', ')})` : ''}`);
  }
  return lines.join('\n');
}

/**
 * What a certificate is for, as its extendedKeyUsage says: "TLS server (serverAuth)", "TLS server
 * (serverAuth) and TLS client (clientAuth)"; without the extension a CA signs certificates and any
 * other certificate may be used for anything. Empty when the summary does not say.
 */
export function usageText(purposes: PkiExtendedKeyUsage[] | null | undefined, isCa: boolean): string {
  if (purposes === undefined) return '';
  if (purposes === null) return isCa ? 'signing certificates (a CA; no extendedKeyUsage)' : 'any use (no extendedKeyUsage)';
  if (purposes.length === 0) return 'nothing (an empty extendedKeyUsage)';
  return purposes.map((p) => (p.name === p.oid ? `${p.meaning} (${p.oid})` : `${p.meaning} (${p.name})`)).join(' and ');
}

function line(cert: PkiCertificateSummary): string {
  const usage = usageText(cert.extendedKeyUsage, cert.isCa);
  const flags = [
    cert.kind,
    cert.isCa && cert.extendedKeyUsage === null ? '' : usage && `for ${usage}`,
    cert.keySummary,
    cert.pathLength !== undefined ? `pathlen ${cert.pathLength}` : '',
    cert.expired ? 'EXPIRED' : `until ${cert.notAfter.slice(0, 10)}`,
    cert.hasPrivateKey ? '' : 'no key',
  ].filter(Boolean);
  const names = cert.subjectAltNames.length ? ` [${cert.subjectAltNames.join(', ')}]` : '';
  return `[${cert.id}] ${cert.name}: ${cert.subject}${names} (${flags.join(', ')})`;
}
