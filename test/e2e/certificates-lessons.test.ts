// A teacher prepares the PKI lesson in the Certificates view, in Chromium against a real engine:
// certificates that are expired or not yet valid on purpose, and names students type that are not
// plain ASCII; openssl judges what the window made. The tests build on each other, in order: run
// the file whole.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';

let app: E2eApp;
const LONG_CA = 'Network Security Course Root CA 2026';

function openssl(args: string[], input: string): { status: number; out: string } {
  try {
    return { status: 0, out: execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString() };
  } catch (error) {
    const failed = error as { status: number; stdout: Buffer };
    return { status: failed.status, out: failed.stdout.toString() };
  }
}

beforeAll(async () => {
  app = await startE2e('cert-lessons');
});

afterAll(async () => {
  await app?.close();
});

async function issue(page: Page, cn: string, fields: { sans?: string; startsIn?: string; days?: string }): Promise<void> {
  await page.getByTestId('pki-issue').click();
  await page.getByTestId('issue-subject-CN').fill(cn);
  if (fields.sans !== undefined) await page.getByTestId('issue-sans').fill(fields.sans);
  if (fields.startsIn !== undefined) await page.getByTestId('issue-starts').fill(fields.startsIn);
  if (fields.days !== undefined) await page.getByTestId('issue-days').fill(fields.days);
}

async function submitIssue(page: Page, cn: string): Promise<void> {
  await page.getByTestId('issue-form-submit').click();
  await page.getByTestId('pki-notice').filter({ hasText: `Issued "${cn}"` }).waitFor({ timeout: 60_000 });
}

async function pemOf(page: Page, name: string): Promise<string> {
  await page.locator(`[data-testid="pki-row"][data-name="${name}"]`).getByTestId('pki-open').click();
  const pem = await text(page, 'inspect-pem');
  await page.getByTestId('nav-certificates').click();
  return `${pem}\n`;
}

