// The hand-out through the Certificates view: a teacher's PKCS#12 (made by the teacher's own
// workbench) picked as a file in the student's fresh workbench keeps the names the hand-out uses,
// CA included, and a key the student writes out is readable by the student only and said to be so.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlslabInProcess } from '../support/cliInProcess';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';

let app: E2eApp;
let handout: string;

async function teacher(args: string[]): Promise<void> {
  const run = await tlslabInProcess(path.join(app.tmp, 'teacher'), args);
  if (run.status !== 0) throw new Error(`tlslab ${args.join(' ')}: ${run.stderr}`);
}

/** The Certificates view's Export tab of the student's bank-server, set to a PKCS#12 with a password. */
async function openP12Export(page: Page): Promise<void> {
  await page.getByTestId('nav-certificates').click();
  await page.locator('[data-testid="pki-row"][data-name="bank-server"]').getByTestId('pki-open').click();
  await page.getByTestId('tab-export').click();
  await page.getByTestId('export-format-p12').check();
  await page.getByTestId('export-password').fill('for the class');
}

beforeAll(async () => {
  app = await startE2e('handout');
  handout = path.join(app.tmp, 'handout');
  fs.mkdirSync(handout);
  fs.writeFileSync(path.join(handout, 'pass.txt'), 'class of 2026\n');
  await teacher(['ca', 'create', 'Class CA', '--cn', 'Bank32 Trust Services', '--o', 'Lab']);
  await teacher(['cert', 'issue', '--ca', 'Class CA', '--cn', 'www.bank32.com', '--name', 'bank-server']);
  await teacher(['cert', 'export', 'bank-server', '--format', 'p12', '--with-key', '--passphrase-file', path.join(handout, 'pass.txt'), '--out', path.join(handout, 'bank-server.p12')]);
  // The same kind of identity as two PEM files, the classic server.crt and server.key.
  await teacher(['cert', 'issue', '--ca', 'Class CA', '--cn', 'shop.bank32.com', '--name', 'shop-server']);
  await teacher(['cert', 'export', 'shop-server', '--out', path.join(handout, 'shop.crt')]);
  await teacher(['cert', 'export', 'shop-server', '--format', 'key', '--out', path.join(handout, 'shop.key')]);
});

afterAll(async () => {
  await app?.close();
});

