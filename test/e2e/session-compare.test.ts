// Compare, in Chromium against a real engine: a TLS 1.3 and a TLS 1.2 client session against the
// workbench's own lab server, ticked in the Sessions view and compared; the page says what a
// student came to see (one round trip less in TLS 1.3), marks the version row as different and
// the messages only one handshake sent. From a session's page, "Compare with…" opens the same
// page; a session compared with itself, or one that is not there, says so in one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ProxyInfo } from '../../src-main/api/proxyTypes';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { collectPageErrors, openWorkbench, screenshot, startE2e, text, type E2eApp } from '../support/e2e';

const HOST = 'www.bank32.com';

let app: E2eApp;
let api: ApiConnection;
let tls13: SessionDetail;
let tls12: SessionDetail;
let request: Record<string, unknown>;
let serverPort: number;

beforeAll(async () => {
  app = await startE2e('session-compare');
  api = await connectApi(app.engine);
  await api.result('pki.ca.create', { name: 'Lab Root', subject: { CN: 'Lab Root CA', O: 'Lab' }, key: 'ec:P-256' });
  await api.result('pki.cert.issue', { ca: 'Lab Root', name: 'bank32', subject: { CN: HOST }, subjectAltNames: [`DNS:${HOST}`] });
  const server = await api.result<ServerInfo>('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'bank32' } } });
  serverPort = server.port;
  request = {
    host: HOST, port: server.port, connectTo: '127.0.0.1', trust: { kind: 'lab', name: 'Lab Root' },
    verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' }, timeoutMs: 60_000,
  };
  tls13 = await api.result<SessionDetail>('client.run', { ...request, minVersion: 'TLSv1.3' });
  tls12 = await api.result<SessionDetail>('client.run', { ...request, maxVersion: 'TLSv1.2' });
});

afterAll(async () => {
  api?.close();
  await app?.close();
});

async function fact(page: Page, key: string): Promise<{ differs: string | null; text: string }> {
  const row = page.locator(`[data-testid="compare-fact"][data-fact="${key}"]`);
  return { differs: await row.getAttribute('data-differs'), text: (await row.innerText()).replace(/\s+/g, ' ').trim() };
}

describe('comparing two sessions', () => {
  it('shows TLS 1.3 against TLS 1.2 side by side, from the Sessions view', async () => {
    expect(tls13.status).toBe('ok');
    expect(tls12.status).toBe('ok');
    expect([tls13.version, tls12.version]).toEqual(['TLSv1.3', 'TLSv1.2']);
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);

    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('sessions-table').waitFor();
    expect(await text(page, 'sessions-compare-hint')).toContain('Tick two sessions');
    const pick = (id: number) => page.locator(`[data-testid="sessions-row"][data-session-id="${id}"]`).getByTestId('session-compare-pick');
    await pick(tls13.id).check();
    expect(await text(page, 'sessions-compare-hint')).toBe(`Session #${tls13.id} ticked: tick one more to compare them.`);
    await pick(tls12.id).check();
    const button = page.getByTestId('sessions-compare');
    expect((await button.innerText()).trim()).toBe(`Compare #${tls13.id} and #${tls12.id}`);
    await button.click();

    await page.getByTestId('compare-facts').waitFor();
    await expect.poll(() => page.title()).toBe(`Compare #${tls13.id} and #${tls12.id} · TLS Lab Workbench`);
    expect(page.url()).toContain(`#/compare/${tls13.id}/${tls12.id}`);
    // The sidebar shows the comparison under Sessions, where it was made (not as the Sessions page itself).
    expect(await page.getByTestId('nav-sessions').getAttribute('class')).toContain('active');
    expect(await page.getByTestId('nav-sessions').getAttribute('aria-current')).toBeNull();
    // The lesson first, in one sentence.
    expect(await text(page, 'compare-summary')).toBe(`TLS 1.3 (#${tls13.id}) finished its handshake in 1 round trip, TLS 1.2 (#${tls12.id}) in 2.`);

    // The version row is marked in words, not only in colour; the same server gave the same certificate.
    const version = await fact(page, 'version');
    expect(version.differs).toBe('true');
    expect(version.text).toBe('TLS version differs TLS 1.3 TLS 1.2');
    expect((await fact(page, 'round-trips')).text).toContain('1 round trip 2 round trips');
    expect((await fact(page, 'target')).differs).toBe('false');
    expect((await fact(page, 'cert-fingerprint')).differs).toBe('false');
    expect(await page.getByTestId('compare-fact-note').innerText()).toBe('same certificate');
    // As the engine read each handshake: the TLS 1.3 group from its key_share, not guessed from the suite.
    expect((await fact(page, 'key-exchange')).text).toMatch(/ECDHE · (x25519|secp256r1|X25519MLKEM768) · forward secrecy/);

    // The flights: TLS 1.3's client sends its request with its Finished; TLS 1.2's only after the server's.
    const left = await page.locator('[data-testid="compare-flight"][data-side="left"]').allInnerTexts();
    const right = await page.locator('[data-testid="compare-flight"][data-side="right"]').allInnerTexts();
    expect(left[0]).toContain('ClientHello');
    expect(right[0]).toContain('ClientHello');
    expect(left[1]).toContain('EncryptedExtensions');
    expect(right[1]).toContain('ServerKeyExchange');
    expect(left[2]).toContain('Application Data');
    expect(right[2]).not.toContain('Application Data');
    // Messages one handshake has and the other does not are marked "only here".
    const onlyLeft = await page.locator('[data-testid="compare-flight"][data-side="left"] [data-only="true"]').allInnerTexts();
    const onlyRight = await page.locator('[data-testid="compare-flight"][data-side="right"] [data-only="true"]').allInnerTexts();
    expect(onlyLeft.join(' | ')).toContain('EncryptedExtensions');
    expect(onlyLeft.join(' | ')).toContain('CertificateVerify');
    expect(onlyRight.join(' | ')).toContain('ServerKeyExchange');
    expect(onlyRight.join(' | ')).toContain('ClientKeyExchange');
    expect(onlyLeft.concat(onlyRight).every((t) => t.includes('only here'))).toBe(true);
    expect(onlyLeft.join(' ')).not.toMatch(/\bCertificate only here/);

    await screenshot(page, 'session-compare');
    await page.setViewportSize({ width: 1024, height: 800 });
    // Nothing wider than the window at 1024 pixels: the page does not scroll sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'session-compare-1024');
    expect(errors).toEqual([]);
  });

  it('opens the same page from a session with "Compare with…", and refuses a session with itself or one that is not there', async () => {
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);
    await page.evaluate(`location.hash = '#/sessions/${tls12.id}'`);
    await page.getByTestId('compare-with').click();
    const select = page.getByTestId('compare-with-select');
    await select.selectOption(String(tls13.id));
    await page.getByTestId('compare-with-go').click();
    await page.getByTestId('compare-summary').waitFor();
    // The older session on the left, whichever page it was asked from.
    expect(page.url()).toContain(`#/compare/${tls13.id}/${tls12.id}`);

    await page.evaluate(`location.hash = '#/compare/${tls12.id}/${tls12.id}'`);
    expect(await text(page, 'compare-refused')).toContain(`Session #${tls12.id} compared with itself shows no difference: pick two different sessions.`);

    await page.evaluate(`location.hash = '#/compare/${tls12.id}/9999'`);
    const sides = page.getByTestId('compare-side');
    await expect.poll(async () => (await sides.nth(1).innerText()).includes('Session #9999 is not there')).toBe(true);
    expect(await sides.nth(1).innerText()).toContain('pick another one in Sessions');
    await expect.poll(async () => (await sides.nth(0).innerText()).includes('is ready')).toBe(true);
    expect(await page.getByTestId('compare-facts').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('warns of a man in the middle when the same name came with another certificate through the proxy', async () => {
    const proxy = await api.result<ProxyInfo>('proxies.start', {
      config: { ca: 'Lab Root', listen: '127.0.0.1:0', map: [{ host: HOST, address: `127.0.0.1:${serverPort}` }], upstreamTrust: { kind: 'lab', name: 'Lab Root' } },
    });
    const proxyPort = Number(proxy.transparentAddress!.split(':')[1]);
    // The proxy forges with the lab's own CA, which this client trusts: the session verifies all the same.
    const proxied = await api.result<SessionDetail>('client.run', { ...request, port: proxyPort, minVersion: 'TLSv1.3' });
    expect(proxied.status).toBe('ok');
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);
    await page.evaluate(`location.hash = '#/compare/${tls13.id}/${proxied.id}'`);
    expect(await text(page, 'compare-summary')).toContain(`The two sessions got different certificates for ${HOST}: one of them may come from a man in the middle`);
    expect((await fact(page, 'cert-fingerprint')).differs).toBe('true');
    expect(await page.getByTestId('compare-fact-note').innerText()).toBe('different certificates');
    expect((await fact(page, 'version')).differs).toBe('false');
    expect(errors).toEqual([]);
  });
});
