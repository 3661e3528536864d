// The protocol matrix: configurations a security course meets, each a real session judged by
// tshark reading the same bytes with the same key log and by what OpenSSL itself reports (the
// record list, handshake message names, alerts, decrypted application data, version, suite and
// group). The workbench's client against openssl s_server (TLS 1.3 HelloRetryRequest to P-256,
// X448 and P-521, every TLS 1.3 suite, several tickets, RSA-PSS and Ed25519 certificates, record
// padding; TLS 1.2 DHE, ECDHE-ECDSA with CBC with and without encrypt-then-MAC, CCM-8, ChaCha20;
// TLS 1.0 and 1.1); openssl s_client against the workbench's server (the same, and extended
// master secret off, max_fragment_length, KeyUpdate, renegotiation, an encrypted alert); and
// s_client to s_server through a recording relay for what neither workbench peer offers
// (pre-shared key suites, an external TLS 1.3 PSK, client certificates, no middlebox mode).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionKeys } from '../../src-main/api/decryptTypes';
import type { ServerConfig, ServerInfo } from '../../src-main/api/serverTypes';
import type { ClientSessionRequest, Direction, SessionDetail } from '../../src-main/api/types';
import { writePcapng } from '../../src-main/export/pcapng';
import { handshakeMessageTree } from '../../src-main/sessions/recordFields';
import { keyExchangeText } from '../../src-renderer/src/lib/inside-records';
import type { RecordedChunk } from '../../src-main/tls/records';
import { handshakeMessageName } from '../../src-main/tls/registry';
import { keyExchangeOfHandshake } from '../../src-main/tls/keyExchange';
import { decodeConnection } from '../../src-main/tls/records';
import { opensslSuiteName } from '../../src-main/tls/opensslNames';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { Workbench } from '../../src-main/workbench';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, openssl, type TestPki } from '../support/opensslPki';
import { interactiveSClient, startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { run } from '../support/run';
import { isSessionOf } from '../support/serverSessions';
import { waitUntil } from '../support/waitUntil';

let pki: TestPki;
let wb: Workbench;
let dir: string;
const peers: RunningPeer[] = [];
/** Leaf certificates for www.bank32.com from the test CA, one per key type. */
const leaves: Record<string, { cert: string; key: string }> = {};

function issueLeaf(name: string, keyArgs: string[]): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const ext = path.join(dir, `${name}.ext`);
  openssl(['genpkey', ...keyArgs, '-out', key]);
  openssl(['req', '-new', '-key', key, '-subj', '/CN=www.bank32.com', '-out', csr]);
  fs.writeFileSync(ext, 'subjectAltName=DNS:www.bank32.com,DNS:localhost,IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-days', '30', '-extfile', ext, '-out', cert]);
  return { cert, key };
}

