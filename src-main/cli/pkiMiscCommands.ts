// tlslab trust-dir, tlslab import and tlslab passphrase: trust folders, bringing files in, and
// the workbench passphrase that encrypts the keys it keeps.
import fs from 'node:fs';
import path from 'node:path';
import { shellWord } from '../api/tryIt';
import type { Command } from 'commander';
import type { PkiImportResult, PkiKeyProtection } from '../api/pkiTypes';
import { readCertificate } from '../pki/certificates';
import { isPkiError } from '../pki/errors';
import { WorkbenchError } from '../errors';
import { splitPem, looksLikePem } from '../pki/pem';
import { importAllInto, writeTrustFolder } from '../workshop/exchange';
import { printJson } from './common';
import { keysLine, openWorkshop, readImportPassphrases, readInputFile, readPassphraseFile, usageText, withWorkbenchPassphrase } from './pkiCommon';

export function registerPkiMiscCommands(program: Command): void {
  program
    .command('trust-dir')
    .description('write an OpenSSL capath folder: each CA as HASH.0 (HASH.1, ... on collisions)')
    .argument('<dir>', 'the folder to write (made if missing); give it to a client as its trust store: tlslab client --ca DIR, openssl -CApath DIR')
    .argument('<certs...>', 'PEM/DER certificate files (many per PEM file) or lab:NAME')
    .option('--json', 'print JSON')
    .action(async (dir: string, certs: string[], opts, command: Command) => {
      const ders: Uint8Array[] = [];
      const labNames = certs.filter((c) => c.startsWith('lab:'));
      for (const file of certs.filter((c) => !c.startsWith('lab:'))) {
        const bytes = readInputFile(file, 'certificate');
        if (looksLikePem(bytes)) {
          const blocks = splitPem(bytes).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
          if (blocks.length === 0) readCertificate(bytes); // throws the clear "expected a certificate" error
          for (const block of blocks) ders.push(readCertificate(block.der));
        } else ders.push(readCertificate(bytes));
      }
      if (labNames.length) {
        const wb = await openWorkshop(command);
        try {
          for (const name of labNames) ders.push(new Uint8Array(wb.workshop.ca(name.slice(4)).der));
        } finally {
          await wb.close();
        }
      }
      const written = writeTrustFolder(dir, ders);
      if (opts.json) printJson({ written });
      else process.stdout.write(`${written.map((f) => path.relative(process.cwd(), f) || f).join('\n')}\n`);
    });

  withWorkbenchPassphrase(
    program
      .command('import')
      .description('bring certificates, keys, CSRs and PKCS#12 files into the workbench (keys go with their certificates)')
      .argument('<files...>', 'PEM, DER, PKCS#7 or PKCS#12 files; a key goes with the certificate it matches')
      .option('--passphrase-file <file>', "the files' passphrase (encrypted keys, PKCS#12)")
      .option('--name <name>', 'workbench name of the certificate the first file is about: the one with its key (not the CAs of its chain), else its first certificate')
      .option('--json', 'print JSON'),
  ).action(async (files: string[], opts, command: Command) => {
    const passphrases = opts.passphraseFile !== undefined ? readImportPassphrases(opts.passphraseFile) : undefined;
    // The trust folder of a hand-out (HASH.0 files) is used where it is; any other folder gets the plain "is a folder" line.
    const folder = files.find((file) => fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() && fs.readdirSync(file).some((name) => /^[0-9a-f]{8}\.\d+$/.test(name)));
    if (folder !== undefined) {
      throw new WorkbenchError(
        'BAD_INPUT',
        `${folder} is a folder. A trust folder of HASH.0 files is used as it is: tlslab client --ca ${shellWord(folder)}, ` +
          `tlslab cert verify FILE --trust ${shellWord(folder)}, openssl -CApath ${shellWord(folder)}; to bring its certificates into the workbench, give its files: tlslab import ${shellWord(folder)}/*`,
      );
    }
    const inputs = files.map((file) => ({ file, bytes: readInputFile(file, 'certificate, key or PKCS#12') }));
    const wb = await openWorkshop(command);
    let results: Array<PkiImportResult & { file: string }>;
    let keys: PkiKeyProtection;
    try {
      // All files together, so that a key finds its certificate whatever the order they are given in.
      const imported = importAllInto(
        wb.workshop,
        inputs.map((input, index) => ({ bytes: input.bytes, fileName: path.basename(input.file), passphrases, name: index === 0 ? opts.name : undefined })),
      );
      results = imported.map((result, index) => ({ file: inputs[index].file, ...result }));
      keys = wb.workshop.keyProtection();
    } catch (error) {
      // The message says a password is needed; this is how this command takes one.
      if (isPkiError(error) && error.code === 'PASSPHRASE_REQUIRED' && passphrases === undefined) {
        throw new WorkbenchError(error.code, `${error.message} Pass it with --passphrase-file FILE: the password is the file's first line.`);
      }
      throw error;
    } finally {
      await wb.close();
    }
    if (opts.json) printJson(results.length === 1 ? results[0] : results);
    else {
      // The certificates this command brought (or found already stored), for what a stray key is not.
      const given = results.flatMap((r) => [...r.certificates.map((c) => c.name), ...(r.alreadyStored ?? []).map((d) => d.name)]);
      for (const r of results) {
        process.stdout.write(`${r.file}: ${r.description}\n`);
        for (const c of r.certificates) {
          const usage = c.isCa && c.extendedKeyUsage === null ? '' : usageText(c.extendedKeyUsage, c.isCa);
          const what = [c.isCa ? 'a CA' : '', usage && `for ${usage}`].filter(Boolean).join(', ');
          process.stdout.write(`  + [${c.id}] ${c.name}: ${c.subject}${c.hasPrivateKey ? ' (with its key)' : ''}${what ? `, ${what}` : ''}\n`);
        }
        for (const c of r.csrs) process.stdout.write(`  + [csr ${c.id}] ${c.name}: ${c.subject}\n`);
        for (const d of r.alreadyStored ?? []) process.stdout.write(`  = [${d.id}] ${d.message}\n`);
        // Keys that went with a certificate or request the workbench held before (the CA of a
        // hand-out imported first as PEM, then with its key as PKCS#12): the lines above do not show them.
        const withOlder = r.keysMatched - r.certificates.filter((c) => c.hasPrivateKey).length - r.csrs.filter((c) => c.hasPrivateKey).length;
        if (withOlder > 0) {
          process.stdout.write(
            `  + ${withOlder === 1 ? 'the key is' : `${withOlder} keys are`} kept with ${withOlder === 1 ? 'its certificate or request' : 'their certificates or requests'} in the workbench\n`,
          );
        }
        if (r.keysUnmatched) {
          const what = `${r.keysUnmatched === 1 ? '1 key matches' : `${r.keysUnmatched} keys match`} no certificate or request here or in the workbench, so ${r.keysUnmatched === 1 ? 'it was' : 'they were'} not kept`;
          // Certificates came with it, so "import the certificate with it" is what was just done: the key is another one.
          process.stdout.write(
            given.length > 0
              ? `  ! ${what}: ${r.keysUnmatched === 1 ? 'it is not the private key' : 'they are not the private keys'} of ${given.map((n) => `"${n}"`).join(', ')} ` +
                  `(the public keys differ); give the key file that was made together with that certificate\n`
              : `  ! ${what}: import the certificate with it (tlslab import CERT KEY)\n`,
          );
        }
      }
      // A key that came in encrypted is kept as the workbench keeps keys: say how that is.
      if (results.some((r) => r.keysMatched > 0)) process.stdout.write(`${keysLine(keys)}\n`);
    }
  });

  const passphrase = program.command('passphrase').description('the workbench passphrase that encrypts the private keys it keeps');
  passphrase
    .command('set')
    .description('set (or change) the workbench passphrase and encrypt every stored key under it')
    .requiredOption('--passphrase-file <file>', 'the new passphrase, on the first line')
    .option('--current-file <file>', 'the current passphrase, when changing it (else $TLSLAB_PASSPHRASE)')
    .option('--json', 'print the new status, as passphrase status --json does')
    .action(async (opts, command: Command) => {
      const next = readPassphraseFile(opts.passphraseFile);
      const current = opts.currentFile !== undefined ? readPassphraseFile(opts.currentFile) : process.env.TLSLAB_PASSPHRASE || undefined;
      const wb = await openWorkshop(command);
      try {
        const status = await wb.workshop.setPassphrase(next, current);
        if (opts.json) printJson(status);
        else process.stdout.write(`${status.message}\n`);
      } finally {
        await wb.close();
      }
    });
  passphrase
    .command('status')
    .description('whether the stored keys are protected')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = await openWorkshop(command);
      try {
        const status = wb.workshop.keyProtection();
        if (opts.json) printJson(status);
        else process.stdout.write(`${status.message}\n`);
      } finally {
        await wb.close();
      }
    });
}
