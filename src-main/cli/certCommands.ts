// tlslab cert: issue, show, hash, verify, export, forge and delete certificates.
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { PkiCertificateSummary, PkiInspection, PkiTrustSpec, PkiVerifyResult } from '../api/pkiTypes';
import { readCertificate } from '../pki/certificates';
import { certificateToShow } from '../pki/formats';
import { exportPrivateKeyPem } from '../pki/keys';
import { subjectHash, subjectHashOld } from '../pki/subjectHash';
import { parseTrustArgument } from '../sessions/trustStore';
import { exportFrom, pkcs12Contents, verifyWith } from '../workshop/exchange';
import { type OutputFile, STANDARD_OUTPUT, writeFilesAtomically } from '../workshop/files';
import { requirePemOrDer, toApiInspection } from '../workshop/workshop';
import { inspect } from '../pki/inspect';
import { shellWord } from '../api/tryIt';
import { CliExit, integer, messagesFor, printJson, tlslabFor } from './common';
import {
  addSubjectOptions,
  collectSans,
  commaList,
  keyTypeOption,
  openWorkshop,
  readExportPassphrase,
  readInputFile,
  readPassphraseFile,
  usageText,
  subjectFromFlags,
  withWorkbenchPassphrase,
} from './pkiCommon';

export function registerCertCommands(program: Command): void {
  const cert = program.command('cert').description('certificates: issue, show, hash, verify, export, forge');

  withWorkbenchPassphrase(
    newKeyOptions(
      cert
        .command('issue')
        .description('issue a server (default) or client certificate from a workbench CA')
        .requiredOption('--ca <name>', 'the issuing workbench CA')
        .option('--san <names>', 'subject alternative names: DNS:a,DNS:*.b,IP:127.0.0.1,email:x@y (repeatable)', collectSans)
        .option('--client', 'a client certificate (clientAuth) instead of a server one')
        .option('--days <n>', 'validity in days (default 365)', integer('--days'))
        .option('--key-usage <list>', 'replace the default key usage: digitalSignature,keyEncipherment,...', commaList)
        .option('--eku <list>', 'replace the default extended key usage: serverAuth,clientAuth,... ("none" for none)', commaList)
        .option('--name <name>', 'workbench name (default: the CN)')
        .option('--out-cert <file>', 'also write the certificate (PEM) here ("-" for standard output)')
        .option('--out-chain <file>', 'write the issuing CA chain (PEM) here')
        // --chain-out, its first name, still works; --out-chain matches --out-cert and --out-key.
        .addOption(new Option('--chain-out <file>', 'the first name of --out-chain').hideHelp())
        .option('--json', 'print JSON'),
      { keyOptional: true },
    ),
  ).action(async (opts, command: Command) => {
    opts.chainOut = opts.outChain ?? opts.chainOut;
    const keyPassphrase = keyPassphraseOf(opts);
    const subject = subjectFromFlags(opts);
    const wb = await openWorkshop(command);
    let written: string[] = [];
    try {
      const issued = await wb.workshop.issue(
        {
          ca: opts.ca,
          name: opts.name,
          subject,
          subjectAltNames: opts.san,
          profile: opts.client ? 'client' : 'server',
          key: opts.key,
          days: opts.days,
          keyUsage: opts.keyUsage,
          extendedKeyUsage: opts.eku ? (opts.eku.length === 1 && opts.eku[0] === 'none' ? [] : opts.eku) : undefined,
        },
        (result) => {
          // Files only where asked: the certificate and its key stay in the workbench either way.
          const files: OutputFile[] = [];
          if (opts.outCert) files.push({ path: opts.outCert, data: result.certificatePem, secret: false });
          if (opts.outKey) files.push({ path: opts.outKey, data: exportPrivateKeyPem(result.privateKey, keyPassphrase), secret: true });
          if (opts.chainOut) files.push({ path: opts.chainOut, data: result.chainPem.join(''), secret: false });
          written = writeFilesAtomically(files);
        },
      );
      const fileOf = (given: string | undefined) => (given === undefined ? null : written[[opts.outCert, opts.outKey, opts.chainOut].filter((o) => o !== undefined).indexOf(given)]);
      const out = messagesFor(opts.outCert, opts.outKey, opts.chainOut);
      if (opts.json) printJson({ certificate: issued.certificate, certificateFile: fileOf(opts.outCert), keyFile: fileOf(opts.outKey), cautions: issued.cautions }, out);
      else out.write(formatIssued(issued.certificate, opts, Boolean(keyPassphrase), tlslabFor(command), issued.cautions));
    } finally {
      await wb.close();
    }
  });

  cert
    .command('show')
    .description('explain a certificate or CSR field by field (a PEM/DER file, or lab:NAME)')
    .argument('<file>', 'a certificate or CSR, PEM or DER, or lab:NAME for one in the workbench')
    .option('--json', 'print JSON (fields, extensions, fingerprints, hashes, ASN.1 tree)')
    .action(async (file: string, opts, command: Command) => {
      const inspection = await inspectArgument(file, command);
      if (opts.json) printJson(inspection);
      else process.stdout.write(formatInspection(inspection));
    });

  cert
    .command('hash')
    .description('the subject hash, as openssl x509 -subject_hash prints it')
    .argument('<file>', 'a certificate file, PEM or DER')
    .option('--old', 'the pre-1.0 (MD5) hash, as -subject_hash_old')
    .option('--json', 'print JSON')
    .action((file: string, opts) => {
      const der = readCertificate(requirePemOrDer(readInputFile(file, 'certificate'), 'certificate'));
      const hash = opts.old ? subjectHashOld(der) : subjectHash(der);
      if (opts.json) printJson({ subjectHash: subjectHash(der), subjectHashOld: subjectHashOld(der) });
      else process.stdout.write(`${hash}\n`);
    });

  cert
    .command('verify')
    .description('verify a certificate against a trust store; names every check and the one that failed')
    .argument('<file>', 'the certificate (PEM/DER file) or lab:NAME')
    .requiredOption('--trust <store>', 'FILE, DIR (hash links), system or lab:NAME')
    .option('--chain <file>', 'intermediate certificates (PEM)')
    .option('--host <name>', 'check that the certificate is valid for this host name or IP')
    .option('--at <time>', 'verify at this moment (ISO time, e.g. 2030-01-01T00:00:00Z)')
    .option('--purpose <p>', 'serverAuth, clientAuth or any', 'serverAuth')
    .option(
      '--partial-chain',
      'accept a chain that ends at a trusted certificate that is not self-signed (a trusted intermediate or leaf), as ' +
        'openssl verify -partial_chain does; TLS clients, the workbench\'s own included, do not: they need the chain to reach a root CA',
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts, command: Command) => {
      const trust = parseTrustArgument(opts.trust) as PkiTrustSpec;
      const intermediatesPem = opts.chain ? [Buffer.from(readInputFile(opts.chain, 'chain file')).toString('latin1')] : undefined;
      if (!['serverAuth', 'clientAuth', 'any'].includes(opts.purpose)) throw new CliExit(2, '--purpose must be serverAuth, clientAuth or any');
      const wb = await openWorkshop(command);
      let result: PkiVerifyResult;
      try {
        const target = file.startsWith('lab:')
          ? { certificateId: wb.workshop.certificate(file.slice(4)).id }
          : { text: pemOrBase64(readInputFile(file, 'certificate')) };
        result = verifyWith(wb.workshop, { ...target, trust, intermediatesPem, hostname: opts.host, at: opts.at, purpose: opts.purpose, partialChain: opts.partialChain === true });
      } finally {
        await wb.close();
      }
      if (opts.json) printJson(result);
      else process.stdout.write(formatVerification(result));
      if (!result.ok) throw new CliExit(1, opts.json ? '' : `not verified: ${result.failed?.detail ?? 'a check failed'}`);
    });

  withWorkbenchPassphrase(
    cert
      .command('export')
      .description('write a workbench certificate (or its key) to a file')
      .argument('<name>', 'the certificate\'s workbench name, as cert list shows it')
      .requiredOption('-o, --out <file>', 'the file to write ("-" for standard output)')
      .option('--format <f>', 'pem | der | chain (certificate and CAs, PEM) | p12 | key', 'pem')
      .option('--with-key', 'pem: append the private key; p12: include it')
      .option('--passphrase-file <file>', 'password for p12, or to encrypt the key')
      .option('--legacy', 'p12 for old tools (3DES, SHA-1 MAC)')
      .option('--json', 'print JSON'),
  ).action(async (name: string, opts, command: Command) => {
    await exportCommand(name, opts, command);
  });

  withWorkbenchPassphrase(
    cert
      .command('forge')
      .description('forge a server certificate for a host with a workbench CA, as the proxy does')
      .argument('<host>', 'the host name the certificate is for, e.g. www.bank32.com')
      .requiredOption('--ca <name>', 'the signing workbench CA')
      .option('--template <file>', 'copy names (CN, O, SANs) from this certificate')
      .requiredOption('--out-cert <file>', 'write the certificate (PEM) here ("-" for standard output)')
      .requiredOption('--out-key <file>', 'write the private key (PEM, mode 0600) here')
      .option('--out-chain <file>', 'write the CA chain (PEM) here')
        // --chain-out, its first name, still works; --out-chain matches --out-cert and --out-key.
        .addOption(new Option('--chain-out <file>', 'the first name of --out-chain').hideHelp())
      .option('--json', 'print JSON'),
  ).action(async (host: string, opts, command: Command) => {
    opts.chainOut = opts.outChain ?? opts.chainOut;
    const template = opts.template ? readInputFile(opts.template, 'template certificate') : undefined;
    const wb = await openWorkshop(command);
    try {
      const forged = await wb.workshop.forgeForHost(opts.ca, host, template);
      const files: OutputFile[] = [
        { path: opts.outCert, data: forged.certificatePem, secret: false },
        { path: opts.outKey, data: forged.keyPem, secret: true },
      ];
      if (opts.chainOut) files.push({ path: opts.chainOut, data: forged.chainPem.join(''), secret: false });
      const written = writeFilesAtomically(files);
      const shown = wb.workshop.inspect({ text: forged.certificatePem });
      const out = messagesFor(opts.outCert, opts.outKey, opts.chainOut);
      if (opts.json) printJson({ subject: shown.subject, issuer: shown.issuer, notAfter: shown.notAfter, certificateFile: written[0], keyFile: written[1] }, out);
      else {
        out.write(`Forged ${shown.subject} for ${host}, signed by ${shown.issuer}\n`);
        out.write(`  key: ${written[1] === STANDARD_OUTPUT ? 'standard output' : written[1]} (UNENCRYPTED${written[1] === STANDARD_OUTPUT ? '' : '; readable by you only, mode 0600'})\n`);
      }
    } finally {
      await wb.close();
    }
  });

  cert
    .command('list')
    .description('the workshop: CAs as a tree with what each issued')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const { printTree } = await import('./caCommands');
      await printTree(opts, command);
    });

  cert
    .command('delete')
    .description('delete a certificate (a CA goes with everything it issued)')
    .argument('<name>', 'the workbench name, as cert list shows it')
    .option('--json', 'print what is left, as cert list --json does')
    .action(async (name: string, opts: { json?: boolean }, command: Command) => {
      const wb = await openWorkshop(command);
      try {
        const tree = wb.workshop.delete({ id: wb.workshop.certificate(name).id });
        if (opts.json) printJson(tree);
        else process.stdout.write(`Deleted "${name}".\n`);
      } finally {
        await wb.close();
      }
    });
}

