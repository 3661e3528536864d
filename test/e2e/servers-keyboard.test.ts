// A lab server stopped, started again, restarted and removed with the keyboard alone. What a first
// walk found: each of these left the focus at the top of the page (the pressed button turned busy,
// then became another button, or its card went), so the next Tab began again at the sidebar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, newPage, screenshot, startE2e, type E2eApp } from '../support/e2e';
import { freePort } from '../support/ports';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('servers-keyboard');
});

afterAll(async () => {
  await app?.close();
});

// A string, evaluated in the page: the tests are typechecked without the DOM's types.
const focused = (page: Page) =>
  page.evaluate<string | undefined>('(() => { const a = document.activeElement; return a?.getAttribute("data-testid") ?? a?.tagName; })()');

describe('a server card, keyboard only', () => {
  it('keeps the focus on the card through Stop, Start again and Restart, and on "Start a new server" after Remove', async () => {
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(app.engine.url);
    await page.getByTestId('nav-servers').click();
    await page.getByTestId('server-identity-starter-make').click();
    await page.getByTestId('server-identity-starter-made').waitFor();
    await page.getByTestId('server-port').fill(String(await freePort()));
    await page.getByTestId('server-form-submit').press('Enter');
    const card = page.getByTestId('server-card');
    await page.locator('[data-testid="server-card"][data-status="running"]').waitFor();
    expect(await page.getByTestId('server-notice').innerText()).toContain('Started a server on');

    await card.getByTestId('server-stop').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="server-card"][data-status="stopped"]').waitFor();
    // "Started a server on ..." no longer holds once it is stopped.
    await expect.poll(() => page.getByTestId('server-notice').count()).toBe(0);
    await expect.poll(() => focused(page)).toBe('server-restart');
    expect(await card.getByTestId('server-restart').innerText()).toBe('Start again');

    await page.keyboard.press('Enter');
    await page.locator('[data-testid="server-card"][data-status="running"]').waitFor();
    await expect.poll(() => focused(page)).toBe('server-stop');

    await card.getByTestId('server-restart').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="server-card"][data-status="running"]').waitFor();
    await expect.poll(() => focused(page)).toBe('server-stop');

    await card.getByTestId('server-remove').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => card.count()).toBe(0);
    await expect.poll(() => focused(page)).toBe('server-new');
    // The form is closed: the empty list points at the button, not at a form that is not there.
    expect(await page.getByTestId('server-form').count()).toBe(0);
    expect(await page.getByTestId('servers-empty').innerText()).toBe('No server yet. Choose “Start a new server” above to start one; it stops when the engine stops.');
    await screenshot(page, 'servers-keyboard-1024');
    expect(errors).toEqual([]);
  });
});
