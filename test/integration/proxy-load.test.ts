// 100 concurrent victims, each with 20 keep-alive requests, through the transparent proxy to a
// Python upstream: every request answered, every connection one recorded session with both legs.
// And one large download through it, byte for byte.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/workbench';
import { makeUpstreamPki, startPythonUpstream, type PythonUpstream } from '../support/proxyPeers';
import { run } from '../support/run';

let tmp: string;
let wb: Workbench;
let upstream: PythonUpstream;
let wbCa: string;
let caCert: string;
let upstreamPki: ReturnType<typeof makeUpstreamPki>;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-proxy-load-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Load CA', subject: '/CN=Load CA' });
  wbCa = path.join(tmp, 'wbca.pem');
  fs.writeFileSync(wbCa, wb.workshop.trustAnchorsPem('Load CA').join(''));
  const pki = makeUpstreamPki();
  upstreamPki = pki;
  caCert = pki.caCert;
  upstream = await startPythonUpstream(pki.cert, pki.key);
});

afterAll(async () => {
  await wb?.close();
  await upstream?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const VICTIMS = String.raw`
import http.client, json, socket, ssl, sys, threading
cafile, port, victims, requests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=cafile)
class Victim(http.client.HTTPSConnection):
    def connect(self):
        raw = socket.create_connection(('127.0.0.1', port), timeout=60)
        self.sock = ctx.wrap_socket(raw, server_hostname='www.example.com')
results = {'ok': 0, 'failed': []}
lock = threading.Lock()
start = threading.Barrier(victims)
def victim(n):
    try:
        conn = Victim('www.example.com', port, context=ctx, timeout=60)
        start.wait()
        for i in range(requests):
            conn.request('GET', '/victim/%d/%d' % (n, i))
            body = conn.getresponse().read()
            assert b'Example Domain' in body and (b'/victim/%d/%d' % (n, i)) in body
            with lock: results['ok'] += 1
        conn.close()
    except Exception as e:
        with lock: results['failed'].append(repr(e))
threads = [threading.Thread(target=victim, args=(n,)) for n in range(victims)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(results))
`;

describe('the proxy under load', () => {
  it('100 concurrent victims x 20 requests all succeed, and all are recorded with both legs linked', async () => {
    const proxy = await wb.proxies.start({
      ca: 'Load CA',
      listen: '127.0.0.1:0',
      map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }],
      upstreamTrust: { kind: 'file', path: caCert },
    });
    const port = proxy.transparentAddress!.split(':')[1];
    const out = await run('python3', ['-c', VICTIMS, wbCa, port, '100', '20'], { timeoutMs: 240_000 });
    const result = JSON.parse(out.stdout) as { ok: number; failed: string[] };
    expect(result.failed).toEqual([]);
    expect(result.ok).toBe(2000);
    const stopped = await wb.proxies.stop(proxy.id);
    expect(stopped.connections).toBe(100);
    expect(stopped.failed).toBe(0);
    const sessions = wb.listSessions(1000).filter((s) => s.kind === 'proxy');
    expect(sessions).toHaveLength(100);
    expect(sessions.every((s) => s.status === 'ok')).toBe(true);
    let exchanges = 0;
    for (const summary of sessions) {
      const s = await wb.session(summary.id);
      expect(s.connections.map((c) => c.leg)).toEqual(['proxy-client', 'proxy-upstream']);
      expect(s.connections[1].peerCertificates[0].subject).toContain('CN=www.example.com');
      expect(s.connections[0].localCertificates[0].issuer).toBe('CN=Load CA');
      expect(s.connections.every((c) => c.keylog.length > 0)).toBe(true);
      exchanges += s.proxy!.exchanges;
    }
    expect(exchanges).toBe(2000);
  });

  it('a 24 MiB download reaches the victim byte for byte, and both legs record every byte', async () => {
    const body = crypto.randomBytes(24 * 1024 * 1024 + 777);
    const real = https.createServer({ cert: fs.readFileSync(upstreamPki.cert), key: fs.readFileSync(upstreamPki.key) }, (_req, res) => {
      res.writeHead(200, { 'Content-Length': body.length });
      res.end(body);
    });
    await new Promise<void>((resolve) => real.listen(0, '127.0.0.1', resolve));
    const realPort = (real.address() as AddressInfo).port;
    const proxy = await wb.proxies.start({
      ca: 'Load CA',
      listen: '127.0.0.1:0',
      map: [{ host: 'www.example.com', address: `127.0.0.1:${realPort}` }],
      upstreamTrust: { kind: 'file', path: caCert },
    });
    const got = path.join(tmp, 'got.bin');
    const out = await run('curl', ['-sS', '--cacert', wbCa, '--connect-to', `www.example.com:443:${proxy.transparentAddress}`, '-o', got, 'https://www.example.com/big'], { timeoutMs: 120_000 });
    expect(out.stderr).toBe('');
    expect(fs.readFileSync(got).equals(body)).toBe(true);
    await wb.proxies.stop(proxy.id);
    await new Promise<void>((resolve) => real.close(() => resolve()));
    const [summary] = wb.listSessions(1000).filter((s) => s.kind === 'proxy' && s.address === `127.0.0.1:${realPort}`);
    const s = await wb.session(summary.id);
    expect(s.status).toBe('ok');
    const [victimLeg, upstreamLeg] = s.connections;
    expect(upstreamLeg.bytesServerToClient).toBeGreaterThan(body.length);
    expect(victimLeg.bytesServerToClient).toBeGreaterThan(body.length);
    expect(upstreamLeg.recordedServerToClient).toBe(upstreamLeg.bytesServerToClient);
    expect(victimLeg.recordedServerToClient).toBe(victimLeg.bytesServerToClient);
    // The recorded bytes are the ones sent: every protected record of both legs opens.
    for (const leg of await wb.decryptSession({ id: s.id, limit: 10_000 })) {
      expect(leg.total).toBeGreaterThan(1500);
      expect(leg.decrypted).toBe(leg.total);
    }
  });
});
