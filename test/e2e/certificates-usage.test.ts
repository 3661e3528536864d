// What each certificate is for, in the Certificates view in Chromium against a real engine: a
// server-only and a client-only certificate made by openssl are imported, and the list and the
// inspector say which is for a TLS server and which for a TLS client; a CA says nothing of the kind.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { connectApi } from '../support/engineApi';

let app: E2eApp;

/** A self-signed leaf (CA:FALSE) with this one extended key usage, with its key, as one PEM text. */
function opensslLeaf(name: string, eku: string): string {
  const env = { ...process.env, OPENSSL_CONF: '/dev/null' };
  const keyFile = path.join(app.tmp, `${name}.key`);
  const cert = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-days', '30',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', `extendedKeyUsage=${eku}`], { encoding: 'utf8', env });
  return cert + execFileSync('cat', [keyFile], { encoding: 'utf8' });
}

beforeAll(async () => {
  app = await startE2e('cert-usage');
  const api = await connectApi(app.engine);
  try {
    await api.result('pki.ca.create', { name: 'Usage Root', subject: { CN: 'Usage Root CA' }, key: 'ec:P-256' });
    await api.result('pki.import', { text: opensslLeaf('web.example', 'serverAuth') });
    await api.result('pki.import', { text: opensslLeaf('alice', 'clientAuth') });
  } finally {
    api.close();
  }
});

afterAll(async () => {
  await app?.close();
});

describe('what a certificate is for, in the window', () => {
  it('the list shows the imported server-only one for a TLS server, the client-only one for a TLS client, and the inspector agrees', async () => {
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    const row = (name: string) => page.locator(`[data-testid="pki-row"][data-name="${name}"]`);
    await row('alice').waitFor();
    expect(await row('web.example').getByTestId('pki-usage').innerText()).toBe('for TLS server');
    expect(await row('web.example').getByTestId('pki-usage').getAttribute('title')).toBe('extendedKeyUsage: serverAuth (TLS server)');
    expect(await row('alice').getByTestId('pki-usage').innerText()).toBe('for TLS client');
    expect(await row('Usage Root').getByTestId('pki-usage').count()).toBe(0);
    await screenshot(page, 'certificates-usage-list');

    await row('alice').getByTestId('pki-open').click();
    expect(await text(page, 'inspect-usage')).toBe('TLS client (clientAuth)');
    const eku = page.locator('[data-testid="inspect-extension"][data-oid="2.5.29.37"]');
    expect(await eku.innerText()).toContain('clientAuth (1.3.6.1.5.5.7.3.2): TLS client');
    await screenshot(page, 'certificates-usage-inspector');
    expect(pageErrors).toEqual([]);
  });
});
