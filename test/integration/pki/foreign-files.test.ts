// Files made by other tools, as a teacher or a student makes them with Debian's openssl, brought
// into the workbench with `tlslab import` / `tlslab cert show`, and what the workbench gives out
// opened again by openssl. openssl is the judge of what a file holds and which passphrase opens it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src-main/cli/main';
import { openssl, opensslOk } from './openssl';

let work: string;

interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs tlslab in this process against a data folder of its own, capturing what it prints. */
async function tlslab(dataDir: string, args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    const status = await runCli([...args, '--data-dir', dataDir]);
    return { status, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** A fresh, empty workbench data folder. */
function freshHome(): string {
  return fs.mkdtempSync(path.join(work, 'home-'));
}

function file(name: string, contents?: string | Uint8Array): string {
  const full = path.join(work, name);
  if (contents !== undefined) fs.writeFileSync(full, contents);
  return full;
}

async function listJson(home: string): Promise<{ others: Array<{ name: string; hasPrivateKey: boolean }> }> {
  const run = await tlslab(home, ['cert', 'list', '--json']);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-foreign-'));
  // A teacher's CA and a server certificate, made the way the lab sheet makes them.
  opensslOk(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-subj', '/CN=Teacher Root CA', '-days', '30']);
  opensslOk(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=www.bank32.com']);
  opensslOk(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '30']);
  file('pw.txt', 'dees\n');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('tlslab import with several files', () => {
  it('a key given before its certificate is kept with it (`tlslab import server.key server.pem`)', async () => {
    const home = freshHome();
    const run = await tlslab(home, ['import', file('server.key'), file('server.pem')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/not kept/);
    const list = await listJson(home);
    expect(list.others).toEqual([expect.objectContaining({ name: 'www.bank32.com', hasPrivateKey: true })]);
  });

  it('a key the workbench already keeps is not reported as lost; a stranger key says what to do', async () => {
    const home = freshHome();
    expect((await tlslab(home, ['import', file('server.pem'), file('server.key')])).status).toBe(0);
    const again = await tlslab(home, ['import', file('server.key')]);
    expect(again.stdout).not.toMatch(/not kept/);
    const stranger = await tlslab(home, ['import', file('ca.key')]);
    expect(stranger.status).toBe(0);
    expect(stranger.stdout).toMatch(/not kept: import the certificate with it/);
  });
});

describe('passphrase files as `openssl -passin file:` reads them', () => {
  it('a Windows (CRLF) passphrase file opens a PKCS#12 made with that same file, and one made with the typed passphrase', async () => {
    file('pw-crlf.txt', 'dees\r\n');
    opensslOk(['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-out', file('crlf.p12'), '-passout', `file:${file('pw-crlf.txt')}`]);
    opensslOk(['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-out', file('typed.p12'), '-passout', 'pass:dees']);
    // openssl keeps the "\r": the file made with it opens with "dees\r", not with "dees".
    expect(openssl(['pkcs12', '-in', file('crlf.p12'), '-noout', '-passin', 'pass:dees']).status).not.toBe(0);
    for (const p12 of ['crlf.p12', 'typed.p12']) {
      const run = await tlslab(freshHome(), ['import', file(p12), '--passphrase-file', file('pw-crlf.txt')]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/with its key/);
    }
  });

  it('an empty first line is an empty passphrase, as for openssl', async () => {
    file('pw-empty.txt', '\n');
    opensslOk(['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-out', file('empty.p12'), '-passout', `file:${file('pw-empty.txt')}`]);
    const run = await tlslab(freshHome(), ['import', file('empty.p12'), '--passphrase-file', file('pw-empty.txt')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/with its key/);
  });

  it('export refuses a CRLF passphrase file in one line rather than write a file openssl opens with another passphrase', async () => {
    const home = freshHome();
    expect((await tlslab(home, ['import', file('server.pem'), file('server.key')])).status).toBe(0);
    const run = await tlslab(home, ['cert', 'export', 'www.bank32.com', '--format', 'p12', '--with-key', '--passphrase-file', file('pw-crlf.txt'), '--out', file('out-crlf.p12')]);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/Windows line ending/);
    expect(fs.existsSync(file('out-crlf.p12'))).toBe(false);
    // Trailing spaces are part of the passphrase for both.
    file('pw-spaces.txt', 'dees  \n');
    const spaced = await tlslab(home, ['cert', 'export', 'www.bank32.com', '--format', 'p12', '--with-key', '--passphrase-file', file('pw-spaces.txt'), '--out', file('out-spaces.p12')]);
    expect(spaced.status, spaced.stderr).toBe(0);
    expect(openssl(['pkcs12', '-in', file('out-spaces.p12'), '-noout', '-passin', `file:${file('pw-spaces.txt')}`]).status).toBe(0);
  });
});
