// The verify panel, in Chromium against a real engine, trusting only an intermediate CA: it says
// "not verified", as the workbench's TLS client and openssl verify do, and says what to do.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PkiIssued } from '../../src-main/api/pkiTypes';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { connectApi } from '../support/engineApi';

let app: E2eApp;
let issuingPem: string;

beforeAll(async () => {
  app = await startE2e('cert-partial');
  const api = await connectApi(app.engine);
  try {
    await api.result('pki.ca.create', { name: 'Partial Root', subject: { CN: 'Partial Root CA', O: 'Lab' }, key: 'ec:P-256', pathLength: 1 });
    const issuing = await api.result<PkiIssued>('pki.ca.create', { name: 'Partial Issuing', subject: { CN: 'Partial Issuing CA', O: 'Lab' }, key: 'ec:P-256', parent: 'Partial Root' });
    issuingPem = issuing.certificatePem;
    await api.result('pki.cert.issue', { ca: 'Partial Issuing', subject: { CN: 'www.bank32.com' } });
  } finally {
    api.close();
  }
});

afterAll(async () => {
  await app?.close();
});

/**
 * A page on www.bank32.com's Verify tab, its trust store a file with the issuing CA alone (no
 * root), and the "More" options open.
 */
async function openVerifyTrustingIssuingOnly(): Promise<{ page: Page; pageErrors: string[] }> {
  const trustFile = path.join(app.tmp, 'issuing-only.pem');
  fs.writeFileSync(trustFile, issuingPem);
  const page = await newPage(app.browser);
  const pageErrors = collectPageErrors(page);
  await page.goto(app.engine.url);
  await page.getByTestId('nav-certificates').click();
  await page.locator('[data-testid="pki-row"][data-name="www.bank32.com"]').getByTestId('pki-open').click();
  await page.getByTestId('tab-verify').click();
  await page.getByTestId('verify-trust-kind').selectOption('file');
  await page.getByTestId('verify-trust-path').fill(trustFile);
  await page.getByText('More: purpose, extra intermediates, partial chains').click();
  return { page, pageErrors };
}

describe('verifying against a trusted intermediate without its root', () => {
  it('fails the chain check and offers the root or partial chains, which are off by default', async () => {
    const { page, pageErrors } = await openVerifyTrustingIssuingOnly();
    expect(await page.getByTestId('verify-partial-chain').isChecked()).toBe(false);
    await page.getByTestId('verify-run').click();
    await page.locator('[data-testid="verify-result"][data-ok="false"]').waitFor();
    expect(await text(page, 'verify-outcome')).toContain('Failed: Chain to a trusted CA');
    const reason = await text(page, 'verify-reason');
    expect(reason).toContain('is in the trust list but is not self-signed');
    expect(reason).toContain('Add the root CA "O=Lab, CN=Partial Root CA" to the trust store');
    expect(reason).toContain('"Accept partial chains"');
    await screenshot(page, 'partial-chain-refused');
    expect(pageErrors).toEqual([]);
  });

  it('with "Accept partial chains" ticked the intermediate ends the chain, as with openssl verify -partial_chain', async () => {
    const { page, pageErrors } = await openVerifyTrustingIssuingOnly();
    await page.getByTestId('verify-partial-chain').check();
    await page.getByTestId('verify-run').click();
    await page.locator('[data-testid="verify-result"][data-ok="true"]').waitFor();
    expect(await text(page, 'verify-outcome')).toContain('Verified');
    expect(pageErrors).toEqual([]);
  });
});
