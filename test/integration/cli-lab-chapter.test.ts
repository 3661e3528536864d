// The lab chapter done with the tlslab command alone, as a student at a terminal does it: a lab
// server plays the real site, a man in the middle forges its certificate, and a victim is sent
// through it by the commands the proxy prints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFolder } from '../support/cliProcesses';
import { freePort } from '../support/ports';
import { run } from '../support/run';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');
const lab = cliFolder('tlslab-chapter-');
const { cli, cwd, dataDir } = lab;
const startUntil = async (args: string[], last: string): Promise<string[]> => (await lab.startUntil(args, last)).lines;

beforeAll(async () => {
  expect((await cli('ca', 'create', 'Model CA', '--subject', '/C=US/O=Model CA LTD./CN=www.modelCA.com')).code).toBe(0);
  expect((await cli('ca', 'create', 'Evil CA')).code).toBe(0);
  expect((await cli('cert', 'issue', '--ca', 'Model CA', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com,DNS:*.bank32.com')).code).toBe(0);
  expect((await cli('ca', 'export', 'Model CA', '--out', 'ca.pem')).code).toBe(0);
});

afterAll(() => lab.close());

describe('the lab chapter from the command line', () => {
  it('a client that reaches a server whose certificate names another site is told that this is not the site, and which flag skips the check', async () => {
    const port = await freePort();
    await startUntil(['server', '--port', String(port), '--identity', 'lab:www.bank32.com'], 'try it:');
    // The /etc/hosts trick of the chapter: www.facebook.com leads to the bank's server.
    const r = await cli('client', `www.facebook.com:${port}`, '--connect-to', '127.0.0.1', '--ca', 'ca.pem', '--get', '/');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('hostname mismatch: asked for www.facebook.com');
    expect(r.stderr).toContain('this is not www.facebook.com');
    expect(r.stderr).toContain('--no-check-hostname goes on without the name check');
    // The flag it names does what it says.
    const unchecked = await cli('client', `www.facebook.com:${port}`, '--connect-to', '127.0.0.1', '--ca', 'ca.pem', '--no-check-hostname', '--get', '/');
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain('hostname check off, which let a mismatch through');
  });

  it('the proxy prints how to send a victim through it, and the printed commands work as they are: refused without its CA, fooled with it', async () => {
    const serverPort = await freePort();
    await startUntil(['server', '--port', String(serverPort), '--identity', 'lab:www.bank32.com'], 'try it:');
    const listen = `127.0.0.1:${await freePort()}`;
    const connectListen = `127.0.0.1:${await freePort()}`;
    const lines = await startUntil(
      ['proxy', '--mode', 'both', '--listen', listen, '--connect-listen', connectListen, '--ca', 'Evil CA', '--map', `www.bank32.com=127.0.0.1:${serverPort}`, '--upstream-ca', 'ca.pem'],
      'stop with Ctrl-C',
    );
    const tryIt = lines.slice(lines.findIndex((l) => l.startsWith('  try it')) + 1, lines.indexOf('stop with Ctrl-C')).map((l) => l.trim());
    expect(tryIt).toEqual([
      `tlslab --data-dir ${dataDir} ca export 'Evil CA' --out proxy-ca.pem`,
      `tlslab --data-dir ${dataDir} client www.bank32.com --connect-to ${listen} --ca proxy-ca.pem --get /`,
      `curl --cacert proxy-ca.pem --connect-to www.bank32.com:443:${listen} https://www.bank32.com/`,
      `curl --cacert proxy-ca.pem -x http://${connectListen} https://www.bank32.com/`,
    ]);
    const shell = (script: string) => run('sh', ['-c', `tlslab() { "${process.execPath}" "${BIN}" "$@"; }\n${script}`], { cwd });
    expect((await shell(tryIt[0])).code).toBe(0);

    // A victim that trusts only the real site's CA refuses the forged certificate.
    const refused = await shell(tryIt[1].replace('proxy-ca.pem', 'ca.pem'));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('not verified: untrusted root');

    // One that trusts the proxy's CA gets the bank's page through it, by each printed command.
    const fooled = await shell(tryIt[1]);
    expect(fooled.code).toBe(0);
    expect(fooled.stdout).toContain('Verification: verified: trusted chain, hostname matches');
    expect(fooled.stdout).toContain('issuer:  CN=Evil CA');
    expect(fooled.stdout).toContain('<title>Bank32 Online Banking</title>');
    for (const curl of tryIt.slice(2)) {
      const r = await shell(`${curl} -sS`);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('<title>Bank32 Online Banking</title>');
    }
  });
});

describe('flags named as their siblings are', () => {
  it('cert issue, cert forge and csr sign write the CA chain with --out-chain, as --out-cert and --out-key; the first name --chain-out still works', async () => {
    const help = await cli('cert', 'issue', '--help');
    expect(help.stdout).toContain('--out-chain <file>');
    expect(help.stdout).not.toContain('--chain-out');
    const issued = await cli('cert', 'issue', '--ca', 'Model CA', '--cn', 'mail.bank32.com', '--out-cert', 'mail.crt', '--out-chain', 'mail-chain.pem');
    expect(issued.code).toBe(0);
    expect(issued.stdout).toContain('CA chain: mail-chain.pem');
    const forged = await cli('cert', 'forge', 'www.bank32.com', '--ca', 'Evil CA', '--out-cert', 'forged.crt', '--out-key', 'forged.key', '--out-chain', 'forged-chain.pem');
    expect(forged.code).toBe(0);
    expect(await cli('csr', 'create', '--cn', 'shop.bank32.com', '--out-csr', 'shop.csr', '--out-key', 'shop.key').then((r) => r.code)).toBe(0);
    expect((await cli('csr', 'sign', 'shop.csr', '--ca', 'Model CA', '--out', 'shop.crt', '--out-chain', 'shop-chain.pem')).code).toBe(0);
    const old = await cli('cert', 'issue', '--ca', 'Model CA', '--cn', 'old.bank32.com', '--chain-out', 'old-chain.pem');
    expect(old.code).toBe(0);
    for (const [file, issuer] of [['mail-chain.pem', 'Model CA LTD.'], ['forged-chain.pem', 'Evil CA'], ['shop-chain.pem', 'Model CA LTD.'], ['old-chain.pem', 'Model CA LTD.']]) {
      const subject = await run('openssl', ['x509', '-in', path.join(cwd, file), '-noout', '-subject']);
      expect(subject.stdout).toContain(issuer);
    }
  });

  it('replay takes --connect-to, as the client does, to send the recorded request to another address (--to still works)', async () => {
    const first = await freePort();
    const second = await freePort();
    await startUntil(['server', '--port', String(first), '--identity', 'lab:www.bank32.com'], 'try it:');
    await startUntil(['server', '--port', String(second), '--identity', 'lab:www.bank32.com', '--echo'], 'try it:');
    const recorded = await cli('client', `www.bank32.com:${first}`, '--connect-to', '127.0.0.1', '--ca', 'ca.pem', '--get', '/', '--json');
    const id = (JSON.parse(recorded.stdout) as { sessionId: number }).sessionId;
    const help = await cli('replay', '--help');
    expect(help.stdout).toContain('--connect-to <addr:port>');
    const replayed = await cli('replay', String(id), '--connect-to', `127.0.0.1:${second}`);
    expect(replayed.stderr).toBe('');
    expect(replayed.stdout).toContain(`replay of session ${id} to www.bank32.com:${first} (via 127.0.0.1:${second})`);
    // The echo server answered, so the request went where --connect-to said.
    expect(replayed.stdout).toContain('the answers differ');
    const old = await cli('replay', String(id), '--to', `127.0.0.1:${second}`);
    expect(old.stdout).toContain(`(via 127.0.0.1:${second})`);
  });
});

describe('importing keys', () => {
  it('says how to protect the keys it kept unencrypted, as every other command does', async () => {
    fs.writeFileSync(path.join(cwd, 'pass.txt'), 'classpass\n');
    expect((await cli('ca', 'export', 'Model CA', '--format', 'p12', '--with-key', '--passphrase-file', 'pass.txt', '--out', 'model.p12')).code).toBe(0);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-chapter-student-'));
    const imported = await run(process.execPath, [BIN, '--data-dir', other, 'import', 'model.p12', '--passphrase-file', 'pass.txt'], { cwd });
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Keys: private keys are NOT protected: .* \("tlslab passphrase set"\)$/m);
    fs.rmSync(other, { recursive: true, force: true });
  });
});
