// tlslab ca: create, list, export and delete the workbench's certificate authorities.
import type { Command } from 'commander';
import { integer, printJson } from './common';
import { exportCommand } from './certCommands';
import { addSubjectOptions, collectSans, formatTree, keyTypeOption, keysLine, openWorkshop, subjectFromFlags, withWorkbenchPassphrase } from './pkiCommon';

export function registerCaCommands(program: Command): void {
  const ca = program.command('ca').description('certificate authorities of the workbench');

  withWorkbenchPassphrase(
    addSubjectOptions(
      ca
        .command('create')
        .description('create a root CA, or an intermediate with --parent')
        .argument('<name>', 'the workbench name of the CA (also its CN when no subject is given)')
        .option('--key <type>', 'rsa:2048|rsa:3072|rsa:4096|ec:P-256|ec:P-384|ed25519 (default rsa:2048)', keyTypeOption)
        .option('--days <n>', 'validity in days (default 3650)', integer('--days'))
        .option('--parent <ca>', 'sign under this workbench CA (an intermediate)')
        .option('--pathlen <n>', 'how many CAs may stand below this one', integer('--pathlen'))
        .option('--permit <names>', 'name constraints, permitted: DNS:.lab.test,IP:10.0.0.0/8 (repeatable)', collectSans)
        .option('--exclude <names>', 'name constraints, excluded (repeatable)', collectSans)
        .option('--json', 'print JSON'),
    ),
  ).action(async (name: string, opts, command: Command) => {
    const subject = subjectFromFlags(opts, name);
    const wb = await openWorkshop(command);
    try {
      const nameConstraints = opts.permit || opts.exclude ? { permitted: opts.permit, excluded: opts.exclude } : undefined;
      const made = await wb.workshop.createCa({ name, subject, key: opts.key, days: opts.days, parent: opts.parent, pathLength: opts.pathlen, nameConstraints });
      if (opts.json) printJson({ certificate: made.certificate, certificatePem: made.certificatePem, chainPem: made.chainPem });
      else {
        const c = made.certificate;
        process.stdout.write(`Created CA "${c.name}": ${c.subject} (${c.keySummary}, until ${c.notAfter.slice(0, 10)})${opts.parent ? `, under "${opts.parent}"` : ''}\n`);
        process.stdout.write(`${keysLine(wb.workshop.keyProtection())}\n`);
      }
    } finally {
      await wb.close();
    }
  });

  ca.command('list')
    .description('CAs as a tree with what each issued')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => printTree(opts, command));

  withWorkbenchPassphrase(
    ca
      .command('export')
      .description(
        'write the CA certificate (and with --with-key its key) to a file. To hand out: the PEM is what clients trust ' +
          "(curl --cacert, openssl -CAfile, Python's cafile=, tlslab client --ca); another workbench that is to sign with the CA (tlslab proxy --ca) " +
          'needs its key: --format p12 --with-key, brought in there with tlslab import FILE --passphrase-file PASSFILE',
      )
      .argument('<name>', 'the CA\'s workbench name, as ca list shows it (quote a name with spaces)')
      .requiredOption('-o, --out <file>', 'the file to write ("-" for standard output)')
      .option('--format <f>', 'pem | der | p12 | chain | key', 'pem')
      .option('--with-key', 'pem: append the private key; p12: include it')
      .option('--passphrase-file <file>', 'password for p12, or to encrypt the key')
      .option('--legacy', 'p12 for old tools (3DES, SHA-1 MAC)')
      .option('--json', 'print JSON'),
  ).action(async (name: string, opts, command: Command) => exportCommand(name, opts, command));

  ca.command('delete')
    .description('delete a CA with everything it issued')
    .argument('<name>', 'the CA\'s workbench name, as ca list shows it (quote a name with spaces)')
    .option('--json', 'print what is left, as ca list --json does')
    .action(async (name: string, opts: { json?: boolean }, command: Command) => {
      const wb = await openWorkshop(command);
      try {
        const tree = wb.workshop.delete({ id: wb.workshop.ca(name).id });
        if (opts.json) printJson(tree);
        else process.stdout.write(`Deleted CA "${name}" and what it issued.\n`);
      } finally {
        await wb.close();
      }
    });
}

export async function printTree(opts: { json?: boolean }, command: Command): Promise<void> {
  const wb = await openWorkshop(command);
  try {
    const tree = wb.workshop.list();
    if (opts.json) printJson(tree);
    else process.stdout.write(`${formatTree(tree)}\n`);
  } finally {
    await wb.close();
  }
}
