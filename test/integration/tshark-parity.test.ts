// The decoder against tshark, field by field, on sessions between real OpenSSL peers (s_client
// through a recording relay to s_server): what the record inspector shows for OCSP stapling,
// max_fragment_length, TLS 1.3 resumption (pre_shared_key, early_data) and fatal alerts must say
// what tshark says, and no extension tshark takes apart may be left as raw extension_data.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordField } from '../../src-main/api/recordTypes';
import { writePcapng } from '../../src-main/export/pcapng';
import { alertTree, handshakeMessageTree } from '../../src-main/sessions/recordFields';
import type { RecordedChunk } from '../../src-main/tls/records';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { makeTestPki, openssl, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { recordingRelay } from '../support/recordingRelay';
import { waitUntil, withDeadline } from '../support/waitUntil';

let pki: TestPki;
let dir: string;
let ocspResponse: string;
const servers: RunningPeer[] = [];

beforeAll(() => {
  pki = makeTestPki('tlslab-tshark-parity-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-tshark-parity-'));
  // A "good" OCSP response for the server certificate, signed by the CA itself (RFC 6960, 4.2.2.2).
  const serial = openssl(['x509', '-in', pki.serverCert, '-noout', '-serial']).trim().split('=')[1];
  const index = path.join(dir, 'index.txt');
  fs.writeFileSync(index, `V\t351231000000Z\t\t${serial}\tunknown\t/CN=www.bank32.com\n`);
  ocspResponse = path.join(dir, 'ocsp.der');
  openssl(['ocsp', '-index', index, '-rsigner', pki.caCert, '-rkey', pki.caKey, '-CA', pki.caCert, '-issuer', pki.caCert, '-cert', pki.serverCert, '-ndays', '7', '-respout', ocspResponse]);
});