const FORMAT_ALIASES: Record<string, string> = { 'chain-pem': 'chain', 'key-pem': 'key' };

interface ExportFlags {
  out: string;
  format: string;
  withKey?: boolean;
  passphraseFile?: string;
  legacy?: boolean;
  json?: boolean;
}

/** `ca export` and `cert export`: one file, written whole or not at all. */
export async function exportCommand(name: string, opts: ExportFlags, command: Command): Promise<void> {
  // The API's and the window's names for these two are taken too.
  opts = { ...opts, format: FORMAT_ALIASES[opts.format] ?? opts.format };
  const password = opts.passphraseFile !== undefined ? readExportPassphrase(opts.passphraseFile) : undefined;
  const wb = await openWorkshop(command);
  try {
    const row = wb.workshop.certificate(name);
    if (opts.withKey && opts.format !== 'pem' && opts.format !== 'p12' && opts.format !== 'der') {
      throw new CliExit(2, `--with-key applies to --format pem and p12; --format ${opts.format} ${opts.format === 'key' ? 'is the key alone' : 'holds certificates only'}`);
    }
    // Asked for the key and there is none: say so rather than write a file without it.
    if (opts.withKey && opts.format === 'p12') wb.workshop.privateKeyOf(row);
    let written: string[];
    let containsKey = false;
    switch (opts.format) {
      case 'pem': {
        if (opts.withKey) {
          const key = wb.workshop.privateKeyOf(row);
          const pem = exportFrom(wb.workshop, { id: row.id, format: 'pem' });
          const text = Buffer.from(pem.dataBase64!, 'base64').toString('utf8') + exportPrivateKeyPem(key, password);
          written = writeFilesAtomically([{ path: opts.out, data: text, secret: true }]);
          containsKey = true;
        } else {
          written = exportFrom(wb.workshop, { id: row.id, format: 'pem', path: opts.out }).written ?? [];
        }
        break;
      }
      case 'der':
        if (opts.withKey) throw new CliExit(2, 'a DER file holds one object: export the key separately (--format key), or use pem or p12');
        written = exportFrom(wb.workshop, { id: row.id, format: 'der', path: opts.out }).written ?? [];
        break;
      case 'chain':
        written = exportFrom(wb.workshop, { id: row.id, format: 'chain-pem', path: opts.out }).written ?? [];
        break;
      case 'key':
        written = exportFrom(wb.workshop, { id: row.id, format: 'key-pem', password, path: opts.out }).written ?? [];
        containsKey = true;
        break;
      case 'p12': {
        if (!password) throw new CliExit(2, 'a PKCS#12 file needs a password: give --passphrase-file FILE');
        if (!opts.withKey && row.key_id !== null) {
          // PKCS#12 without the key is only the certificate chain.
          const { exportPkcs12 } = await import('../pki/formats');
          const data = exportPkcs12({ ...pkcs12Contents(wb.workshop, row), password, legacy: opts.legacy });
          written = writeFilesAtomically([{ path: opts.out, data, secret: false }]);
        } else {
          const result = exportFrom(wb.workshop, { id: row.id, format: 'p12', password, legacy: opts.legacy, path: opts.out });
          written = result.written ?? [];
          containsKey = result.containsPrivateKey;
        }
        break;
      }
      default:
        throw new CliExit(2, `--format must be pem, der, chain, key or p12, not "${opts.format}"`);
    }
    const out = messagesFor(opts.out);
    const toFile = out === process.stdout;
    const where = written.map((target) => (target === STANDARD_OUTPUT ? 'standard output' : target)).join(', ');
    const keyEncrypted = containsKey && (opts.format === 'p12' || password !== undefined);
    if (opts.json) printJson({ written, containsPrivateKey: containsKey, keyEncrypted }, out);
    else {
      const withoutKey = opts.format === 'p12' && !containsKey && row.key_id !== null ? ' (certificates only, no private key: add --with-key to include it)' : '';
      out.write(`Wrote ${where}${containsKey ? ` (${keyNote(opts.format, keyEncrypted)}${toFile ? '; readable by you only, mode 0600' : ''})` : withoutKey}\n`);
    }
  } finally {
    await wb.close();
  }
}