describe('a teacher preparing the PKI lesson', () => {
  it('issues an expired and a not-yet-valid certificate, says so before and after, and openssl agrees', async () => {
    const page = await (await app.browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage();
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-new-ca').click();
    // A long name: in one line it pushed the table, and the CA's buttons, past the card.
    await page.getByTestId('ca-name').fill(LONG_CA);
    await page.getByTestId('ca-subject-CN').fill('Lab Root CA');
    await page.getByTestId('ca-key').selectOption('ec:P-256');
    await page.getByTestId('ca-form-submit').click();
    await page.locator(`[data-testid="pki-row"][data-name="${LONG_CA}"]`).waitFor();

    // An intermediate with the default path length 0 signs no CA: no "Sub-CA…" for it, and it is no parent to choose.
    await page.locator(`[data-testid="pki-row"][data-name="${LONG_CA}"]`).getByTestId('pki-sub-ca').click();
    await page.getByTestId('ca-name').fill('Lab Issuing');
    await page.getByTestId('ca-subject-CN').fill('Lab Issuing CA');
    await page.getByTestId('ca-key').selectOption('ec:P-256');
    expect(await page.getByTestId('ca-pathlen').inputValue()).toBe('0');
    await page.getByTestId('ca-form-submit').click();
    const issuingRow = page.locator('[data-testid="pki-row"][data-name="Lab Issuing"]');
    await issuingRow.waitFor();
    expect(await issuingRow.getByTestId('pki-issue-here').count()).toBe(1);
    expect(await issuingRow.getByTestId('pki-sub-ca').count()).toBe(0);
    await page.getByTestId('pki-new-ca').click();
    const option = page.getByTestId('ca-parent').locator('option', { hasText: 'Lab Issuing' });
    expect(await option.isDisabled()).toBe(true);
    expect(await option.innerText()).toContain('path length 0: signs no CA');
    await page.getByTestId('ca-form-close').click();

    // The form says what the dates will make before anything is issued.
    await issue(page, 'expired.lab.test', { startsIn: '-400', days: '365' });
    expect(await text(page, 'issue-validity-lesson')).toContain('expired');
    await screenshot(page, 'lessons-01-issue-expired');
    await submitIssue(page, 'expired.lab.test');

    await issue(page, 'future.lab.test', { startsIn: '30' });
    expect(await text(page, 'issue-validity-lesson')).toContain('not yet valid');
    await submitIssue(page, 'future.lab.test');

    await issue(page, 'later.lab.test', { startsIn: 'tomorrow' });
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'issue-starts-error')).toContain('whole number of days');
    await page.getByTestId('issue-form-close').click();

    // The tree marks both, and at 1024 pixels it stays inside its card.
    const expiredRow = page.locator('[data-testid="pki-row"][data-name="expired.lab.test"]');
    const futureRow = page.locator('[data-testid="pki-row"][data-name="future.lab.test"]');
    expect(await expiredRow.innerText()).toContain('expired');
    expect(await futureRow.getByTestId('pki-not-yet-valid').innerText()).toBe('not yet valid');
    const fits = await page.getByTestId('pki-tree').evaluate((table) => {
      const card = table.closest('section')!.getBoundingClientRect();
      const page = table.ownerDocument;
      return table.getBoundingClientRect().right <= card.right && page.documentElement.scrollWidth <= page.documentElement.clientWidth;
    });
    expect(fits).toBe(true);
    // A host name under its CA stays whole on one line (it broke as "expired.lab.te" / "st").
    const nameLines = await expiredRow.getByTestId('pki-open').evaluate((a) => a.getClientRects().length);
    expect(nameLines).toBe(1);
    await screenshot(page, 'lessons-02-tree-expired-and-future');

    // openssl: one has ended, the other has not begun.
    const expiredPem = await pemOf(page, 'expired.lab.test');
    expect(openssl(['x509', '-noout', '-checkend', '0'], expiredPem).out).toContain('will expire');
    await futureRow.getByTestId('pki-open').click();
    expect(await text(page, 'detail-validity')).toBe('not yet valid');
    await page.getByTestId('nav-certificates').click();
    const futurePem = await pemOf(page, 'future.lab.test');
    const start = openssl(['x509', '-noout', '-startdate'], futurePem).out.trim().replace('notBefore=', '');
    expect(Date.parse(start)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(pageErrors).toEqual([]);
  });

  it('issues a certificate for an internationalised name, written in its IDNA form as browsers send it', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await issue(page, 'www.lab.test', { sans: 'www.lab.test, bücher.lab.test, *.bücher.lab.test, 127.0.0.1' });
    await submitIssue(page, 'www.lab.test');
    const pem = await pemOf(page, 'www.lab.test');
    const sans = openssl(['x509', '-noout', '-ext', 'subjectAltName'], pem).out;
    expect(sans).toContain('DNS:xn--bcher-kva.lab.test');
    expect(sans).toContain('DNS:*.xn--bcher-kva.lab.test');
  });

  it('says where the key of a PKCS#12 went when its certificate was imported before without it', async () => {
    const dir = fs.mkdtempSync(path.join(app.tmp, 'p12-'));
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=shop.example.test',
      '-keyout', 'shop.key', '-out', 'shop.pem', '-days', '30']);
    run(['pkcs12', '-export', '-in', 'shop.pem', '-inkey', 'shop.key', '-out', 'shop.p12', '-passout', 'pass:secret123']);
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-import').click();
    await page.getByTestId('import-text').fill(fs.readFileSync(path.join(dir, 'shop.pem'), 'utf8'));
    await page.getByTestId('import-form-submit').click();
    await page.getByTestId('import-result').waitFor();
    const row = page.locator('[data-testid="pki-row"][data-name="shop.example.test"]');
    expect(await row.innerText()).toContain('no key');

    await page.getByTestId('import-file').setInputFiles(path.join(dir, 'shop.p12'));
    await page.getByTestId('import-passphrase').fill('secret123');
    await page.getByTestId('import-form-submit').click();
    await page.getByTestId('import-result').filter({ hasText: 'PKCS#12' }).waitFor();
    expect(await text(page, 'import-key-note')).toContain('already in the workbench and is kept with it');
    await row.filter({ hasNotText: 'no key' }).waitFor();
    await screenshot(page, 'lessons-03-p12-key-for-a-known-certificate');
  });
});

