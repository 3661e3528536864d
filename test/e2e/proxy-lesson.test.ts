// The man-in-the-middle lesson in the window: a victim that trusts the forging CA but checks a name
// the forged certificate does not hold refuses it, and its session says which check failed and
// what the victim's leg had agreed before the refusal; a victim that is fooled fetches the page,
// and its session says which side ended the connection first.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyInfo } from '../../src-main/api/proxyTypes';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { makeUpstreamPki, startPythonUpstream, type PythonUpstream, type UpstreamPki } from '../support/proxyPeers';
import { run } from '../support/run';
import { nodeVictim } from '../support/nodeVictim';

let app: E2eApp;
let pki: UpstreamPki;
let upstream: PythonUpstream;
let wbca: string;
let proxy: ProxyInfo;

beforeAll(async () => {
  app = await startE2e('proxy-lesson');
  const ca = await app.engine.workbench.workshop.createCa({ name: 'Lab MITM CA', subject: '/O=TLS Lab/CN=Lab MITM CA' });
  wbca = path.join(app.tmp, 'wbca.pem');
  fs.writeFileSync(wbca, ca.certificatePem);
  pki = makeUpstreamPki();
  upstream = await startPythonUpstream(pki.cert, pki.key);
  proxy = await app.engine.workbench.proxies.start({
    ca: 'Lab MITM CA',
    mode: 'transparent',
    listen: '127.0.0.1:0',
    map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }],
    upstreamTrust: { kind: 'file', path: pki.caCert },
  });
});

afterAll(async () => {
  await app?.close();
  await upstream?.stop();
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('the proxy lesson in the window', () => {
  it('a refusal names the failed check and keeps the victim leg’s version; a fooled victim’s session says who closed first', async () => {
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-card').first().waitFor();

    // openssl s_client trusts the forging CA but checks a name other than the one it sends by SNI.
    const refused = await run('openssl', [
      's_client', '-connect', proxy.transparentAddress!, '-servername', 'www.example.com', '-CAfile', wbca,
      '-verify_hostname', 'www.other.example', '-verify_return_error',
    ], { input: '' });
    expect(refused.output).toContain('hostname mismatch');
    // The alert and the versions come with the connection's own event, together.
    const failedRow = page.locator('[data-testid="proxy-connection-row"][data-outcome="failed"]').filter({ hasText: 'bad_certificate' }).first();
    await failedRow.waitFor();
    expect(await failedRow.getByTestId('proxy-connection-alert').innerText()).toBe('bad_certificate');
    // The row shows the version the victim's leg agreed before the refusal, not a dash.
    expect(await failedRow.innerText()).toContain('TLSv1.3 /');
    await screenshot(page, 'proxy-lesson-01-refused-row');

    await failedRow.getByTestId('proxy-connection-open').click();
    await page.getByTestId('proxy-failure').waitFor();
    const message = await text(page, 'proxy-failure-message');
    expect(message).toContain('trusts "Lab MITM CA"');
    expect(message).toContain('host name');
    expect(message).toContain('DNS:www.example.com');
    expect(await text(page, 'proxy-victim-version')).toBe('TLSv1.3');
    await screenshot(page, 'proxy-lesson-02-refused-session');

    // curl trusting the forging CA is fooled; the upstream (Python, one request per connection) ends first.
    const fooled = await run('curl', ['-sS', '--cacert', wbca, '--connect-to', `www.example.com:443:${proxy.transparentAddress}`, 'https://www.example.com/']);
    expect(fooled.code, fooled.output).toBe(0);
    await page.getByTestId('nav-proxy').click();
    const okRow = page.locator('[data-testid="proxy-connection-row"][data-outcome="ok"]').first();
    await okRow.waitFor();
    await okRow.getByTestId('proxy-connection-open').click();
    await page.getByTestId('proxy-fact-closed-first').waitFor();
    expect(await text(page, 'proxy-fact-closed-first')).toMatch(/^the (real server|victim); the proxy then closed/);
    // Each leg's key exchange, as the engine read it from that leg's handshake.
    expect(await text(page, 'proxy-fact-victim-key-exchange')).toContain('fresh key for this connection: forward secrecy');
    expect(await text(page, 'proxy-fact-upstream-key-exchange')).toMatch(/^ECDHE · /);
    await screenshot(page, 'proxy-lesson-03-fooled-session');
    expect(errors).toEqual([]);
  });

  it('a Node.js victim that leaves without an alert: the session says it left after seeing the forged certificate', async () => {
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-card').first().waitFor();
    const before = await page.locator('[data-testid="proxy-connection-row"]').count();
    const out = await nodeVictim(proxy.transparentAddress!);
    expect(out.stdout).toContain('refused SELF_SIGNED_CERT_IN_CHAIN');
    // The row comes from the session list first and is completed by the connection's own event.
    const row = page.locator('[data-testid="proxy-connection-row"][data-outcome="failed"]').filter({ hasText: 'after receiving the forged certificate' }).first();
    await row.waitFor();
    expect(await page.locator('[data-testid="proxy-connection-row"]').count()).toBe(before + 1);
    await row.getByTestId('proxy-connection-open').click();
    await page.getByTestId('proxy-failure').waitFor();
    expect(await page.getByTestId('proxy-failure').locator('h2').innerText()).toBe('The victim left after seeing the forged certificate');
    expect(await page.getByTestId('proxy-failure').innerText()).toContain('SELF_SIGNED_CERT_IN_CHAIN');
    await screenshot(page, 'proxy-lesson-04-silent-refusal');
    expect(errors).toEqual([]);
  });
});
