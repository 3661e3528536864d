// The mistakes a student makes in a first hour with tlslab (a typo, a missing or extra word, a
// port out of range, an empty --data-dir) each get one line that says what to do, and --help
// explains every command and argument.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src-main/cli/main';
import { tlslabInProcess } from '../support/cliInProcess';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');
let dataDir: string;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-cli-usage-'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function usageError(args: string[]): Promise<string> {
  const run = await tlslabInProcess(dataDir, args);
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('tlslab usage errors', () => {
  it('a typo in a command or an option: one line with the right spelling and the help to read', async () => {
    expect(await usageError(['clinet', 'www.bank32.com'])).toBe(`tlslab: unknown command 'clinet' (did you mean client?); see "tlslab --help"`);
    expect(await usageError(['client', 'www.bank32.com', '--conect-to', '127.0.0.1'])).toBe(
      `tlslab: unknown option '--conect-to' (did you mean --connect-to?); see "tlslab client --help"`,
    );
    expect(await usageError(['sessions', 'lst'])).toBe(`tlslab: unknown command 'lst' (did you mean list?); see "tlslab sessions --help"`);
  });

  it('a missing argument shows the usage; a missing option value and a required option name the option', async () => {
    expect(await usageError(['sessions', 'show'])).toBe(
      `tlslab: missing required argument 'id' (usage: tlslab sessions show [options] <id>); see "tlslab sessions show --help"`,
    );
    expect(await usageError(['client', 'www.bank32.com', '--get'])).toBe(`tlslab: --get needs a value: --get <path>; see "tlslab client --help"`);
    expect(await usageError(['replay-server', '1'])).toBe(`tlslab: --ca <name> is required; see "tlslab replay-server --help"`);
    // A first server with no certificate yet: how to make one in two commands.
    expect(await usageError(['server'])).toBe(
      'tlslab: give the server a certificate and key: --cert FILE --key FILE, or --identity lab:NAME for one the workbench made ' +
        '(tlslab ca create "Lab Root", then tlslab cert issue --ca "Lab Root" --cn www.bank32.com makes lab:www.bank32.com)',
    );
  });

  it('a name with spaces left unquoted is shown quoted', async () => {
    expect(await usageError(['cert', 'issue', '--ca', 'Model', 'CA', '--cn', 'www.bank32.com'])).toBe(
      `tlslab: "CA" is more than tlslab cert issue takes; a name with spaces goes in quotes: --ca "Model CA"; see "tlslab cert issue --help"`,
    );
    expect(await usageError(['ca', 'create', 'Model', 'CA'])).toContain('takes 1 argument (<name>) but got 2: Model CA; a name with spaces goes in quotes, like "Model CA"');
  });

  it('a value out of range is refused before anything runs, in the words of the option', async () => {
    expect(await usageError(['engine', '--port', '70000'])).toBe(
      `tlslab: --port 70000: a port is a whole number from 1 to 65535 (0 picks a free one; the lab's servers use 4433); see "tlslab engine --help"`,
    );
    expect(await usageError(['server', '--port', 'abc', '--cert', 'a.crt', '--key', 'a.key'])).toMatch(/^tlslab: --port abc: a port is a whole number from 1 to 65535/);
    expect(await usageError(['sessions', 'list', '--limit', '0'])).toBe(`tlslab: --limit 0: must be 1 or more; see "tlslab sessions list --help"`);
    // A timeout of 0 would fail every connection as "no answer in time".
    expect(await usageError(['client', 'www.bank32.com:1', '--connect-to', '127.0.0.1', '--timeout', '0'])).toBe(`tlslab: --timeout 0: must be 1 or more; see "tlslab client --help"`);
    expect(await usageError(['sessions', 'export', '1', '--format', 'pdf'])).toBe(
      `tlslab: --format pdf: choose one of pcapng, keylog, har, pem, bundle; see "tlslab sessions export --help"`,
    );
    expect(await usageError(['sessions', 'show', '\u001b[31m'])).toBe(`tlslab: <id> \\x1b[31m: the session id must be a whole number; see "tlslab sessions show --help"`);
  });

  it('an empty --data-dir (an unset variable) is refused instead of opening the default folder', () => {
    const home = path.join(dataDir, 'home');
    const run = spawnSync(process.execPath, [BIN, '--data-dir', '', 'sessions', 'list'], { encoding: 'utf8', env: { ...process.env, TLSLAB_HOME: home }, timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`tlslab: --data-dir "": the folder name is empty; give a folder, e.g. --data-dir ./lab-data; see "tlslab --help"\n`);
    expect(fs.existsSync(home)).toBe(false);
  });
});

describe('tlslab hosts', () => {
  it('set and remove print the table with --json; removing a name that is not there fails with one line', async () => {
    const set = await tlslabInProcess(dataDir, ['hosts', 'set', 'www.bank32.com', '127.0.0.1', '--json']);
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual([{ name: 'www.bank32.com', address: '127.0.0.1' }]);
    const missing = await tlslabInProcess(dataDir, ['hosts', 'remove', 'www.bank23.com']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`tlslab: "www.bank23.com" is not in the host table; "tlslab hosts list" shows the names in it\n`);
    const removed = await tlslabInProcess(dataDir, ['hosts', 'remove', 'WWW.bank32.com.']);
    expect(removed.status).toBe(0);
    expect(removed.stdout).toBe('removed www.bank32.com\n');
    expect(JSON.parse((await tlslabInProcess(dataDir, ['hosts', 'list', '--json'])).stdout)).toEqual([]);
  });
});

describe('tlslab --help', () => {
  it('explains every command and every argument', () => {
    const unexplained: string[] = [];
    for (const command of allCommands(buildProgram())) {
      if (command.parent && !command.description()) unexplained.push(`command ${command.name()}`);
      for (const argument of command.registeredArguments) if (!argument.description) unexplained.push(`${command.name()} <${argument.name()}>`);
      for (const option of command.options) if (!option.description) unexplained.push(`${command.name()} ${option.flags}`);
    }
    expect(unexplained).toEqual([]);
  });

  it('every command takes --json, and delete prints what is left', async () => {
    const leaves = allCommands(buildProgram()).filter((command) => command.commands.length === 0);
    expect(leaves.filter((command) => !command.options.some((o) => o.long === '--json')).map((command) => `${command.parent?.name()} ${command.name()}`)).toEqual([]);
    expect((await tlslabInProcess(dataDir, ['ca', 'create', 'Delete Me', '--key', 'ec:P-256'])).status).toBe(0);
    const deleted = await tlslabInProcess(dataDir, ['ca', 'delete', 'Delete Me', '--json']);
    expect(deleted.status).toBe(0);
    expect(JSON.stringify(JSON.parse(deleted.stdout))).not.toContain('Delete Me');
  });
});

describe('a folder where a file belongs', () => {
  it('import says which files it takes', async () => {
    const folder = fs.mkdtempSync(path.join(dataDir, 'certs-'));
    const imported = await tlslabInProcess(dataDir, ['import', folder]);
    expect(imported.status).toBe(1);
    expect(imported.stderr).toBe(`tlslab: the certificate, key or PKCS#12 file ${folder} is a folder; name a file inside it\n`);
  });
});

describe('a DER certificate where PEM belongs', () => {
  it('server --cert and client --cert say it is DER and how to convert it, as openssl would', async () => {
    const work = fs.mkdtempSync(path.join(dataDir, 'der-'));
    const cert = path.join(work, 'bank 32.der');
    const key = path.join(work, 'bank.key');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=www.bank32.com', '-keyout', key, '-outform', 'DER', '-out', cert], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    const advice = `is a DER (binary) certificate and TLS sessions take PEM; convert it: openssl x509 -inform DER -in '${cert}' -out cert.pem`;
    const server = await tlslabInProcess(dataDir, ['server', '--port', '0', '--cert', cert, '--key', key]);
    expect(server.status).toBe(1);
    expect(server.stderr).toBe(`tlslab: ${cert} ${advice}\n`);
    const client = await tlslabInProcess(dataDir, ['client', 'www.bank32.com:1', '--connect-to', '127.0.0.1', '--cert', cert, '--key', key]);
    expect(client.status).toBe(1);
    expect(client.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(client.stderr).toContain(advice);
  });
});

describe('a DER key where PEM belongs, or no key at all', () => {
  it('server --key says the key is DER and how to convert it; a certificate given as the key is named so', async () => {
    const work = fs.mkdtempSync(path.join(dataDir, 'derkey-'));
    const cert = path.join(work, 'bank.crt');
    const key = path.join(work, 'bank.key');
    const derKey = path.join(work, 'bank key.der');
    expect(spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=www.bank32.com', '-keyout', key, '-out', cert]).status).toBe(0);
    expect(spawnSync('openssl', ['pkey', '-in', key, '-outform', 'DER', '-out', derKey]).status).toBe(0);
    const der = await tlslabInProcess(dataDir, ['server', '--port', '0', '--cert', cert, '--key', derKey]);
    expect(der.status).toBe(1);
    expect(der.stderr).toBe(`tlslab: ${derKey} is a DER (binary) key and TLS sessions take PEM; convert it: openssl pkey -inform DER -in '${derKey}' -out key.pem\n`);
    const swapped = await tlslabInProcess(dataDir, ['server', '--port', '0', '--cert', cert, '--key', cert]);
    expect(swapped.status).toBe(1);
    expect(swapped.stderr).toMatch(/^tlslab: the server: this file holds "CERTIFICATE" but no private key\./);
  });
});

describe('very long input', () => {
  it('a session to a very long name keeps the session list one short row; sessions show has the name whole', async () => {
    const name = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example`;
    const client = await tlslabInProcess(dataDir, ['client', `${name}:1`, '--connect-to', '127.0.0.1', '--json']);
    const id = (JSON.parse(client.stdout) as { sessionId: number }).sessionId;
    const list = await tlslabInProcess(dataDir, ['sessions', 'list', '--limit', '1']);
    const row = list.stdout.split('\n')[1];
    expect(row).toMatch(new RegExp(`^ +${id} .* a{50,}…`));
    expect(row.length).toBeLessThan(200);
    expect((await tlslabInProcess(dataDir, ['sessions', 'show', String(id)])).stdout).toContain(`${name}:1`);
  });
});

describe('sessions list --kind', () => {
  it('lists one kind only, and says when there is none of it', async () => {
    const client = await tlslabInProcess(dataDir, ['client', 'kind.example:1', '--connect-to', '127.0.0.1', '--json']);
    const id = (JSON.parse(client.stdout) as { sessionId: number }).sessionId;
    const clients = await tlslabInProcess(dataDir, ['sessions', 'list', '--kind', 'client']);
    expect(clients.stdout).toMatch(new RegExp(`^ +${id} .* client .*kind\\.example:1`, 'm'));
    expect(clients.stdout.split('\n').slice(1).filter(Boolean).every((row) => / client /.test(row))).toBe(true);
    const json = JSON.parse((await tlslabInProcess(dataDir, ['sessions', 'list', '--kind', 'client', '--json'])).stdout) as { kind: string }[];
    expect(json.length).toBeGreaterThan(0);
    expect(new Set(json.map((s) => s.kind))).toEqual(new Set(['client']));
    const proxies = await tlslabInProcess(dataDir, ['sessions', 'list', '--kind', 'proxy']);
    expect(proxies.stdout).toBe('No proxy sessions. "tlslab sessions list" shows every kind.\n');
    expect(await usageError(['sessions', 'list', '--kind', 'browser'])).toBe('tlslab: --kind browser: choose one of client, server, proxy; see "tlslab sessions list --help"');
  });
});
