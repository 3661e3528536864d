// The Certificates view in Chromium, in browser mode, against a real engine: a student becomes a
// CA, issues a certificate for www.bank32.com, looks inside it, verifies it and exports it; openssl
// judges what comes out of the download.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, collectPageErrors, newPage as openPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';

let app: E2eApp;
let tmp: string;
let engine: E2eApp['engine'];

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

function newPage(): Promise<Page> {
  return openPage(app.browser, { acceptDownloads: true });
}

beforeAll(async () => {
  app = await startE2e('certs');
  ({ tmp, engine } = app);
});

afterAll(async () => {
  await app?.close();
});

describe('the Certificates view in Chromium', () => {
  it('creates a CA, issues www.bank32.com, inspects it down to its bytes, verifies it and exports a PEM openssl reads', async () => {
    const page = await newPage();
    const pageErrors = collectPageErrors(page);

    await page.goto(engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByRole('heading', { name: 'Certificates', exact: true }).waitFor();
    expect(await text(page, 'key-protection')).toContain('keys not encrypted');
    // The window's own sentence, not the command line's shouted "NOT protected".
    expect(await text(page, 'key-protection-message')).toBe(
      'Private keys are kept unencrypted in the workbench database: anyone who can read your data folder can use them. Set a passphrase to encrypt them.',
    );
    await screenshot(page, '10-certificates-empty');

    // A mistake is explained next to its field, before anything reaches the engine.
    await page.getByTestId('pki-new-ca').click();
    await page.getByTestId('ca-subject-C').fill('U1');
    await page.getByTestId('ca-form-submit').click();
    expect(await text(page, 'ca-name-error')).toContain('Give it a name');
    expect(await text(page, 'ca-subject-C-error')).toContain('two letters');
    expect(await page.getByTestId('error-box').count()).toBe(0);

    // RSA 4096: the engine announces the slow key generation and the view shows it.
    await page.getByTestId('ca-name').fill('Lab Root');
    await page.getByTestId('ca-subject-CN').fill('Lab Root CA');
    await page.getByTestId('ca-subject-O').fill('Model CA LTD.');
    await page.getByTestId('ca-subject-C').fill('US');
    await page.getByTestId('ca-key').selectOption('rsa:4096');
    await page.getByTestId('ca-pathlen').fill('1');
    await screenshot(page, '11-new-root-ca-form');
    await page.getByTestId('ca-form-submit').click();
    await page.getByTestId('pki-jobs').filter({ hasText: 'Generating an RSA 4096 key' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('pki-notice').filter({ hasText: 'Root CA "Lab Root" created' }).waitFor({ timeout: 90_000 });
    await page.locator('[data-testid="pki-row"][data-name="Lab Root"]').waitFor();
    await screenshot(page, '12-root-ca-created');

    // A name the engine refuses comes back as one clear error next to the form.
    await page.getByTestId('pki-issue').click();
    await page.getByTestId('issue-subject-CN').fill('www.bank32.com');
    await page.getByTestId('issue-sans').fill('www.bank32.com, *.bank32, 127.0.0.1');
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'issue-sans-error')).toContain('wildcard');

    await page.getByTestId('issue-sans').fill('www.bank32.com, bank32.com, 127.0.0.1');
    expect(await page.getByTestId('issue-ku-digitalSignature').isChecked()).toBe(true);
    expect(await page.getByTestId('issue-ku-keyEncipherment').isChecked()).toBe(true);
    expect(await page.getByTestId('issue-eku-serverAuth').isChecked()).toBe(true);
    // An ECDSA key cannot encipher: the default usages follow the key type.
    await page.getByTestId('issue-key').selectOption('ec:P-256');
    expect(await page.getByTestId('issue-ku-keyEncipherment').isChecked()).toBe(false);
    await screenshot(page, '13-issue-form');
    await page.getByTestId('issue-form-submit').click();
    await page.getByTestId('pki-notice').filter({ hasText: 'Issued "www.bank32.com"' }).waitFor({ timeout: 60_000 });
    const leafRow = page.locator('[data-testid="pki-row"][data-name="www.bank32.com"]');
    await leafRow.waitFor();
    expect(await leafRow.innerText()).toContain('DNS:www.bank32.com');
    await screenshot(page, '14-tree-with-leaf');

    // The inspector: the names, the subject hash as openssl prints it, and the bytes behind a node.
    await leafRow.getByTestId('pki-open').click();
    await page.getByTestId('inspector').waitFor();
    const san = page.locator('[data-testid="inspect-extension"][data-oid="2.5.29.17"]');
    expect(await san.innerText()).toContain('DNS:www.bank32.com');
    expect(await san.innerText()).toContain('IP:127.0.0.1');
    const pem = await text(page, 'inspect-pem');
    const expectedHash = openssl(['x509', '-noout', '-subject_hash'], `${pem}\n`).trim();
    const expectedOldHash = openssl(['x509', '-noout', '-subject_hash_old'], `${pem}\n`).trim();
    expect(await text(page, 'inspect-subject-hash')).toBe(expectedHash);
    expect(await text(page, 'inspect-subject-hash-old')).toBe(expectedOldHash);
    expect(await text(page, 'inspect-subject')).toContain('CN=www.bank32.com');

    // Clicking the serial's node highlights its INTEGER: tag and length apart from the 16 content bytes.
    const serialNode = page.getByTestId('asn1-node').filter({ hasText: 'serialNumber' }).first();
    await serialNode.getByRole('button').last().click();
    expect(await serialNode.getAttribute('aria-selected')).toBe('true');
    const hex = page.getByTestId('hex-view');
    const headerBytes = await hex.locator('.byte.header').allInnerTexts();
    const contentBytes = await hex.locator('.byte.content').allInnerTexts();
    expect(headerBytes).toEqual(['02', '10']);
    const serialHex = openssl(['x509', '-noout', '-serial'], `${pem}\n`).trim().replace(/^serial=/, '').toLowerCase();
    expect(contentBytes.join('')).toBe(serialHex);
    expect(await text(page, 'asn1-selection')).toContain('INTEGER at offset');
    // The highlighted bytes sit inside the hex box's visible part.
    const visible = await hex.locator('.byte.content').first().evaluate((el) => {
      const box = el.closest('[data-testid="hex-view"]')!.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.top >= box.top && r.bottom <= box.bottom;
    });
    expect(visible).toBe(true);
    await screenshot(page, '15-inspector');
    await page.getByTestId('hex-view').scrollIntoViewIfNeeded();
    await page.locator('section.card').filter({ has: page.getByTestId('asn1-tree') }).screenshot({ path: path.join(SCREENSHOTS, '15b-asn1-hex.png') });

    // Verify: trusting the root, for a name the certificate does not carry; the failing check is named.
    await page.getByTestId('tab-verify').click();
    expect(await page.getByTestId('verify-trust-ca').inputValue()).toBe('Lab Root');
    await page.getByTestId('verify-host').fill('mail.bank32.com');
    await page.getByTestId('verify-run').click();
    const outcome = await text(page, 'verify-outcome');
    expect(outcome).toContain('Failed: Host name');
    expect(await text(page, 'verify-reason')).toContain('www.bank32.com');
    await screenshot(page, '16-verify-hostname-mismatch');
    await page.getByTestId('verify-host').fill('www.bank32.com');
    await page.getByTestId('verify-run').click();
    await page.locator('[data-testid="verify-result"][data-ok="true"]').waitFor();
    expect(await text(page, 'verify-outcome')).toContain('Verified');

    // Export: the download is a PEM certificate that openssl reads.
    await page.getByTestId('tab-export').click();
    await page.getByTestId('export-format-pem').check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-run').click()]);
    expect(download.suggestedFilename()).toBe('www.bank32.com.pem');
    const saved = path.join(tmp, 'downloaded.pem');
    await download.saveAs(saved);
    const downloaded = fs.readFileSync(saved, 'utf8');
    expect(downloaded).toContain('-----BEGIN CERTIFICATE-----');
    expect(openssl(['x509', '-noout', '-subject', '-in', saved])).toMatch(/subject=\s*CN\s*=\s*www\.bank32\.com/);
    expect(await text(page, 'export-result')).toContain('www.bank32.com.pem');
    await screenshot(page, '17-export');

    // PKCS#12 needs a password: said next to the field.
    await page.getByTestId('export-format-p12').check();
    await page.getByTestId('export-run').click();
    expect(await text(page, 'export-password-error')).toContain('needs a password');
    expect(pageErrors).toEqual([]);
  });

  it('makes a CSR, signs it copying its names, imports an openssl certificate with its key, and locks the keys', async () => {
    const page = await newPage();
    await page.goto(engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.locator('[data-testid="pki-row"][data-name="Lab Root"]').waitFor();

    await page.getByTestId('pki-new-csr').click();
    await page.getByTestId('csr-subject-CN').fill('api.bank32.com');
    await page.getByTestId('csr-sans').fill('api.bank32.com, 10.0.0.7');
    await page.getByTestId('csr-key').selectOption('ec:P-256');
    await page.getByTestId('csr-form-submit').click();
    await page.getByTestId('csr-row').filter({ hasText: 'api.bank32.com' }).waitFor({ timeout: 60_000 });

    await page.getByTestId('csr-row').filter({ hasText: 'api.bank32.com' }).getByRole('button', { name: 'Sign…' }).click();
    await page.getByTestId('sign-ca').selectOption('Lab Root');
    expect(await page.getByTestId('sign-copy').isChecked()).toBe(true);
    await screenshot(page, '20-sign-csr');
    await page.getByTestId('sign-form-submit').click();
    const signedRow = page.locator('[data-testid="pki-row"]').filter({ hasText: 'IP:10.0.0.7' });
    await signedRow.waitFor({ timeout: 60_000 });
    expect(await signedRow.innerText()).toContain('DNS:api.bank32.com');

    // A certificate and its key made by openssl, pasted as one PEM text: the key is matched.
    const dir = fs.mkdtempSync(path.join(tmp, 'import-'));
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '5', '-subj', '/O=Elsewhere/CN=imported.test',
      '-addext', 'subjectAltName=DNS:imported.test', '-keyout', keyFile, '-out', certFile]);
    await page.getByTestId('pki-import').click();
    await page.getByTestId('import-text').fill(fs.readFileSync(certFile, 'utf8') + fs.readFileSync(keyFile, 'utf8'));
    await page.getByTestId('import-form-submit').click();
    const imported = await text(page, 'import-result');
    expect(imported).toContain('imported.test');
    expect(imported).toContain('with its key');
    await page.locator('[data-testid="pki-row"][data-name="imported.test"]').waitFor();
    await screenshot(page, '21-imported');

    // The workbench passphrase: set, lock (a new key cannot be kept), unlock.
    await page.getByTestId('passphrase-set-open').click();
    await page.getByTestId('passphrase-new').fill('correct horse battery');
    await page.getByTestId('passphrase-repeat').fill('correct horse battery');
    await page.getByTestId('passphrase-save').click();
    await page.locator('[data-testid="key-protection"][data-status="unlocked"]').waitFor();
    await page.getByTestId('passphrase-lock').click();
    await page.locator('[data-testid="key-protection"][data-status="locked"]').waitFor();
    expect(await text(page, 'key-protection-message')).toMatch(/^Private keys are encrypted with the workbench passphrase and locked: unlock them/);
    await page.getByTestId('pki-new-csr').click();
    await page.getByTestId('csr-subject-CN').fill('locked.bank32.com');
    await page.getByTestId('csr-form-submit').click();
    expect(await text(page, 'error-box')).toContain('The request was not created');
    await screenshot(page, '22-keys-locked');
    await page.getByTestId('unlock-passphrase').fill('wrong passphrase');
    await page.getByTestId('passphrase-unlock').click();
    await page.getByTestId('key-protection').getByTestId('error-box').waitFor();
    await page.getByTestId('unlock-passphrase').fill('correct horse battery');
    await page.getByTestId('passphrase-unlock').click();
    await page.locator('[data-testid="key-protection"][data-status="unlocked"]').waitFor();
  });

  it('inspects pasted PEM that is not in the workshop, and says clearly when the paste is not a certificate', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'paste-'));
    const certFile = path.join(dir, 'cert.pem');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '5', '-subj', '/O=Elsewhere/CN=elsewhere.test',
      '-addext', 'subjectAltName=DNS:elsewhere.test', '-keyout', path.join(dir, 'key.pem'), '-out', certFile]);
    const page = await newPage();
    await page.goto(engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-inspect-pem').click();
    await page.getByTestId('paste-text').fill('hello, this is not PEM');
    await page.getByTestId('paste-form-submit').click();
    const error = page.getByTestId('error-box');
    await error.waitFor();
    expect(await error.count()).toBe(1);
    await screenshot(page, '18-paste-not-pem');

    await page.getByTestId('paste-text').fill(fs.readFileSync(certFile, 'utf8'));
    await page.getByTestId('paste-form-submit').click();
    await page.getByTestId('inspector').waitFor();
    expect(await page.getByTestId('error-box').count()).toBe(0);
    expect(await text(page, 'inspect-subject-hash')).toBe(openssl(['x509', '-noout', '-subject_hash', '-in', certFile]).trim());
    expect(await page.locator('[data-testid="inspect-extension"][data-oid="2.5.29.17"]').innerText()).toContain('DNS:elsewhere.test');
    await screenshot(page, '19-paste-inspected');
  });
});
