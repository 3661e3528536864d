// tlslab csr: make a certificate signing request as openssl req does, show one, sign one.
import { type Command, Option } from 'commander';
import { exportPrivateKeyPem } from '../pki/keys';
import { type OutputFile, writeFilesAtomically } from '../workshop/files';
import { CliExit, integer, messagesFor, printJson } from './common';
import { cautionLines, formatInspection, keyPassphraseOf, newKeyOptions } from './certCommands';
import { collectSans, openWorkshop, readInputFile, subjectFromFlags, usageText, withWorkbenchPassphrase } from './pkiCommon';
import { inspect } from '../pki/inspect';
import { requirePemOrDer, toApiInspection } from '../workshop/workshop';

export function registerCsrCommands(program: Command): void {
  const csr = program.command('csr').description('certificate signing requests');

  withWorkbenchPassphrase(
    newKeyOptions(
      csr
        .command('create')
        .description('make a key and a CSR for it, as openssl req -new does (kept in the workbench too)')
        .option('--san <names>', 'requested subject alternative names: DNS:a,IP:127.0.0.1 (repeatable)', collectSans)
        .option('--name <name>', 'workbench name of the request')
        .requiredOption('-o, --out-csr <file>', 'write the request (PEM) here ("-" for standard output)')
        .option('--json', 'print JSON'),
    ),
  ).action(async (opts, command: Command) => {
    const keyPassphrase = keyPassphraseOf(opts);
    const subject = subjectFromFlags(opts);
    const wb = await openWorkshop(command);
    try {
      let written: string[] = [];
      const made = await wb.workshop.createCsr({ name: opts.name, subject, subjectAltNames: opts.san, key: opts.key }, (result) => {
        written = writeFilesAtomically([
          { path: opts.outCsr, data: result.pem, secret: false },
          { path: opts.outKey, data: exportPrivateKeyPem(result.privateKey, keyPassphrase), secret: true },
        ]);
      });
      const { privateKey: _key, ...summary } = made;
      const out = messagesFor(opts.outCsr, opts.outKey);
      if (opts.json) printJson({ csr: summary, csrFile: written[0], keyFile: written[1] }, out);
      else out.write(`Request "${made.name}": ${made.subject}${made.subjectAltNames.length ? ` (${made.subjectAltNames.join(', ')})` : ''}\n  request: ${opts.outCsr}\n  key: ${opts.outKey}\n`);
    } finally {
      await wb.close();
    }
  });

  withWorkbenchPassphrase(
    csr
      .command('sign')
      .description('sign a CSR (a file) with a workbench CA')
      .argument('<csr>', 'the request, PEM or DER')
      .requiredOption('--ca <name>', 'the signing workbench CA')
      .option('--copy-extensions', "copy the requested extensions (SANs, usages), as openssl's copy_extensions = copy")
      .option('--client', 'a client certificate instead of a server one')
      .option('--days <n>', 'validity in days (default 365)', integer('--days'))
      .option('--name <name>', 'workbench name of the certificate')
      .requiredOption('-o, --out <file>', 'write the certificate (PEM) here ("-" for standard output)')
      .option('--out-chain <file>', 'write the CA chain (PEM) here')
        // --chain-out, its first name, still works; --out-chain matches --out-cert and --out-key.
        .addOption(new Option('--chain-out <file>', 'the first name of --out-chain').hideHelp())
      .option('--json', 'print JSON'),
  ).action(async (file: string, opts, command: Command) => {
    opts.chainOut = opts.outChain ?? opts.chainOut;
    const bytes = readInputFile(file, 'certificate signing request');
    const text = /-----BEGIN /.test(Buffer.from(bytes).toString('latin1')) ? Buffer.from(bytes).toString('utf8') : Buffer.from(bytes).toString('base64');
    const wb = await openWorkshop(command);
    try {
      const signed = await wb.workshop.signCsr(
        { csr: text, ca: opts.ca, copyExtensions: opts.copyExtensions === true, profile: opts.client ? 'client' : 'server', days: opts.days, name: opts.name },
        (result) => {
          const files: OutputFile[] = [{ path: opts.out, data: result.certificatePem, secret: false }];
          if (opts.chainOut) files.push({ path: opts.chainOut, data: result.chainPem.join(''), secret: false });
          writeFilesAtomically(files);
        },
      );
      const out = messagesFor(opts.out, opts.chainOut);
      if (opts.json) printJson(signed, out);
      else {
        out.write(`Signed "${signed.certificate.name}": ${signed.certificate.subject} by ${signed.certificate.issuer}\n`);
        out.write(`  names: ${signed.certificate.subjectAltNames.join(', ') || '(none)'}\n`);
        const named = (oid: string) => (signed.extensionNames[oid] ? `${signed.extensionNames[oid]} (${oid})` : oid);
        if (signed.copiedExtensions.length > 0) out.write(`  copied from the request: ${signed.copiedExtensions.map(named).join(', ')}\n`);
        for (const ignored of signed.ignoredExtensions) out.write(`  not copied: ${named(ignored.oid)}: ${ignored.reason}\n`);
        if (opts.copyExtensions !== true && signed.ignoredExtensions.length > 0) out.write(`  to copy what the request asks for: sign it again with --copy-extensions\n`);
        const usage = usageText(signed.certificate.extendedKeyUsage, signed.certificate.isCa);
        if (usage) out.write(`  used for: ${usage}\n`);
        for (const line of cautionLines(signed.cautions)) out.write(`${line}\n`);
      }
    } finally {
      await wb.close();
    }
  });

  csr
    .command('show')
    .description('explain a CSR field by field')
    .argument('<file>', 'the request, PEM or DER')
    .option('--json', 'print JSON')
    .action((file: string, opts) => {
      const inspection = toApiInspection(inspect(requirePemOrDer(readInputFile(file, 'certificate signing request'), 'certificate signing request')));
      if (inspection.kind !== 'csr') throw new CliExit(1, `${file} holds a certificate, not a request: use "tlslab cert show"`);
      if (opts.json) printJson(inspection);
      else process.stdout.write(formatInspection(inspection));
    });
}
