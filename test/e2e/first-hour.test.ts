// A student's first hour in the window alone, from an empty workbench: the lab CA and the bank's
// certificate made under Certificates, a server started with them, a client session sent to it
// from the server's card, then the proxy with a rewrite rule and a victim sent through it, in a
// 1024-pixel window too. What a first walk through the window found confusing or broken:
// the session opened scrolled down to its certificates, a CA offered "www.bank32.com" as its name,
// the only CA or certificate had to be picked by hand, a long form's errors were out of sight, the
// round-trip bracket crossed the ladder's times, lists and addresses were cut at 1024 pixels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, openWorkbench, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { freePort } from '../support/ports';

let app: E2eApp;
let serverPort: number;

beforeAll(async () => {
  app = await startE2e('first-hour');
  serverPort = await freePort();
});

afterAll(async () => {
  await app?.close();
});

const fresh = (width?: number, height?: number): Promise<Page> => openWorkbench(app, width, height);

describe('lab task 1 in the window alone', () => {
  it('makes the CA and certificate, starts a server, and reaches it from the server card', async () => {
    const page = await fresh();
    const errors = collectPageErrors(page);

    // An empty Servers page has nothing to count ("0 running · 0 in this engine" said nothing useful).
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-form').waitFor();
    expect(await page.getByTestId('server-count').count()).toBe(0);

    // With no CA yet, choosing "A workshop CA" as the trust store offers the way to make one.
    await page.getByTestId('nav-new-client').click();
    await page.getByTestId('client-trust-kind').selectOption('lab');
    await page.getByTestId('client-trust-ca-go').click();
    await page.getByTestId('certificates-view').waitFor();

    // A CA's subject suggests a CA's name, not the server's host name.
    await page.getByTestId('pki-new-ca').click();
    // The keyboard goes on in the form it opened, not on the next toolbar button.
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('ca-name');
    expect(await page.getByTestId('ca-subject-CN').getAttribute('placeholder')).toBe('Lab Root CA');
    expect(await page.getByTestId('ca-subject-O').getAttribute('placeholder')).not.toContain('Bank32');
    await page.getByTestId('ca-name').fill('Lab Root');
    await page.getByTestId('ca-subject-CN').fill('Lab Root CA');
    await page.getByTestId('ca-form-submit').click();
    await page.getByTestId('pki-notice').waitFor();

    await page.getByTestId('pki-issue').click();
    expect(await page.getByTestId('issue-subject-CN').getAttribute('placeholder')).toBe('www.bank32.com');
    await page.getByText('Client certificate', { exact: true }).click();
    expect(await page.getByTestId('issue-subject-CN').getAttribute('placeholder')).toBe('alice');
    await page.getByText('Server certificate', { exact: true }).click();
    await page.getByTestId('issue-subject-CN').fill('www.bank32.com');
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'pki-notice')).toContain('Issued "www.bank32.com"');

    // The only server certificate is already chosen; a problem far down the form takes the student to it.
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-form').waitFor();
    await expect.poll(() => page.getByTestId('server-identity-lab').inputValue()).toBe('www.bank32.com');
    await page.getByTestId('server-port').fill(String(serverPort));
    await page.getByText('Require', { exact: true }).click();
    // The only workshop CA is the one client certificates must come from.
    await expect.poll(() => page.getByTestId('server-client-ca-lab').inputValue()).toBe('Lab Root');
    await page.getByTestId('server-client-ca-kind').selectOption('file');
    await page.getByTestId('server-form-submit').click();
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('server-client-ca-path');
    expect(await page.getByTestId('server-client-ca-path').isVisible()).toBe(true);
    await screenshot(page, 'first-hour-01-focus-on-problem');
    await page.getByText('Off', { exact: true }).first().click();
    await page.getByTestId('server-form-submit').click();
    await page.locator('[data-testid="server-card"][data-status="running"]').waitFor();
    expect(await text(page, 'server-count')).toBe('1 running');
    // "+ Start a new server" gives way to the form: the keyboard follows into it, and back to the button when it closes.
    await page.getByTestId('server-new').click();
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('server-host');
    await page.getByTestId('server-form-close').click();
    await expect.poll(() => page.evaluate('document.activeElement?.dataset.testid')).toBe('server-new');

    // The card opens the client form aimed at the server: its name, port and address, its CA trusted.
    await page.getByTestId('server-try-client').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-host').inputValue()).toBe('www.bank32.com');
    expect(await page.getByTestId('client-port').inputValue()).toBe(String(serverPort));
    expect(await page.getByTestId('client-connect-to').inputValue()).toBe('127.0.0.1');
    expect(await page.getByTestId('client-trust-kind').inputValue()).toBe('lab');
    expect(await page.getByTestId('client-trust-ca').inputValue()).toBe('Lab Root');

    // The Connect button is at the bottom of a long form; the session opens at its verdict, not its certificates.
    await page.getByTestId('client-connect').scrollIntoViewIfNeeded();
    expect(await page.evaluate('window.scrollY')).toBeGreaterThan(0);
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    expect(await page.evaluate('window.scrollY')).toBe(0);
    await screenshot(page, 'first-hour-02-session-at-top');

    // The round-trip bracket stands clear of the times the client's arrows carry.
    await page.getByTestId('tab-inside').click();
    await page.getByTestId('ladder-round-trip').first().waitFor();
    const overlap = await page.evaluate(`(() => {
      const bracket = document.querySelector('[data-testid="ladder-round-trip"] path').getBoundingClientRect();
      return [...document.querySelectorAll('svg text.time')]
        .map((t) => t.getBoundingClientRect())
        .filter((t) => t.right > bracket.left - 1 && t.left < bracket.right + 1 && t.bottom > bracket.top && t.top < bracket.bottom).length;
    })()`);
    expect(overlap).toBe(0);
    // A message reached by the keyboard is ringed like every other control, not just shaded.
    await page.getByTestId('ladder-message').first().focus();
    await page.keyboard.press('ArrowDown');
    const ring = await page.evaluate(`getComputedStyle(document.activeElement.querySelector('rect')).stroke`);
    expect(ring).not.toBe('none');
    expect(errors).toEqual([]);
  });

  it('skips the sidebar by keyboard, chooses the only workshop CA as the trust store, and says when "Connect to" overrides the host table', async () => {
    const page = await fresh();
    // The sidebar lists every recent session: the window's first Tab offers to go past them to the form.
    await page.getByTestId('session-nav-item').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('skip-to-page');
    expect(await page.getByTestId('skip-to-page').isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('client-host');
    await page.getByTestId('nav-hosts').click();
    await page.getByTestId('host-name').fill('www.bank32.com');
    await page.getByTestId('host-address').fill('127.0.0.1');
    await page.getByTestId('host-add').click();
    await page.getByTestId('hosts-row').waitFor();

    await page.getByTestId('nav-new-client').click();
    await page.getByTestId('client-host').fill('www.bank32.com');
    expect((await page.locator('#client-host-hint').innerText()).trim()).toBe('Host table: www.bank32.com → 127.0.0.1');
    await page.getByTestId('client-connect-to').fill('127.0.0.1:8443');
    expect((await page.locator('#client-host-hint').innerText()).trim()).toContain('not used: "Connect to" below');
    await page.getByTestId('client-trust-kind').selectOption('lab');
    await expect.poll(() => page.getByTestId('client-trust-ca').inputValue()).toBe('Lab Root');

    // The version lists say what TLS 1.0 takes from this OpenSSL (it failed with "share no TLS version" and no reason).
    await expect
      .poll(() => page.getByTestId('client-max-version').locator('option[value="TLSv1"]').innerText())
      .toBe('TLSv1 (add @SECLEVEL=0 to the cipher list)');

    // Nothing listening: no certificate came, and the card does not say in which order none came.
    await page.getByTestId('client-connect-to').fill(`127.0.0.1:${await freePort()}`);
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Failed');
    expect(await page.getByTestId('certificate-chain').locator('.aside').innerText()).toBe('0 certificates');
  });
});

