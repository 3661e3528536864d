// The lab's last step in a real browser: Chromium with --proxy-server pointing at the proxy's
// CONNECT port and the workbench CA in a throwaway NSS database loads a page with several
// resources through the proxy, with no certificate error; each of its connections is a session.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyInfo } from '../../src-main/api/proxyTypes';
import { Workbench } from '../../src-main/workbench';
import { launchWithHome, nssHome } from '../support/e2e';
import { makeUpstreamPki, startPythonUpstream, type PythonUpstream } from '../support/proxyPeers';
import { waitUntil } from '../support/waitUntil';

let tmp: string;
let wb: Workbench;
let upstream: PythonUpstream;
let proxy: ProxyInfo;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-proxy-chromium-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Browser MITM CA', subject: '/O=TLS Lab/CN=Browser MITM CA' });
  fs.writeFileSync(path.join(tmp, 'ca.pem'), wb.workshop.trustAnchorsPem('Browser MITM CA').join(''));
  const pki = makeUpstreamPki();
  upstream = await startPythonUpstream(pki.cert, pki.key);
  proxy = await wb.proxies.start({
    ca: 'Browser MITM CA',
    mode: 'connect',
    connectListen: '127.0.0.1:0',
    // Chromium's own background requests (accounts.google.com, ...) must not make the proxy ask DNS.
    dns: false,
    map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }],
    upstreamTrust: { kind: 'file', path: pki.caCert },
  });
});

afterAll(async () => {
  await wb?.close();
  await upstream?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A HOME whose NSS database trusts the workbench CA, or trusts nothing. */
function home(trustCa: boolean): string {
  return nssHome(path.join(tmp, trustCa ? 'trusting' : 'untrusting'), trustCa ? path.join(tmp, 'ca.pem') : null, 'wbca');
}

async function visit(homeDir: string) {
  const context = await launchWithHome(homeDir, [`--proxy-server=http://${proxy.connectAddress}`]);
  const loaded: { url: string; status: number }[] = [];
  try {
    const page = await context.newPage();
    page.on('response', (r) => loaded.push({ url: r.url(), status: r.status() }));
    try {
      await page.goto('https://www.example.com/', { waitUntil: 'load' });
      const images = await page.evaluate<boolean[]>('[...document.images].map((i) => i.complete && i.naturalWidth > 0)');
      const color = await page.evaluate<string>("getComputedStyle(document.querySelector('h1')).color");
      return { title: await page.title(), error: null, loaded, images, color };
    } catch (err) {
      return { title: null, error: (err as Error).message, loaded, images: [], color: null };
    }
  } finally {
    await context.close();
  }
}

describe('Chromium through the proxy', () => {
  it('with the workbench CA in its NSS database it loads the page and its resources with no certificate error', async () => {
    const result = await visit(home(true));
    expect(result.error).toBeNull();
    expect(result.title).toBe('Example Domain');
    for (const p of ['/', '/style.css', '/app.js', '/logo.svg', '/pixel.svg']) {
      expect(result.loaded.find((r) => new URL(r.url).pathname === p)?.status).toBe(200);
    }
    expect(result.images).toEqual([true, true]);
    expect(result.color).toBe('rgb(0, 51, 102)');
    // The page's five requests are recorded as Chromium's connections end: wait for them, however long that takes.
    const servedSessions = async () => {
      const sessions = await Promise.all(wb.listSessions(100).filter((s) => s.kind === 'proxy' && s.target === 'www.example.com:443').map((s) => wb.session(s.id)));
      return sessions.filter((s) => (s.proxy?.exchanges ?? 0) > 0);
    };
    let exchanges = 0;
    const served = await waitUntil(
      () => `the proxy to record the page's 5 exchanges (${exchanges} so far)`,
      async () => {
        const found = await servedSessions();
        exchanges = found.reduce((n, s) => n + s.proxy!.exchanges, 0);
        return exchanges >= 5 ? found : null;
      },
    );
    expect(served.length).toBeGreaterThan(0);
    expect(served.reduce((n, s) => n + s.proxy!.exchanges, 0)).toBeGreaterThanOrEqual(5);
    for (const s of served) {
      expect(s.connections.map((c) => c.leg)).toEqual(['proxy-client', 'proxy-upstream']);
      expect(s.proxy?.victim.alpn).toBe('http/1.1');
      expect(s.connections[0].localCertificates[0].issuer).toContain('CN=Browser MITM CA');
    }
  });

  it('without the CA, Chromium shows the certificate error, and the proxy records that the victim refused', async () => {
    const result = await visit(home(false));
    expect(result.title).toBeNull();
    expect(result.error).toContain('net::ERR_CERT_AUTHORITY_INVALID');
    const refused = await waitUntil('the proxy to record that Chromium refused the forged certificate', async () => {
      const found = await Promise.all(wb.listSessions(100).filter((s) => s.kind === 'proxy' && s.error?.code === 'VICTIM_REJECTED_CERTIFICATE').map((s) => wb.session(s.id)));
      return found.length > 0 ? found : null;
    });
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].proxy?.failedLeg).toBe('victim');
    expect(refused[0].error?.message).toContain('refused the forged certificate');
  });
});
