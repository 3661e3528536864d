// A student's first server from an empty workshop: one click makes the lab's CA and the bank's
// certificate, the form picks it, the server starts, and clients that trust the CA verify it: the
// workbench's client in the window picks the CA as its trust store.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { freePort } from '../support/ports';
import { run } from '../support/run';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('server-starter');
});

afterAll(async () => {
  await app?.close();
});

describe('the Servers view with nothing in the workshop', () => {
  it('makes "Lab Root" and www.bank32.com in one click, starts a server with them, and clients trusting that CA verify it', async () => {
    const page = await newPage(app.browser, { acceptDownloads: true });
    const errors = collectPageErrors(page);
    const port = await freePort();
    await page.goto(app.engine.url);
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-form').waitFor();
    expect(await text(page, 'server-identity-starter')).toContain('Lab Root');
    await screenshot(page, 'servers-starter-01-offered');

    await page.getByTestId('server-identity-starter-make').click();
    expect(await text(page, 'server-identity-starter-made')).toContain('Made the root CA “Lab Root”');
    expect(await page.getByTestId('server-identity-lab').inputValue()).toBe('www.bank32.com');
    // The offer is gone once there is a certificate to serve.
    expect(await page.getByTestId('server-identity-starter').count()).toBe(0);
    await screenshot(page, 'servers-starter-02-made');

    // The workshop holds what the click made: a root CA with its key, and the server certificate under it.
    const tree = app.engine.workbench.workshop.list();
    const root = tree.cas.find((ca) => ca.name === 'Lab Root');
    expect(root?.hasPrivateKey).toBe(true);
    expect(root?.issued.map((c) => [c.name, c.subjectAltNames])).toEqual([['www.bank32.com', ['DNS:www.bank32.com']]]);

    await page.getByTestId('server-port').fill(String(port));
    await page.getByTestId('server-form-submit').click();
    await page.locator('[data-testid="server-card"][data-status="running"]').waitFor();
    // With no label, the notice does not name the address twice.
    expect(await text(page, 'server-notice')).toContain(`Started a server on 127.0.0.1:${port}. Connections`);

    // The card's try-it command names ca.pem, and one click saves it: curl with that file gets the page.
    expect(await text(page, 'server-try-ca')).toContain('“Lab Root”');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('server-try-ca-save').click()]);
    expect(download.suggestedFilename()).toBe('ca.pem');
    const caFile = path.join(app.tmp, 'ca.pem');
    await download.saveAs(caFile);
    expect(fs.readFileSync(caFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const tryIt = (await text(page, 'server-try')).split(' ');
    expect(tryIt.slice(0, 3)).toEqual(['curl', '--cacert', 'ca.pem']);
    const curl = await run('curl', ['-sS', '--cacert', caFile, ...tryIt.slice(3)]);
    expect(curl.code).toBe(0);
    expect(curl.output).toContain('Bank32');
    await screenshot(page, 'servers-starter-03-running');

    const id = await app.engine.workbench.recordClient({
      host: 'www.bank32.com',
      port,
      connectTo: '127.0.0.1',
      trust: { kind: 'lab', name: 'Lab Root' },
      verifyPeer: true,
      checkHostname: true,
      send: { kind: 'http-get', path: '/' },
      timeoutMs: 10_000,
    });
    const session = app.engine.workbench.sessions.getSession(id);
    expect(session?.status).toBe('ok');
    expect(session?.verification?.summary).toBe('verified: trusted chain, hostname matches');
    expect(session?.response?.text).toContain('Bank32');

    // The workbench's own client in the window trusts the new CA by choosing it: no file to export.
    await page.getByTestId('nav-new-client').click();
    await page.getByTestId('client-host').fill('www.bank32.com');
    await page.getByTestId('client-port').fill(String(port));
    await page.getByTestId('client-connect-to').fill('127.0.0.1');
    await page.getByTestId('client-trust-kind').selectOption('lab');
    await page.getByTestId('client-trust-ca').selectOption('Lab Root');
    await screenshot(page, 'servers-starter-04-client-trusts-workshop-ca');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    expect(await page.getByTestId('outcome-badge').getAttribute('data-tone')).toBe('ok');
    expect(errors).toEqual([]);
  });
});
