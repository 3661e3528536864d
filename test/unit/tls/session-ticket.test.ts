// Opening session tickets: a Node server with ticket keys set the way the workbench's servers set
// them issues real tickets; `openssl s_client -sess_out` (a peer nobody here wrote) keeps its own
// view of the same session, and `openssl sess_id` reads the session state the ticket held.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSessionState, openTicket, sessionStatePem, splitNodeTicketKeys, type TicketKeyEntry } from '../../../src-main/tls/sessionTicket';
import { makeTestPki, type TestPki } from '../../support/opensslPki';

let pki: TestPki;
let server: tls.Server;
let port = 0;
const keys = crypto.randomBytes(48);
const entry: TicketKeyEntry = { ...splitNodeTicketKeys(keys), server: 'test server', startedAt: Date.UTC(2026, 0, 1) };

beforeAll(async () => {
  pki = makeTestPki('tlslab-ticket-');
  server = tls.createServer({ cert: fs.readFileSync(pki.serverCert), key: fs.readFileSync(pki.serverKey), minVersion: 'TLSv1.2' }, (socket) => socket.end('hello\n'));
  server.setTicketKeys(keys);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Runs openssl s_client once; returns the ticket it received and the session file it wrote. */
async function sClient(version: '-tls1_2' | '-tls1_3'): Promise<{ ticket: Buffer; sessionText: string }> {
  const sessFile = path.join(pki.dir, `sess-${version}-${crypto.randomBytes(4).toString('hex')}.pem`);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, version, '-sess_out', sessFile, '-CAfile', pki.caCert, '-servername', 'www.bank32.com', '-ign_eof'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  expect(out).toContain('hello');
  const sessionText = execFileSync('openssl', ['sess_id', '-in', sessFile, '-text', '-noout']).toString();
  // The ticket as the client keeps it: the "TLS session ticket:" hex dump.
  const dump = sessionText.split('TLS session ticket:\n')[1] ?? '';
  const hex = [...dump.matchAll(/^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})/gm)].map((m) => m[1].replace(/[ -]/g, '')).join('');
  return { ticket: Buffer.from(hex, 'hex'), sessionText };
}

function field(text: string, name: string): string {
  const m = new RegExp(`${name}\\s*:\\s*(\\S+)`).exec(text);
  return m ? m[1] : '';
}

describe('opening a session ticket with the server\'s ticket key', () => {
  it('TLS 1.2: the ticket holds the master secret the client has (openssl s_client -sess_out)', async () => {
    const { ticket, sessionText } = await sClient('-tls1_2');
    const opened = openTicket(ticket, [entry]);
    if (!opened.ok) throw new Error(opened.problem);
    expect(opened.key.server).toBe('test server');
    expect(opened.state.protocolName).toBe('TLS 1.2');
    expect(Buffer.from(opened.state.masterKey).toString('hex').toUpperCase()).toBe(field(sessionText, 'Master-Key'));
    expect(opened.steps.map((s) => s.operation)).toEqual(['keyring lookup', 'HMAC-SHA256', 'AES-128-CBC decrypt', 'DER decode (SSL_SESSION)']);
    const mac = opened.steps[1].outputs;
    expect(mac[0].hex).toBe(mac[1].hex);
    const secret = opened.steps[3].outputs.find((v) => v.highlight);
    expect(secret?.name).toBe('master secret (master_key)');

    // openssl reads the decrypted state itself: same Master-Key, cipher and protocol.
    const pemFile = path.join(pki.dir, 'opened-12.pem');
    fs.writeFileSync(pemFile, sessionStatePem(opened.state.der));
    const theirs = execFileSync('openssl', ['sess_id', '-in', pemFile, '-text', '-noout']).toString();
    expect(field(theirs, 'Master-Key')).toBe(field(sessionText, 'Master-Key'));
    expect(field(theirs, 'Protocol')).toBe('TLSv1.2');
    expect(field(theirs, 'Cipher')).toBe(field(sessionText, 'Cipher'));
    // The suite's code as OpenSSL lists it: "0xC0,0x2F - ECDHE-RSA-AES128-GCM-SHA256 ...".
    const listed = execFileSync('openssl', ['ciphers', '-V', field(sessionText, 'Cipher')]).toString();
    const line = listed.split('\n').find((l) => l.includes(` - ${field(sessionText, 'Cipher')} `)) ?? '';
    const code = /0x([0-9A-F]{2}),0x([0-9A-F]{2})/.exec(line);
    expect(opened.state.cipher.code).toBe(parseInt(`${code?.[1]}${code?.[2]}`, 16));
  });

  it('TLS 1.3: the ticket holds the resumption PSK the client has', async () => {
    const { ticket, sessionText } = await sClient('-tls1_3');
    const opened = openTicket(ticket, [entry]);
    if (!opened.ok) throw new Error(opened.problem);
    expect(opened.state.protocolName).toBe('TLS 1.3');
    const psk = sessionText.match(/Resumption PSK:\s*(\S+)/)?.[1] ?? field(sessionText, 'Master-Key');
    expect(Buffer.from(opened.state.masterKey).toString('hex').toUpperCase()).toBe(psk);
    expect(opened.steps[3].outputs.find((v) => v.highlight)?.name).toBe('resumption PSK (master_key)');
  });

  it('a ticket of a key the keyring does not hold is named as foreign', async () => {
    const { ticket } = await sClient('-tls1_2');
    const other = { ...splitNodeTicketKeys(crypto.randomBytes(48)), server: 'elsewhere', startedAt: 0 };
    const opened = openTicket(ticket, [other]);
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.failure).toBe('unknown-key');
    expect(opened.problem).toContain(ticket.subarray(0, 16).toString('hex'));
    expect(opened.problem).toContain('not in this workbench\'s keyring');
  });

  it('a changed ticket fails its MAC check and is not decrypted', async () => {
    const { ticket } = await sClient('-tls1_2');
    ticket[40] ^= 1;
    const opened = openTicket(ticket, [entry]);
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.failure).toBe('mac-failed');
    expect(opened.steps.at(-1)?.note).toContain('They differ');
  });

  it('garbage is not taken for a session state', () => {
    expect(() => decodeSessionState(Uint8Array.of(1, 2, 3))).toThrow(/not DER|SEQUENCE/);
  });
});
