// A student's first hour, the steps after a result: a client that refuses the lab server's
// certificate because it does not trust the root says that the root is the student's own workshop
// CA and offers to run again trusting it; and the Sessions list, where each run to a lab server
// records a client and a server session, can show one side only; a server that requires a client
// certificate from the lab CA is reached from its card with the one client certificate there is; a
// certificate just issued leads on to its use; a proxy session shows the plaintext the proxy read.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, collectPageErrors, openWorkbench, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { freePort } from '../support/ports';

let app: E2eApp;
let serverPort: number;

beforeAll(async () => {
  app = await startE2e('first-hour-next');
  serverPort = await freePort();
});

afterAll(async () => {
  await app?.close();
});

const fresh = (width?: number, height?: number): Promise<Page> => openWorkbench(app, width, height);

describe('after a refused certificate', () => {
  it('names the workshop CA the chain ends in and runs again trusting it', async () => {
    const page = await fresh();
    const errors = collectPageErrors(page);
    // The lab's pair in one step, and a server with it.
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-form').waitFor();
    await page.getByTestId('server-identity-starter-make').click();
    // Making the CA and the pair takes seconds on a busy machine: wait for the notice that they are made.
    await page.getByTestId('server-identity-starter-made').waitFor();
    expect(await page.getByTestId('server-identity-lab').inputValue()).toBe('www.bank32.com');
    await page.getByTestId('server-port').fill(String(serverPort));
    await page.getByTestId('server-form-submit').click();
    await page.locator('[data-testid="server-card"][data-status="running"]').waitFor();

    // The student types the server in by hand and keeps the system store: the chain is refused.
    await page.getByTestId('nav-new-client').click();
    await page.getByTestId('client-host').fill('www.bank32.com');
    await page.getByTestId('client-port').fill(String(serverPort));
    await page.getByTestId('client-connect-to').fill('127.0.0.1');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Failed');
    // The refusal says which of the student's CAs the root is, and what trusting it means.
    const advice = page.getByTestId('verification-trust-workshop');
    await advice.waitFor();
    expect(await advice.innerText()).toContain('your workshop CA “Lab Root”');
    // What the client did about it, as an OpenSSL client would: it told the server.
    expect(await text(page, 'verification-alert-sent')).toContain('it sent the alert unknown_ca');
    await screenshot(page, 'first-hour-next-01-trust-advice');
    // The lab server recorded the same connection from its side: the two sessions lead to each other.
    const otherEnd = page.getByTestId('session-other-end-link');
    await otherEnd.waitFor();
    expect(await otherEnd.innerText()).toMatch(/^the lab server's session #\d+$/);
    const clientUrl = page.url();
    await otherEnd.click();
    await expect.poll(() => page.getByTestId('session-header').innerText(), { timeout: 30_000 }).toMatch(/Session #\d+ · server/);
    expect(await text(page, 'session-outcome-detail')).toContain('the client ended the handshake with the alert "unknown_ca"');
    expect(await page.getByTestId('session-other-end-link').innerText()).toMatch(/^the workbench client's session #\d+$/);
    await page.getByTestId('session-other-end-link').click();
    await expect.poll(() => page.url()).toBe(clientUrl);
    await page.getByTestId('verification-trust-workshop').waitFor();

    await page.getByTestId('verification-trust-workshop-run').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-trust-kind').inputValue()).toBe('lab');
    expect(await page.getByTestId('client-trust-ca').inputValue()).toBe('Lab Root');
    // Everything else is the refused run's.
    expect(await page.getByTestId('client-host').inputValue()).toBe('www.bank32.com');
    expect(await page.getByTestId('client-port').inputValue()).toBe(String(serverPort));
    expect(await page.getByTestId('client-connect-to').inputValue()).toBe('127.0.0.1');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    // Trusted now: nothing more to advise.
    expect(await page.getByTestId('verification-trust-workshop').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('the Sessions list', () => {
  it('shows the sessions one side recorded, with the choice readable at 1024 pixels', async () => {
    const page = await fresh(1024, 700);
    const errors = collectPageErrors(page);
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('sessions-row').first().waitFor();
    // Two client runs, each with the server's own session of it.
    await expect.poll(() => page.getByTestId('sessions-row').count(), { timeout: 30_000 }).toBe(4);

    // The server's session of the refused run says why it failed where the student can read it: the
    // line naming the server session no longer uses up the lines, leaving "… asked for www.bank32.com · the…".
    // A string, evaluated in the page: the tests are typechecked without the DOM's types.
    const shown = await page.evaluate(`(() => {
      const words = 'the client ended the handshake with the alert';
      const note = [...document.querySelectorAll('[data-testid="sessions-row"] [data-testid="session-note"]')].find((n) => n.textContent.includes(words));
      const node = note.firstChild;
      const start = node.textContent.indexOf(words);
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, start + words.length);
      const box = note.getBoundingClientRect();
      return [...range.getClientRects()].every((r) => r.bottom <= box.bottom + 0.5);
    })()`);
    expect(shown).toBe(true);
    await screenshot(page, 'first-hour-next-02-sessions-reasons-1024');

    const kind = page.getByTestId('sessions-filter-kind');
    await kind.selectOption('server');
    // Two rows, both the server's (the list before the filter held two client sessions too).
    const sides = () => page.getByTestId('session-role').allInnerTexts().then((notes) => notes.map((n) => (n.startsWith('server session') ? 'server' : 'other')));
    await expect.poll(async () => [await page.getByTestId('sessions-row').count(), await sides()]).toEqual([2, ['server', 'server']]);

    await kind.selectOption('client');
    // A client row has no role line: count the rows, and none may be a server's.
    await expect.poll(async () => [await page.getByTestId('sessions-row').count(), (await sides()).includes('server')]).toEqual([2, false]);

    await kind.selectOption('proxy');
    await page.getByTestId('sessions-empty').waitFor();
    expect(await text(page, 'sessions-empty')).toContain('No session matches these filters');

    // Its label is visible and its choice is not cut.
    expect(await page.locator('label', { has: kind }).innerText()).toContain('Recorded by');
    const room = await page.evaluate(`(() => {
      const select = document.querySelector('[data-testid="sessions-filter-kind"]');
      const probe = document.createElement('span');
      probe.style.font = getComputedStyle(select).font;
      probe.textContent = select.options[select.selectedIndex].text;
      document.body.append(probe);
      const needed = probe.getBoundingClientRect().width;
      probe.remove();
      return select.clientWidth - needed;
    })()`);
    expect(room).toBeGreaterThan(30);
    // Every filter and the Clear button inside the list's card (with a sixth filter, Clear ran 18 pixels past it).
    const outside = await page.evaluate(`(() => {
      const card = document.querySelector('[data-testid="sessions-filters"]').getBoundingClientRect();
      return [...document.querySelectorAll('[data-testid="sessions-filters"] input, [data-testid="sessions-filters"] select, [data-testid="sessions-filters"] button')]
        .filter((e) => e.getBoundingClientRect().right > card.right - 1).map((e) => e.dataset.testid);
    })()`);
    expect(outside).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    await screenshot(page, 'first-hour-next-02-sessions-by-side-1024');

    await page.getByTestId('sessions-filter-clear').click();
    await expect.poll(() => page.getByTestId('sessions-row').count(), { timeout: 30_000 }).toBe(4);
    expect(await kind.inputValue()).toBe('');
    expect(errors).toEqual([]);
  });
});

describe('a server that requires a client certificate', () => {
  it('is reached from its card presenting the only client certificate the CA issued', async () => {
    const page = await fresh(1024, 700);
    const errors = collectPageErrors(page);
    // Alice's certificate, next to the server's (the list offers both kinds).
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-issue').click();
    await page.getByText('Client certificate', { exact: true }).click();
    await page.getByTestId('issue-subject-CN').fill('alice');
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'pki-notice')).toContain('Issued "alice"');

    const port = await freePort();
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-form').waitFor();
    await page.getByTestId('server-port').fill(String(port));
    await page.getByTestId('server-identity-lab').selectOption('www.bank32.com');
    await page.getByText('Require', { exact: true }).click();
    await expect.poll(() => page.getByTestId('server-client-ca-lab').inputValue()).toBe('Lab Root');
    await page.getByTestId('server-form-submit').click();
    const card = page.locator('[data-testid="server-card"][data-status="running"]', { hasText: `127.0.0.1:${port}` }).first();
    await card.waitFor();
    // The card says whom the client will be, and the form opens with her chosen (it said "Choose a certificate…").
    expect(await card.innerText()).toContain('presenting the client certificate “alice”');
    await card.getByTestId('server-try-client').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-cert-kind').inputValue()).toBe('lab');
    expect(await page.getByTestId('client-cert-lab').inputValue()).toBe('alice');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    expect(await page.getByTestId('response-text').innerText()).toContain('HTTP/1.1 200');
    expect(errors).toEqual([]);
  });
});

describe('a certificate just issued', () => {
  it('leads on to the server that presents it, or the client that does', async () => {
    const page = await fresh(1024, 700);
    const errors = collectPageErrors(page);
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-issue').click();
    await page.getByTestId('issue-subject-CN').fill('mail.bank32.com');
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'pki-notice')).toContain('Issued "mail.bank32.com"');
    // The notice said "Inspect it" and nothing of what the certificate is for.
    const use = page.getByTestId('pki-notice-use');
    expect((await use.innerText()).trim()).toBe('Start a server with it');
    await screenshot(page, 'first-hour-next-03-issued-next-step-1024');
    // Each on one line beside the longer notice (it broke as "Inspect / it").
    for (const id of ['pki-notice-open', 'pki-notice-use']) {
      expect(await page.getByTestId(id).evaluate((e) => (e as unknown as { getClientRects(): { length: number } }).getClientRects().length), id).toBe(1);
    }
    await use.click();
    await page.getByTestId('server-form').waitFor();
    expect(await page.getByTestId('server-identity-lab').inputValue()).toBe('mail.bank32.com');

    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-issue').click();
    await page.getByText('Client certificate', { exact: true }).click();
    await page.getByTestId('issue-subject-CN').fill('bob');
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'pki-notice')).toContain('Issued "bob"');
    expect((await use.innerText()).trim()).toBe('Present it from New client session');
    await use.click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-cert-kind').inputValue()).toBe('lab');
    expect(await page.getByTestId('client-cert-lab').inputValue()).toBe('bob');

    // Inspected from the notice and deleted there, the certificate takes its notice with it.
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-notice-open').click();
    await page.getByTestId('detail-delete').click();
    await page.getByTestId('detail-delete-confirm').click();
    await page.getByTestId('certificates-view').waitFor();
    expect(await page.getByTestId('pki-notice').count()).toBe(0);
    expect(await page.getByText('bob', { exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('a proxy session', () => {
  it('shows what the man in the middle read in plaintext, at 1024 pixels', async () => {
    const page = await fresh(1024, 700);
    const errors = collectPageErrors(page);
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-form').waitFor();
    await expect.poll(() => page.getByTestId('proxy-ca').inputValue(), { timeout: 30_000 }).toBe('Lab Root');
    await page.getByTestId('proxy-listen').fill('127.0.0.1:0');
    await page.getByTestId('proxy-map').fill(`www.bank32.com=127.0.0.1:${serverPort}`);
    await page.getByTestId('proxy-upstream-lab').check();
    await page.getByTestId('proxy-form-submit').click();
    await page.locator('[data-testid="proxy-card"][data-status="running"]').waitFor();
    await page.getByTestId('proxy-try-client').click();
    await page.getByTestId('client-form').waitFor();
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');

    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-connection-row').first().waitFor();
    await page.getByTestId('proxy-card').locator('a[href^="#/sessions/"]').first().click();
    // The overview said "1 HTTP exchange" and showed none of it: the plaintext was three clicks into the records.
    const turns = page.getByTestId('proxy-plaintext-turn');
    await turns.first().waitFor();
    expect(await turns.first().getAttribute('data-direction')).toBe('client-to-server');
    expect(await turns.first().innerText()).toContain('GET / HTTP/1.1');
    expect(await turns.first().innerText()).toContain('Host: www.bank32.com');
    const answer = page.locator('[data-testid="proxy-plaintext-turn"][data-direction="server-to-client"]').first();
    expect(await answer.innerText()).toContain('HTTP/1.1 200');
    expect(await answer.innerText()).toContain('Bank32');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    // Both other ends were recorded: the victim (the workbench's own client) and the real server.
    await expect.poll(() => page.getByTestId('session-other-end-link').allInnerTexts().then((links) => links.map((l) => l.replace(/#\d+$/, '#')).sort()))
      .toEqual(["the lab server's session #", "the workbench client's session #"]);
    await screenshot(page, 'first-hour-next-05-proxy-session-other-ends-1024');
    await page.getByTestId('proxy-plaintext').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'first-hour-next-04-proxy-plaintext-1024.png') });
    expect(errors).toEqual([]);
  });
});

describe('the proxy lesson from the card', () => {
  it('sends a careful victim that refuses the forged certificate, and then the one that accepts it', async () => {
    const page = await fresh(1024, 700);
    const errors = collectPageErrors(page);
    // The attacker's own CA signs the forgeries; the real server is checked against the lab's CA.
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-new-ca').click();
    await page.getByTestId('ca-name').fill('Mallory');
    await page.getByTestId('ca-subject-CN').fill('Mallory CA');
    await page.getByTestId('ca-form-submit').click();
    await page.getByTestId('pki-notice').waitFor();
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('proxy-new').click();
    const form = page.getByTestId('proxy-form');
    await form.waitFor();
    await form.getByTestId('proxy-ca').selectOption('Mallory');
    await form.getByTestId('proxy-listen').fill('127.0.0.1:0');
    await form.getByTestId('proxy-map').fill(`www.bank32.com=127.0.0.1:${serverPort}`);
    await form.getByTestId('proxy-upstream-lab').check();
    await form.getByTestId('proxy-upstream-lab-ca').selectOption('Lab Root');
    await form.getByTestId('proxy-form-submit').click();
    const card = page.locator('[data-testid="proxy-card"][data-status="running"]', { hasText: 'Mallory' }).first();
    await card.waitFor();

    // Only the victim that trusts the attacker's CA was offered; the refusal took editing the trust store by hand.
    const careful = card.getByTestId('proxy-try-client-careful');
    await screenshot(page, 'first-hour-next-06-proxy-two-victims-1024');
    expect(await card.innerText()).toContain('Or as a victim that trusts only the real site\'s CA');
    // Two buttons, two names: a screen reader's list of buttons tells them apart.
    expect(await careful.innerText()).toBe('Open as the careful victim');
    await careful.click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-trust-ca').inputValue()).toBe('Lab Root');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Failed');
    expect(await text(page, 'session-outcome-detail')).toContain('untrusted root');

    await page.getByTestId('nav-proxy').click();
    await card.getByTestId('proxy-try-client').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-trust-ca').inputValue()).toBe('Mallory');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    expect(errors).toEqual([]);
  });
});

describe('a server with two names', () => {
  it('is reached by each name from its card, each with its own certificate', async () => {
    const page = await fresh(1024, 700);
    const errors = collectPageErrors(page);
    const port = await freePort();
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-new').click();
    const form = page.getByTestId('server-form');
    await form.getByTestId('server-port').fill(String(port));
    await form.getByTestId('server-identity-lab').selectOption('www.bank32.com');
    await form.getByTestId('server-sni-add').click();
    await form.getByTestId('server-sni-0-name').fill('mail.bank32.com');
    await form.getByTestId('server-sni-row').locator('select[data-testid$="-lab"]').selectOption('mail.bank32.com');
    await form.getByTestId('server-form-submit').click();
    const card = page.locator('[data-testid="server-card"][data-status="running"]', { hasText: `127.0.0.1:${port}` }).first();
    await card.waitFor();
    // The card offered www.bank32.com only: the second name took typing it into the form.
    const other = card.getByTestId('server-try-client-sni');
    expect(await other.innerText()).toBe('Open for mail.bank32.com');
    await other.click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-host').inputValue()).toBe('mail.bank32.com');
    expect(await page.getByTestId('client-connect-to').inputValue()).toBe('127.0.0.1');
    await page.getByTestId('client-connect').click();
    expect(await text(page, 'outcome-badge')).toContain('Verified');
    expect(await page.getByTestId('verification-hostname').innerText()).toContain('mail.bank32.com');
    expect(await page.getByTestId('certificate-chain').first().innerText()).toContain('CN=mail.bank32.com');
    expect(errors).toEqual([]);
  });
});