afterAll(async () => {
  for (const s of servers) await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Recorded {
  chunks: RecordedChunk[];
  keylog: string[];
}

/**
 * One s_client connection through a relay to the server; the relay's chunks and the client's key log.
 * With `echo` (a TLS 1.3 server without -www, which never closes), the client leaves once its
 * handshake is done (its application traffic secret is in the key log) and, with -sess_out, once
 * its ticket is saved: whatever time that takes on a busy machine.
 */
async function connect(serverPort: number, clientArgs: string[], echo = false): Promise<Recorded> {
  const relay = await recordingRelay(serverPort);
  const keylog = path.join(dir, `keys-${relay.port}.txt`);
  const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${relay.port}`, '-CAfile', pki.caCert, '-keylogfile', keylog, ...(echo ? [] : ['-ign_eof']), ...clientArgs], { stdio: ['pipe', 'ignore', 'ignore'] });
  client.stdin.write('GET / HTTP/1.0\r\n\r\n');
  if (echo) {
    const sessionOut = clientArgs.includes('-sess_out') ? clientArgs[clientArgs.indexOf('-sess_out') + 1] : null;
    const ready = () =>
      fs.existsSync(keylog) && fs.readFileSync(keylog, 'utf8').includes('CLIENT_TRAFFIC_SECRET_0') && (sessionOut === null || (fs.existsSync(sessionOut) && fs.statSync(sessionOut).size > 0));
    await waitUntil('s_client to finish its handshake (and save its ticket)', () => ready() || client.exitCode !== null);
  }
  client.stdin.end();
  const exited = client.exitCode !== null ? Promise.resolve() : new Promise((resolve) => client.once('exit', resolve));
  try {
    await withDeadline('s_client to leave', exited);
  } finally {
    client.kill();
  }
  // The client is gone, but its last bytes (an alert, a close_notify) may still be on their way through the relay.
  await relay.settled();
  relay.close();
  const lines = fs.existsSync(keylog) ? fs.readFileSync(keylog, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  return { chunks: relay.chunks, keylog: lines };
}

async function server(args: string[], www = true): Promise<RunningPeer> {
  const peer = await startOpensslServer(pki.serverCert, pki.serverKey, [...(www ? ['-www'] : []), ...args]);
  servers.push(peer);
  return peer;
}

const SERVER_PORT = 4433;

/** tshark's fields, one row per TLS packet, over a pcapng of the recording with its keys embedded. */
function tshark(recorded: Recorded, fields: string[]): string[][] {
  const base = Date.now();
  const pcap = writePcapng({
    connections: [
      {
        client: { address: '127.0.0.1', port: 40_000 },
        server: { address: '127.0.0.1', port: SERVER_PORT },
        chunks: recorded.chunks.map((c) => ({ direction: c.direction, time: base + c.t, data: c.data })),
      },
    ],
    keylog: recorded.keylog,
  });
  const file = path.join(dir, `capture-${base}-${Math.random().toString(16).slice(2)}.pcapng`);
  fs.writeFileSync(file, pcap);
  // tshark shows absolute times (ocsp.producedAt) in the local time zone; ours are in UTC.
  const out = execFileSync('tshark', ['-r', file, '-d', `tcp.port==${SERVER_PORT},tls`, '-Y', 'tls', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=;', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, TZ: 'UTC' },
  });
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t'));
}

/** Every value tshark gives for one field, in packet order. */
function values(recorded: Recorded, field: string): string[] {
  return tshark(recorded, [field]).flatMap(([v]) => (v ? v.split(';') : []));
}

/** Our decoded handshake messages (decrypted where the key log opens them), as inspector trees. */
function trees(recorded: Recorded): { direction: string; name: string; tree: RecordField }[] {
  const result = decryptConnection({ chunks: recorded.chunks, keylog: recorded.keylog });
  return result.decoded.handshakeMessages.map((m) => ({ direction: m.direction, name: m.name, tree: handshakeMessageTree(m) }));
}

function all(node: RecordField, name: string, out: RecordField[] = []): RecordField[] {
  if (node.name === name) out.push(node);
  for (const c of node.children ?? []) all(c, name, out);
  return out;
}

function first(node: RecordField, name: string): RecordField {
  const found = all(node, name)[0];
  if (!found) throw new Error(`no ${name} in ${node.name}`);
  return found;
}

function message(recorded: Recorded, name: string, nth = 0): RecordField {
  const found = trees(recorded).filter((m) => m.name === name)[nth];
  if (!found) throw new Error(`no ${name} message #${nth + 1}`);
  return found.tree;
}

/** Extensions of a known type whose data we left as raw bytes although tshark decodes them. */
function rawKnownExtensions(recorded: Recorded): string[] {
  const out: string[] = [];
  for (const m of trees(recorded)) {
    const visit = (n: RecordField) => {
      if (n.note?.startsWith('extension ') && !n.unknown && !n.name.startsWith('GREASE') && (n.children ?? []).some((c) => c.name === 'extension_data')) {
        out.push(`${m.name}: ${n.name}`);
      }
      (n.children ?? []).forEach(visit);
    };
    visit(m.tree);
  }
  return out;
}

/** The extension types of every handshake message, in wire order, as tshark lists them. */
function extensionTypesAgree(recorded: Recorded): void {
  const theirs = values(recorded, 'tls.handshake.extension.type').map(Number);
  const ours = trees(recorded).flatMap((m) => all(m.tree, 'extension_type').map((n) => n.code));
  expect(ours).toEqual(theirs);
}

describe('tshark parity on real OpenSSL sessions', () => {
  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${version} OCSP stapling: status_request and the stapled response read as tshark reads them`, async () => {
      const peer = await server(['-status_file', ocspResponse]);
      const recorded = await connect(peer.port, ['-status', version === 'TLSv1.2' ? '-tls1_2' : '-tls1_3', '-servername', 'www.bank32.com']);
      extensionTypesAgree(recorded);
      expect(rawKnownExtensions(recorded)).toEqual([]);

      // The ClientHello's CertificateStatusRequest (RFC 6066, Section 8).
      const [type, responderIds, requestExts] = tshark(recorded, [
        'tls.handshake.extensions_status_request_type',
        'tls.handshake.extensions_status_request_responder_ids_len',
        'tls.handshake.extensions_status_request_exts_len',
      ])[0];
      const request = first(message(recorded, 'ClientHello'), 'status_request');
      expect(first(request, 'status_type').code).toBe(Number(type));
      expect(first(request, 'status_type').value).toBe('ocsp (0x01)');
      expect(first(first(request, 'responder_id_list'), 'length').value).toBe(responderIds);
      expect(first(first(request, 'request_extensions'), 'length').value).toBe(requestExts);

      // The OCSP response: in a CertificateStatus message (TLS 1.2) or the leaf's status_request (TLS 1.3).
      const stapled = version === 'TLSv1.2' ? message(recorded, 'CertificateStatus') : first(message(recorded, 'Certificate'), 'status_request');
      const [status, certStatus, serial, produced] = tshark(recorded, ['ocsp.responseStatus', 'ocsp.certStatus', 'ocsp.serialNumber', 'ocsp.producedAt']).find((row) => row[0] !== '') ?? [];
      expect(status).toBe('0');
      expect(first(stapled, 'responseStatus').value).toBe(`successful (${status})`);
      expect(certStatus).toBe('0');
      expect(first(stapled, 'certStatus').value).toBe('good');
      expect(first(stapled, 'serialNumber').value).toBe(serial.replace(/^0x/, '').toLowerCase());
      expect(first(stapled, 'producedAt').value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
      expect(produced).toContain(first(stapled, 'producedAt').value!.slice(11, 19));
      expect(first(stapled, 'responderID').value).toMatch(/^byName: .*CN=Model Root CA/);
      expect(stapled.value).toContain('successful, certificate good');
      const [responseLength] = values(recorded, 'tls.handshake.ocsp_response_len');
      const lengths = all(stapled, 'length').map((n) => n.value);
      expect(lengths).toContain(responseLength);
    });
  }

  it('max_fragment_length: the code and its size, in the ClientHello and the ServerHello', async () => {
    const peer = await server([]);
    const recorded = await connect(peer.port, ['-tls1_2', '-maxfraglen', '512']);
    extensionTypesAgree(recorded);
    expect(rawKnownExtensions(recorded)).toEqual([]);
    const theirs = values(recorded, 'tls.handshake.max_fragment_length');
    expect(theirs).toEqual(['1', '1']);
    for (const name of ['ClientHello', 'ServerHello']) {
      const ext = first(message(recorded, name), 'max_fragment_length');
      expect(ext.value).toBe('512 bytes');
      expect(ext.children?.find((c) => c.name === 'max_fragment_length')).toMatchObject({ code: 1, value: '512 (0x01)' });
    }
  });

  it('TLS 1.3 resumption: pre_shared_key identities, binders and selected_identity; early_data in the ticket', async () => {
    // -early_data (so the ticket carries early_data) cannot go with -www: the server echoes.
    const peer = await server(['-early_data'], false);
    const session = path.join(dir, 'session13.pem');
    const initial = await connect(peer.port, ['-tls1_3', '-sess_out', session], true);
    expect(rawKnownExtensions(initial)).toEqual([]);
    const [maxEarly] = values(initial, 'tls.early_data.max_early_data_size');
    expect(first(message(initial, 'NewSessionTicket'), 'max_early_data_size').value).toBe(maxEarly);

    const resumed = await connect(peer.port, ['-tls1_3', '-sess_in', session], true);
    extensionTypesAgree(resumed);
    expect(rawKnownExtensions(resumed)).toEqual([]);
    const [age, identityLength, bindersLength, selected] = tshark(resumed, [
      'tls.handshake.extensions.psk.identity.obfuscated_ticket_age',
      'tls.handshake.extensions.psk.identity.identity_length',
      'tls.handshake.extensions.psk.binders_len',
      'tls.handshake.extensions.psk.identity.selected',
    ]).reduce((acc, row) => acc.map((v, i) => v || row[i] || ''), ['', '', '', '']);
    const psk = first(message(resumed, 'ClientHello'), 'pre_shared_key');
    expect(first(psk, 'obfuscated_ticket_age').value).toBe(age);
    expect(first(first(psk, 'identity 1'), 'length').value).toBe(identityLength);
    expect(first(first(psk, 'binders'), 'length').value).toBe(bindersLength);
    expect(first(first(message(resumed, 'ServerHello'), 'pre_shared_key'), 'selected_identity').value).toBe(selected);
  });

  it('key exchange vectors carry their lengths as tshark shows them (DHE p, g, Ys, Yc; RSA EncryptedPreMasterSecret; ECDHE point)', async () => {
    const peer = await server([]);
    const dhe = await connect(peer.port, ['-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256']);
    const [p, g, ys, yc] = tshark(dhe, ['tls.handshake.p_len', 'tls.handshake.g_len', 'tls.handshake.ys_len', 'tls.handshake.yc_len']).reduce((acc, row) => acc.map((v, i) => v || row[i] || ''), ['', '', '', '']);
    const ske = message(dhe, 'ServerKeyExchange');
    expect(first(first(ske, 'dh_p'), 'length').value).toBe(p);
    expect(first(ske, 'dh_p').value).toMatch(new RegExp(`^${Number(p) * 8}-bit prime: `));
    expect(first(first(ske, 'dh_g'), 'length').value).toBe(g);
    expect(first(first(ske, 'dh_Ys'), 'length').value).toBe(ys);
    expect(first(first(message(dhe, 'ClientKeyExchange'), 'dh_Yc'), 'length').value).toBe(yc);

    const rsa = await connect(peer.port, ['-tls1_2', '-cipher', 'AES128-SHA256']);
    const [epms] = values(rsa, 'tls.handshake.epms_len');
    expect(first(first(message(rsa, 'ClientKeyExchange'), 'EncryptedPreMasterSecret'), 'length').value).toBe(epms);

    const ecdhe = await connect(peer.port, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    const [point] = values(ecdhe, 'tls.handshake.client_point_len');
    expect(first(first(message(ecdhe, 'ClientKeyExchange'), 'ecdh_Yc'), 'length').value).toBe(point);
  });

  it('a fatal unknown_ca alert is named as tshark names it, and not flagged as an unknown code', async () => {
    const peer = await server([]);
    // The client trusts only the other CA: it refuses the server's chain with unknown_ca (48).
    const recorded = await connect(peer.port, ['-tls1_2', '-verify_return_error', '-CAfile', pki.otherCaCert]);
    const [desc] = values(recorded, 'tls.alert_message.desc');
    expect(desc).toBe('48');
    const alert = recorded.chunks.find((c) => c.direction === 'client-to-server' && c.data[0] === 21);
    expect(alert).toBeDefined();
    const [node] = alertTree(alert!.data.subarray(5, 7), 5);
    expect(node.value).toBe('fatal, unknown_ca');
    expect(node.children?.[1]).toMatchObject({ code: 48, value: 'unknown_ca (48)' });
    expect(node.children?.[1].unknown).toBeUndefined();
  });
});
