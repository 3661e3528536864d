// The Proxy view in Chromium, in browser mode, against a real engine: a student starts a
// transparent man-in-the-middle proxy from the form (a workshop CA, a host map entry pointing at a
// real server made with openssl and run by Python, a response rewrite), sends curl through it, sees
// the connection arrive live, opens the session and finds the forged and the real certificate side
// by side with their differences marked and the rule that fired; a victim that trusts only the real
// CA refuses the forged certificate, and the session names its alert.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { makeUpstreamPki, startPythonUpstream, type PythonUpstream, type UpstreamPki } from '../support/proxyPeers';
import { run } from '../support/run';

let app: E2eApp;
let engine: E2eApp['engine'];
let browser: E2eApp['browser'];
let wbca: string;
let pki: UpstreamPki;
let upstream: PythonUpstream;

beforeAll(async () => {
  app = await startE2e('proxy');
  ({ engine, browser } = app);

  // The CA the victim is made to trust, from the certificate workshop.
  const ca = await engine.workbench.workshop.createCa({ name: 'Lab MITM CA', subject: '/O=TLS Lab/CN=Lab MITM CA' });
  wbca = path.join(app.tmp, 'wbca.pem');
  fs.writeFileSync(wbca, ca.certificatePem);
  // The real site: www.example.com with a certificate from a CA made by openssl, served by Python.
  pki = makeUpstreamPki();
  upstream = await startPythonUpstream(pki.cert, pki.key);
});

