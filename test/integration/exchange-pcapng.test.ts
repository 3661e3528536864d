// Sessions leave the workbench as captures Wireshark reads: the workbench's client against
// `openssl s_server -www`, its own server, and its proxy; tshark is the judge of the exported
// pcapng (decrypted with the embedded key log alone, expected streams, nothing malformed or out of
// order), of --no-secrets (an RSA key exchange opens with the server key, ECDHE does not), of
// the key log export (it opens Wireshark's own loopback capture of the same traffic, made by
// dumpcap), and the import of that capture with its key log shows the same handshake.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientSessionRequest, Direction } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { startLoopbackCapture, tshark } from '../support/loopbackCapture';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { makeUpstreamPki, startPythonUpstream, type PythonUpstream } from '../support/proxyPeers';
import { isSessionOf } from '../support/serverSessions';
import { tlslabSync } from '../support/run';


let pki: TestPki;
let wb: Workbench;
let dataDir: string;
let tmp: string;
const peers: RunningPeer[] = [];

beforeAll(() => {
  pki = makeTestPki('tlslab-exchange-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-exchange-'));
  dataDir = path.join(tmp, 'data');
  wb = new Workbench({ dataDir });
});

afterAll(async () => {
  await wb?.close();
  for (const peer of peers) await peer.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => tlslabSync(dataDir, args);

async function opensslPeer(args: string[]): Promise<RunningPeer> {
  const peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', ...args]);
  peers.push(peer);
  return peer;
}

function request(port: number, uri: string, overrides: Partial<ClientSessionRequest> = {}): ClientSessionRequest {
  return {
    host: 'www.bank32.com',
    port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: uri },
    ...overrides,
  };
}

/** Exports with the tlslab command, as a user would. */
function exportSession(id: number, format: string, extra: string[] = []): string {
  const out = path.join(tmp, `session-${id}-${format}${extra.length ? '-nosecrets' : ''}.${format}`);
  const result = cli(['sessions', 'export', String(id), '--format', format, '--out', out, ...extra]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return out;
}

function decodeAs(ports: number[]): string[] {
  return ports.flatMap((p) => ['-d', `tcp.port==${p},tls`]);
}

function uris(file: string, ports: number[], options: string[] = []): string[] {
  return tshark(['-r', file, ...decodeAs(ports), ...options, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'])
    .split('\n')
    .filter(Boolean);
}

/** `tshark -z conv,tcp` rows as "a:port <-> b:port". */
function conversations(file: string): string[] {
  return tshark(['-r', file, '-q', '-z', 'conv,tcp'])
    .split('\n')
    .map((line) => /^(\S+:\d+)\s+<->\s+(\S+:\d+)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} <-> ${m[2]}`)
    .sort();
}

function complaints(file: string, ports: number[]): string {
  return tshark(['-r', file, ...decodeAs(ports), '-Y', 'tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning']);
}

const serverPort = (address: string | null) => Number(address!.split(':').pop());

describe('pcapng export read by tshark with no setup', () => {
  it.each([
    ['TLS 1.2', ['-tls1_2'], '/lesson/tls12?step=1'],
    ['TLS 1.3', ['-tls1_3'], '/lesson/tls13?step=2'],
  ])('%s: tshark decrypts the request URI with the embedded key log alone; one stream; nothing malformed or out of order', async (_title, args, uri) => {
    const peer = await opensslPeer(args);
    const id = await wb.recordClient(request(peer.port, uri));
    const detail = await wb.session(id);
    expect(detail.status).toBe('ok');
    const file = exportSession(id, 'pcapng');
    expect(uris(file, [peer.port])).toEqual([uri]);
    // Without the port decode tshark still reads the TCP, but not as TLS: the decode is the only option needed.
    const local = detail.connections[0].local!;
    expect(conversations(file)).toEqual([`${local} <-> 127.0.0.1:${peer.port}`]);
    expect(complaints(file, [peer.port])).toBe('');
    // Checksums are right too (tshark does not check them unless asked).
    const badSums = tshark(['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-Y', 'tcp.checksum.status != 1 || ip.checksum.status != 1']);
    expect(badSums).toBe('');
    // The key log is in the file: capinfos counts one secrets block.
    expect(execFileSync('capinfos', [file], { encoding: 'utf8' })).toMatch(/Number of decryption secrets in file: 1/);
  });

  it("a server session of the workbench's own server opens the same way", async () => {
    const server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.serverCert, keyPath: pki.serverKey } });
    try {
      await wb.recordClient(request(server.port, '/from-the-client?server=1', { maxVersion: 'TLSv1.3' }));
      let serverSession: number | undefined;
      for (let i = 0; i < 400 && serverSession === undefined; i++) {
        serverSession = wb.listSessions(50).find((s) => isSessionOf(s, server) && s.status !== 'running')?.id;
        if (serverSession === undefined) await new Promise((r) => setTimeout(r, 25));
      }
      expect(serverSession).toBeDefined();
      const file = exportSession(serverSession!, 'pcapng');
      expect(uris(file, [server.port])).toEqual(['/from-the-client?server=1']);
      expect(conversations(file)).toHaveLength(1);
      expect(complaints(file, [server.port])).toBe('');
    } finally {
      await wb.servers.stop(server.id);
    }
  });

  it('a proxy session: both legs as two streams, each decrypted (victim to proxy, proxy to the real server)', async () => {
    await wb.workshop.createCa({ name: 'Exchange MITM CA', subject: '/O=TLS Lab/CN=Exchange MITM CA' });
    const wbCa = path.join(tmp, 'mitm-ca.pem');
    fs.writeFileSync(wbCa, wb.workshop.trustAnchorsPem('Exchange MITM CA').join(''));
    const upstreamPki = makeUpstreamPki();
    const upstream: PythonUpstream = await startPythonUpstream(upstreamPki.cert, upstreamPki.key);
    try {
      const proxy = await wb.proxies.start({
        ca: 'Exchange MITM CA',
        mode: 'transparent',
        listen: '127.0.0.1:0',
        map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }],
        upstreamTrust: { kind: 'file', path: upstreamPki.caCert },
      });
      const proxyPort = serverPort(proxy.transparentAddress);
      const victim = await wb.recordClient({
        host: 'www.example.com',
        port: proxyPort,
        connectTo: '127.0.0.1',
        trust: { kind: 'file', path: wbCa },
        verifyPeer: true,
        checkHostname: true,
        send: { kind: 'http-get', path: '/through/the/proxy' },
      });
      expect((await wb.session(victim)).status).toBe('ok');
      let proxySession: number | undefined;
      for (let i = 0; i < 400 && proxySession === undefined; i++) {
        proxySession = wb.listSessions(50).find((s) => s.kind === 'proxy' && s.status !== 'running')?.id;
        if (proxySession === undefined) await new Promise((r) => setTimeout(r, 25));
      }
      const detail = await wb.session(proxySession!);
      expect(detail.connections.map((c) => c.leg).sort()).toEqual(['proxy-client', 'proxy-upstream']);
      const file = exportSession(proxySession!, 'pcapng');
      const ports = [proxyPort, upstream.port];
      expect(conversations(file)).toHaveLength(2);
      // The same request on both legs: the victim's to the proxy and the proxy's to the real server.
      const byStream = tshark(['-r', file, ...decodeAs(ports), '-Y', 'http.request', '-T', 'fields', '-e', 'tcp.dstport', '-e', 'http.request.uri'])
        .split('\n')
        .filter(Boolean)
        .sort();
      expect(byStream).toEqual([`${proxyPort}\t/through/the/proxy`, `${upstream.port}\t/through/the/proxy`].sort());
      expect(complaints(file, ports)).toBe('');
      await wb.proxies.stop(proxy.id);
    } finally {
      await upstream.stop();
    }
  });
});

describe('--no-secrets: the RSA key lesson', () => {
  it('an RSA key exchange opens in tshark with only the server key; an ECDHE one does not', async () => {
    const rsaPeer = await opensslPeer(['-cipher', 'AES128-GCM-SHA256', '-tls1_2']);
    const rsa = await wb.recordClient(request(rsaPeer.port, '/rsa/key/transport'));
    expect((await wb.session(rsa)).cipher?.iana).toBe('TLS_RSA_WITH_AES_128_GCM_SHA256');
    const ecdhePeer = await opensslPeer(['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-tls1_2']);
    const ecdhe = await wb.recordClient(request(ecdhePeer.port, '/ecdhe/forward/secrecy'));

    const rsaFile = exportSession(rsa, 'pcapng', ['--no-secrets']);
    const ecdheFile = exportSession(ecdhe, 'pcapng', ['--no-secrets']);
    expect(execFileSync('capinfos', [rsaFile], { encoding: 'utf8' })).not.toMatch(/decryption secrets/);
    // Nothing opens without a key.
    expect(uris(rsaFile, [rsaPeer.port])).toEqual([]);
    const withKey = (port: number) => ['-o', `uat:rsa_keys:"${pki.serverKey}",""`, '-o', `tls.keys_list:127.0.0.1,${port},http,${pki.serverKey}`];
    expect(uris(rsaFile, [rsaPeer.port], withKey(rsaPeer.port))).toEqual(['/rsa/key/transport']);
    expect(uris(ecdheFile, [ecdhePeer.port], withKey(ecdhePeer.port))).toEqual([]);
    // With secrets the ECDHE one opens: the key log is what it takes.
    expect(uris(exportSession(ecdhe, 'pcapng'), [ecdhePeer.port])).toEqual(['/ecdhe/forward/secrecy']);
  });
});

describe("Wireshark's own loopback capture (dumpcap)", () => {
  it.each([
    ['TLS 1.2', ['-tls1_2'], 'pcap'],
    ['TLS 1.3', ['-tls1_3'], 'pcapng'],
  ])('%s: the key log export decrypts it, and importing it (%s) with that key log shows the same handshake and bytes', async (title, args, format) => {
    const peer = await opensslPeer(args);
    const capture = path.join(tmp, `loopback-${peer.port}.${format}`);
    const capturing = await startLoopbackCapture(peer.port, capture, { format: format === 'pcap' ? 'pcap' : 'pcapng' });
    const uri = `/captured/${title.replace(' ', '')}`;
    const id = await wb.recordClient(request(peer.port, uri));
    await capturing.stop();

    const keylog = exportSession(id, 'keylog');
    expect((fs.statSync(keylog).mode & 0o077) === 0).toBe(true);
    expect(uris(capture, [peer.port], ['-o', `tls.keylog_file:${keylog}`])).toEqual([uri]);

    const imported = cli(['sessions', 'import', capture, '--keylog', keylog, '--json']);
    expect(imported.stderr).toBe('');
    const result = JSON.parse(imported.stdout) as { id: number; source: string; connections: number; notes: string[] };
    expect(result.source).toBe(format);
    // The knocks that proved the capture was running carry no TLS: only the session's stream is imported.
    expect(result.connections).toBe(1);

    const original = (await wb.decryptSession({ id }))[0];
    const copy = (await wb.decryptSession({ id: result.id }))[0];
    const names = (c: typeof original) => c.handshake.map((m) => `${m.direction} ${m.name}`);
    expect(names(copy)).toEqual(names(original));
    expect(copy.source).toBe('keylog');
    expect(copy.decrypted).toBe(original.decrypted);
    // The bytes tshark saw on the wire are the bytes the recorder kept.
    const bytes = async (sessionId: number, direction: Direction) =>
      Buffer.concat(wb.exchange.load(sessionId).connections[0].chunks.filter((c) => c.direction === direction).map((c) => c.data));
    for (const direction of ['client-to-server', 'server-to-client'] as const) {
      expect((await bytes(result.id, direction)).equals(await bytes(id, direction))).toBe(true);
    }
    const copied = await wb.session(result.id);
    const source = await wb.session(id);
    expect(copied.sni).toBe('www.bank32.com');
    expect(copied.version).toBe(source.version);
    // Both names, as the recorded session has them (OpenSSL's, e.g. ECDHE-RSA-AES256-GCM-SHA384, too).
    expect(copied.cipher).toEqual(source.cipher);
    // s_server sends the leaf alone; the recorder also keeps the chain Node built up to the CA.
    expect(copied.connections[0].peerCertificates.map((c) => c.fingerprintSha256)).toEqual([source.connections[0].peerCertificates[0].fingerprintSha256]);
  });
});
