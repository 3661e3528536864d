// Client authentication from the window: the workbench's server requires a certificate from a
// workshop CA; the client session picks a workshop client certificate and gets in, and the
// session shows the certificate it presented. Without one, the session says why it failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('client-certificate');
});

afterAll(async () => {
  await app?.close();
});

describe('a client certificate chosen in the New client session form', () => {
  it('gets the client into a server that requires one, and the session shows it; with none the session says the server asked for one', async () => {
    const wb = app.engine.workbench;
    await wb.workshop.createCa({ name: 'Students CA', subject: '/O=TLS Lab/CN=Students CA', key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'Students CA', name: 'www.bank32.com', subject: { CN: 'www.bank32.com' }, subjectAltNames: ['DNS:www.bank32.com'], key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'Students CA', name: 'alice', subject: { CN: 'alice', O: 'TLS Lab students' }, profile: 'client', key: 'ec:P-256' });
    const server = await wb.servers.start({
      port: 0,
      identity: { kind: 'lab', name: 'www.bank32.com' },
      clientAuth: { ca: { kind: 'lab', name: 'Students CA' }, require: true },
    });

    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-new-client').click();
    await page.getByTestId('client-host').fill('www.bank32.com');
    await page.getByTestId('client-port').fill(String(server.port));
    await page.getByTestId('client-connect-to').fill('127.0.0.1');
    await page.getByTestId('client-trust-kind').selectOption('lab');
    await page.getByTestId('client-trust-ca').selectOption('Students CA');
    // PEM files without paths: the first field to fill gets the focus, its note tied to it.
    await page.getByTestId('client-cert-kind').selectOption('files');
    await page.getByTestId('client-connect').click();
    // (The test code has no DOM types: the page's document is reached through globalThis.)
    const focused = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id);
    expect(focused).toBe('client-cert-path');
    const note = await page.getByTestId('client-cert-path').getAttribute('aria-describedby');
    expect(await page.locator(`[id="${note}"]`).innerText()).toContain('Enter the path of the PEM certificate file');
    await page.getByTestId('client-cert-kind').selectOption('lab');
    // Client certificates come first in the list.
    expect(await page.getByTestId('client-cert-lab').locator('option:not([disabled])').allInnerTexts()).toEqual([
      'alice (client, by Students CA)',
      'www.bank32.com (server, by Students CA)',
    ]);
    await page.getByTestId('client-cert-lab').selectOption('alice');
    await page.getByTestId('client-cert-section').scrollIntoViewIfNeeded();
    await screenshot(page, 'client-certificate-01-form');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    const own = page.getByTestId('certificate-chain').filter({ hasText: "This client's certificate" });
    expect(await own.getByTestId('cert-subject').first().innerText()).toContain('CN=alice');
    await own.scrollIntoViewIfNeeded();
    await screenshot(page, 'client-certificate-02-session');

    // "Edit and run again" keeps the choice; set it to None and the server turns the client away.
    await page.getByTestId('run-again').click();
    expect(await page.getByTestId('client-cert-kind').inputValue()).toBe('lab');
    await page.getByTestId('client-cert-kind').selectOption('none');
    await page.getByTestId('client-connect').click();
    await page.locator('[data-testid="outcome-badge"][data-tone="fail"]').waitFor();
    expect(await text(page, 'session-outcome-detail')).toContain('the server asked for a client certificate and this client had none to send');
    await screenshot(page, 'client-certificate-03-none');
    expect(errors).toEqual([]);
    await wb.servers.stop(server.id);
  });
});
