// The Sessions page as a student reads it after a burst of sessions, some made with the tlslab
// command on the same data folder while the window is open. What the first walk found: the sidebar
// kept counting only the sessions this engine ran (31 beside "50 recorded"), and a failed row said
// "Failed" and nothing more, so the hostname-mismatch session looked like the untrusted-root one.
// With the keyboard alone: Escape did not take back "Delete session N?", and Keep, Escape or a
// saved name dropped the focus to the top of the page; the Export menu's hints ran out of it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SessionDetail } from '../../src-main/api/types';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { clientRunParams, collectPageErrors, makeLabPki, newPage, screenshot, startE2e, text, type E2eApp, type LabPki } from '../support/e2e';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { tlslabSync } from '../support/run';

let app: E2eApp;
let pki: LabPki;
let server: RunningPeer;
let api: ApiConnection;

beforeAll(async () => {
  app = await startE2e('sessions-reasons');
  pki = makeLabPki(app.tmp);
  server = await startOpensslServer(pki.cert, pki.key);
  api = await connectApi(app.engine);
});

afterAll(async () => {
  api?.close();
  await app?.close();
  await server?.stop();
});

describe('the Sessions page after sessions from the window and from the CLI', () => {
  it('counts the same in the sidebar as on the page, and says why each failed session failed', async () => {
    const verified = await api.result<SessionDetail>('client.run', clientRunParams('www.bank32.com', server.port, pki.ca));
    expect(verified.status, JSON.stringify(verified.error)).toBe('ok');
    const mismatch = await api.result<SessionDetail>('client.run', clientRunParams('www.example32.com', server.port, pki.ca));
    expect(mismatch.status).toBe('failed');

    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(app.engine.url);
    await page.getByTestId('main').waitFor();
    const sidebarCount = page.getByTestId('nav-sessions').locator('.count');
    await expect.poll(() => sidebarCount.innerText()).toBe('2');

    // The tlslab command records into the same data folder; no engine event tells the window.
    const cli = tlslabSync(path.join(app.tmp, 'data'), ['client', '--connect-to', `127.0.0.1:${server.port}`, `www.bank32.com:${server.port}`]);
    expect(cli.status).not.toBe(0);
    const cliId = Number(/recorded as session (\d+)/.exec(cli.stderr)?.[1]);
    expect(cliId).toBeGreaterThan(0);

    await page.getByTestId('nav-sessions').click();
    await expect.poll(() => text(page, 'sessions-count')).toBe('3 recorded');
    await expect.poll(() => sidebarCount.innerText()).toBe('3');
    await expect.poll(() => page.getByTestId('session-nav-item').count()).toBe(3);

    const note = (id: number) => page.locator(`[data-testid="sessions-row"][data-session-id="${id}"] [data-testid="session-note"]`);
    await expect.poll(() => note(mismatch.id).innerText()).toContain('hostname mismatch');
    await expect.poll(() => note(cliId).innerText()).toContain('unknown issuer');
    expect(await note(verified.id).count()).toBe(0);
    // The sidebar says it too, in a word, where it used to read "TLSv1.3" as a verified session does.
    const navItem = page.locator(`[data-testid="session-nav-item"][href="#/sessions/${mismatch.id}"]`);
    expect(await navItem.innerText()).toContain('failed');
    await screenshot(page, 'sessions-reasons-1024');
    expect(errors).toEqual([]);
  });

  it('takes Tab, Enter and Escape for rename, delete and export, and keeps the focus in the row', async () => {
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(app.engine.url);
    await page.getByTestId('nav-sessions').click();
    const first = page.getByTestId('sessions-row').first();
    await first.waitFor();
    const id = Number(await first.getAttribute('data-session-id'));
    // A string, evaluated in the page: the tests are typechecked without the DOM's types.
    const focused = (p: Page) =>
      p.evaluate<string>(
        '(() => { const e = document.activeElement; return `${e?.closest("[data-session-id]")?.getAttribute("data-session-id") ?? ""} ${e?.getAttribute("data-testid") ?? e?.tagName}`; })()',
      );

    // Delete asks; Escape keeps the session, and the keyboard is back on Delete.
    await first.getByTestId('session-delete').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe(`${id} session-delete-cancel`);
    await page.keyboard.press('Escape');
    await expect.poll(() => first.getByTestId('session-delete-confirm').count()).toBe(0);
    await expect.poll(() => focused(page)).toBe(`${id} session-delete`);
    // Keep does the same.
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe(`${id} session-delete-cancel`);
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe(`${id} session-delete`);

    // A name typed and saved with Enter; the keyboard lands on Rename again.
    await first.getByTestId('session-rename').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('hostname check on');
    await page.keyboard.press('Enter');
    await expect.poll(() => first.getByTestId('session-name').innerText()).toBe('hostname check on');
    await expect.poll(() => focused(page)).toBe(`${id} session-rename`);
    // Escape leaves the name as it was.
    await page.keyboard.press('Enter');
    await page.keyboard.type('never saved');
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toBe(`${id} session-rename`);
    expect(await first.getByTestId('session-name').innerText()).toBe('hostname check on');

    // The Export menu: every hint inside it, and Escape from a format goes back to Export.
    await first.getByTestId('session-export').focus();
    await page.keyboard.press('Enter');
    const menu = page.getByTestId('session-export-menu');
    await menu.waitFor();
    const overflow = await menu.evaluate((m) => {
      const right = m.getBoundingClientRect().right;
      return [...m.querySelectorAll('span')].filter((s) => s.getBoundingClientRect().right > right + 0.5).map((s) => s.textContent);
    });
    expect(overflow).toEqual([]);
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toMatch(/session-export-/);
    await page.keyboard.press('Escape');
    await expect.poll(() => menu.count()).toBe(0);
    await expect.poll(() => focused(page)).toBe(`${id} session-export`);
    expect(errors).toEqual([]);
  });
});
