// The Host table with the keyboard alone, as the lab fills it: several names to 127.0.0.1 typed one
// after the other, a mistake corrected, an entry removed. What a first walk found: after Enter in
// Address the keyboard stayed there, so each next name began with Shift+Tab; an entry refused left
// the focus where it was; and Remove dropped the focus to the top of the page with its row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, newPage, screenshot, startE2e, type E2eApp } from '../support/e2e';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('hosts-keyboard');
});

afterAll(async () => {
  await app?.close();
});

// A string, evaluated in the page: the tests are typechecked without the DOM's types.
const focused = (page: Page) =>
  page.evaluate<string | undefined>('(() => { const a = document.activeElement; return a?.id || a?.getAttribute("aria-label") || a?.tagName; })()');

describe('the host table, keyboard only', () => {
  it('adds names one after another with Enter, points at a refused field, and keeps the focus on a Remove button', async () => {
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(app.engine.url);
    await page.getByTestId('nav-hosts').click();
    await page.getByTestId('host-name').focus();

    for (const name of ['www.bank32.com', 'www.example32.com', 'shop.lab.test']) {
      await page.keyboard.type(name);
      // On to the address, 127.0.0.1 already (it stays from the entry before), and Enter.
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('host-address');
      expect(await page.getByTestId('host-address').inputValue()).toBe('127.0.0.1');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('hosts-row').filter({ hasText: name }).count()).toBe(1);
      // Ready for the next name.
      await expect.poll(() => focused(page)).toBe('host-name');
    }

    // An address that is no IP address is refused, Enter pressed in the name: the keyboard goes to the field that says why.
    await page.getByTestId('host-address').fill('not an address');
    await page.getByTestId('host-name').fill('a.lab');
    await page.getByTestId('host-name').press('Enter');
    await expect.poll(() => focused(page)).toBe('host-address');
    expect(await page.getByTestId('host-address').getAttribute('aria-invalid')).toBe('true');
    await page.getByTestId('host-address').fill('127.0.0.1');

    // Remove: the next row's Remove button takes the keyboard, then the last one's, then the form.
    // The table is sorted: shop.lab.test, www.bank32.com, www.example32.com.
    await page.getByRole('button', { name: 'Remove www.bank32.com' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('hosts-row').count()).toBe(2);
    await expect.poll(() => focused(page)).toBe('Remove www.example32.com');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('hosts-row').count()).toBe(1);
    await expect.poll(() => focused(page)).toBe('Remove shop.lab.test');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('hosts-row').count()).toBe(0);
    await expect.poll(() => focused(page)).toBe('host-name');
    await screenshot(page, 'hosts-keyboard-1024');
    expect(errors).toEqual([]);
  });
});
