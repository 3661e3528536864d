// The Certificates view in Chromium against a real engine: a certificate imported again under
// another name is reported as already stored (and under which name), and a certificate no
// browser accepts (no subjectAltName) is called out where it is made and where it is inspected.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PkiImportResult, PkiIssued } from '../../src-main/api/pkiTypes';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { connectApi } from '../support/engineApi';

let app: E2eApp;
let rootPem: string;
let csrId: number;

beforeAll(async () => {
  app = await startE2e('cert-review');
  const api = await connectApi(app.engine);
  try {
    const root = await api.result<PkiIssued>('pki.ca.create', { name: 'Review Root', subject: { CN: 'Review Root CA', O: 'Lab' }, key: 'ec:P-256' });
    rootPem = root.certificatePem;
    await api.result('pki.cert.issue', { ca: 'Review Root', subject: { CN: 'www.bank32.com' }, key: 'ec:P-256' });
    await api.result('pki.cert.issue', { ca: 'Review Root', subject: { CN: 'bank intranet' }, key: 'ec:P-256' });
    // A request made by openssl that asks for a client certificate only: signed as a server one with its extensions copied.
    const csr = execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(app.tmp, 'req.key'),
      '-subj', '/CN=shop.bank32.com', '-addext', 'subjectAltName=DNS:shop.bank32.com', '-addext', 'extendedKeyUsage=clientAuth'], { encoding: 'utf8', env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
    csrId = (await api.result<PkiImportResult>('pki.import', { text: csr })).csrs[0]!.id;
  } finally {
    api.close();
  }
});

afterAll(async () => {
  await app?.close();
});

describe('the Certificates view', () => {
  it('importing a stored CA again under another name says it is already stored as "Review Root"', async () => {
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-import').click();
    await page.getByTestId('import-text').fill(rootPem);
    await page.getByTestId('import-name').fill('Teacher CA');
    await page.getByTestId('import-form-submit').click();
    const line = await text(page, 'import-already-stored');
    expect(line).toContain("is already stored as 'Review Root'");
    expect(line).toContain("the name 'Teacher CA' given for it was not used");
    await screenshot(page, 'certificates-review-import-again');
    expect(await page.locator('[data-testid="pki-row"][data-name="Teacher CA"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('a certificate pasted with a key that is not its own: the line says whose key it is not', async () => {
    const env = { ...process.env, OPENSSL_CONF: '/dev/null' };
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(app.tmp, 'own.key'),
      '-out', path.join(app.tmp, 'own.pem'), '-subj', '/CN=own.bank32.com', '-days', '30'], { env, stdio: 'ignore' });
    const stranger = execFileSync('openssl', ['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], { encoding: 'utf8', env });
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-import').click();
    await page.getByTestId('import-text').fill(fs.readFileSync(path.join(app.tmp, 'own.pem'), 'utf8') + stranger);
    await page.getByTestId('import-form-submit').click();
    const line = await text(page, 'import-key-unmatched');
    expect(line).toContain("it is not the private key of 'own.bank32.com' (the public keys differ)");
    expect(pageErrors).toEqual([]);
  });

  it('a server certificate without subjectAltName: the inspector says browsers refuse it and what to do', async () => {
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    // The list marks it already, and only it.
    expect(await page.locator('[data-testid="pki-row"][data-name="bank intranet"]').getByTestId('pki-cautions').innerText()).toBe('clients object');
    expect(await page.locator('[data-testid="pki-row"][data-name="www.bank32.com"]').getByTestId('pki-cautions').count()).toBe(0);
    await page.locator('[data-testid="pki-row"][data-name="bank intranet"]').getByTestId('pki-open').click();
    const cautions = await text(page, 'inspect-cautions');
    expect(cautions).toContain('Clients will object to this certificate');
    expect(cautions).toContain('It has no Subject Alternative Name: Chromium and Firefox ignore the CN');
    await screenshot(page, 'certificates-review-no-san');
    // A sound certificate shows no such box.
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.locator('[data-testid="pki-row"][data-name="www.bank32.com"]').getByTestId('pki-open').click();
    await page.getByTestId('inspector').waitFor();
    expect(await page.getByTestId('inspect-cautions').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('signing a request whose copied extended key usage lacks serverAuth: the result under the request says clients will refuse it', async () => {
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.locator(`a[href="#/certificates/csr/${csrId}"]`).first().click();
    await page.getByTestId('sign-copy').check();
    await page.getByTestId('sign-form-submit').click();
    expect(await text(page, 'sign-cautions')).toContain('Its extended key usage lacks serverAuth');
    await screenshot(page, 'certificates-review-sign-caution');
    expect(pageErrors).toEqual([]);
  });

  it('issuing a leaf that may sign certificates: the notice says what clients will object to', async () => {
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-issue').click();
    // A CN that is no host name, with no SANs: said before anything is made.
    await page.getByTestId('issue-subject-CN').fill('bank web server');
    expect(await text(page, 'issue-no-san')).toContain('Chromium and Firefox refuse such a server certificate for every host');
    await page.getByTestId('issue-subject-CN').fill('signer.bank32.com');
    expect(await page.getByTestId('issue-no-san').count()).toBe(0);
    await page.getByTestId('issue-ku-keyCertSign').check();
    // Said before the certificate is made, and again after.
    expect(await text(page, 'issue-usage-cautions')).toContain('Certificate signing on a certificate that is not a CA');
    await page.getByTestId('issue-form-submit').click();
    const cautions = await text(page, 'pki-notice-cautions');
    expect(cautions).toContain('Its key usage includes Certificate Sign, but its basicConstraints say CA:FALSE');
    await screenshot(page, 'certificates-review-issue-caution');
    expect(pageErrors).toEqual([]);
  });
});
