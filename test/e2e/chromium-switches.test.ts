// The browser the e2e tests drive is launched with one --disable-features list of ours
// (test/support/chromium.ts). Chromium keeps only the last such switch it is given, so ours has to
// carry the features playwright-core switches off too; and it must keep the address bar's popup
// renderers from being made with every context.
import { chromium } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';

describe("the tests' Chromium", () => {
  it("keeps every feature playwright-core switches off, and makes no address-bar popup renderer per context", async () => {
    const browser = await chromium.connect(inject('browserWsEndpoint'));
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto('chrome://version');
      const commandLine = await page.locator('#command_line').innerText();
      const lists = [...commandLine.matchAll(/--disable-features=(\S+)/g)].map((m) => m[1].split(','));
      // playwright-core's own switch and ours, ours last (the one Chromium takes).
      expect(lists.length).toBeGreaterThanOrEqual(2);
      const taken = lists[lists.length - 1];
      for (const earlier of lists.slice(0, -1)) expect(taken).toEqual(expect.arrayContaining(earlier));
      expect(taken).toContain('WebUIOmniboxPopup');

      const cdp = await browser.newBrowserCDPSession();
      const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] };
      expect(targetInfos.filter((t) => t.url.includes('top-chrome'))).toEqual([]);
      expect(targetInfos.some((t) => t.type === 'page')).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
