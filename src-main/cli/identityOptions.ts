// The options that name a certificate and its key, shared by the commands that present one:
// --cert FILE --key FILE [--chain FILE] [--key-passphrase-file FILE], or --identity lab:NAME.
import fs from 'node:fs';
import type { ServerIdentitySpec } from '../api/serverTypes';
import { userFileError } from '../userFiles';
import { CliExit } from './common';

export function readPassphraseFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split(/\r?\n/, 1)[0];
  } catch (error) {
    throw new CliExit(2, userFileError(error, file, 'passphrase file').message);
  }
}

/** Asks on the terminal without echo, as openssl does. */
export function askPassphrase(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          return resolve(text);
        }
        if (ch === '\u0003') {
          done();
          return reject(new CliExit(130, 'interrupted'));
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

/** NAME of "lab:NAME", or null. */
export function labName(value: string): string | null {
  return value.startsWith('lab:') ? value.slice(4) : null;
}

/** Whether a PEM key file is encrypted (PKCS#8 EncryptedPrivateKeyInfo or legacy Proc-Type), read without a passphrase. */
export function isEncryptedKeyFile(file: string): boolean {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  } catch {
    return false; // the session says what is wrong with the file
  }
}

export interface ClientIdentityOptions {
  cert?: string;
  key?: string;
  chain?: string;
  keyPassphraseFile?: string;
  identity?: string;
}

/**
 * The client certificate the options name, if any. An encrypted key without --key-passphrase-file
 * is asked for on the terminal ("Enter PEM pass phrase:"), as openssl does; without a terminal,
 * the command stops and says which option to give.
 */
export async function clientIdentityFromOptions(opts: ClientIdentityOptions): Promise<ServerIdentitySpec | undefined> {
  if (opts.identity !== undefined) {
    if (opts.cert || opts.key) throw new CliExit(2, 'choose one: --identity lab:NAME, or --cert FILE --key FILE');
    const name = labName(opts.identity);
    if (!name) throw new CliExit(2, '--identity takes lab:NAME (a certificate from the certificate workshop); for files use --cert and --key');
    return { kind: 'lab', name };
  }
  if (!opts.cert && !opts.key) {
    if (opts.chain || opts.keyPassphraseFile) throw new CliExit(2, '--chain and --key-passphrase-file go with --cert FILE --key FILE');
    return undefined;
  }
  if (!opts.cert || !opts.key) throw new CliExit(2, 'a client certificate takes both --cert FILE and --key FILE');
  let keyPassphrase = opts.keyPassphraseFile ? readPassphraseFile(opts.keyPassphraseFile) : undefined;
  if (keyPassphrase === undefined && isEncryptedKeyFile(opts.key)) {
    if (!process.stdin.isTTY) {
      throw new CliExit(2, `the key ${opts.key} is encrypted; give its passphrase with --key-passphrase-file FILE (or run in a terminal to be asked)`);
    }
    keyPassphrase = await askPassphrase('Enter PEM pass phrase:');
  }
  return { kind: 'files', certPath: opts.cert, keyPath: opts.key, chainPath: opts.chain, keyPassphrase };
}
