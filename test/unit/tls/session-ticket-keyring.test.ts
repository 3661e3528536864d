// The ticket keyring file: private, replaced whole, and a damaged one does not stop a server from
// keeping its key.
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