describe('a student in the PKI lab', () => {
  it('signs a request made by openssl req from the toolbar and reads which of its extensions were copied', async () => {
    const dir = fs.mkdtempSync(path.join(app.tmp, 'csr-'));
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'student.key', '-out', 'student.csr',
      '-subj', '/O=Student/CN=student.lab.test', '-addext', 'subjectAltName=DNS:student.lab.test,DNS:alt.lab.test',
      '-addext', 'basicConstraints=critical,CA:TRUE'], { cwd: dir, stdio: 'pipe' });
    const csr = fs.readFileSync(path.join(dir, 'student.csr'), 'utf8');
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();

    await page.getByTestId('pki-sign-csr').click();
    await page.getByTestId('sign-text').fill(csr);
    await page.getByTestId('sign-name').fill('student copied');
    await page.getByTestId('sign-form-submit').click();
    const copied = page.getByTestId('pki-notice').filter({ hasText: 'Signed "student copied"' });
    await copied.waitFor();
    expect(await copied.innerText()).toContain('Copied from the request: subjectAltName (2.5.29.17).');
    expect(await copied.innerText()).toContain('Not copied: basicConstraints (2.5.29.19): a request cannot make itself a CA');
    await screenshot(page, 'lessons-04-csr-signed-with-its-extensions');
    // The request itself, pasted into the inspector: its subject is what it asks for, not a certificate's.
    await page.getByTestId('pki-inspect-pem').click();
    await page.getByTestId('paste-text').fill(csr);
    await page.getByTestId('paste-form-submit').click();
    expect(await text(page, 'inspect-subject-hint')).toContain('Who the request asks a certificate for');
    expect(await text(page, 'inspect-subject-hash-hint')).not.toContain('trust folder');
    await page.getByTestId('paste-form-close').click();
    const pem = await pemOf(page, 'student copied');
    expect(openssl(['x509', '-noout', '-ext', 'subjectAltName'], pem).out).toContain('DNS:alt.lab.test');

    await page.getByTestId('pki-sign-csr').click();
    await page.getByTestId('sign-text').fill(csr);
    await page.getByTestId('sign-name').fill('student subject only');
    await page.locator('#sign-copy').uncheck();
    await page.getByTestId('sign-form-submit').click();
    const notCopied = page.getByTestId('pki-notice').filter({ hasText: 'Signed "student subject only"' });
    await notCopied.waitFor();
    expect(await notCopied.innerText()).toContain('Not copied: subjectAltName (2.5.29.17), basicConstraints (2.5.29.19): extensions are copied only when asked');
  });

  it('reads why an expired certificate fails: the failed check first, and every check says which certificate it is about', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.locator('[data-testid="pki-row"][data-name="expired.lab.test"]').getByTestId('pki-open').click();
    await page.getByTestId('tab-verify').click();
    await page.getByTestId('verify-trust-kind').selectOption('lab');
    await page.getByTestId('verify-trust-ca').selectOption(LONG_CA);
    await page.getByTestId('verify-host').fill('expired.lab.test');
    await page.getByTestId('verify-run').click();
    expect(await text(page, 'verify-outcome')).toContain('Failed: Validity period');
    const rows = page.getByTestId('verify-check');
    expect(await rows.first().getAttribute('data-ok')).toBe('false');
    expect(await rows.first().getAttribute('data-check')).toBe('validity');
    const about = await page.getByTestId('verify-check-about').allInnerTexts();
    expect(about[0]).toBe('leaf');
    // Leaf first, then the CA: the two "Validity period" rows are told apart.
    const firstCa = about.indexOf('Lab Root CA');
    expect(firstCa).toBeGreaterThan(0);
    expect(about.slice(firstCa).every((who) => who === 'Lab Root CA')).toBe(true);
    await screenshot(page, 'lessons-05-verify-expired');
  });
});