/** What an export says about the private key it holds. */
function keyNote(format: string, encrypted: boolean): string {
  if (format === 'p12') return 'holds the private key, encrypted with the PKCS#12 password';
  return encrypted ? 'holds the private key, encrypted with the passphrase' : 'holds the private key UNENCRYPTED: whoever reads the file has the key';
}

async function inspectArgument(file: string, command: Command): Promise<PkiInspection> {
  if (file.startsWith('lab:') && !fs.existsSync(file)) {
    const wb = await openWorkshop(command);
    try {
      return wb.workshop.inspect({ certificateId: wb.workshop.certificate(file.slice(4)).id });
    } finally {
      await wb.close();
    }
  }
  const bytes = certificateToShow(readInputFile(file, 'certificate or CSR'), path.basename(file));
  return toApiInspection(inspect(requirePemOrDer(bytes, 'certificate or CSR')));
}

/**
 * The options of a command that makes a new key for a subject and writes it out: the subject
 * flags, --key TYPE, --out-key FILE (mode 0600) and --key-passphrase-file.
 */
/** The options of a command that makes a new key pair; `keyOptional`: the key is kept in the workbench, and a file is extra. */
export function newKeyOptions(command: Command, { keyOptional = false } = {}): Command {
  const withKeyType = addSubjectOptions(command).option('--key <type>', 'rsa:2048|rsa:3072|rsa:4096|ec:P-256|ec:P-384|ed25519', keyTypeOption);
  const withKeyFile = keyOptional
    ? withKeyType.option('--out-key <file>', 'also write the private key (PEM, mode 0600) here')
    : withKeyType.requiredOption('--out-key <file>', 'write the private key (PEM, mode 0600) here');
  return withKeyFile.option('--key-passphrase-file <file>', 'encrypt the written key with the passphrase on the first line of this file');
}