afterAll(async () => {
  await app?.close();
  await upstream?.stop();
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('the Proxy view in Chromium', () => {
  it('starts a transparent proxy from the form, shows curl live, and opens forged vs real with the rule that fired', async () => {
    const page = await newPage(browser, { acceptDownloads: true });
    const errors = collectPageErrors(page);

    await page.goto(engine.url);
    await page.getByTestId('nav-proxy').click();
    await page.getByRole('heading', { name: 'Proxy', exact: true }).waitFor();

    // With no proxy yet the form is open, the workshop's only CA already chosen; a bad map line is explained before the
    // engine is asked, and the field it concerns takes the focus.
    await page.getByTestId('proxy-form').waitFor();
    await expect.poll(() => page.getByTestId('proxy-ca').inputValue()).toBe('Lab MITM CA');
    await page.getByTestId('proxy-listen').fill('127.0.0.1:0');
    await page.getByTestId('proxy-map').fill('www.example.com 127.0.0.1');
    await page.getByTestId('proxy-form-submit').click();
    expect(await text(page, 'proxy-map-error')).toContain('HOST=ADDR:PORT');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('proxy-map');

    await page.getByTestId('proxy-map').fill(`www.example.com=127.0.0.1:${upstream.port}`);
    await page.getByTestId('proxy-upstream-file').check();
    await page.getByTestId('proxy-upstream-path').fill(pki.caCert);
    await page.getByTestId('proxy-rule-add-response').click();
    await page.getByTestId('proxy-rule-0-find').fill('cybersecurity');
    await page.getByTestId('proxy-rule-0-replace').fill('SEED+Labs');
    await page.getByTestId('proxy-label').fill('Lab MITM');
    await screenshot(page, 'proxy-01-start-form');
    await page.getByTestId('proxy-form-submit').click();

    const card = page.getByTestId('proxy-card').first();
    await card.waitFor();
    expect(await card.getAttribute('data-status')).toBe('running');
    expect(await text(page, 'proxy-notice')).toContain('Started Lab MITM');
    expect(await text(page, 'proxy-rules')).toContain('"cybersecurity" → "SEED+Labs"');
    const listening = engine.workbench.proxies.list()[0].transparentAddress!;
    expect(await text(page, 'proxy-addresses')).toContain(listening);
    const port = Number(listening.split(':').pop());
    expect(port).toBeGreaterThan(0);

    // The try-it commands' ca.pem is the proxy's CA, saved from the card with one click.
    expect(await text(page, 'proxy-try-ca')).toContain('“Lab MITM CA”, which signs the forged certificates');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('proxy-try-ca-save').click()]);
    expect(download.suggestedFilename()).toBe('ca.pem');
    const victimCa = path.join(app.tmp, 'victim-ca.pem');
    await download.saveAs(victimCa);
    expect(fs.readFileSync(victimCa, 'utf8').trim()).toBe(fs.readFileSync(wbca, 'utf8').trim());

    // The victim: curl trusting only the workbench CA (that saved ca.pem), its "host table" sending www.example.com to the proxy.
    const victim = await run('curl', ['-sS', '--cacert', victimCa, '--resolve', `www.example.com:${port}:127.0.0.1`, `https://www.example.com:${port}/`]);
    expect(victim.code, victim.output).toBe(0);
    expect(victim.output).toContain('Learn SEED+Labs at www.example.com');
    expect(victim.output).not.toContain('cybersecurity');

    // It shows up in the card's live list, with its rule.
    const okRow = page.locator('[data-testid="proxy-connection-row"][data-outcome="ok"]').first();
    await okRow.waitFor();
    expect(await okRow.getByTestId('proxy-connection-host').innerText()).toContain('www.example.com');
    expect(await okRow.getByTestId('proxy-connection-rules').innerText()).toBe('1 rule fired');
    const okSession = Number(await okRow.getAttribute('data-session-id'));

    // A victim that trusts only the real site's CA refuses the forged certificate: the row names its alert.
    const careful = await run('curl', ['-sS', '--cacert', pki.caCert, '--resolve', `www.example.com:${port}:127.0.0.1`, `https://www.example.com:${port}/`]);
    expect(careful.code).not.toBe(0);
    const failedRow = page.locator('[data-testid="proxy-connection-row"][data-outcome="failed"]').first();
    await failedRow.waitFor();
    expect(await failedRow.getByTestId('proxy-connection-alert').innerText()).toBe('unknown_ca');
    const failedSession = Number(await failedRow.getAttribute('data-session-id'));
    // The counters follow (the engine reports them a moment after the connection ends).
    await page.getByTestId('proxy-counts').filter({ hasText: '2 connections · 1 failed' }).waitFor();
    await screenshot(page, 'proxy-02-running-with-connections');

    // After a reload the ended connections keep what their events said: the rule and the alert
    // (the session list alone has neither).
    await page.reload();
    const again = (outcome: string) => page.locator(`[data-testid="proxy-connection-row"][data-outcome="${outcome}"]`).first();
    await again('ok').getByTestId('proxy-connection-rules').filter({ hasText: '1 rule fired' }).waitFor();
    expect(await again('failed').getByTestId('proxy-connection-alert').innerText()).toBe('unknown_ca');

    // The session: forged and real certificate side by side, differences marked.
    await okRow.getByTestId('proxy-connection-open').click();
    await page.getByTestId('proxy-certificate-diff').waitFor();
    const diff = async (field: string) => {
      const row = page.locator(`[data-testid="proxy-diff-row"][data-field="${field}"]`);
      return {
        same: await row.getAttribute('data-same'),
        forged: (await row.getByTestId('proxy-diff-forged').innerText()).trim(),
        real: (await row.getByTestId('proxy-diff-real').innerText()).trim(),
      };
    };
    const issuer = await diff('issuer');
    expect(issuer.same).toBe('false');
    expect(issuer.forged).toContain('Lab MITM CA');
    expect(issuer.real).toContain('Example');
    const names = await diff('names');
    expect(names.same).toBe('true');
    expect(names.forged).toContain('DNS:www.example.com');
    expect((await diff('fingerprint')).same).toBe('false');
    expect((await diff('serial')).same).toBe('false');
    expect((await diff('key')).same).toBe('false');
    const fired = page.getByTestId('proxy-rule-fired');
    expect(await fired.count()).toBe(1);
    expect(await fired.first().innerText()).toContain('"cybersecurity" → "SEED+Labs"');
    expect(await fired.first().innerText()).toContain('response body');
    expect(await text(page, 'proxy-fact-upstream-verification')).toContain('verified');
    // Both legs' timelines, one per connection.
    expect(await page.getByTestId('connection-timeline').count()).toBe(2);
    expect(await page.getByTestId('connection-timeline').first().innerText()).toContain('client to proxy');
    expect(await page.getByTestId('connection-timeline').nth(1).innerText()).toContain('proxy to server');
    expect(page.url()).toContain(`#/sessions/${okSession}`);
    // The header's verdict is about both legs.
    expect(await text(page, 'outcome-badge')).toContain('Intercepted');
    expect(await text(page, 'session-outcome-detail')).toContain('forged for www.example.com by "Lab MITM CA"');
    await screenshot(page, 'proxy-03-session-forged-vs-real');
    await page.getByTestId('proxy-certificate-diff').screenshot({ path: path.join(SCREENSHOTS, 'proxy-03b-certificate-diff.png') });
    await page.getByTestId('proxy-legs').screenshot({ path: path.join(SCREENSHOTS, 'proxy-03c-legs.png') });

    // Inside the handshake draws the proxy column.
    await page.getByTestId('tab-inside').click();
    await page.getByTestId('ladder').first().waitFor();
    expect(await page.getByTestId('ladder').first().innerText()).toMatch(/proxy/i);
    await screenshot(page, 'proxy-04-session-inside');

    // The refused victim: the failure is explained with its alert, on the victim's leg.
    await page.evaluate(`location.hash = '#/sessions/${failedSession}'`);
    await page.getByTestId('proxy-failure').waitFor();
    expect(await text(page, 'proxy-failure-alert')).toBe('unknown_ca');
    expect(await text(page, 'proxy-failure')).toContain('victim ↔ proxy');
    expect(await text(page, 'proxy-failure')).toContain('Lab MITM CA');
    await screenshot(page, 'proxy-05-session-victim-refused');

    // Stop and remove.
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-stop').click();
    await page.locator('[data-testid="proxy-card"][data-status="stopped"]').waitFor();
    expect(engine.workbench.proxies.list()[0].status).toBe('stopped');
    await page.getByTestId('proxy-remove').click();
    await page.getByTestId('proxies-empty').waitFor();
    expect(engine.workbench.proxies.list()).toHaveLength(0);
    expect(await page.getByTestId('proxy-notice').count()).toBe(0);
    // With no proxy left the form is open again, and the empty list points at it.
    expect(await page.getByTestId('proxy-form').count()).toBe(1);
    expect(await text(page, 'proxies-empty')).toBe('No proxy yet. Fill in the form above to start one; it stops when the engine stops.');

    expect(errors).toEqual([]);
    await page.context().close();
  });
});
