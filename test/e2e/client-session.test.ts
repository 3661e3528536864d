// The workbench in Chromium, in browser mode, against a real engine and a real openssl s_server:
// a student fills the client form, runs the session, reads the result, reloads, finds it again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startEngine } from '../../src-main/host/engine';
import { SCREENSHOTS, collectPageErrors, makeLabPki, newPage as openPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let app: E2eApp;
let tmp: string;
let engine: E2eApp['engine'];
let caFile: string;
let pki: ReturnType<typeof makeLabPki>;
let serverPort: number;
let server: RunningPeer;

function newPage(): Promise<Page> {
  return openPage(app.browser);
}

async function runClientSession(page: Page, host: string): Promise<void> {
  await page.getByTestId('nav-new-client').click();
  await page.getByTestId('client-host').fill(host);
  await page.getByTestId('client-port').fill(String(serverPort));
  await page.getByTestId('client-connect-to').fill('127.0.0.1');
  await page.getByTestId('client-trust-kind').selectOption('file');
  await page.getByTestId('client-trust-path').fill(caFile);
  await page.getByTestId('client-send-http-get').check();
  await page.getByTestId('client-http-path').fill('/');
}

beforeAll(async () => {
  app = await startE2e('client');
  ({ tmp, engine } = app);
  pki = makeLabPki(tmp);
  caFile = pki.ca;
  // openssl s_server answering GET with its status page (-www).
  server = await startOpensslServer(pki.cert, pki.key);
  serverPort = server.port;
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
});

describe('the workbench in Chromium', () => {
  it('runs a client session against openssl s_server, shows cipher, certificate and timeline, and keeps it after a reload', async () => {
    const page = await newPage();
    const pageErrors = collectPageErrors(page);

    await page.goto(engine.url);
    await page.getByRole('heading', { name: 'New client session' }).waitFor();
    // The token leaves the address bar once it is stored for this window.
    expect(page.url()).not.toContain(engine.token);

    // Mistakes are explained next to the field, before anything reaches the engine.
    await page.getByTestId('client-host').fill('https://www.bank32.com/');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'client-host-error')).toContain('without "https://"');
    await screenshot(page, '00-form-validation');

    await runClientSession(page, 'www.bank32.com');
    expect(await page.getByTestId('client-host-error').count()).toBe(0);
    await screenshot(page, '01-new-client-form');
    await page.getByTestId('client-connect').click();

    await page.getByTestId('session-detail').waitFor();
    await page.getByTestId('cipher-openssl').waitFor({ timeout: 30_000 });
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    expect(await page.getByTestId('outcome-badge').getAttribute('data-tone')).toBe('ok');
    const cipher = await text(page, 'cipher-openssl');
    expect(cipher).toMatch(/^[A-Z0-9_-]+$/);
    expect(await text(page, 'cipher-iana')).toMatch(/^TLS_/);
    // The key exchange the engine read from the handshake, with forward secrecy in words.
    expect(await text(page, 'fact-key-exchange')).toMatch(/^ECDHE · \S+ · forward secrecy\s+fresh key for this connection: forward secrecy$/);
    // s_server -www reports the cipher it chose in its page; both ends must agree.
    const response = await text(page, 'response-text');
    expect(response).toContain('HTTP/1.0 200 ok');
    expect(response).toContain(`Cipher is ${cipher}`);

    expect(await text(page, 'cert-subject')).toContain('CN=www.bank32.com');
    const rows = await page.getByTestId('timeline-row').allInnerTexts();
    expect(rows.some((row) => row.includes('TCP open'))).toBe(true);
    expect(rows.some((row) => row.includes('ClientHello'))).toBe(true);
    expect(rows.some((row) => row.includes('ServerHello'))).toBe(true);
    expect(rows.findIndex((row) => row.includes('TCP open'))).toBeLessThan(rows.findIndex((row) => row.includes('ClientHello')));
    await screenshot(page, '02-session-detail');
    await page.screenshot({ path: path.join(SCREENSHOTS, '02a-session-detail-first-screen.png') });
    await page.getByTestId('connection-timeline').screenshot({ path: path.join(SCREENSHOTS, '02b-timeline.png') });

    const detailUrl = page.url();
    expect(detailUrl).toMatch(/#\/sessions\/\d+$/);
    await page.reload();
    await page.getByTestId('cipher-openssl').waitFor();
    expect(page.url()).toBe(detailUrl);
    const listed = page.getByTestId('session-nav-item').filter({ hasText: `www.bank32.com:${serverPort}` });
    await listed.first().waitFor();
    expect(await listed.count()).toBe(1);

    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('sessions-row').first().waitFor();
    expect(await page.getByTestId('sessions-row').first().innerText()).toContain(`www.bank32.com:${serverPort}`);
    await screenshot(page, '03-sessions-after-reload');
    expect(pageErrors).toEqual([]);
  });

  it('shows a hostname mismatch in red with the names the certificate is valid for, and amber with the check off', async () => {
    const page = await newPage();
    await page.goto(engine.url);
    await runClientSession(page, 'bank32.com');
    await page.getByTestId('client-connect').click();
    await page.getByTestId('session-detail').waitFor();
    await page.getByTestId('verification-hostname').waitFor({ timeout: 30_000 });
    expect(await text(page, 'outcome-badge')).toContain('Failed');
    expect(await page.getByTestId('outcome-badge').getAttribute('data-tone')).toBe('fail');
    const hostname = await text(page, 'verification-hostname');
    expect(hostname).toContain('bank32.com');
    expect(hostname).toContain('www.bank32.com');
    // Nothing went out after the failed check: the replay card says so instead of offering forms.
    expect(await text(page, 'replay-nothing')).toContain('failed before the client sent any application data');
    expect(await page.getByTestId('replay-panel').count()).toBe(0);
    await screenshot(page, '04-hostname-mismatch');

    // The lab's lesson: with the check off, the same certificate is accepted.
    await page.getByTestId('run-again').click();
    expect(await page.getByTestId('client-host').inputValue()).toBe('bank32.com');
    await page.getByTestId('client-check-hostname').uncheck();
    await page.getByTestId('client-connect').click();
    await page.locator('[data-testid="outcome-badge"][data-tone="warn"]').waitFor({ timeout: 30_000 });
    expect(await text(page, 'outcome-badge')).toContain('Not verified (checks off)');
    expect(await text(page, 'verification-hostname')).toContain('check off');
    expect(await text(page, 'response-text')).toContain('HTTP/1.0 200 ok');
    await screenshot(page, '04b-hostname-check-off');
  });

  it('shows the head of a binary response and says its body is binary; a long timeline scrolls in its card, counting every record', async () => {
    // openssl s_server -WWW serves files from its working folder, every one labelled text/plain.
    const www = path.join(tmp, 'www');
    fs.mkdirSync(www, { recursive: true });
    fs.writeFileSync(path.join(www, 'image.bin'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0x00]), crypto.randomBytes(34 * 1024 * 1024)]));
    const files = await startOpensslServer(pki.cert, pki.key, ['-WWW', '-quiet'], { cwd: www });
    try {
      const page = await newPage();
      await page.goto(engine.url);
      await runClientSession(page, 'www.bank32.com');
      await page.getByTestId('client-port').fill(String(files.port));
      await page.getByTestId('client-http-path').fill('/image.bin');
      await page.getByTestId('client-connect').click();
      await page.getByTestId('response-binary').waitFor({ timeout: 30_000 });
      expect(await text(page, 'response-binary')).toContain('The body is binary');
      expect((await text(page, 'response-text')).replace(/\r/g, '')).toBe('HTTP/1.0 200 ok\nContent-type: text/plain');
      expect(await page.getByTestId('response-panel').innerText()).not.toContain('\ufffd');
      await page.getByTestId('response-panel').screenshot({ path: path.join(SCREENSHOTS, '05-binary-response.png') });
      // 34 MiB come in over 2,000 records: the card lists the first 2,000 and counts them all.
      expect(await text(page, 'timeline-capped')).toContain('the overview lists the first 2,000');
      expect(Number((await text(page, 'timeline-record-count')).replace(/,/g, ''))).toBeGreaterThan(2000);
      expect(await page.getByTestId('timeline-row').count()).toBeLessThanOrEqual(2000);
    } finally {
      await files.stop();
    }
  });

  it('edits the host table', async () => {
    const page = await newPage();
    await page.goto(engine.url);
    await page.getByTestId('nav-hosts').click();
    await page.getByTestId('host-name').fill('www.bank32.com');
    await page.getByTestId('host-address').fill('127.0.0.1');
    await page.getByTestId('host-add').click();
    await page.getByTestId('hosts-row').filter({ hasText: 'www.bank32.com' }).waitFor();
    await page.getByTestId('host-name').fill('mail.bank32.com');
    await page.getByTestId('host-add').click();
    await page.getByTestId('hosts-row').filter({ hasText: 'mail.bank32.com' }).waitFor();
    await page.getByRole('button', { name: 'Remove mail.bank32.com' }).click();
    await page.getByTestId('hosts-row').filter({ hasText: 'mail.bank32.com' }).waitFor({ state: 'detached' });
    expect(await page.getByTestId('hosts-row').count()).toBe(1);
    await screenshot(page, '05-host-table');

    await page.getByTestId('nav-about').click();
    await page.getByTestId('about-facts').waitFor();
    expect(await text(page, 'about-facts')).toContain(process.versions.node);
    await screenshot(page, '06-about');
  });

  it('says when the engine is gone, and recovers when it comes back on the same port', async () => {
    const dataDir = path.join(tmp, 'data-restart');
    const staticDir = app.staticDir;
    const first = await startEngine({ dataDir, staticDir });
    const page = await newPage();
    await page.goto(first.url);
    await page.getByTestId('client-form').waitFor();
    await first.close();
    const gone = page.locator('[data-testid="connection-banner"][data-state="engine-gone"]');
    await gone.waitFor({ timeout: 15_000 });
    expect(await gone.innerText()).toContain('The engine is not answering');
    await screenshot(page, '08-engine-gone');

    const second = await startEngine({ dataDir, staticDir, port: first.port, token: first.token });
    try {
      await gone.waitFor({ state: 'detached', timeout: 15_000 });
      await page.getByTestId('nav-about').click();
      await page.getByTestId('about-facts').waitFor();
    } finally {
      await second.close();
    }
  });

  it('says the access token is not valid when the window was opened with a wrong one', async () => {
    const page = await newPage();
    await page.goto(`http://127.0.0.1:${engine.port}/#token=not-the-token`);
    const banner = page.getByTestId('connection-banner').and(page.locator('[data-state="token-refused"]'));
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.innerText()).toContain(
      "This window's access token is not valid; reopen the workbench from the link printed by npm start",
    );
    // Instead of a form that cannot work, the window says how to get a valid link.
    await page.getByTestId('access-problem').waitFor();
    expect(await page.getByTestId('client-form').count()).toBe(0);
    await screenshot(page, '07-token-refused');
  });
});