/** What `cert issue` says it made: the certificate, where it went, and how to use it from the workbench. */
export function formatIssued(
  certificate: Pick<PkiCertificateSummary, 'name' | 'subject' | 'issuer' | 'subjectAltNames' | 'kind'> & Partial<Pick<PkiCertificateSummary, 'extendedKeyUsage' | 'isCa'>>,
  files: { outCert?: string; outKey?: string; chainOut?: string },
  keyEncrypted: boolean,
  tlslab = 'tlslab',
  cautions: readonly string[] = [],
): string {
  const lines = [`Issued "${certificate.name}": ${certificate.subject} by ${certificate.issuer}`, `  names: ${certificate.subjectAltNames.join(', ') || '(none)'}`];
  const usage = usageText(certificate.extendedKeyUsage, certificate.isCa === true);
  if (usage) lines.push(`  used for: ${usage}`);
  if (files.outCert) lines.push(`  certificate: ${files.outCert}`);
  if (files.outKey) {
    const toFile = files.outKey !== STANDARD_OUTPUT;
    lines.push(`  key: ${toFile ? files.outKey : 'standard output'} (${keyEncrypted ? 'encrypted' : 'UNENCRYPTED'}${toFile ? '; readable by you only, mode 0600' : ''})`);
  }
  if (files.chainOut) lines.push(`  CA chain: ${files.chainOut}`);
  lines.push(`  kept in the workbench with its key, as "${certificate.name}"`);
  if (certificate.kind === 'server') lines.push(`  serve it: ${tlslab} server --identity ${shellWord(`lab:${certificate.name}`)}`);
  if (!files.outCert || !files.outKey) lines.push(`  write it to files: ${tlslab} cert export ${shellWord(certificate.name)} --format pem --with-key --out FILE`);
  lines.push(...cautionLines(cautions));
  return `${lines.join('\n')}\n`;
}