describe('a name already in the workbench', () => {
  it('is refused next to the name field, with a free one suggested, before anything reaches the engine', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-new-ca').click();
    await page.getByTestId('ca-name').fill(LONG_CA);
    await page.getByTestId('ca-subject-CN').fill('Another Root CA');
    await page.getByTestId('ca-form-submit').click();
    expect(await text(page, 'ca-name-error')).toBe(`"${LONG_CA}" is already the name of something in the workbench; choose another, e.g. "${LONG_CA} 2".`);
    expect(await page.getByTestId('ca-name').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('error-box').count()).toBe(0);
    await screenshot(page, 'lessons-06-duplicate-ca-name');
  });
});

describe('the Certificates view from the keyboard', () => {
  it('closes a form, a delete question and the passphrase question with Escape, and the keyboard goes back to what opened it', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-certificates').click();
    const focused = () => page.evaluate<string | null>(
      '(() => { const a = document.activeElement; return a ? a.getAttribute("data-testid") ?? a.tagName : null; })()',
    );

    // A toolbar form: Enter opens it, the first field has the keyboard, Escape closes it.
    await page.getByTestId('pki-issue').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('issue-form').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('issue-form').waitFor({ state: 'detached' });
    expect(await focused()).toBe('pki-issue');

    // Enter in a field submits; the mistake is explained; Escape still closes.
    await page.getByTestId('pki-new-ca').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('ca-name').waitFor();
    await page.keyboard.type('Keyboard CA');
    await page.keyboard.press('Enter');
    expect(await text(page, 'ca-subject-CN-error')).toContain('common name');
    await page.keyboard.press('Escape');
    await page.getByTestId('ca-form').waitFor({ state: 'detached' });
    expect(await focused()).toBe('pki-new-ca');

    // A delete question: Escape keeps the certificate and returns to its Delete button.
    const row = page.locator('[data-testid="pki-row"][data-name="www.lab.test"]');
    await row.getByTestId('pki-delete').focus();
    await page.keyboard.press('Enter');
    await row.getByTestId('pki-delete-question').waitFor();
    await page.keyboard.press('Escape');
    await row.getByTestId('pki-delete-question').waitFor({ state: 'detached' });
    expect(await focused()).toBe('pki-delete');
    expect(await row.evaluate((tr) => tr.contains(tr.ownerDocument.activeElement))).toBe(true);

    // The same in the CSR table: the question takes the keyboard to Keep, Escape keeps the request.
    await page.getByTestId('pki-new-csr').click();
    await page.getByTestId('csr-subject-CN').fill('keyboard.lab.test');
    await page.getByTestId('csr-form-submit').click();
    const csrRow = page.getByTestId('csr-row').filter({ hasText: 'keyboard.lab.test' });
    await csrRow.waitFor();
    await csrRow.getByTestId('csr-delete').focus();
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('csr-keep');
    await page.keyboard.press('Escape');
    await csrRow.getByTestId('csr-keep').waitFor({ state: 'detached' });
    expect(await focused()).toBe('csr-delete');

    // A CA with many certificates folds away: its rows go, the CA says how many it hides.
    const rootRow = page.locator(`[data-testid="pki-row"][data-name="${LONG_CA}"]`);
    const before = await page.getByTestId('pki-row').count();
    await rootRow.getByTestId('pki-fold').focus();
    await page.keyboard.press('Enter');
    expect(await rootRow.getByTestId('pki-fold').getAttribute('aria-expanded')).toBe('false');
    const hidden = Number((await text(page, 'pki-folded')).replace(' below', ''));
    expect(hidden).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('pki-row').count()).toBe(before - hidden);
    expect(await row.count()).toBe(0);
    await screenshot(page, 'lessons-07-ca-folded');
    await page.keyboard.press('Enter');
    await row.waitFor();
    expect(await page.getByTestId('pki-row').count()).toBe(before);

    // The passphrase question: a mismatch is explained, Escape cancels.
    await page.getByTestId('passphrase-set-open').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('correct horse');
    await page.keyboard.press('Tab');
    await page.keyboard.type('correct hors');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('key-protection').innerText()).toContain('differ');
    await page.keyboard.press('Escape');
    await page.getByTestId('passphrase-form').waitFor({ state: 'detached' });
    expect(await focused()).toBe('passphrase-set-open');
    expect(await text(page, 'key-protection')).toContain('keys not encrypted');
  });
});