beforeAll(() => {
  pki = makeTestPki('tlslab-matrix-');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-matrix-'));
  wb = new Workbench({ dataDir: path.join(dir, 'data') });
  leaves.rsa = { cert: pki.serverCert, key: pki.serverKey };
  leaves.ecdsa = issueLeaf('ecdsa', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  leaves.ed25519 = issueLeaf('ed25519', ['-algorithm', 'ED25519']);
  leaves['rsa-pss'] = issueLeaf('rsa-pss', ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048']);
  const dsaParams = path.join(dir, 'dsa-params.pem');
  openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-out', dsaParams]);
  leaves.dsa = issueLeaf('dsa', ['-paramfile', dsaParams]);
});

afterAll(async () => {
  await wb?.close();
  for (const p of peers) await p.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Recorded {
  chunks: RecordedChunk[];
  keylog: string[];
}

interface Seen {
  handshake: Record<Direction, string[]>;
  records: Record<Direction, number[]>;
  alerts: Record<Direction, number[]>;
  data: Record<Direction, string>;
}

const both = <T>(make: () => T): Record<Direction, T> => ({ 'client-to-server': make(), 'server-to-client': make() });

const CLIENT_PORT = 40_000;
const SERVER_PORT = 4433;

/** The recording as a pcapng with its key log embedded; the tshark arguments that read it. */
function capture(recorded: Recorded): string[] {
  const base = Date.now();
  const pcap = writePcapng({
    connections: [
      {
        client: { address: '127.0.0.1', port: CLIENT_PORT },
        server: { address: '127.0.0.1', port: SERVER_PORT },
        chunks: recorded.chunks.map((c) => ({ direction: c.direction, time: base + c.t, data: c.data })),
      },
    ],
    keylog: recorded.keylog,
  });
  const file = path.join(dir, `capture-${base}-${Math.random().toString(16).slice(2)}.pcapng`);
  fs.writeFileSync(file, pcap);
  return ['-r', file, '-d', `tcp.port==${SERVER_PORT},tls`];
}

/** tshark's fields, one row per TLS packet. */
function tsharkFields(recorded: Recorded, fields: string[]): string[][] {
  const out = execFileSync('tshark', [...capture(recorded), '-Y', 'tls', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=;', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t'));
}

/** What tshark reads from the same bytes with the same key log. */
function tsharkSees(recorded: Recorded): Seen {
  // One tshark run: the fields of each TLS packet, then (after a line of '=') the stream's decrypted data.
  const out = execFileSync(
    'tshark',
    [...capture(recorded), '-Y', 'tls', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=;', '-e', 'tcp.srcport', '-e', 'tls.record.content_type', '-e', 'tls.handshake.type', '-e', 'tls.alert_message.desc', '-z', 'follow,tls,raw,0'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const split = out.indexOf('\n====');
  const rows = out.slice(0, split);
  const follow = out.slice(split);
  const seen: Seen = { handshake: both(() => []), records: both(() => []), alerts: both(() => []), data: both(() => '') };
  for (const row of rows.split('\n').filter((l) => l.trim() !== '')) {
    const [src, types, handshakes, alerts] = row.split('\t');
    const direction: Direction = Number(src) === CLIENT_PORT ? 'client-to-server' : 'server-to-client';
    const split = (v: string | undefined) => (v ? v.split(/[;,]/).map(Number) : []);
    seen.records[direction].push(...split(types));
    seen.handshake[direction].push(...split(handshakes).map(handshakeMessageName));
    seen.alerts[direction].push(...split(alerts));
  }
  const lines = follow.split('\n').filter((l) => /^\t?[0-9a-f]+$/.test(l));
  // follow prints node 0's data without a tab, node 1's after one.
  const clientFirst = new RegExp(`Node 0: [^\\n]*:${CLIENT_PORT}\\n`).test(follow);
  const untabbed = lines.filter((l) => !l.startsWith('\t')).join('');
  const tabbed = lines.filter((l) => l.startsWith('\t')).map((l) => l.trim()).join('');
  seen.data['client-to-server'] = clientFirst ? untabbed : tabbed;
  seen.data['server-to-client'] = clientFirst ? tabbed : untabbed;
  return seen;
}

/** What the workbench's decoder reads: the same shape. */
function workbenchSees(recorded: Recorded): Seen {
  const result = decryptConnection({ chunks: recorded.chunks, keylog: recorded.keylog });
  const seen: Seen = { handshake: both(() => []), records: both(() => []), alerts: both(() => []), data: both(() => '') };
  // tshark names a HelloRetryRequest by its wire type, server_hello.
  for (const m of result.handshake) seen.handshake[m.direction].push(m.name === 'HelloRetryRequest' ? 'ServerHello' : m.name);
  const opened = new Map(result.records.map((r) => [r.number, r]));
  for (const record of result.decoded.records) {
    const plain = opened.get(record.number);
    const type = plain?.contentType ?? record.contentType;
    seen.records[record.direction].push(type);
    if (type === 21) {
      const bytes = plain?.plaintextHex ? Buffer.from(plain.plaintextHex, 'hex') : undefined;
      if (bytes) seen.alerts[record.direction].push(bytes[1]);
      else if (record.alert) seen.alerts[record.direction].push(record.alert.description);
    }
    if (type === 23 && plain?.plaintextHex) seen.data[record.direction] += plain.plaintextHex;
  }
  return seen;
}

function agreeWithTshark(recorded: Recorded): Seen {
  const ours = workbenchSees(recorded);
  const theirs = tsharkSees(recorded);
  expect(ours.handshake).toEqual(theirs.handshake);
  expect(ours.records).toEqual(theirs.records);
  expect(ours.alerts).toEqual(theirs.alerts);
  expect(ours.data).toEqual(theirs.data);
  return ours;
}

function recordedOf(id: number): Recorded {
  const connection = wb.sessions.getConnections(id)[0];
  return { chunks: wb.sessions.getChunks(connection.id), keylog: wb.sessions.getKeylog(connection.id) };
}

async function opensslServer(leaf: string, args: string[]): Promise<RunningPeer> {
  const peer = await startOpensslServer(leaves[leaf].cert, leaves[leaf].key, args);
  peers.push(peer);
  return peer;
}

async function keysOf(id: number): Promise<ConnectionKeys> {
  const [keys] = await wb.sessionKeys({ id });
  return keys;
}

function finishedChecksMatch(keys: ConnectionKeys): void {
  const checks = keys.steps.filter((s) => s.title.includes('Finished check'));
  expect(checks.length).toBeGreaterThanOrEqual(2);
  expect(new Set(checks.map((s) => s.note))).toEqual(new Set(['they match: these keys are the ones the peers used']));
}

interface ClientCase {
  title: string;
  leaf?: string;
  serverArgs: string[];
  client?: Partial<ClientSessionRequest>;
  version: string;
  suite: string;
  /** The key exchange group the server names (s_server -www's page has no group: checked in our key shares). */
  group?: string;
  helloRetry?: boolean;
  tickets?: number;
  /** What the Key material tab says of the key exchange. */
  keyExchange?: RegExp;
  /** Why tshark cannot judge the decryption: OpenSSL's own report (the page s_server -www serves) does. */
  tsharkCannot?: string;
}

const CLIENT_CASES: ClientCase[] = [
  { title: 'TLS 1.3 HelloRetryRequest to P-256', serverArgs: ['-groups', 'P-256'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', group: 'secp256r1', helloRetry: true },
  { title: 'TLS 1.3 HelloRetryRequest to X448', serverArgs: ['-groups', 'X448'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', group: 'x448', helloRetry: true },
  { title: 'TLS 1.3 HelloRetryRequest to P-521', serverArgs: ['-groups', 'P-521'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', group: 'secp521r1', helloRetry: true },
  { title: 'TLS 1.3 ChaCha20-Poly1305', serverArgs: ['-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'], version: 'TLS 1.3', suite: 'TLS_CHACHA20_POLY1305_SHA256' },
  { title: 'TLS 1.3 AES-128-CCM', serverArgs: ['-ciphersuites', 'TLS_AES_128_CCM_SHA256'], client: { ciphers: 'TLS_AES_128_CCM_SHA256' }, version: 'TLS 1.3', suite: 'TLS_AES_128_CCM_SHA256' },
  { title: 'TLS 1.3 AES-128-CCM-8', serverArgs: ['-ciphersuites', 'TLS_AES_128_CCM_8_SHA256', '-cipher', 'DEFAULT:@SECLEVEL=0'], client: { ciphers: 'TLS_AES_128_CCM_8_SHA256:DEFAULT:@SECLEVEL=0' }, version: 'TLS 1.3', suite: 'TLS_AES_128_CCM_8_SHA256' },
  { title: 'TLS 1.3 four NewSessionTickets', serverArgs: ['-num_tickets', '4'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', tickets: 4 },
  { title: 'TLS 1.3 RSA-PSS certificate', leaf: 'rsa-pss', serverArgs: [], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384' },
  { title: 'TLS 1.3 Ed25519 certificate', leaf: 'ed25519', serverArgs: [], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384' },
  { title: 'TLS 1.3 record padding', serverArgs: ['-record_padding', '512'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384' },
  { title: 'TLS 1.2 DHE-RSA', serverArgs: ['-cipher', 'DHE-RSA-AES256-GCM-SHA384'], client: { maxVersion: 'TLSv1.2' }, version: 'TLS 1.2', suite: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384' },
  { title: 'TLS 1.2 ECDHE-ECDSA AES-128-CBC-SHA256 encrypt-then-MAC', leaf: 'ecdsa', serverArgs: ['-cipher', 'ECDHE-ECDSA-AES128-SHA256'], client: { maxVersion: 'TLSv1.2' }, version: 'TLS 1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256' },
  { title: 'TLS 1.2 ECDHE-ECDSA AES-256-CBC-SHA384 MAC-then-encrypt', leaf: 'ecdsa', serverArgs: ['-cipher', 'ECDHE-ECDSA-AES256-SHA384', '-no_etm'], client: { maxVersion: 'TLSv1.2' }, version: 'TLS 1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384' },
  { title: 'TLS 1.2 ECDHE-ECDSA AES-128-CCM-8', leaf: 'ecdsa', serverArgs: ['-cipher', 'ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0'], client: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0' }, version: 'TLS 1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' },
  { title: 'TLS 1.2 ECDHE X448', serverArgs: ['-groups', 'X448', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], client: { maxVersion: 'TLSv1.2' }, version: 'TLS 1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', group: 'x448' },
  { title: 'TLS 1.2 Ed25519 certificate', leaf: 'ed25519', serverArgs: [], client: { maxVersion: 'TLSv1.2' }, version: 'TLS 1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' },
  { title: 'TLS 1.2 RSA-PSS certificate', leaf: 'rsa-pss', serverArgs: [], client: { maxVersion: 'TLSv1.2' }, version: 'TLS 1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' },
  { title: 'TLS 1.1 ECDHE-ECDSA', leaf: 'ecdsa', serverArgs: ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0'], client: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, version: 'TLS 1.1', suite: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA' },
  { title: 'TLS 1.0 DHE-RSA', serverArgs: ['-tls1', '-cipher', 'DHE-RSA-AES128-SHA:@SECLEVEL=0'], client: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, version: 'TLS 1.0', suite: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA' },
  // No certificate: nothing to verify, and the key material must not say the server signed anything.
  { title: 'TLS 1.2 anonymous DH', serverArgs: ['-cipher', 'ADH-AES256-GCM-SHA384:@SECLEVEL=0'], client: { maxVersion: 'TLSv1.2', ciphers: 'ADH-AES256-GCM-SHA384:@SECLEVEL=0', verifyPeer: false, checkHostname: false }, version: 'TLS 1.2', suite: 'TLS_DH_anon_WITH_AES_256_GCM_SHA384', keyExchange: /^anonymous DH: nothing authenticates the server/ },
  { title: 'TLS 1.2 anonymous ECDH', serverArgs: ['-cipher', 'AECDH-AES128-SHA:@SECLEVEL=0'], client: { maxVersion: 'TLSv1.2', ciphers: 'AECDH-AES128-SHA:@SECLEVEL=0', verifyPeer: false, checkHostname: false }, version: 'TLS 1.2', suite: 'TLS_ECDH_anon_WITH_AES_128_CBC_SHA', keyExchange: /^anonymous ECDH: nothing authenticates the server/ },
  { title: 'TLS 1.2 DHE-DSS with ARIA-128-GCM', leaf: 'dsa', serverArgs: ['-cipher', 'DHE-DSS-ARIA128-GCM-SHA256'], client: { maxVersion: 'TLSv1.2', ciphers: 'DHE-DSS-ARIA128-GCM-SHA256' }, version: 'TLS 1.2', suite: 'TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256', keyExchange: /^DHE: ephemeral finite-field Diffie-Hellman, signed by the server/, tsharkCannot: 'tshark 4.0 decrypts no ARIA suite' },
];

describe('the workbench client against openssl s_server', () => {
  for (const c of CLIENT_CASES) {
    it(c.title, async () => {
      const peer = await opensslServer(c.leaf ?? 'rsa', ['-www', ...c.serverArgs]);
      const id = await wb.recordClient(loopbackGet('www.bank32.com', peer.port, pki.caCert, c.client));
      const session = await wb.session(id);
      expect(session.status, session.error?.message).toBe('ok');
      const keys = await keysOf(id);
      expect(keys.version).toBe(c.version);
      expect(keys.cipherSuite?.name).toBe(c.suite);
      finishedChecksMatch(keys);
      const ours = c.tsharkCannot ? workbenchSees(recordedOf(id)) : agreeWithTshark(recordedOf(id));
      const page = Buffer.from(ours.data['server-to-client'], 'hex').toString('latin1');
      expect(page).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      // s_server -www reports the session it served: its protocol and cipher lines.
      expect(page).toMatch(new RegExp(`Protocol +: ${{ 'TLS 1.0': 'TLSv1', 'TLS 1.1': 'TLSv1.1', 'TLS 1.2': 'TLSv1.2', 'TLS 1.3': 'TLSv1.3' }[c.version]?.replace('.', '\\.')}\n`));
      expect(page).toMatch(new RegExp(`Cipher +: ${opensslSuiteName(keys.cipherSuite?.code ?? 0) ?? c.suite}\n`));
      if (c.group) expect(keys.keyShares.find((k) => k.name.startsWith('server'))?.name).toContain(c.group);
      if (c.helloRetry) expect(keys.keyShares.map((k) => k.name).join('; ')).toContain('turned down by the HelloRetryRequest');
      if (c.tickets) expect(ours.handshake['server-to-client'].filter((n) => n === 'NewSessionTicket')).toHaveLength(c.tickets);
      if (c.keyExchange) expect(keyExchangeText(keys)).toMatch(c.keyExchange);
    });
  }
});

/** The server session a connection to `server` left, once it has finished recording. */
async function serverSession(server: ServerInfo): Promise<SessionDetail> {
  const found = await waitUntil(`a finished session for ${server.address}`, () => wb.listSessions(50).find((s) => isSessionOf(s, server) && s.status !== 'running'));
  return wb.session(found.id);
}

interface ServerCase {
  title: string;
  leaf?: string;
  config?: Partial<ServerConfig>;
  clientArgs: string[];
  version: string;
  suite: string;
  /** What s_client prints as the server's temporary key ("X448", "ECDH, prime256v1, 256 bits"). */
  tempKey?: string;
  /** What s_client prints as the server's signature type. */
  signature?: string;
  helloRetry?: boolean;
  /** OPENSSL_CONF for s_client, to switch off what its command line cannot. */
  conf?: string;
  extendedMasterSecret?: boolean;
  encryptThenMac?: boolean;
  /** The largest record body either side may send. */
  maxRecord?: number;
}

const SERVER_CASES: ServerCase[] = [
  { title: 'TLS 1.3 HelloRetryRequest (s_client offers an X25519 share, the server takes P-256)', config: { groups: 'P-256' }, clientArgs: ['-tls1_3', '-groups', 'X25519:P-256'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', tempKey: 'ECDH, prime256v1, 256 bits', helloRetry: true },
  { title: 'TLS 1.3 X448', config: { groups: 'X448' }, clientArgs: ['-tls1_3', '-groups', 'X448'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', tempKey: 'X448, 448 bits' },
  { title: 'TLS 1.3 P-521', config: { groups: 'P-521' }, clientArgs: ['-tls1_3', '-groups', 'P-521'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', tempKey: 'ECDH, secp521r1, 521 bits' },
  { title: 'TLS 1.3 AES-128-CCM', config: { ciphersuites: 'TLS_AES_128_CCM_SHA256' }, clientArgs: ['-tls1_3', '-ciphersuites', 'TLS_AES_128_CCM_SHA256'], version: 'TLS 1.3', suite: 'TLS_AES_128_CCM_SHA256' },
  { title: 'TLS 1.3 Ed25519 certificate', leaf: 'ed25519', clientArgs: ['-tls1_3'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', signature: 'ed25519' },
  { title: 'TLS 1.3 RSA-PSS certificate', leaf: 'rsa-pss', clientArgs: ['-tls1_3'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', signature: 'RSA-PSS' },
  { title: 'TLS 1.2 ECDHE-ECDSA AES-128-CBC encrypt-then-MAC', leaf: 'ecdsa', clientArgs: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA'], version: 'TLS 1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', encryptThenMac: true },
  { title: 'TLS 1.2 ECDHE-ECDSA AES-128-CBC MAC-then-encrypt (s_client -no_etm)', leaf: 'ecdsa', clientArgs: ['-tls1_2', '-no_etm', '-cipher', 'ECDHE-ECDSA-AES128-SHA'], version: 'TLS 1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', encryptThenMac: false },
  { title: 'TLS 1.2 without extended master secret', clientArgs: ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], conf: 'no-ems', version: 'TLS 1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', extendedMasterSecret: false },
  { title: 'TLS 1.2 ChaCha20', clientArgs: ['-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'], version: 'TLS 1.2', suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' },
  { title: 'TLS 1.2 AES-128-CCM-8', config: { ciphers: 'ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0' }, leaf: 'ecdsa', clientArgs: ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0'], version: 'TLS 1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' },
  { title: 'TLS 1.2 max_fragment_length 512', clientArgs: ['-tls1_2', '-maxfraglen', '512'], version: 'TLS 1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', maxRecord: 512 + 256 },
  { title: 'TLS 1.3 max_fragment_length 1024', clientArgs: ['-tls1_3', '-maxfraglen', '1024'], version: 'TLS 1.3', suite: 'TLS_AES_256_GCM_SHA384', maxRecord: 1024 + 256 },
  { title: 'TLS 1.1 (both sides at SECLEVEL=0)', config: { minVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, clientArgs: ['-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0'], version: 'TLS 1.1', suite: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA' },
  { title: 'TLS 1.0 (both sides at SECLEVEL=0)', config: { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, clientArgs: ['-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'], version: 'TLS 1.0', suite: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA' },
];

function confFile(name: string): string {
  const file = path.join(dir, `${name}.cnf`);
  fs.writeFileSync(
    file,
    ['openssl_conf = default_conf', '[default_conf]', 'ssl_conf = ssl_sect', '[ssl_sect]', 'system_default = system_default_sect', '[system_default_sect]', 'Options = -ExtendedMasterSecret', ''].join('\n'),
  );
  return file;
}

describe('openssl s_client against the workbench server', () => {
  for (const c of SERVER_CASES) {
    it(c.title, async () => {
      const leaf = leaves[c.leaf ?? 'rsa'];
      const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: leaf.cert, keyPath: leaf.key }, ...c.config });
      try {
        const env = c.conf ? { ...process.env, OPENSSL_CONF: confFile(c.conf) } : process.env;
        const out = await run('openssl', ['s_client', '-connect', server.address, '-servername', 'www.bank32.com', '-CAfile', pki.caCert, '-verify_return_error', '-ign_eof', ...c.clientArgs], {
          input: 'GET / HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n',
          env,
        });
        expect(out.output).toContain('HTTP/1.1 200 OK');
        const session = await serverSession(server);
        expect(session.status, session.error?.message).toBe('ok');
        const keys = await keysOf(session.id);
        expect(keys.version).toBe(c.version);
        expect(keys.cipherSuite?.name).toBe(c.suite);
        finishedChecksMatch(keys);
        const ours = agreeWithTshark(recordedOf(session.id));
        expect(Buffer.from(ours.data['server-to-client'], 'hex').toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        if (c.tempKey) expect(out.output).toContain(`Server Temp Key: ${c.tempKey}`);
        if (c.signature) expect(out.output).toContain(`Peer signature type: ${c.signature}`);
        if (c.helloRetry) expect(keys.keyShares.map((k) => k.name).join('; ')).toContain('turned down by the HelloRetryRequest');
        if (c.extendedMasterSecret !== undefined) {
          expect(out.output).toContain(`Extended master secret: ${c.extendedMasterSecret ? 'yes' : 'no'}`);
          expect(keys.extendedMasterSecret).toBe(c.extendedMasterSecret);
        }
        if (c.encryptThenMac !== undefined) expect(keys.encryptThenMac).toBe(c.encryptThenMac);
        if (c.maxRecord) {
          const records = session.connections[0].timeline.filter((e) => e.kind === 'record');
          expect(Math.max(...records.map((r) => (r.kind === 'record' ? r.length : 0)))).toBeLessThanOrEqual(c.maxRecord);
        }
      } finally {
        await wb.servers.stop(server.id);
      }
    });
  }
});

describe('post-handshake messages from an interactive s_client, against the workbench server', () => {
  async function echoServer(config: Partial<ServerConfig> = {}): Promise<ServerInfo> {
    return wb.servers.start({ port: 0, identity: { kind: 'files', certPath: leaves.rsa.cert, keyPath: leaves.rsa.key }, responder: { kind: 'plain' }, ...config });
  }
  const echoed = (text: string) => (o: string) => o.includes(text);

  for (const [command, requested] of [
    ['k', false],
    ['K', true],
  ] as const) {
    it(`TLS 1.3 KeyUpdate ("${command}": update_${requested ? '' : 'not_'}requested): every record after it still opens, and tshark agrees`, async () => {
      const server = await echoServer();
      try {
        const out = await interactiveSClient(['-connect', server.address, '-servername', 'www.bank32.com', '-tls1_3', '-CAfile', pki.caCert], [
          { send: 'before the update\n', until: echoed('before the update') },
          { send: `${command}\n`, until: 'KEYUPDATE' },
          { send: 'after the update\n', until: echoed('after the update') },
          { send: `${command}\n`, until: (o) => o.split('KEYUPDATE').length - 1 >= 2 },
          { send: 'after the second update\n', until: echoed('after the second update') },
        ]);
        expect(out.output.split('KEYUPDATE').length - 1).toBe(2);
        const session = await serverSession(server);
        const ours = agreeWithTshark(recordedOf(session.id));
        const updates = (d: Direction) => ours.handshake[d].filter((n) => n === 'KeyUpdate').length;
        expect(updates('client-to-server')).toBe(2);
        // update_requested: the server answers each with a KeyUpdate of its own (RFC 8446, 4.6.3).
        expect(updates('server-to-client')).toBe(requested ? 2 : 0);
        const [conn] = await wb.decryptSession({ id: session.id });
        expect(conn.decrypted).toBe(conn.total);
        const epochOf = (text: string, d: Direction) => conn.records.find((r) => r.direction === d && r.contentType === 23 && Buffer.from(r.plaintextHex ?? '', 'hex').toString('latin1').includes(text))?.keyEpoch;
        expect(epochOf('after the second update', 'client-to-server')).toBe('application (after KeyUpdate 2)');
        expect(epochOf('after the second update', 'server-to-client')).toBe(requested ? 'application (after KeyUpdate 2)' : 'application');
        const clientData = Buffer.from(ours.data['client-to-server'], 'hex').toString('latin1');
        expect(clientData).toBe('before the update\nafter the update\nafter the second update\n');
      } finally {
        await wb.servers.stop(server.id);
      }
    });
  }

  it('TLS 1.2 renegotiation: the record list, both handshakes and the data agree with tshark', async () => {
    const server = await echoServer();
    try {
      await interactiveSClient(['-connect', server.address, '-servername', 'www.bank32.com', '-tls1_2', '-CAfile', pki.caCert], [
        { send: 'before the renegotiation\n', until: echoed('before the renegotiation') },
        { send: 'R\n', until: 'RENEGOTIATING' },
        { send: 'after the renegotiation\n', until: echoed('after the renegotiation') },
      ]);
      const session = await serverSession(server);
      const ours = agreeWithTshark(recordedOf(session.id));
      expect(ours.handshake['client-to-server'].filter((n) => n === 'ClientHello')).toHaveLength(2);
      expect(Buffer.from(ours.data['client-to-server'], 'hex').toString('latin1')).toBe('before the renegotiation\nafter the renegotiation\n');
    } finally {
      await wb.servers.stop(server.id);
    }
  });

  it('TLS 1.3: a client that refuses the certificate sends an encrypted alert; we and tshark name the same one', async () => {
    const server = await echoServer();
    try {
      await run('openssl', ['s_client', '-connect', server.address, '-servername', 'www.bank32.com', '-tls1_3', '-CAfile', pki.otherCaCert, '-verify_return_error'], { input: '' });
      const session = await serverSession(server);
      const ours = agreeWithTshark(recordedOf(session.id));
      expect(ours.alerts['client-to-server']).toEqual([48]);
    } finally {
      await wb.servers.stop(server.id);
    }
  });
});

/** s_client through a recording relay to s_server: for what the workbench's own client cannot do (PSK, resumption by session ID, psk_ke). */
async function relayed(serverPort: number, clientArgs: string[], input = 'GET / HTTP/1.0\r\n\r\n'): Promise<Recorded & { output: string }> {
  const { recordingRelay } = await import('../support/recordingRelay');
  const relay = await recordingRelay(serverPort);
  const keylog = path.join(dir, `keys-${relay.port}-${Math.random().toString(16).slice(2)}.txt`);
  const out = await run('openssl', ['s_client', '-connect', `127.0.0.1:${relay.port}`, '-CAfile', pki.caCert, '-keylogfile', keylog, '-ign_eof', ...clientArgs], { input });
  // s_client has exited, but its last bytes may still be on their way through the relay.
  await relay.settled();
  relay.close();
  const lines = fs.existsSync(keylog) ? fs.readFileSync(keylog, 'utf8').split('\n').filter((l) => l.trim() !== '') : [];
  return { chunks: relay.chunks, keylog: lines, output: out.output };
}


interface RelayCase {
  title: string;
  leaf?: string;
  serverArgs: string[];
  clientArgs: string[];
  suite: string;
  keyExchange?: RegExp;
  /** A note the key material must carry. */
  note?: RegExp;
  /** The PSK identity hint the server sent, as tshark reads it. */
  hint?: string;
}

const PSK = '0123456789abcdef0123456789abcdef';

const RELAY_CASES: RelayCase[] = [
  { title: 'TLS 1.2 PSK with AES-128-GCM and an identity hint', serverArgs: ['-nocert', '-psk', PSK, '-psk_hint', 'lab-hint', '-cipher', 'PSK-AES128-GCM-SHA256'], clientArgs: ['-tls1_2', '-psk', PSK, '-psk_identity', 'alice', '-cipher', 'PSK-AES128-GCM-SHA256'], suite: 'TLS_PSK_WITH_AES_128_GCM_SHA256', hint: 'lab-hint', keyExchange: /^PSK: a key both sides were given beforehand/ },
  { title: 'TLS 1.2 ECDHE-PSK with ChaCha20-Poly1305', serverArgs: ['-nocert', '-psk', PSK, '-cipher', 'ECDHE-PSK-CHACHA20-POLY1305'], clientArgs: ['-tls1_2', '-psk', PSK, '-cipher', 'ECDHE-PSK-CHACHA20-POLY1305'], suite: 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', keyExchange: /^ECDHE-PSK: / },
  { title: 'TLS 1.2 DHE-PSK with AES-256-CBC-SHA384, MAC-then-encrypt', serverArgs: ['-nocert', '-psk', PSK, '-cipher', 'DHE-PSK-AES256-CBC-SHA384'], clientArgs: ['-tls1_2', '-no_etm', '-psk', PSK, '-cipher', 'DHE-PSK-AES256-CBC-SHA384'], suite: 'TLS_DHE_PSK_WITH_AES_256_CBC_SHA384', keyExchange: /^DHE-PSK: / },
  { title: 'TLS 1.2 RSA-PSK with AES-128-GCM', serverArgs: ['-psk', PSK, '-cipher', 'RSA-PSK-AES128-GCM-SHA256'], clientArgs: ['-tls1_2', '-psk', PSK, '-cipher', 'RSA-PSK-AES128-GCM-SHA256'], suite: 'TLS_RSA_PSK_WITH_AES_128_GCM_SHA256', keyExchange: /^RSA-PSK: .*no forward secrecy/ },
  { title: 'TLS 1.3 with an external PSK (no certificate)', serverArgs: ['-nocert', '-psk', PSK, '-psk_identity', 'alice'], clientArgs: ['-tls1_3', '-psk', PSK, '-psk_identity', 'alice'], suite: 'TLS_CHACHA20_POLY1305_SHA256', note: /the server accepted the client's external pre-shared key \(one both sides were given beforehand, not a ticket from an earlier connection/ },
  { title: 'TLS 1.3 without the middlebox-compatibility ChangeCipherSpec', serverArgs: ['-no_middlebox'], clientArgs: ['-tls1_3', '-no_middlebox'], suite: 'TLS_AES_256_GCM_SHA384' },
  { title: 'TLS 1.2 client certificate with an ECDSA key', serverArgs: ['-Verify', '1', '-CAfile', 'CA'], clientArgs: ['-tls1_2', '-cert', 'ecdsa.cert', '-key', 'ecdsa.key'], suite: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' },
  { title: 'TLS 1.3 client certificate with an Ed25519 key', serverArgs: ['-Verify', '1', '-CAfile', 'CA'], clientArgs: ['-tls1_3', '-cert', 'ed25519.cert', '-key', 'ed25519.key'], suite: 'TLS_AES_256_GCM_SHA384' },
];

describe('openssl s_client and s_server through a recording relay (what neither workbench peer offers)', () => {
  const file = (arg: string) => (arg === 'CA' ? pki.caCert : /^[a-z0-9-]+\.(cert|key)$/.test(arg) ? leaves[arg.split('.')[0]][arg.endsWith('.cert') ? 'cert' : 'key'] : arg);
  for (const c of RELAY_CASES) {
    it(c.title, async () => {
      const peer = await opensslServer(c.leaf ?? 'rsa', ['-www', ...c.serverArgs.map(file)]);
      const recorded = await relayed(peer.port, c.clientArgs.map(file));
      // s_client names the version the suite first appeared in; an external TLS 1.3 PSK reads as "Reused".
      expect(recorded.output).toMatch(/(New|Reused), TLSv1\.\d, Cipher is /);
      const result = decryptConnection({ chunks: recorded.chunks, keylog: recorded.keylog });
      expect(result.keys.cipherSuite?.name).toBe(c.suite);
      if (c.keyExchange) expect(keyExchangeText({ ...result.keys, sessionId: 0, connectionId: 0, leg: 'client' })).toMatch(c.keyExchange);
      if (c.note) expect(result.keys.notes.join('\n')).toMatch(c.note);
      expect(result.keys.notes.join('\n')).not.toMatch(/resumed an earlier session/);
      expect(result.keys.notes.filter((n) => n.includes('does not decrypt'))).toEqual([]);
      expect(result.decrypted).toBe(result.total);
      const checks = result.keys.steps.filter((s) => s.title.includes('Finished check'));
      expect(checks.map((s) => s.note)).toEqual(['they match: these keys are the ones the peers used', 'they match: these keys are the ones the peers used']);
      const ours = agreeWithTshark(recorded);
      expect(Buffer.from(ours.data['server-to-client'], 'hex').toString('latin1')).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      if (c.hint !== undefined) {
        const ske = result.decoded.handshakeMessages.find((m) => m.name === 'ServerKeyExchange');
        const hint = handshakeMessageTree(ske!).children?.find((n) => n.name === 'psk_identity_hint');
        const [theirs] = tsharkFields(recorded, ['tls.handshake.hint', 'tls.handshake.hint_len']).filter((row) => row[0] !== '');
        expect(hint?.value).toBe(c.hint);
        expect([Buffer.from(theirs[0], 'hex').toString('latin1'), theirs[1]]).toEqual([c.hint, String(c.hint.length)]);
        expect(hint?.children?.[0]).toMatchObject({ name: 'length', value: theirs[1] });
      }
    });
  }
});

describe('resumption through a recording relay: the abbreviated handshake opens and reads as tshark reads it', () => {
  for (const [title, serverArgs, clientArgs] of [
    ['TLS 1.2 by session ticket', [], ['-tls1_2']],
    ['TLS 1.2 by session ID (s_server -no_ticket)', ['-no_ticket'], ['-tls1_2']],
    ['TLS 1.2 by session ticket without extended master secret', [], ['-tls1_2', '-cipher', 'ECDHE-RSA-AES256-SHA384', '-no_etm']],
    ['TLS 1.3 by ticket, after a HelloRetryRequest', ['-groups', 'P-256'], ['-tls1_3', '-groups', 'X25519:P-256']],
    // Both sides allow psk_ke, but OpenSSL 3.0's server takes psk_dhe_ke whenever the client offers it
    // too, and its s_client always does: a recording of psk_ke alone cannot be made with these peers
    // (the key exchange reader's unit test builds one).
    ['TLS 1.3 by ticket, psk_ke allowed on both sides (-allow_no_dhe_kex)', ['-allow_no_dhe_kex'], ['-tls1_3', '-allow_no_dhe_kex']],
  ] as const) {
    it(title, async () => {
      const peer = await opensslServer('rsa', ['-www', ...serverArgs]);
      const session = path.join(dir, `session-${Math.random().toString(16).slice(2)}.pem`);
      const first = await relayed(peer.port, [...clientArgs, '-sess_out', session]);
      expect(first.output).toMatch(/New, TLSv1\.\d/);
      const second = await relayed(peer.port, [...clientArgs, '-sess_in', session]);
      expect(second.output).toMatch(/Reused, TLSv1\.\d/);
      const result = decryptConnection({ chunks: second.chunks, keylog: second.keylog });
      expect(result.decrypted).toBe(result.total);
      const checks = result.keys.steps.filter((s) => s.title.includes('Finished check'));
      expect(checks.map((s) => s.note)).toEqual(['they match: these keys are the ones the peers used', 'they match: these keys are the ones the peers used']);
      const ours = agreeWithTshark(second);
      expect(ours.handshake['server-to-client']).not.toContain('Certificate');
      expect(result.keys.notes.join('\n')).toMatch(/resumed/);
      expect(result.keys.notes.join('\n')).not.toMatch(/external pre-shared key/);
      // The session page's key exchange, read from the same bytes, says it resumed.
      const kx = keyExchangeOfHandshake(decodeConnection(second.chunks));
      expect(kx?.resumed).toBe(true);
      if (/Reused, TLSv1\.3/.test(second.output)) expect(kx?.pskMode).toBe(/Server Temp Key/.test(second.output) ? 'psk_dhe_ke' : 'psk_ke');
      expect(Buffer.from(ours.data['server-to-client'], 'hex').toString('latin1')).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
    });
  }
});

describe('post-handshake messages from an interactive s_server, against the workbench client', () => {
  /** Bytes the server sent on the workbench client's running connection to `port`, as recorded so far. */
  function recordedFromServer(port: number): number {
    const running = wb.listSessions(20).find((s) => s.target === `www.bank32.com:${port}`);
    const connection = running ? wb.sessions.getConnections(running.id)[0] : undefined;
    if (!connection) return 0;
    return wb.sessions.getChunks(connection.id).filter((c) => c.direction === 'server-to-client').reduce((n, c) => n + c.data.length, 0);
  }
  const until = (what: string, reached: () => boolean) => waitUntil(what, reached);
  const typed = (peer: RunningPeer, text: string) => peer.process.stdin?.write(text);

  for (const [command, requested] of [
    ['k', false],
    ['K', true],
  ] as const) {
    it(`TLS 1.3 KeyUpdate from the server ("${command}"): the client's recording opens after it, and tshark agrees`, async () => {
      const peer = await opensslServer('rsa', ['-tls1_3']);
      const recording = wb.recordClient(loopbackGet('www.bank32.com', peer.port, pki.caCert, { send: { kind: 'text', text: 'hello from the client\n' }, timeoutMs: 20_000 }));
      await until("s_server to print the client's line", () => peer.output().includes('hello from the client'));
      // s_server prints "SSL_do_handshake -> 1" through a buffer that is not flushed: the sign that
      // it acted on the line is the KeyUpdate record in the client's recording.
      const before = recordedFromServer(peer.port);
      typed(peer, `${command}\n`);
      await until("the server's KeyUpdate in the client's recording", () => recordedFromServer(peer.port) > before);
      typed(peer, 'after the update\n');
      const id = await recording;
      const session = await wb.session(id);
      expect(session.status, session.error?.message).toBe('ok');
      const ours = agreeWithTshark(recordedOf(id));
      expect(ours.handshake['server-to-client'].filter((n) => n === 'KeyUpdate')).toHaveLength(1);
      // OpenSSL answers update_requested with its own KeyUpdate before its next write; this client writes no more.
      expect(ours.handshake['client-to-server'].filter((n) => n === 'KeyUpdate')).toHaveLength(0);
      expect(Buffer.from(ours.data['server-to-client'], 'hex').toString('latin1')).toBe('after the update\n');
      // request_update, as tshark reads it (RFC 8446, Section 4.6.3).
      const recorded = recordedOf(id);
      const [theirs] = tsharkFields(recorded, ['tls.handshake.key_update.request_update']).flat().filter((v) => v !== '');
      expect(theirs).toBe(requested ? '1' : '0');
      const update = decryptConnection({ chunks: recorded.chunks, keylog: recorded.keylog }).decoded.handshakeMessages.find((m) => m.name === 'KeyUpdate');
      expect(handshakeMessageTree(update!).children?.find((n) => n.name === 'request_update')).toMatchObject({ code: Number(theirs), value: `${requested ? 'update_requested' : 'update_not_requested'} (0x0${theirs})` });
      const [conn] = await wb.decryptSession({ id });
      expect(conn.decrypted).toBe(conn.total);
      const after = conn.records.find((r) => r.direction === 'server-to-client' && r.contentType === 23);
      expect(after?.keyEpoch).toBe('application (after KeyUpdate 1)');
    });
  }

  it('TLS 1.2 renegotiation the server starts (HelloRequest): both handshakes and the data agree with tshark', async () => {
    const peer = await opensslServer('rsa', ['-tls1_2']);
    const recording = wb.recordClient(loopbackGet('www.bank32.com', peer.port, pki.caCert, { maxVersion: 'TLSv1.2', send: { kind: 'text', text: 'hello from the client\n' }, timeoutMs: 20_000 }));
    await until("s_server to print the client's line", () => peer.output().includes('hello from the client'));
    const before = recordedFromServer(peer.port);
    typed(peer, 'r\n');
    // The second handshake's server flight (ServerHello ... ServerHelloDone) follows the HelloRequest.
    await until("the second handshake's server flight in the client's recording", () => recordedFromServer(peer.port) > before + 1000);
    typed(peer, 'after the renegotiation\n');
    const id = await recording;
    const ours = agreeWithTshark(recordedOf(id));
    expect(ours.handshake['server-to-client'].filter((n) => n === 'HelloRequest')).toHaveLength(1);
    expect(ours.handshake['client-to-server'].filter((n) => n === 'ClientHello')).toHaveLength(2);
    expect(Buffer.from(ours.data['server-to-client'], 'hex').toString('latin1')).toBe('after the renegotiation\n');
  });
});

describe('a large download (s_server -WWW): every full-size record opens, in order, as tshark reads them', () => {
  for (const [title, serverArgs, client] of [
    ['TLS 1.3 with AES-128-GCM', ['-ciphersuites', 'TLS_AES_128_GCM_SHA256'], {}],
    ['TLS 1.2 with AES-256-CBC-SHA384, MAC-then-encrypt', ['-no_etm', '-cipher', 'ECDHE-RSA-AES256-SHA384'], { maxVersion: 'TLSv1.2' }],
    ['TLS 1.0 with AES-128-CBC-SHA (chained IVs, an empty record before each)', ['-tls1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'], { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' }],
  ] as const) {
    it(title, async () => {
      const www = path.join(dir, 'www');
      fs.mkdirSync(www, { recursive: true });
      const body = Buffer.alloc(300_000);
      for (let i = 0; i < body.length; i++) body[i] = 0x20 + ((i * 7) % 90);
      fs.writeFileSync(path.join(www, 'big.txt'), body);
      const peer = await startOpensslServer(leaves.rsa.cert, leaves.rsa.key, ['-WWW', ...serverArgs], { cwd: www });
      peers.push(peer);
      const id = await wb.recordClient(loopbackGet('www.bank32.com', peer.port, pki.caCert, { ...client, send: { kind: 'http-get', path: '/big.txt' } }));
      const ours = agreeWithTshark(recordedOf(id));
      const page = Buffer.from(ours.data['server-to-client'], 'hex');
      expect(page.subarray(page.length - body.length).equals(body)).toBe(true);
      const [conn] = await wb.decryptSession({ id });
      expect(conn.decrypted).toBe(conn.total);
    });
  }
});
