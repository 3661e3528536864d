// Resumed sessions in the key material: openssl s_client resumes a session with the lab server
// (a TLS 1.3 ticket, a TLS 1.2 ticket), and the resumed connection's key schedule names the
// recorded session that left it. The judge is OpenSSL's own session file (`openssl sess_id -text`):
// the ticket it kept, its Resumption PSK (TLS 1.3) and its Master-Key (TLS 1.2).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionKeys, DerivationStep } from '../../src-main/api/decryptTypes';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import { deriveSecret, hashOf, hkdfExpandLabel, hkdfExtract } from '../../src-main/tls/hkdf';
import { hmac } from '../../src-main/tls/prf';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { Workbench } from '../../src-main/workbench';
import { run } from '../support/run';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { finishedSessionsOf, opensslSessionField } from '../support/serverSessions';

let pki: ServerTestPki;
let wb: Workbench;
let dir: string;

beforeAll(async () => {
  pki = await makeServerPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-inside-resumption-'));
  wb = new Workbench({ dataDir: dir });
});

afterAll(async () => {
  await wb?.close();
});

const GET = 'GET / HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n';

async function sClient(server: ServerInfo, args: string[]): Promise<string> {
  const out = await run('openssl', ['s_client', '-connect', server.address, '-CAfile', pki.caCert, '-servername', 'www.bank32.com', '-ign_eof', ...args], { input: GET });
  return out.output;
}

/** The ticket bytes of a session file, as `openssl sess_id -text` dumps them. */
function sessionTicket(file: string): string {
  const out = execFileSync('openssl', ['sess_id', '-in', file, '-text', '-noout']).toString();
  const dump = out.split('TLS session ticket:')[1]?.split(/\n\s*\n|Start Time/)[0] ?? '';
  return [...dump.matchAll(/^\s*[0-9a-f]{4} - (.*?)(?:   |$)/gm)].map((m) => m[1].replace(/[- ]/g, '')).join('');
}

const stepNamed = (keys: ConnectionKeys, start: string): DerivationStep => {
  const step = keys.steps.find((s) => s.title.startsWith(start));
  if (!step) throw new Error(`no step "${start}" among: ${keys.steps.map((s) => s.title).join(' | ')}`);
  return step;
};
const valueOf = (values: DerivationStep['inputs'], name: string) => values.find((v) => v.name.startsWith(name));

/**
 * A TLS 1.2 session with a workbench server and its resumption by s_client's saved session (a
 * ticket, or with tickets off the session ID): both recorded sessions and OpenSSL's master key.
 */
async function resumedTls12(fileName: string, tickets: boolean) {
  const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, ...(tickets ? {} : { tickets: false }) });
  const file = path.join(dir, fileName);
  expect(await sClient(server, ['-tls1_2', '-sess_out', file])).toContain('New, TLSv1.2');
  const master = opensslSessionField(file, 'Master-Key');
  expect(await sClient(server, ['-tls1_2', '-sess_in', file])).toContain('Reused, TLSv1.2');
  const [first, resumed] = await finishedSessionsOf(wb, server, 2);
  await wb.servers.stop(server.id);
  await wb.writer.written();
  return { first, resumed, master };
}

