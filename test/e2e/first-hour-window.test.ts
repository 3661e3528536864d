// A student's first hour in the window, the places where it misled: a victim the careful proxy
// refused read a list of guesses (TLS version, cipher list ...) while the proxy knew why, and the
// proxy's own session told a window user to pass command-line flags; the replay's "Send to" showed
// 127.0.0.1:4433 whatever server the session went to; the sidebar said such a victim had "no handshake"; the good end of every connection
// (close_notify) was drawn in a failure's red; the ladder's times had no unit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, openWorkbench, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { freePort } from '../support/ports';

let app: E2eApp;
let serverPort: number;
let proxyPort: number;

beforeAll(async () => {
  app = await startE2e('first-hour-window');
  serverPort = await freePort();
  proxyPort = await freePort();
});

afterAll(async () => {
  await app?.close();
});

/** The lab's pair in one click, and a lab server with it on serverPort. */
async function startLabServer(page: Page): Promise<void> {
  await page.getByTestId('nav-servers').click();
  await page.getByTestId('server-form').waitFor();
  await page.getByTestId('server-identity-starter-make').click();
  await expect.poll(() => page.getByTestId('server-identity-lab').inputValue(), { timeout: 30_000 }).toBe('www.bank32.com');
  await page.getByTestId('server-port').fill(String(serverPort));
  await page.getByTestId('server-form-submit').click();
  await page.locator('[data-testid="server-card"][data-status="running"]').waitFor();
}

/** The browser's getComputedStyle, for functions that run in the page (this file is typed for Node). */
interface BrowserStyle {
  getComputedStyle(element: unknown): { fill: string; color: string };
}

describe('a student in the window', () => {
  it('a victim the careful proxy refused is told why, in the words of the window', async () => {
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);
    await startLabServer(page);

    // The proxy keeps its default check of the real server (this machine's CAs), which the lab server's root is not among.
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-listen').fill(`127.0.0.1:${proxyPort}`);
    await page.getByTestId('proxy-ca').selectOption('Lab Root');
    await page.getByTestId('proxy-map').fill(`www.bank32.com=127.0.0.1:${serverPort}`);
    await page.getByTestId('proxy-form-submit').click();
    await page.locator('[data-testid="proxy-card"][data-status="running"]').waitFor();

    // The victim, from the proxy's card.
    await page.getByTestId('proxy-try-client').click();
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Failed');
    // It was sent handshake_failure; the proxy's session, the other end, knows the reason, and this one now says it.
    const why = await text(page, 'session-other-end-why');
    expect(why).toContain("Why it failed: the real server's certificate did not verify on the proxy's side, so the proxy refused this client");
    await screenshot(page, 'first-hour-window-01-victim-why');
    // Its ClientHello went out and was answered with an alert: in the sidebar, a handshake that failed, not none.
    const victimId = /#\/sessions\/(\d+)/.exec(page.url())![1];
    const victimItem = page.locator(`[data-testid="session-nav-item"][href="#/sessions/${victimId}"]`);
    expect(await victimItem.innerText()).toContain('handshake failed');

    await page.getByTestId('session-other-end-why').getByRole('link').click();
    await expect.poll(() => page.getByTestId('session-header').innerText(), { timeout: 30_000 }).toMatch(/Session #\d+ · proxy/);
    // The window has no --upstream-ca: it says what happened, and the panel says what to change in the form.
    const detail = await text(page, 'session-outcome-detail');
    expect(detail).toContain("the real server's certificate for www.bank32.com did not verify");
    expect(detail).toMatch(/the proxy refused the victim\.$/);
    expect(detail).not.toContain('--');
    expect(await text(page, 'proxy-failure-message')).not.toContain('--upstream');
    // Nor do the timelines of its two legs.
    for (const table of await page.getByTestId('timeline-table').all()) expect(await table.innerText()).not.toContain('--upstream');
    expect(await page.getByTestId('timeline-table').count()).toBe(2);
    await screenshot(page, 'first-hour-window-02-proxy-refusal');
    expect(errors).toEqual([]);
  });

  it('a verified session: replay says where it sends, close_notify is no failure, the ladder’s times are in ms', async () => {
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-try-client').first().click();
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');

    // "Send to" left empty goes to the original server: the field shows which, not another port.
    const sendTo = page.getByTestId('replay-to');
    expect(await sendTo.getAttribute('placeholder')).toBe(`127.0.0.1:${serverPort}`);
    expect(await page.getByTestId('replay-panel').innerText()).toContain(`empty sends to the original server, 127.0.0.1:${serverPort}`);
    await page.getByTestId('serve-recording').click();
    await page.getByTestId('replay-server').waitFor();
    expect(await text(page, 'replay-server')).toContain('0 connections, 0 answered from the recording');
    await page.getByTestId('replay-server-stop').click();

    await page.locator('#session-tab-inside').click();
    await page.getByTestId('inside-view').waitFor();
    expect(await text(page, 'ladder-hint')).toContain('ms since the session started');
    // The red of a failure, as this page computes it.
    const fail = await page.evaluate<string>(
      `(() => { const probe = document.createElement('span'); probe.style.color = 'var(--fail)'; document.body.append(probe); const colour = getComputedStyle(probe).color; probe.remove(); return colour; })()`,
    );
    expect(fail).toBe('rgb(196, 36, 47)');
    // The server's close_notify ends this good session: drawn and listed like any other message.
    const closeLine = page.getByTestId('ladder-message').filter({ hasText: 'close_notify' }).first();
    await closeLine.waitFor();
    expect(await closeLine.locator('text').evaluate((el) => (globalThis as unknown as BrowserStyle).getComputedStyle(el).fill)).not.toBe(fail);
    const closeRow = page.getByTestId('inside-record-row').filter({ hasText: 'close_notify' }).first();
    await closeRow.waitFor();
    expect(await closeRow.locator('.info').evaluate((el) => (globalThis as unknown as BrowserStyle).getComputedStyle(el).color)).not.toBe(fail);
    await screenshot(page, 'first-hour-window-03-inside');
    expect(errors).toEqual([]);
  });
});