describe('lab task 3 in the window alone', () => {
  it('starts a proxy with the only CA chosen, sends a victim through it from its card, and compares the certificates at 1024 pixels', async () => {
    const page = await fresh(1024, 768);
    const errors = collectPageErrors(page);
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-form').waitFor();
    await expect.poll(() => page.getByTestId('proxy-ca').inputValue()).toBe('Lab Root');
    await page.getByTestId('proxy-listen').fill('127.0.0.1:0');
    await page.getByTestId('proxy-map').fill(`www.bank32.com=127.0.0.1:${serverPort}`);
    await page.getByTestId('proxy-upstream-lab').check();
    await expect.poll(() => page.getByTestId('proxy-upstream-lab-ca').inputValue()).toBe('Lab Root');
    // A rewrite rule's "Find" and "Replace with" were 45 pixels wide at 1024: the flags now go under them.
    await page.getByTestId('proxy-rule-add-response').click();
    for (const field of ['find', 'replace']) {
      expect(await page.getByTestId(`proxy-rule-0-${field}`).evaluate((input) => (input as unknown as { clientWidth: number }).clientWidth)).toBeGreaterThan(150);
    }
    await page.getByTestId('proxy-rule-0-find').fill('Bank32');
    await page.getByTestId('proxy-rule-0-replace').fill('Bank99');
    await page.getByTestId('proxy-form-submit').click();
    await page.locator('[data-testid="proxy-card"][data-status="running"]').waitFor();

    await page.getByTestId('proxy-try-client').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-host').inputValue()).toBe('www.bank32.com');
    expect(await page.getByTestId('client-port').inputValue()).toBe(String(serverPort));
    expect(await page.getByTestId('client-connect-to').inputValue()).toMatch(/^127\.0\.0\.1:\d+$/);
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    expect(await text(page, 'response-text')).toContain('Bank99');
    // The overview's timeline fits its card at 1024 pixels (Contents was cut off at the right, behind a sideways scroll).
    await page.getByTestId('timeline-table').first().waitFor();
    expect(await page.evaluate(`[...document.querySelectorAll('[data-testid="timeline-table"]')].filter((t) => t.scrollWidth > t.parentElement.clientWidth).length`)).toBe(0);

    // At 1024 pixels the record table's Info column, which names each message, read "ClientH…".
    await page.getByTestId('tab-inside').click();
    await page.getByTestId('inside-record-row').first().waitFor();
    const cut = await page.evaluate(`[...document.querySelectorAll('[data-testid="inside-record-table"] .head > span, [data-testid="inside-record-row"] .info')]
      .filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent.trim())`);
    expect(cut).toEqual([]);

    // The cards' connection tables stay inside a 1024-pixel window (they ran 70 and 115 pixels past it).
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-connection-row').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-connection-row').first().waitFor();
    await screenshot(page, 'first-hour-03-proxy-card-1024');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await page.getByTestId('proxy-card').locator('a[href^="#/sessions/"]').first().click();
    await page.getByTestId('proxy-leg-ladder').waitFor();
    // Each end's address on one line (it broke as "127.0.0.1:5 / 5032" at 1024 pixels).
    const wrapped = await page.evaluate(
      `[...document.querySelectorAll('[data-testid="proxy-leg-ladder"] .party .mono')].map((e) => e.getClientRects().length > 1 || e.offsetHeight > 24)`,
    );
    expect(wrapped).toEqual([false, false]);
    // The validity reads as the certificate cards read, not as ISO strings.
    expect(await page.locator('[data-testid="proxy-diff-row"][data-field="validity"] [data-testid="proxy-diff-forged"]').innerText()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d UTC to \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await screenshot(page, 'first-hour-04-proxy-session-1024');

    // The certificate tree fits too, its delete question included (it ran 18 and 35 pixels past the window).
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-row').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await page.getByRole('button', { name: 'Delete Lab Root' }).click();
    await page.getByTestId('pki-delete-confirm').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    // The button that asked is gone: the keyboard is on "Keep", not thrown back to the top of the page.
    expect(await page.evaluate('document.activeElement?.textContent.trim()')).toBe('Keep');
    // Only the question is red: "Keep" is written like any other button (it took the warning's red).
    const [keepColour, deleteColour] = await page.evaluate(
      "[getComputedStyle(document.activeElement).color, getComputedStyle(document.querySelector('[data-testid=pki-delete-confirm]')).color]",
    ) as [string, string];
    expect(keepColour).not.toBe(deleteColour);
    expect(keepColour).toBe('rgb(31, 35, 40)');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Delete Lab Root' }).waitFor();
    // Likewise the passphrase form takes the keyboard to its first field.
    await page.getByTestId('passphrase-set-open').click();
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('passphrase-new');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // The Sessions filters show their whole choice at 1024 pixels ("Any vers", "Any outc").
    await page.getByTestId('nav-sessions').click();
    for (const id of ['sessions-filter-version', 'sessions-filter-outcome']) {
      await page.getByTestId(id).waitFor();
      const cut = await page.evaluate(`(() => {
        const select = document.querySelector('[data-testid="${id}"]');
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(select).font;
        probe.textContent = select.options[select.selectedIndex].text;
        document.body.append(probe);
        const needed = probe.getBoundingClientRect().width;
        probe.remove();
        return select.clientWidth - needed;
      })()`);
      // The text plus the select's padding and arrow.
      expect(cut, id).toBeGreaterThan(30);
    }
    // Every row's buttons inside the list's card (at 1024 pixels Started and all four buttons were cut off).
    await page.getByTestId('sessions-row').first().waitFor();
    const overflow = await page.evaluate(`(() => {
      const table = document.querySelector('[data-testid="sessions-table"]');
      const card = table.closest('.card').getBoundingClientRect().right;
      return [...table.querySelectorAll('[data-testid="session-delete"]')].map((b) => Math.round(b.getBoundingClientRect().right - card));
    })()`);
    expect(overflow).not.toEqual([]);
    expect((overflow as number[]).every((px) => px <= 0)).toBe(true);
    const first = page.getByTestId('sessions-row').first();
    await first.getByTestId('session-delete').click();
    expect(await page.evaluate('document.activeElement?.dataset.testid')).toBe('session-delete-cancel');
    await page.keyboard.press('Enter');
    await first.getByTestId('session-delete').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await screenshot(page, 'first-hour-05-sessions-1024');
    expect(errors).toEqual([]);
  });
});
