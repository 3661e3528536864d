// Which key exchange did this connection use, and was the key fresh? Every session's detail says,
// as the engine read it from the recorded handshake: a client against openssl s_server, a lab
// server resumed by openssl s_client, and a proxy whose two legs agreed on different ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { formatSessionDetail } from '../../src-main/cli/format';
import { Workbench } from '../../src-main/workbench';
import { loopbackGet } from '../support/clientRequest';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { finishedProxySessions, openProxyLab, portOf, startLabProxy, type ProxyLab } from '../support/proxyPeers';
import { run } from '../support/run';
import { isSessionOf } from '../support/serverSessions';
import { waitUntil } from '../support/waitUntil';

let pki: TestPki;
let wb: Workbench;
const peers: RunningPeer[] = [];

beforeAll(() => {
  pki = makeTestPki();
  wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-kx-')) });
});

afterAll(async () => {
  await wb?.close();
  for (const p of peers) await p.stop();
});

async function opensslServer(args: string[]): Promise<RunningPeer> {
  const peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', ...args]);
  peers.push(peer);
  return peer;
}

describe('a client session against openssl s_server', () => {
  it('TLS 1.2 with AES128-GCM-SHA256: RSA key transport, no ephemeral key, on the detail and in `sessions show`', async () => {
    const server = await opensslServer(['-tls1_2', '-cipher', 'AES128-GCM-SHA256']);
    const s = await wb.runClient(loopbackGet('www.bank32.com', server.port, pki.caCert));
    expect(s.status).toBe('ok');
    expect(s.cipher?.iana).toBe('TLS_RSA_WITH_AES_128_GCM_SHA256');
    expect(s.connections[0].keyExchange).toMatchObject({ method: 'RSA', ephemeral: false, group: null, resumed: false });
    // The detail as read back from the store, then printed.
    const read = await wb.session(s.id);
    expect(read.connections[0].keyExchange?.method).toBe('RSA');
    expect(formatSessionDetail(read)).toContain(
      "  key exchange: RSA key transport: the client encrypts the premaster secret to the certificate's key; no ephemeral key, no forward secrecy",
    );
  });

  it('TLS 1.3 with -groups P-256: ECDHE on secp256r1, an ephemeral key', async () => {
    const server = await opensslServer(['-tls1_3', '-groups', 'P-256']);
    const s = await wb.runClient(loopbackGet('www.bank32.com', server.port, pki.caCert));
    expect(s.status).toBe('ok');
    expect(s.version).toBe('TLSv1.3');
    expect(s.connections[0].keyExchange).toMatchObject({ method: 'ECDHE', ephemeral: true, group: 'secp256r1', resumed: false, pskMode: null });
    expect(formatSessionDetail(await wb.session(s.id))).toContain('  key exchange: ECDHE with secp256r1: ephemeral key, forward secrecy');
  });
});

describe('a lab server session resumed by openssl s_client (TLS 1.3)', () => {
  it('the resumed connection took a fresh key share (psk_dhe_ke): forward secret still', async () => {
    const server: ServerInfo = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.serverCert, keyPath: pki.serverKey } });
    const sess = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-kx-sess-')), 'session.pem');
    const sClient = (args: string[]) =>
      run('openssl', ['s_client', '-connect', server.address, '-servername', 'www.bank32.com', '-CAfile', pki.caCert, '-tls1_3', '-ign_eof', ...args], {
        input: 'GET / HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n',
      });
    expect((await sClient(['-sess_out', sess])).output).toMatch(/New, TLSv1\.3/);
    expect((await sClient(['-sess_in', sess])).output).toMatch(/Reused, TLSv1\.3/);
    const found = await waitUntil('2 finished sessions of the lab server', () => {
      const mine = wb.listSessions(100).filter((s) => isSessionOf(s, server) && s.status !== 'running');
      return mine.length >= 2 ? mine : null;
    });
    const [full, resumed]: SessionDetail[] = await Promise.all(found.reverse().map((s) => wb.session(s.id)));
    expect(full.connections[0].keyExchange).toMatchObject({ method: 'ECDHE', ephemeral: true, resumed: false, pskMode: null });
    expect(resumed.connections[0].keyExchange).toMatchObject({ method: 'ECDHE', ephemeral: true, resumed: true, pskMode: 'psk_dhe_ke' });
    // What the server noted as it recorded agrees with the reading of the bytes.
    expect(resumed.server?.keyExchange).toEqual(resumed.connections[0].keyExchange);
    // Printed once among the facts (the server's own note of it stays in the timeline).
    expect(formatSessionDetail(resumed).match(/^ {2}key exchange: /gm)).toEqual(['  key exchange: ']);
    await wb.servers.stop(server.id);
  });
});

describe('a proxy session: each leg its own key exchange', () => {
  let lab: ProxyLab;

  beforeAll(async () => {
    lab = await openProxyLab('tlslab-kx-proxy-');
  });

  afterAll(async () => {
    await lab?.close();
  });

  it('the victim leg in TLS 1.3 with ECDHE, the upstream leg in TLS 1.2 with RSA key transport', async () => {
    const upstream = await startOpensslServer(lab.pki.cert, lab.pki.key, ['-www', '-tls1_2', '-cipher', 'AES128-GCM-SHA256']);
    peers.push(upstream);
    const proxy = await startLabProxy(lab, { map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }] });
    const victim = await lab.wb.runClient(loopbackGet('www.example.com', portOf(proxy.transparentAddress), lab.wbCa));
    expect(victim.status).toBe('ok');
    expect(victim.connections[0].keyExchange).toMatchObject({ method: 'ECDHE', ephemeral: true });
    const [s] = await finishedProxySessions(lab.wb, proxy);
    const leg = (name: string) => s.connections.find((c) => c.leg === name)?.keyExchange;
    expect(leg('proxy-client')).toMatchObject({ method: 'ECDHE', ephemeral: true });
    expect(leg('proxy-upstream')).toMatchObject({ method: 'RSA', ephemeral: false });
    const text = formatSessionDetail(s);
    expect(text).toMatch(/\(proxy-client\)[^\n]*\n[^\n]*\n  key exchange: ECDHE with \S+: ephemeral key, forward secrecy/);
    expect(text).toMatch(/\(proxy-upstream\)[^\n]*\n[^\n]*\n  key exchange: RSA key transport/);
  });
});