describe('a resumed connection shows the session it took up', () => {
  it.each([
    ['', [] as string[], undefined],
    [', after a HelloRetryRequest (the binder then covers the first ClientHello and the HelloRetryRequest too)', ['-groups', 'P-256:X25519'], 'X25519'],
  ])('TLS 1.3%s: the PSK identity is the ticket an earlier recorded session received; its binder checks out with the PSK OpenSSL kept', async (_title, resumeArgs, groups) => {
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key }, ...(groups ? { groups } : {}) });
    const file = path.join(dir, `tls13${resumeArgs.length}.sess`);
    expect(await sClient(server, ['-tls1_3', '-sess_out', file])).toContain('New, TLSv1.3');
    const psk = opensslSessionField(file, 'Resumption PSK');
    const ticket = sessionTicket(file);
    expect(await sClient(server, ['-tls1_3', '-sess_in', file, ...resumeArgs])).toContain('Reused, TLSv1.3');
    const [first, resumed] = await finishedSessionsOf(wb, server, 2);
    await wb.servers.stop(server.id);
    await wb.writer.written();

    const [keys] = wb.decryption.keys({ id: resumed.id });
    const [opened] = wb.decryption.decrypt({ id: resumed.id });
    expect(opened.handshake.some((m) => m.name === 'HelloRetryRequest')).toBe(groups !== undefined);
    expect(keys.resumedFrom).toMatchObject({ sessionId: first.id, by: 'PSK identity (ticket)' });
    const identity = stepNamed(keys, `PSK: the ticket session ${first.id} received`);
    expect(valueOf(identity.inputs, 'pre_shared_key identity')?.hex).toBe(ticket);
    expect(valueOf(identity.outputs, 'ticket_nonce')?.hex).toMatch(/^[0-9a-f]+$/);

    // The schedule above the traffic secrets is shown, the values nobody records marked as such.
    for (const title of ['resumption_master_secret of session', 'PSK = HKDF-Expand-Label', 'Early Secret = HKDF-Extract(0, PSK)', 'Handshake Secret = HKDF-Extract(derived, (EC)DHE shared secret): psk_dhe_ke']) {
      expect(stepNamed(keys, title).outputs[0].unknown).toBeTruthy();
    }

    // The binder step's transcript hash is the one OpenSSL signed: with the PSK from its session
    // file, HMAC(finished_key(binder_key), that hash) is the binder the ClientHello carried.
    const binder = stepNamed(keys, 'PSK binder');
    const transcriptHash = Buffer.from(valueOf(binder.inputs, 'Transcript-Hash')!.hex, 'hex');
    const hash = keys.suite!.prfHash as 'sha256' | 'sha384';
    const early = hkdfExtract(hash, new Uint8Array(psk.length / 2), Buffer.from(psk, 'hex'));
    const binderKey = deriveSecret(hash, early, 'res binder', hashOf(hash, new Uint8Array(0)));
    const finishedKey = hkdfExpandLabel(hash, binderKey, 'finished', new Uint8Array(0), psk.length / 2);
    expect(Buffer.from(hmac(hash, finishedKey, transcriptHash)).toString('hex')).toBe(binder.outputs[0].hex);

    // The traffic secrets from the key log say what they are derived from.
    const handshake = stepNamed(keys, 'client_handshake_traffic_secret from the key log');
    expect(valueOf(handshake.inputs, 'Transcript-Hash(ClientHello..ServerHello')?.length).toBe(psk.length / 2);
    const application = stepNamed(keys, 'client_application_traffic_secret_0 from the key log');
    expect(valueOf(application.inputs, 'Transcript-Hash(ClientHello..server Finished')?.length).toBe(psk.length / 2);
  });

  it('TLS 1.2: the master secret is the one the earlier session established, checked, and it opens the resumed connection without a key log line of its own', async () => {
    const { first, resumed, master } = await resumedTls12('tls12.sess', true);

    const [keys] = wb.decryption.keys({ id: resumed.id });
    expect(keys.resumedFrom).toMatchObject({ sessionId: first.id, by: 'session ticket' });
    const step = stepNamed(keys, `master secret of the resumed session: the one session ${first.id} established`);
    expect(step.outputs.map((v) => [v.name, v.hex])).toEqual([
      ['computed master_secret', master],
      ['received master_secret', master],
    ]);

    // Without its own key log line the resumed connection still opens, with the earlier session's master secret.
    const [row] = wb.sessions.getConnections(resumed.id);
    const [earlierRow] = wb.sessions.getConnections(first.id);
    const earlier = decryptConnection({ chunks: wb.sessions.getChunks(earlierRow.id), keylog: wb.sessions.getKeylog(earlierRow.id) });
    const alone = decryptConnection({
      chunks: wb.sessions.getChunks(row.id),
      keylog: [],
      earlier: () => [{ sessionId: first.id, connectionId: earlierRow.id, opened: earlier }],
    });
    expect(alone.keys.source).toBe('keylog');
    expect(alone.decrypted).toBe(alone.total);
    expect(alone.records.some((r) => r.plaintextText?.includes('HTTP/1.1 200'))).toBe(true);
  });

  it('a handshake the client refused: the missing client application secret is not said to leave records sealed', async () => {
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key } });
    // No -CAfile: the client does not trust the lab CA and ends the handshake with an alert.
    const out = await run('openssl', ['s_client', '-connect', server.address, '-tls1_3', '-verify_return_error', '-CApath', dir], { input: GET });
    expect(out.output).toContain('certificate verify failed');
    const [failed] = await finishedSessionsOf(wb, server, 1);
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const [keys] = wb.decryption.keys({ id: failed.id });
    const notes = keys.notes.join('\n');
    expect(notes).not.toContain('stay sealed');
    expect(notes).toContain('the key log has no CLIENT_TRAFFIC_SECRET_0 line, and no recorded record needed it');
    const [opened] = wb.decryption.decrypt({ id: failed.id });
    expect(opened.records.every((r) => r.status === 'decrypted')).toBe(true);
  });

  it("after a KeyUpdate, a record's nonce names the IV of the new keys, as the key material does", async () => {
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key } });
    // "K" on a line of its own: s_client sends a KeyUpdate asking the server for one too; then end of input closes.
    await run('openssl', ['s_client', '-connect', server.address, '-CAfile', pki.caCert, '-tls1_3'], { input: 'K\n' });
    const [session] = await finishedSessionsOf(wb, server, 1);
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const [keys] = wb.decryption.keys({ id: session.id });
    const [opened] = wb.decryption.decrypt({ id: session.id });
    const after = opened.records.filter((r) => r.keyEpoch === 'application (after KeyUpdate 1)');
    expect(after.length).toBeGreaterThan(0);
    for (const record of after) {
      const who = record.direction === 'client-to-server' ? 'client' : 'server';
      const iv = keys.keys.find((v) => v.name === `${who}_application_1_write_iv`);
      expect(record.nonce?.fixedIv).toBe(iv?.hex);
      expect(record.nonce?.construction).toMatch(new RegExp(`^${who}_application_1_write_iv XOR sequence number`));
    }
  });

  it('RSA key exchange with a key log, the server key in the certificate workshop: the pre-master secret is shown and the logged master secret checked against it', async () => {
    await wb.workshop.createCa({ name: 'Review CA', subject: '/CN=Review CA', key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'Review CA', name: 'rsa.bank32.com', subject: { CN: 'www.bank32.com' }, subjectAltNames: ['DNS:www.bank32.com'], key: 'rsa:2048' });
    const server = await wb.servers.start({ port: 0, identity: { kind: 'lab', name: 'rsa.bank32.com' }, maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' });
    expect(await sClient(server, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256'])).toContain('Cipher is AES128-GCM-SHA256');
    const [session] = await finishedSessionsOf(wb, server, 1);
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const [keys] = wb.decryption.keys({ id: session.id });
    expect(keys.keylog.some((l) => l.startsWith('CLIENT_RANDOM '))).toBe(true);
    expect(keys.secrets.map((v) => v.name)).toContain('pre_master_secret');
    const check = stepNamed(keys, 'master secret check');
    const [computed, received] = check.outputs;
    expect([computed.name, received.name]).toEqual(['computed master_secret', 'received master_secret']);
    expect(computed.hex).toBe(received.hex);

    // An ECDHE session from a workshop identity gets no word about the server key: the key log opens it.
    const ecdhe = await wb.servers.start({ port: 0, identity: { kind: 'lab', name: 'rsa.bank32.com' }, maxVersion: 'TLSv1.2' });
    expect(await sClient(ecdhe, ['-tls1_2'])).toContain('Cipher is ECDHE-RSA');
    const [other] = await finishedSessionsOf(wb, ecdhe, 1);
    await wb.servers.stop(ecdhe.id);
    await wb.writer.written();
    const [plain] = wb.decryption.keys({ id: other.id });
    expect(plain.source).toBe('keylog');
    expect(plain.notes.join(' ')).not.toMatch(/server key|private key/);
  });

  it('TLS 1.2 by session ID (a server that sends no tickets): the earlier session is found by the ID its ServerHello gave', async () => {
    const { first, resumed, master } = await resumedTls12('tls12-id.sess', false);
    const [keys] = wb.decryption.keys({ id: resumed.id });
    expect(keys.resumedFrom).toMatchObject({ sessionId: first.id, by: 'session ID' });
    const step = stepNamed(keys, `master secret of the resumed session: the one session ${first.id} established (found by the session ID`);
    expect(step.outputs.map((v) => v.hex)).toEqual([master, master]);
  });
});