describe('the hand-out in the Certificates view', () => {
  it('imports the teacher\'s PKCS#12 with the CA under the name the hand-out uses, and writes the key out mode 0600', async () => {
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByRole('heading', { name: 'Certificates', exact: true }).waitFor();

    await page.getByTestId('pki-import').click();
    await page.getByTestId('import-file').setInputFiles(path.join(handout, 'bank-server.p12'));
    await page.getByTestId('import-passphrase').fill('class of 2026');
    await page.getByTestId('import-form-submit').click();
    const imported = await text(page, 'import-result');
    expect(imported).toContain('bank-server');
    expect(imported).toContain('with its key');
    // The CA is "Class CA" here too, not its CN "Bank32 Trust Services".
    await page.locator('[data-testid="pki-row"][data-name="Class CA"]').waitFor();
    expect(await page.locator('[data-testid="pki-row"][data-name="Bank32 Trust Services"]').count()).toBe(0);
    await screenshot(page, 'handout-01-imported-p12');

    const row = page.locator('[data-testid="pki-row"][data-name="bank-server"]');
    await row.getByTestId('pki-open').click();
    await page.getByTestId('tab-export').click();
    await page.getByTestId('export-format-key-pem').check();
    await page.getByTestId('export-to-path').check();
    const keyFile = path.join(handout, 'student-copy.key');
    await page.getByTestId('export-path').fill(keyFile);
    await page.getByTestId('export-run').click();
    const result = await text(page, 'export-result');
    expect(result).toContain('mode 0600');
    expect(result).toContain('holds the private key UNENCRYPTED');
    expect(result).toContain(keyFile);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(keyFile, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    await screenshot(page, 'handout-02-key-written');
    expect(pageErrors).toEqual([]);
  });

  it('a PKCS#12 written to ~/bank-server.p12 lands in the home folder, mode 0600, and says where', async () => {
    const home = path.join(app.tmp, 'home');
    fs.mkdirSync(home);
    const saved = process.env.HOME;
    // The engine runs in this process: its home folder is this HOME.
    process.env.HOME = home;
    try {
      const page = await newPage(app.browser);
      await page.goto(app.engine.url);
      await openP12Export(page);
      await page.getByTestId('export-to-path').check();
      await page.getByTestId('export-path').fill('~/bank-server.p12');
      await page.getByTestId('export-run').click();
      const result = await text(page, 'export-result');
      const written = path.join(home, 'bank-server.p12');
      expect(result).toContain(written);
      expect(result).toContain('mode 0600');
      expect(result).toContain('encrypted with the PKCS#12 password');
      expect(fs.statSync(written).mode & 0o777).toBe(0o600);
      await screenshot(page, 'handout-04-p12-to-home');
    } finally {
      process.env.HOME = saved;
    }
  });

  it('a key downloaded in a browser: the page says the browser decides its permissions and how to keep it private', async () => {
    const page = await newPage(app.browser, { acceptDownloads: true });
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.locator('[data-testid="pki-row"][data-name="bank-server"]').getByTestId('pki-open').click();
    await page.getByTestId('tab-export').click();
    await page.getByTestId('export-format-key-pem').check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-run').click()]);
    expect(download.suggestedFilename()).toBe('bank-server.key');
    const note = await text(page, 'export-key-note');
    expect(note).toContain('holds the private key UNENCRYPTED');
    expect(note).toContain('chmod 600');
  });

  it('in the desktop app a key goes through its save dialog and is written by the engine, mode 0600', async () => {
    const chosen = path.join(handout, 'desktop-save', 'bank-server.p12');
    fs.mkdirSync(path.dirname(chosen));
    const page = await newPage(app.browser, { acceptDownloads: true });
    // What the Electron preload gives the page: the native save dialog, here answering with a path.
    await page.addInitScript((file) => {
      (globalThis as unknown as { workbenchShell: unknown }).workbenchShell = {
        saveFile: async (options: { defaultPath?: string }) => ((globalThis as unknown as { asked: unknown }).asked = options.defaultPath, file),
        openFile: async () => null,
      };
    }, chosen);
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.goto(app.engine.url);
    await openP12Export(page);
    await page.getByTestId('export-run').click();
    const result = await text(page, 'export-result');
    expect(result).toContain(chosen);
    expect(result).toContain('mode 0600');
    expect(await page.evaluate(() => (globalThis as unknown as { asked: unknown }).asked)).toBe('bank-server.p12');
    expect(fs.statSync(chosen).mode & 0o777).toBe(0o600);
    expect(downloads).toBe(0);
  });

  it('with the CA handed out without its key, the Issue button says how to bring a CA that can sign', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.locator('[data-testid="pki-row"][data-name="Class CA"]').waitFor();
    const issue = page.getByTestId('pki-issue');
    expect(await issue.isDisabled()).toBe(true);
    expect(await issue.getAttribute('title')).toContain('import a CA with its key (a PKCS#12 file that holds it)');
  });

  it('a certificate and its key file picked together, key first, come in as one identity with its key', async () => {
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.locator('[data-testid="pki-row"][data-name="Class CA"]').waitFor();

    await page.getByTestId('pki-import').click();
    await page.getByTestId('import-file').setInputFiles([path.join(handout, 'shop.key'), path.join(handout, 'shop.crt')]);
    await page.getByTestId('import-form-submit').click();
    const imported = await text(page, 'import-result');
    expect(imported).toContain('shop.bank32.com');
    expect(imported).not.toContain('not kept');
    expect(await text(page, 'import-key-note')).toContain('kept with it');
    const row = page.locator('[data-testid="pki-row"][data-name="shop.bank32.com"]');
    await row.waitFor();
    expect(await row.innerText()).not.toContain('no key');
    await screenshot(page, 'handout-03-cert-and-key-files');
    expect(pageErrors).toEqual([]);
  });
});
