// The server's session ticket key as a key source: a workbench server keeps its ticket key in the
// data folder's keyring; `openssl s_client -sess_out/-sess_in` and Python's ssl resume sessions
// with it. Without any key log, the ticket key opens the TLS 1.2 ECDHE connection that received
// a ticket and the one that resumed with it; a TLS 1.3 psk_dhe_ke resumption stays closed, with
// its reason. The judges: OpenSSL's own session file and the key log the server recorded.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionKeys, DecryptedRecordInfo } from '../../src-main/api/decryptTypes';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import { TicketKeyring, TICKET_KEYRING_FILE } from '../../src-main/sessions/ticketKeyring';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { splitNodeTicketKeys } from '../../src-main/tls/sessionTicket';
import { Workbench } from '../../src-main/workbench';
import { formatConnectionKeys } from '../../src-main/cli/decryptFormat';
import { dispatch } from '../../src-main/host/dispatch';
import { validateParams } from '../../src-main/host/validation';
import { tlslabInProcess } from '../support/cliInProcess';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { finishedSessionsOf, opensslSessionField } from '../support/serverSessions';

let pki: ServerTestPki;
let wb: Workbench;
let dir: string;

beforeAll(async () => {
  pki = await makeServerPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-ticket-key-'));
  wb = new Workbench({ dataDir: dir });
});

afterAll(async () => {
  await wb?.close();
});

const GET = 'GET /ticket HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n';

async function sClient(server: ServerInfo, args: string[]): Promise<string> {
  const out = await run('openssl', ['s_client', '-connect', server.address, '-CAfile', pki.caCert, '-servername', 'www.bank32.com', '-ign_eof', ...args], { input: GET });
  return out.output;
}

/** The secret the opened ticket holds, as the key material shows it (highlighted). */
function ticketSecret(keys: ConnectionKeys): string | undefined {
  return keys.steps.find((s) => s.operation === 'DER decode (SSL_SESSION)')?.outputs.find((v) => v.highlight)?.hex;
}

/** What the client sent, from the records that opened. */
function clientText(records: DecryptedRecordInfo[]): string {
  return records
    .filter((r) => r.direction === 'client-to-server' && r.contentType === 23 && r.status === 'decrypted')
    .map((r) => Buffer.from(r.plaintextHex ?? '', 'hex').toString('latin1'))
    .join('');
}

/** Opens a recorded connection as an attacker would: its bytes and the ticket keys, no key log. */
function withoutKeyLog(sessionId: number, ticketKeys = new TicketKeyring(dir).list()) {
  const [row] = wb.sessions.getConnections(sessionId);
  return decryptConnection({ chunks: wb.sessions.getChunks(row.id), keylog: [], ticketKeys });
}

async function startServer(): Promise<ServerInfo> {
  return wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key } });
}