/** What clients will refuse in a certificate just made or shown, each line marked with "!". */
export function cautionLines(cautions: readonly string[]): string[] {
  if (cautions.length === 0) return [];
  return [`  ! Clients will object to this certificate:`, ...cautions.map((caution) => `  ! - ${caution}`)];
}

/** The passphrase to encrypt the written key under (--key-passphrase-file), or none. */
export function keyPassphraseOf(opts: { keyPassphraseFile?: string }): string | undefined {
  return opts.keyPassphraseFile !== undefined ? readPassphraseFile(opts.keyPassphraseFile) : undefined;
}

function pemOrBase64(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  return /-----BEGIN /.test(text) ? text : Buffer.from(bytes).toString('base64');
}

export function formatInspection(i: PkiInspection): string {
  const out: string[] = [i.summary];
  if (i.kind === 'certificate') {
    const isCa = i.extensions.some((e) => e.oid === '2.5.29.19' && e.value.startsWith('CA:TRUE'));
    out.push(`Used for: ${usageText(i.extendedKeyUsage, isCa)}`);
  } else if (i.extendedKeyUsage) out.push(`Asks to be used for: ${usageText(i.extendedKeyUsage, false)}`);
  out.push('');
  const cautions = cautionLines(i.cautions ?? []);
  if (cautions.length > 0) out.push(...cautions.map((line) => line.slice(2)), '');
  for (const field of i.fields) {
    out.push(`${field.label}: ${field.value}`);
    for (const detail of field.details ?? []) out.push(`    ${detail}`);
    out.push(`    (${field.explanation})`);
  }
  if (i.extensions.length) out.push('', 'Extensions:');
  for (const ext of i.extensions) {
    out.push(`  ${ext.label}${ext.critical ? ' (critical)' : ''}: ${ext.value}`);
    for (const detail of ext.details ?? []) out.push(`      ${detail}`);
    if (!ext.decoded) out.push(`      raw: ${ext.rawHex}`);
    out.push(`      (${ext.explanation})`);
  }
  out.push(
    '',
    `SHA-1 fingerprint:   ${i.fingerprints.sha1}`,
    `SHA-256 fingerprint: ${i.fingerprints.sha256}`,
    `Subject hash: ${i.subjectHash} (old: ${i.subjectHashOld})`,
    '',
    i.pem,
  );
  return out.join('\n');
}

export function formatVerification(result: PkiVerifyResult): string {
  const out = [`Trust: ${result.trustDescription}`, 'Chain:'];
  result.chain.forEach((entry, index) => out.push(`  [${index}] ${entry.subject || '(empty subject)'}`));
  out.push('Checks:');
  // As the window lists them: what failed first, then the leaf's checks, then each CA's up the chain.
  const order = (check: PkiVerifyResult['checks'][number]) => check.certificateIndex ?? Number.MAX_SAFE_INTEGER;
  const checks = result.checks
    .map((check, position) => ({ check, position }))
    .sort((a, b) => Number(a.check.ok) - Number(b.check.ok) || order(a.check) - order(b.check) || a.position - b.position)
    .map(({ check }) => check);
  for (const check of checks) {
    const where = check.certificateIndex !== undefined ? ` [${check.certificateIndex}]` : '';
    out.push(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}${where}: ${check.detail}`);
  }
  out.push(result.ok ? 'Verified.' : `Not verified: ${result.failed?.name} failed.`);
  return `${out.join('\n')}\n`;
}
