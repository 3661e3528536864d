// The ticket keyring file: private, one line per key so that processes adding at once lose none,
// and a damaged one does not stop a server from keeping its key.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TicketKeyring, TICKET_KEYRING_FILE } from '../../../src-main/sessions/ticketKeyring';
import { splitNodeTicketKeys } from '../../../src-main/tls/sessionTicket';

const entry = (server: string) => ({ ...splitNodeTicketKeys(crypto.randomBytes(48)), server, startedAt: Date.now() });

describe('the ticket keyring', () => {
  it('keeps every key, mode 0600, and leaves no temporary file behind', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-keyring-'));
    const keyring = new TicketKeyring(dir);
    expect(keyring.list()).toEqual([]);
    const a = entry('127.0.0.1:4433');
    const b = entry('bank32');
    keyring.add(a);
    keyring.add(b);
    expect(new TicketKeyring(dir).list()).toEqual([a, b]);
    expect(fs.statSync(path.join(dir, TICKET_KEYRING_FILE)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([TICKET_KEYRING_FILE]);
  });

  it('a damaged file reads as empty and is replaced by the next key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-keyring-'));
    fs.writeFileSync(path.join(dir, TICKET_KEYRING_FILE), '{"keys": [ {"keyName": "zz"');
    const keyring = new TicketKeyring(dir);
    expect(keyring.list()).toEqual([]);
    const a = entry('after damage');
    keyring.add(a);
    expect(new TicketKeyring(dir).list()).toEqual([a]);
  });
});

describe('the ticket keyring, shared by processes', () => {
  it('keeps every key when several processes start servers at the same moment', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-keyring-'));
    const child = path.join(dir, 'add-keys.mjs');
    const module = path.resolve('src-main/sessions/ticketKeyring.ts');
    fs.writeFileSync(
      child,
      `const { TicketKeyring } = await import(${JSON.stringify(module)});
const crypto = await import('node:crypto');
const keyring = new TicketKeyring(process.argv[2]);
for (let i = 0; i < 40; i++) keyring.add({ keyName: crypto.randomBytes(16).toString('hex'), hmacKey: crypto.randomBytes(16).toString('hex'), aesKey: crypto.randomBytes(16).toString('hex'), server: process.argv[3] + ':' + i, startedAt: Date.now() });
`,
    );
    const processes = ['a', 'b', 'c', 'd'].map(
      (name) =>
        new Promise<number | null>((resolve) => {
          const p = spawn(process.execPath, ['--import', 'tsx', child, dir, name], { stdio: 'inherit', cwd: path.resolve('.') });
          p.on('exit', resolve);
        }),
    );
    expect(await Promise.all(processes)).toEqual([0, 0, 0, 0]);
    const servers = new TicketKeyring(dir).list().map((k) => k.server);
    expect(servers).toHaveLength(160);
    expect(new Set(servers).size).toBe(160);
    expect(fs.statSync(path.join(dir, TICKET_KEYRING_FILE)).mode & 0o777).toBe(0o600);
  });

  it('reads the single JSON document earlier workbenches wrote, and turns it into lines at the next key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-keyring-'));
    const old = entry('from an earlier workbench');
    fs.writeFileSync(path.join(dir, TICKET_KEYRING_FILE), `${JSON.stringify({ about: 'old', keys: [old] }, null, 1)}\n`, { mode: 0o600 });
    expect(new TicketKeyring(dir).list()).toEqual([old]);
    const next = entry('now');
    new TicketKeyring(dir).add(next);
    expect(new TicketKeyring(dir).list()).toEqual([old, next]);
    expect(fs.readFileSync(path.join(dir, TICKET_KEYRING_FILE), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('a line cut short by a crash loses only itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-keyring-'));
    const keyring = new TicketKeyring(dir);
    const a = entry('before the crash');
    keyring.add(a);
    fs.appendFileSync(path.join(dir, TICKET_KEYRING_FILE), '{"keyName":"00112233');
    const b = entry('after the crash');
    keyring.add(b);
    expect(new TicketKeyring(dir).list()).toEqual([a, b]);
  });
});
