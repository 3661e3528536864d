// Decryption of real recorded sessions: the workbench's client against `openssl s_server -www`,
// one cipher suite pinned per session. The judge is what the client sent and what the server
// served, tshark's own decryption of a loopback capture, and the tlslab command.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLoopbackCapture } from '../support/loopbackCapture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecryptedConnection, DecryptedRecordInfo } from '../../src-main/api/decryptTypes';
import type { ClientSessionRequest, Direction } from '../../src-main/api/types';
import { dispatch } from '../../src-main/host/dispatch';
import { validateParams } from '../../src-main/host/validation';
import { handshakeMessageName } from '../../src-main/tls/registry';
import { readPrivateKey } from '../../src-main/tls/rsaPremaster';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { Workbench } from '../../src-main/workbench';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { loopbackGet } from '../support/clientRequest';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'tlslab.mjs');

let pki: TestPki;
let wb: Workbench;
let dataDir: string;
const servers: RunningPeer[] = [];

beforeAll(() => {
  pki = makeTestPki('tlslab-decrypt-');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-decrypt-'));
  wb = new Workbench({ dataDir });
});

afterAll(async () => {
  await wb?.close();
  for (const server of servers) await server.stop();
});

/** www.bank32.com with a DSA key, from the test CA: what the DHE-DSS suites need. */
function dsaServerIdentity(): { cert: string; key: string } {
  const params = path.join(pki.dir, 'dsa-params.pem');
  const key = path.join(pki.dir, 'server-dsa.key');
  const csr = path.join(pki.dir, 'server-dsa.csr');
  const cert = path.join(pki.dir, 'server-dsa.pem');
  const ext = path.join(pki.dir, 'server-dsa.ext');
  if (fs.existsSync(cert)) return { cert, key };
  execFileSync('openssl', ['dsaparam', '-out', params, '2048'], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-new', '-newkey', `dsa:${params}`, '-nodes', '-keyout', key, '-subj', '/CN=www.bank32.com', '-out', csr], { stdio: 'ignore' });
  fs.writeFileSync(ext, 'subjectAltName=DNS:www.bank32.com\n');
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-sha256', '-days', '30', '-extfile', ext, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

async function server(args: string[], identity?: 'dsa'): Promise<RunningPeer> {
  const { cert, key } = identity === 'dsa' ? dsaServerIdentity() : { cert: pki.serverCert, key: pki.serverKey };
  const peer = await startOpensslServer(cert, key, ['-www', ...args]);
  servers.push(peer);
  return peer;
}

const request = (port: number, overrides: Partial<ClientSessionRequest> = {}): ClientSessionRequest => loopbackGet('www.bank32.com', port, pki.caCert, overrides);

/** The exact bytes the workbench's client sends for an HTTP GET of / (clientSession.ts). */
function httpGet(port: number): string {
  return `GET / HTTP/1.1\r\nHost: www.bank32.com:${port}\r\nUser-Agent: tls-lab-workbench\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
}

function applicationData(c: DecryptedConnection, direction: Direction): Buffer {
  return Buffer.concat(
    c.records
      .filter((r) => r.direction === direction && r.contentType === 23 && r.status === 'decrypted')
      .map((r) => Buffer.from(r.plaintextHex ?? '', 'hex')),
  );
}

interface SuiteCase {
  title: string;
  serverArgs: string[];
  client?: Partial<ClientSessionRequest>;
  version: string;
  suite: string;
  protection: string;
  encryptThenMac?: boolean;
  /** The server asks for another key share group first (HelloRetryRequest). */
  helloRetry?: boolean;
  /** The names of the key exchange's public values, in order. */
  keyShares?: string[];
  /** The server's certificate has a DSA key (else RSA). */
  serverIdentity?: 'dsa';
}

const CASES: SuiteCase[] = [
  {
    title: 'TLS 1.2 ECDHE with AES-128-GCM',
    serverArgs: ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'],
    client: { maxVersion: 'TLSv1.2' },
    version: 'TLS 1.2',
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    protection: 'aead-explicit-nonce',
  },
  {
    title: 'TLS 1.2 ECDHE with AES-256-CBC-SHA, encrypt-then-MAC',
    serverArgs: ['-cipher', 'ECDHE-RSA-AES256-SHA'],
    client: { maxVersion: 'TLSv1.2' },
    version: 'TLS 1.2',
    suite: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    protection: 'cbc',
    encryptThenMac: true,
  },
  {
    title: 'TLS 1.2 ECDHE with AES-256-CBC-SHA, MAC-then-encrypt (s_server -no_etm)',
    serverArgs: ['-cipher', 'ECDHE-RSA-AES256-SHA', '-no_etm'],
    client: { maxVersion: 'TLSv1.2' },
    version: 'TLS 1.2',
    suite: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    protection: 'cbc',
    encryptThenMac: false,
  },
  {
    title: 'TLS 1.2 finite-field DHE with AES-128-GCM',
    serverArgs: ['-cipher', 'DHE-RSA-AES128-GCM-SHA256'],
    client: { maxVersion: 'TLSv1.2' },
    version: 'TLS 1.2',
    suite: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
    protection: 'aead-explicit-nonce',
    keyShares: ['server DHE public key (2048-bit group)', 'client DHE public key'],
  },
  {
    // A DSA certificate: the server signs its DH value with DSA.
    title: 'TLS 1.2 DHE-DSS with AES-256-GCM',
    serverArgs: ['-cipher', 'DHE-DSS-AES256-GCM-SHA384'],
    client: { maxVersion: 'TLSv1.2', ciphers: 'DHE-DSS-AES256-GCM-SHA384' },
    serverIdentity: 'dsa',
    version: 'TLS 1.2',
    suite: 'TLS_DHE_DSS_WITH_AES_256_GCM_SHA384',
    protection: 'aead-explicit-nonce',
    keyShares: ['server DHE public key (2048-bit group)', 'client DHE public key'],
  },
  {
    title: 'TLS 1.2 RSA key transport with AES-128-CCM',
    serverArgs: ['-cipher', 'AES128-CCM'],
    client: { maxVersion: 'TLSv1.2', ciphers: 'AES128-CCM' },
    version: 'TLS 1.2',
    suite: 'TLS_RSA_WITH_AES_128_CCM',
    protection: 'aead-explicit-nonce',
  },
  {
    // An 8-byte tag is below OpenSSL's default security level: both peers lower it.
    title: 'TLS 1.2 DHE with AES-256-CCM-8 (an 8-byte tag)',
    serverArgs: ['-cipher', 'DHE-RSA-AES256-CCM8:@SECLEVEL=0'],
    client: { maxVersion: 'TLSv1.2', ciphers: 'DHE-RSA-AES256-CCM8:@SECLEVEL=0' },
    version: 'TLS 1.2',
    suite: 'TLS_DHE_RSA_WITH_AES_256_CCM_8',
    protection: 'aead-explicit-nonce',
  },
  {
    title: 'TLS 1.2 RSA key transport with Camellia-256-CBC and HMAC-SHA256',
    serverArgs: ['-cipher', 'CAMELLIA256-SHA256'],
    client: { maxVersion: 'TLSv1.2', ciphers: 'CAMELLIA256-SHA256' },
    version: 'TLS 1.2',
    suite: 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256',
    protection: 'cbc',
    encryptThenMac: true,
  },
  {
    title: 'TLS 1.2 ECDHE with ARIA-128-GCM',
    serverArgs: ['-cipher', 'ECDHE-ARIA128-GCM-SHA256'],
    client: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ARIA128-GCM-SHA256' },
    version: 'TLS 1.2',
    suite: 'TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256',
    protection: 'aead-explicit-nonce',
  },
  {
    // No certificate at all: nothing to verify (so the client verifies nothing), and still decrypted.
    title: 'TLS 1.2 anonymous DH with AES-128-GCM',
    serverArgs: ['-cipher', 'ADH-AES128-GCM-SHA256:@SECLEVEL=0'],
    client: { maxVersion: 'TLSv1.2', ciphers: 'ADH-AES128-GCM-SHA256:@SECLEVEL=0', verifyPeer: false, checkHostname: false },
    version: 'TLS 1.2',
    suite: 'TLS_DH_anon_WITH_AES_128_GCM_SHA256',
    protection: 'aead-explicit-nonce',
  },
  {
    // Authenticated, not encrypted: both peers must lower OpenSSL's security level to agree on it.
    title: 'TLS 1.2 with the NULL cipher and HMAC-SHA256 (not encrypted)',
    serverArgs: ['-cipher', 'NULL-SHA256:@SECLEVEL=0'],
    client: { maxVersion: 'TLSv1.2', ciphers: 'NULL-SHA256:@SECLEVEL=0' },
    version: 'TLS 1.2',
    suite: 'TLS_RSA_WITH_NULL_SHA256',
    protection: 'null',
  },
  {
    // TLS 1.0 and 1.1 sit below OpenSSL's default security level: both peers lower it.
    title: 'TLS 1.0 ECDHE with AES-128-CBC-SHA, encrypt-then-MAC (IVs chained from record to record)',
    serverArgs: ['-tls1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'],
    client: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' },
    version: 'TLS 1.0',
    suite: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    protection: 'cbc',
    encryptThenMac: true,
  },
  {
    title: 'TLS 1.0 RSA key transport with AES-256-CBC-SHA, MAC-then-encrypt',
    serverArgs: ['-tls1', '-no_etm', '-cipher', 'AES256-SHA:@SECLEVEL=0'],
    client: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES256-SHA:@SECLEVEL=0' },
    version: 'TLS 1.0',
    suite: 'TLS_RSA_WITH_AES_256_CBC_SHA',
    protection: 'cbc',
    encryptThenMac: false,
  },
  {
    title: 'TLS 1.1 ECDHE with AES-256-CBC-SHA (an explicit IV per record)',
    serverArgs: ['-tls1_1', '-cipher', 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0'],
    client: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'ECDHE-RSA-AES256-SHA:@SECLEVEL=0' },
    version: 'TLS 1.1',
    suite: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    protection: 'cbc',
    encryptThenMac: true,
  },
  {
    title: 'TLS 1.2 ECDHE with ChaCha20-Poly1305',
    serverArgs: ['-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'],
    client: { maxVersion: 'TLSv1.2' },
    version: 'TLS 1.2',
    suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    protection: 'aead-xor-nonce',
  },
  {
    title: 'TLS 1.3 with AES-128-GCM',
    serverArgs: ['-ciphersuites', 'TLS_AES_128_GCM_SHA256'],
    version: 'TLS 1.3',
    suite: 'TLS_AES_128_GCM_SHA256',
    protection: 'aead-xor-nonce',
  },
  {
    title: 'TLS 1.3 with AES-256-GCM',
    serverArgs: ['-ciphersuites', 'TLS_AES_256_GCM_SHA384'],
    version: 'TLS 1.3',
    suite: 'TLS_AES_256_GCM_SHA384',
    protection: 'aead-xor-nonce',
  },
  {
    title: 'TLS 1.3 with ChaCha20-Poly1305',
    serverArgs: ['-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'],
    version: 'TLS 1.3',
    suite: 'TLS_CHACHA20_POLY1305_SHA256',
    protection: 'aead-xor-nonce',
  },
  {
    // The client's first ClientHello carries an X25519 share only; this server takes P-256 alone.
    title: 'TLS 1.3 after a HelloRetryRequest (the server takes P-256 only)',
    serverArgs: ['-groups', 'P-256'],
    version: 'TLS 1.3',
    suite: 'TLS_AES_256_GCM_SHA384',
    protection: 'aead-xor-nonce',
    helloRetry: true,
  },
];

describe('decrypting recorded sessions with the key log', () => {
  for (const c of CASES) {
    it(`${c.title}: recovers the exact request and the served page`, async () => {
      const peer = await server(c.serverArgs, c.serverIdentity);
      const id = await wb.recordClient(request(peer.port, c.client));
      const [keys] = await wb.sessionKeys({ id });
      expect(keys.version).toBe(c.version);
      expect(keys.cipherSuite?.name).toBe(c.suite);
      expect(keys.suite?.protection).toBe(c.protection);
      expect(keys.source).toBe('keylog');
      if (c.encryptThenMac !== undefined) expect(keys.encryptThenMac).toBe(c.encryptThenMac);
      if (c.keyShares) expect(keys.keyShares.map((k) => k.name)).toEqual(c.keyShares);
      // TLS 1.0: OpenSSL sends an empty record before each one of data, and the notes say why.
      expect(keys.notes.some((n) => /empty application-data records?: OpenSSL's defence against BEAST/.test(n))).toBe(c.version === 'TLS 1.0');
      if (c.helloRetry) {
        // The Finished checks below then hash the first ClientHello as message_hash (RFC 8446, 4.4.1).
        expect(keys.keyShares.map((k) => k.name)).toEqual([
          'client key share (x25519, first ClientHello: turned down by the HelloRetryRequest)',
          'client key share (secp256r1, second ClientHello)',
          'server key share (secp256r1)',
        ]);
      }
      // Both Finished messages recomputed from the derived keys match what the peers sent.
      const finished = keys.steps.filter((s) => s.title.includes('Finished check'));
      expect(finished.map((s) => s.note)).toEqual([
        'they match: these keys are the ones the peers used',
        'they match: these keys are the ones the peers used',
      ]);

      const [conn] = await wb.decryptSession({ id });
      expect(conn.total).toBeGreaterThan(0);
      expect(conn.decrypted).toBe(conn.total);
      expect(applicationData(conn, 'client-to-server').toString('latin1')).toBe(httpGet(peer.port));
      const page = applicationData(conn, 'server-to-client').toString('latin1');
      expect(page).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      expect(page).toContain('s_server');
      // s_server -www prints the session it served: its protocol line names the version.
      const protocol = { 'TLS 1.0': 'TLSv1', 'TLS 1.1': 'TLSv1.1', 'TLS 1.2': 'TLSv1.2', 'TLS 1.3': 'TLSv1.3' }[c.version];
      expect(page).toMatch(new RegExp(`Protocol\\s+: ${protocol?.replace('.', '\\.')}\\s`));

      const request0 = conn.records.find((r) => r.direction === 'client-to-server' && r.contentType === 23) as DecryptedRecordInfo;
      if (c.protection === 'cbc') {
        expect(request0.mac?.ok).toBe(true);
        expect(request0.mac?.order).toBe(c.encryptThenMac ? 'encrypt-then-mac' : 'mac-then-encrypt');
      } else if (c.protection === 'null') {
        // Nothing was encrypted: the request is on the wire as it is, followed by its MAC; the
        // timeline (no keys needed) reads the Finished messages and alerts as they are.
        expect(request0.mac?.ok).toBe(true);
        expect(request0.plaintextLength).toBe(request0.length - 32);
        const timeline = (await wb.session(id)).connections[0].timeline.flatMap((e) => (e.kind === 'record' ? e.messages : []));
        expect(timeline.filter((m) => /ncrypted/.test(m))).toEqual([]);
        expect(timeline.filter((m) => m === 'Finished')).toHaveLength(2);
      } else {
        expect(request0.tagCheck).toBe('ok');
        expect(request0.nonce?.hex).toMatch(/^[0-9a-f]{24}$/);
      }
      if (c.version === 'TLS 1.3') {
        // The encrypted handshake, decoded: the server's flight, the client's Finished, tickets.
        const server = conn.handshake.filter((m) => m.encrypted && m.direction === 'server-to-client').map((m) => m.name);
        expect(server.slice(0, 4)).toEqual(['EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished']);
        expect(server).toContain('NewSessionTicket');
        expect(conn.handshake.filter((m) => m.encrypted && m.direction === 'client-to-server').map((m) => m.name)).toEqual(['Finished']);
        expect(request0.keyEpoch).toBe('application');
        expect(request0.sequenceNumber).toBe(0);
        expect(conn.records.find((r) => r.direction === 'server-to-client')?.keyEpoch).toBe('handshake');
      } else {
        // TLS 1.2: the first protected record of each side is its Finished, sequence number 0.
        const first = conn.records.filter((r) => r.sequenceNumber === 0).map((r) => r.messages);
        expect(first).toEqual([['Finished'], ['Finished']]);
      }
    });
  }
});

describe('one flipped bit', () => {
  it('fails the tag check of that record alone, shown as such', async () => {
    const peer = await server(['-ciphersuites', 'TLS_AES_128_GCM_SHA256']);
    const id = await wb.recordClient(request(peer.port));
    const connection = wb.sessions.getConnections(id)[0];
    const chunks = wb.sessions.getChunks(connection.id).map((chunk) => ({ ...chunk, data: Uint8Array.from(chunk.data) }));
    const keylog = wb.sessions.getKeylog(connection.id);
    const clean = decryptConnection({ chunks, keylog });
    const target = clean.records.find((r) => r.direction === 'client-to-server' && r.contentType === 23)!;
    const entry = clean.decoded.records.find((r) => r.number === target.number)!;

    // Flip one bit in the middle of that record's ciphertext, wherever its chunk boundaries fall.
    let at = entry.streamOffset + 5 + 10;
    for (const chunk of chunks) {
      if (chunk.direction !== 'client-to-server') continue;
      if (at < chunk.data.length) {
        chunk.data[at] ^= 0x04;
        break;
      }
      at -= chunk.data.length;
    }
    const changed = decryptConnection({ chunks, keylog });
    const broken = changed.records.find((r) => r.number === target.number)!;
    expect(broken.status).toBe('tag-failed');
    expect(broken.tagCheck).toBe('failed');
    expect(broken.plaintextHex).toBeUndefined();
    expect(broken.problem).toMatch(/tag does not verify/);
    // Every other record still opens.
    expect(changed.records.filter((r) => r.status !== 'decrypted').map((r) => r.number)).toEqual([target.number]);
  });

  it('fails the MAC check of a CBC record (MAC-then-encrypt)', async () => {
    const peer = await server(['-cipher', 'ECDHE-RSA-AES128-SHA256', '-no_etm']);
    const id = await wb.recordClient(request(peer.port, { maxVersion: 'TLSv1.2' }));
    const connection = wb.sessions.getConnections(id)[0];
    const chunks = wb.sessions.getChunks(connection.id).map((chunk) => ({ ...chunk, data: Uint8Array.from(chunk.data) }));
    const keylog = wb.sessions.getKeylog(connection.id);
    const clean = decryptConnection({ chunks, keylog });
    const target = clean.records.find((r) => r.direction === 'server-to-client' && r.contentType === 23)!;
    const entry = clean.decoded.records.find((r) => r.number === target.number)!;
    let at = entry.streamOffset + 5 + 40;
    for (const chunk of chunks) {
      if (chunk.direction !== 'server-to-client') continue;
      if (at < chunk.data.length) {
        chunk.data[at] ^= 0x80;
        break;
      }
      at -= chunk.data.length;
    }
    const broken = decryptConnection({ chunks, keylog }).records.find((r) => r.number === target.number)!;
    expect(broken.status).toBe('mac-failed');
    expect(broken.mac?.ok).toBe(false);
    expect(broken.plaintextHex).toBeUndefined();
  });
});

describe('RSA key exchange and forward secrecy', () => {
  it('opens a TLS 1.2 RSA session from the server key alone, with no key log', async () => {
    const peer = await server(['-cipher', 'AES128-GCM-SHA256']);
    const id = await wb.recordClient(request(peer.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }));
    const connection = wb.sessions.getConnections(id)[0];
    const key = readPrivateKey(fs.readFileSync(pki.serverKey, 'utf8'));
    if ('problem' in key) throw new Error(key.problem);
    const opened = decryptConnection({
      chunks: wb.sessions.getChunks(connection.id),
      keylog: [],
      serverPrivateKey: key,
      serverCertificate: wb.sessions.getCertificates(connection.id, 'peer')[0],
    });
    expect(opened.keys.keyExchange).toBe('rsa');
    expect(opened.keys.source).toBe('server-private-key');
    expect(opened.keys.secrets.map((s) => s.name)).toEqual(['pre_master_secret', 'master_secret']);
    expect(opened.keys.secrets[0].length).toBe(48);
    expect(opened.keys.secrets[0].hex.slice(0, 4)).toBe('0303');
    expect(opened.keys.notes.join(' ')).toContain('whoever holds this server key can read this recorded session');
    expect(opened.records.every((r) => r.status === 'decrypted')).toBe(true);
    const c2s = Buffer.concat(opened.records.filter((r) => r.direction === 'client-to-server' && r.contentType === 23).map((r) => Buffer.from(r.plaintextHex!, 'hex')));
    expect(c2s.toString('latin1')).toBe(httpGet(peer.port));

    // Through the API, the key file takes precedence over the key log and agrees with it.
    const [keys] = await wb.sessionKeys({ id, serverKeyPath: pki.serverKey });
    expect(keys.source).toBe('server-private-key');
    expect(keys.notes).toContain('the master secret computed from the server key equals the one in the key log');
    expect(keys.steps.some((s) => s.operation === 'RSA decrypt (PKCS #1 v1.5)')).toBe(true);
  });

  it('a capture without keys opens with the server key the certificate workshop holds', async () => {
    const peer = await server(['-cipher', 'AES128-GCM-SHA256']);
    const original = await wb.recordClient(request(peer.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }));
    // A teacher hands out the capture without its key log: nothing to open it with.
    const capture = wb.exchange.exportFile(original, 'pcapng', { secrets: false });
    const { id } = wb.exchange.importBytes(capture.bytes, { source: 'handed-out.pcapng' });
    const [before] = await wb.decryptSession({ id });
    expect(before.decrypted).toBe(0);

    // Once the server's certificate and key are in the workshop, whoever holds them reads the session.
    const { importInto } = await import('../../src-main/workshop/exchange');
    importInto(wb.workshop, { bytes: Buffer.from(fs.readFileSync(pki.serverCert, 'utf8') + fs.readFileSync(pki.serverKey, 'utf8')) });
    const [keys] = await wb.sessionKeys({ id });
    expect(keys.source).toBe('server-private-key');
    const [after] = await wb.decryptSession({ id });
    expect(after.decrypted).toBe(after.total);
    const request1 = after.records.find((r) => r.direction === 'client-to-server' && r.contentType === 23);
    expect(Buffer.from(request1!.plaintextHex!, 'hex').toString('latin1')).toBe(httpGet(peer.port));
  });

  it('the same key opens nothing of an ECDHE session, and says why', async () => {
    const peer = await server(['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    const id = await wb.recordClient(request(peer.port, { maxVersion: 'TLSv1.2' }));
    const connection = wb.sessions.getConnections(id)[0];
    const key = readPrivateKey(fs.readFileSync(pki.serverKey, 'utf8'));
    if ('problem' in key) throw new Error(key.problem);
    const opened = decryptConnection({ chunks: wb.sessions.getChunks(connection.id), keylog: [], serverPrivateKey: key });
    expect(opened.keys.source).toBe('none');
    expect(opened.records.length).toBeGreaterThan(0);
    expect(opened.records.every((r) => r.status === 'no-keys' && r.plaintextHex === undefined)).toBe(true);
    expect(opened.keys.notes.join(' ')).toMatch(/opens nothing here.*forward secrecy/);
  });

  it('the engine API serves both commands and checks their parameters', async () => {
    const peer = await server(['-ciphersuites', 'TLS_AES_128_GCM_SHA256']);
    const id = await wb.recordClient(request(peer.port));
    const [keys] = await dispatch(wb, 'sessions.keys', validateParams('sessions.keys', { id }));
    expect(keys.cipherSuite?.name).toBe('TLS_AES_128_GCM_SHA256');
    const page = await dispatch(wb, 'sessions.decrypt', validateParams('sessions.decrypt', { id, fromRecord: 1, limit: 2 }));
    expect(page[0].records).toHaveLength(2);
    expect(page[0].total).toBeGreaterThan(2);
    expect(() => validateParams('sessions.decrypt', { id: 0 })).toThrow(/invalid parameters for sessions.decrypt: id/);
    expect(() => validateParams('sessions.keys', { id, serverKeyPath: '' })).toThrow(/give the path of the server's PEM private key/);
    await expect(dispatch(wb, 'sessions.decrypt', { id, connectionId: 999_999 })).rejects.toThrow(/has no connection 999999; its connections are/);
  });

  it('a server key file that does not exist, or that is the certificate or an encrypted key, is one clear error', async () => {
    const peer = await server(['-cipher', 'AES128-GCM-SHA256']);
    const id = await wb.recordClient(request(peer.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }));
    await expect(wb.sessionKeys({ id, serverKeyPath: path.join(pki.dir, 'missing.key') })).rejects.toThrow(/the server key file .*missing\.key does not exist; check the path/);
    await expect(wb.sessionKeys({ id, serverKeyPath: pki.serverCert })).rejects.toThrow(/this is a certificate, not its private key: give the key file that goes with it/);
    const encrypted = path.join(pki.dir, 'server-encrypted.key');
    execFileSync('openssl', ['pkey', '-in', pki.serverKey, '-aes256', '-passout', 'pass:lab-secret', '-out', encrypted]);
    await expect(wb.sessionKeys({ id, serverKeyPath: encrypted })).rejects.toThrow(/this private key is encrypted: decrypt it first \(openssl pkey/);
    const garbage = path.join(pki.dir, 'garbage.key');
    fs.writeFileSync(garbage, 'not a key at all\n');
    await expect(wb.sessionKeys({ id, serverKeyPath: garbage })).rejects.toThrow(/not a readable private key/);
  });
});

// ---------------------------------------------------------------------------------------------
// tshark as the judge

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

describe('cross-check with tshark', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: tshark with the workbench's key log sees the same handshake messages and plaintext`, async () => {
      const peer = await server([]);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-tshark-'));
      const capture = path.join(dir, 'session.pcapng');
      const capturing = await startLoopbackCapture(peer.port, capture);
      const id = await wb.recordClient(request(peer.port, { maxVersion: version }));
      await capturing.stop();
      const connection = wb.sessions.getConnections(id)[0];
      const keylogFile = path.join(dir, 'keylog.txt');
      fs.writeFileSync(keylogFile, `${wb.sessions.getKeylog(connection.id).join('\n')}\n`, { mode: 0o600 });
      const clientPort = Number(connection.local?.split(':').at(-1));
      const stream = tshark(['-r', capture, '-Y', `tcp.srcport==${clientPort}`, '-T', 'fields', '-e', 'tcp.stream']).split('\n')[0].trim();
      const common = ['-r', capture, '-o', `tls.keylog_file:${keylogFile}`, '-d', `tcp.port==${peer.port},tls`];

      // The request tshark reads in the decrypted stream.
      const http = tshark([...common, '-Y', `http.request && tcp.stream==${stream}`, '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.host', '-e', 'http.user_agent']);
      expect(http.trim()).toBe(`GET\t/\twww.bank32.com:${peer.port}\ttls-lab-workbench`);

      // The handshake message list, per direction, in order.
      const [conn] = await wb.decryptSession({ id });
      const theirs: Record<Direction, string[]> = { 'client-to-server': [], 'server-to-client': [] };
      const rows = tshark([...common, '-Y', `tls.handshake && tcp.stream==${stream}`, '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tls.handshake.type']);
      for (const row of rows.trim().split('\n')) {
        const [src, types] = row.split('\t');
        const direction: Direction = Number(src) === clientPort ? 'client-to-server' : 'server-to-client';
        for (const type of types.split(',')) theirs[direction].push(handshakeMessageName(Number(type)));
      }
      const ours: Record<Direction, string[]> = { 'client-to-server': [], 'server-to-client': [] };
      for (const m of conn.handshake) ours[m.direction].push(m.name);
      expect(ours).toEqual(theirs);
      expect(theirs['server-to-client']).toContain(version === 'TLSv1.3' ? 'EncryptedExtensions' : 'ServerKeyExchange');

      // The decrypted byte streams, both directions.
      const follow = tshark([...common, '-q', '-z', `follow,tls,raw,${stream}`]);
      const lines = follow.split('\n').filter((l) => /^\t?[0-9a-f]+$/.test(l));
      const tabbed = Buffer.from(lines.filter((l) => l.startsWith('\t')).map((l) => l.trim()).join(''), 'hex');
      const plain = Buffer.from(lines.filter((l) => !l.startsWith('\t')).join(''), 'hex');
      const c2s = applicationData(conn, 'client-to-server');
      const s2c = applicationData(conn, 'server-to-client');
      expect([tabbed.toString('hex'), plain.toString('hex')].sort()).toEqual([c2s.toString('hex'), s2c.toString('hex')].sort());
      expect(c2s.toString('latin1')).toBe(httpGet(peer.port));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The command line

function tlslab(args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('tlslab sessions show --decrypt / --keys', () => {
  it('prints the decrypted request and page per record with direction, and the key derivation', async () => {
    const peer = await server(['-ciphersuites', 'TLS_AES_256_GCM_SHA384']);
    const run = tlslab(['client', `www.bank32.com:${peer.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--get', '/', '--json']);
    expect(run.status).toBe(0);
    const id = JSON.parse(run.stdout).sessionId as number;

    const decrypted = tlslab(['sessions', 'show', String(id), '--decrypt']);
    expect(decrypted.stderr).toBe('');
    expect(decrypted.status).toBe(0);
    expect(decrypted.stdout).toMatch(/connection \d+ \(client\): (\d+) protected records, \1 decrypted; keys from the key log/);
    expect(decrypted.stdout).toMatch(/#\d+ +client -> server +Application Data +seq 0 +application keys +tag ok +\d+ bytes\n +\| GET \/ HTTP\/1\.1\n +\| Host: www\.bank32\.com:\d+/);
    expect(decrypted.stdout).toMatch(/server -> client +Application Data .*\n +\| HTTP\/1\.0 200 ok/);
    expect(decrypted.stdout).toMatch(/server -> client +EncryptedExtensions/);

    const keys = tlslab(['sessions', 'show', String(id), '--keys']);
    expect(keys.status).toBe(0);
    expect(keys.stdout).toContain('TLS 1.3, TLS_AES_256_GCM_SHA384; keys from the key log');
    expect(keys.stdout).toMatch(/server_handshake_write_key \[32\]: [0-9a-f]{64}/);
    expect(keys.stdout).toContain('server_handshake_write_key = HKDF-Expand-Label(server_handshake_traffic_secret, "key", "", 32)');
    expect(keys.stdout).toContain('"tls13 key"');

    const json = tlslab(['sessions', 'show', String(id), '--keys', '--decrypt', '--json']);
    expect(json.status).toBe(0);
    const both = JSON.parse(json.stdout) as { keys: { cipherSuite: { name: string } }[]; decrypted: DecryptedConnection[] };
    expect(both.keys[0].cipherSuite.name).toBe('TLS_AES_256_GCM_SHA384');
    expect(applicationData(both.decrypted[0], 'client-to-server').toString('latin1')).toBe(httpGet(peer.port));
  });

  it('prints binary application data as hex', async () => {
    const peer = await server(['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    // A request line with bytes that are not text: the server answers 200 with its usual page.
    const run = tlslab(['client', `www.bank32.com:${peer.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--max-version', 'TLSv1.2', '--send', 'GET / \u0001\u0002\n', '--json']);
    const id = JSON.parse(run.stdout).sessionId as number;
    const decrypted = tlslab(['sessions', 'show', String(id), '--decrypt']);
    expect(decrypted.status).toBe(0);
    expect(decrypted.stdout).toMatch(/client -> server +Application Data .*\n +000000  47 45 54 20 2f 20 01 02/);
  });

  it('--server-key opens an RSA session and a missing session is one line', async () => {
    const peer = await server(['-cipher', 'AES256-SHA256']);
    const run = tlslab(['client', `www.bank32.com:${peer.port}`, '--connect-to', '127.0.0.1', '--ca', pki.caCert, '--max-version', 'TLSv1.2', '--ciphers', 'AES256-SHA256', '--get', '/', '--json']);
    const id = JSON.parse(run.stdout).sessionId as number;
    const keys = tlslab(['sessions', 'show', String(id), '--keys', '--server-key', pki.serverKey]);
    expect(keys.status).toBe(0);
    expect(keys.stdout).toContain("keys from the server's private key (RSA key exchange)");
    expect(keys.stdout).toContain('pre_master_secret [48]: 0303');
    expect(keys.stdout).toContain('client_write_MAC_key [32]');

    const missing = tlslab(['sessions', 'show', '999999', '--decrypt']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('there is no session 999999');
  });
});
