// Low vision: the window zoomed to 400% (a 1280-pixel window is 320 CSS pixels wide) still shows
// the page, not a sliver beside the sidebar, and reads without scrolling sideways (WCAG 1.4.10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, newPage, screenshot, startE2e, type E2eApp } from '../support/e2e';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('a11y-reflow');
});

afterAll(async () => {
  await app?.close();
});

/** How wide the page is against the window, and how wide the main column is. */
function measure(page: Page): Promise<{ scrollWidth: number; viewport: number; main: number }> {
  return page.evaluate(`({ scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
    main: document.querySelector('[data-testid="main"]').getBoundingClientRect().width })`);
}

describe('the window zoomed in', () => {
  it('at 320 CSS pixels wide, the page takes the width and does not scroll sideways', async () => {
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    const views = [['#/new', 'client-form'], ['#/sessions', 'sessions-count'], ['#/hosts', 'host-form'], ['#/servers', 'server-form'],
      ['#/proxy', 'proxy-form'], ['#/certificates', 'certificates-view'], ['#/about', 'about-facts']];
    for (const [hash, testId] of views) {
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await page.getByTestId(testId).waitFor();
      const m = await measure(page);
      // What sticks out, named, when something does.
      const wide = await page.evaluate(`[...document.querySelectorAll('[data-testid="main"] *')]
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && e.getBoundingClientRect().width > 0).slice(0, 4)
        .map((e) => e.tagName + '.' + e.className.toString().split(' ')[0] + ' ' + Math.round(e.getBoundingClientRect().width)).join(' | ')`);
      expect.soft(m.main, hash).toBeGreaterThanOrEqual(300);
      expect.soft(m.scrollWidth, `${hash}: ${wide}`).toBeLessThanOrEqual(m.viewport);
    }
    await page.evaluate(`location.hash = '#/new'`);
    await page.getByTestId('client-form').waitFor();
    await screenshot(page, 'a11y-20-reflow-320');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