describe("the server's session ticket key opens recorded sessions", () => {
  it('the keyring is one private file naming the server, and it holds the key the tickets name', async () => {
    const server = await startServer();
    await wb.servers.stop(server.id);
    const file = path.join(dir, TICKET_KEYRING_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const keys = new TicketKeyring(dir).list();
    expect(keys.find((k) => k.server === server.address)).toBeTruthy();
  });

  it('TLS 1.2 ECDHE with tickets: without a key log, the ticket key gives the master secret s_client kept and opens the HTTP request of the resumed connection', async () => {
    const server = await startServer();
    const file = path.join(dir, 'tls12.sess');
    expect(await sClient(server, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-sess_out', file])).toContain('New, TLSv1.2');
    const master = opensslSessionField(file, 'Master-Key');
    expect(await sClient(server, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-sess_in', file])).toContain('Reused, TLSv1.2');
    const [first, resumed] = await finishedSessionsOf(wb, server, 2);
    await wb.servers.stop(server.id);
    await wb.writer.written();

    // The connection that received the ticket (in its NewSessionTicket) and the one that sent it back.
    for (const session of [first, resumed]) {
      const opened = withoutKeyLog(session.id);
      expect(opened.keys.keyExchange).toBe('ecdhe');
      expect(opened.keys.source).toBe('server-ticket-key');
      expect(opened.keys.secrets.find((v) => v.name === 'master_secret')?.hex).toBe(master);
      expect(ticketSecret(opened.keys as ConnectionKeys)).toBe(master);
      expect(opened.keys.notes.join(' ')).toContain('session tickets undo forward secrecy');
      // The request the client sent, equal to what the key log gives.
      const [withKeyLog] = wb.decryption.decrypt({ id: session.id });
      expect(withKeyLog.source).toBe('keylog');
      expect(clientText(opened.records)).toBe(GET);
      expect(clientText(opened.records)).toBe(clientText(withKeyLog.records));
      expect(opened.decrypted).toBe(withKeyLog.decrypted);
    }

    // Asked for explicitly, the ticket key is used and checked against the key log.
    const [keys] = wb.decryption.keys({ id: resumed.id, ticketKey: true });
    expect(keys.source).toBe('server-ticket-key');
    const steps = keys.steps.map((s) => s.operation);
    expect(steps.slice(0, 4)).toEqual(['keyring lookup', 'HMAC-SHA256', 'AES-128-CBC decrypt', 'DER decode (SSL_SESSION)']);
    const check = keys.steps.find((s) => s.title.startsWith("master secret check: the one in the ticket"));
    expect(check?.outputs[0].hex).toBe(check?.outputs[1].hex);
    const [decrypted] = wb.decryption.decrypt({ id: resumed.id, ticketKey: true });
    expect(decrypted.source).toBe('server-ticket-key');
    expect(clientText(decrypted.records)).toBe(GET);
    // `sessions show --keys` prints the same steps.
    const text = formatConnectionKeys(keys);
    expect(text).toContain("keys from the server's session ticket key");
    expect(text).toContain(`master secret (master_key) [48]: ${master}`);
    expect(text).toContain(`The server ${server.address} started with this key`);
    // Through the engine's API (the window), and through the CLI.
    const [viaApi] = await dispatch(wb, 'sessions.keys', validateParams('sessions.keys', { id: resumed.id, ticketKey: true }));
    expect(viaApi.source).toBe('server-ticket-key');
    const [viaApiDecrypt] = await dispatch(wb, 'sessions.decrypt', validateParams('sessions.decrypt', { id: resumed.id, ticketKey: true }));
    expect(viaApiDecrypt.source).toBe('server-ticket-key');
    const cli = await tlslabInProcess(dir, ['sessions', 'show', String(resumed.id), '--keys', '--ticket-key']);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain("keys from the server's session ticket key");
    expect(cli.stdout).toContain(`[48]: ${master}`);
    const alone = await tlslabInProcess(dir, ['sessions', 'show', String(resumed.id), '--ticket-key']);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toBe('tlslab: --ticket-key chooses the keys that open the session: add --keys or --decrypt\n');
  });

  it("Python's ssl resumes a TLS 1.2 session (wrap_socket(session=...)); the ticket key alone opens both connections", async () => {
    const server = await startServer();
    const script = [
      'import socket, ssl, sys',
      'ctx = ssl.create_default_context(cafile=sys.argv[1])',
      'ctx.maximum_version = ssl.TLSVersion.TLSv1_2',
      'def get(session=None):',
      '    with socket.create_connection(("127.0.0.1", int(sys.argv[2]))) as raw:',
      '        with ctx.wrap_socket(raw, server_hostname="www.bank32.com", session=session) as s:',
      '            s.sendall(b"GET /python HTTP/1.1\\r\\nHost: www.bank32.com\\r\\nConnection: close\\r\\n\\r\\n")',
      '            while s.recv(4096): pass',
      '            return s.session, s.session_reused',
      'first, _ = get()',
      '_, reused = get(first)',
      'print("reused" if reused else "new")',
    ].join('\n');
    const out = await run('python3', ['-c', script, pki.caCert, String(server.port)]);
    expect(out.stdout.trim()).toBe('reused');
    const [first, resumed] = await finishedSessionsOf(wb, server, 2);
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const a = withoutKeyLog(first.id);
    const b = withoutKeyLog(resumed.id);
    expect(a.keys.source).toBe('server-ticket-key');
    expect(b.keys.source).toBe('server-ticket-key');
    expect(b.keys.resumed).toBe(true);
    expect(b.keys.secrets.find((v) => v.name === 'master_secret')?.hex).toBe(a.keys.secrets.find((v) => v.name === 'master_secret')?.hex);
    expect(clientText(b.records)).toContain('GET /python HTTP/1.1');
  });

  it('TLS 1.3 psk_dhe_ke: the ticket opens and gives the PSK s_client kept, but the resumed connection stays closed, saying why', async () => {
    const server = await startServer();
    const file = path.join(dir, 'tls13.sess');
    expect(await sClient(server, ['-tls1_3', '-sess_out', file])).toContain('New, TLSv1.3');
    const psk = opensslSessionField(file, 'Resumption PSK');
    expect(await sClient(server, ['-tls1_3', '-sess_in', file])).toContain('Reused, TLSv1.3');
    const [first, resumed] = await finishedSessionsOf(wb, server, 2);
    await wb.servers.stop(server.id);
    await wb.writer.written();

    // The first connection's tickets travelled encrypted: read with its key log, each opens with
    // the ticket key, and one of them holds the PSK s_client kept.
    const [firstKeys] = wb.decryption.keys({ id: first.id, ticketKey: true });
    const pskSteps = firstKeys.steps.filter((s) => /^NewSessionTicket \d+: session state decoded: TLS 1\.3/.test(s.title));
    expect(pskSteps.length).toBeGreaterThan(0);
    expect(pskSteps.map((s) => s.outputs.find((v) => v.highlight)?.hex)).toContain(psk);
    expect(firstKeys.notes.join(' ')).toContain("the server's ticket key opened");

    const opened = withoutKeyLog(resumed.id);
    expect(opened.keys.source).toBe('none');
    expect(opened.decrypted).toBe(0);
    expect(ticketSecret(opened.keys as ConnectionKeys)).toBe(psk);
    // The PSK is right: with it, the binder the ClientHello carried is computed again.
    const binder = opened.keys.steps.find((s) => s.title.startsWith('binder check'));
    expect(binder?.outputs.map((v) => v.name)).toEqual(['computed binder', 'received binder']);
    expect(binder?.outputs[0].hex).toBe(binder?.outputs[1].hex);
    const notes = opened.keys.notes.join(' ');
    expect(notes).toContain('psk_dhe_ke');
    expect(notes).toContain('Forward secrecy holds even against the ticket key');

    const [keys] = wb.decryption.keys({ id: resumed.id, ticketKey: true });
    expect(keys.notes.join(' ')).toContain('psk_dhe_ke');
  });

  it('asking for the ticket key where no server kept one says how to get one', async () => {
    const other = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-ticket-key-empty-')) });
    try {
      expect(() => other.decryption.keys({ id: 1, ticketKey: true })).toThrow(/keeps no session ticket keys: only the servers the workbench runs keep theirs/);
    } finally {
      await other.close();
    }
  });

  it("a ticket sealed by a key this data folder does not keep is named as another server's", async () => {
    const server = await startServer();
    expect(await sClient(server, ['-tls1_2'])).toContain('New, TLSv1.2');
    const [session] = await finishedSessionsOf(wb, server, 1);
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const elsewhere = { ...splitNodeTicketKeys(crypto.randomBytes(48)), server: 'a server on another machine', startedAt: 0 };
    const opened = withoutKeyLog(session.id, [elsewhere]);
    expect(opened.keys.source).toBe('none');
    expect(opened.keys.notes.join(' ')).toContain("is not in this workbench's keyring of ticket keys");
  });
});
