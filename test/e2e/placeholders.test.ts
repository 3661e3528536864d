// A placeholder is an example, not a value: a student read "www.bank32.com" in the client's
// empty Host field as filled in. Placeholders are lighter than typed text and in italics, and
// still readable (4.5:1 on the white field).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, openWorkbench, startE2e, type E2eApp } from '../support/e2e';

let app: E2eApp;
beforeAll(async () => {
  app = await startE2e('placeholders');
});
afterAll(async () => {
  await app?.close();
});

interface BrowserWindow {
  getComputedStyle(element: unknown, pseudo?: string): { color: string; fontStyle: string };
  document: { querySelector(selector: string): unknown };
}

function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('form placeholders', () => {
  it('look unlike a typed value in every form, and keep 4.5:1 contrast', async () => {
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);
    await page.getByTestId('client-host').waitFor();
    const styles = await page.evaluate(() => {
      const w = globalThis as unknown as BrowserWindow;
      const host = w.document.querySelector('[data-testid="client-host"]');
      return { placeholder: w.getComputedStyle(host, '::placeholder'), value: w.getComputedStyle(host) };
    });
    expect(await page.getByTestId('client-host').getAttribute('placeholder')).toBe('www.bank32.com');
    expect(styles.value.fontStyle).toBe('normal');
    expect(styles.placeholder.fontStyle).toBe('italic');
    expect(styles.placeholder.color).not.toBe(styles.value.color);
    expect((1.05 / (luminance(styles.placeholder.color) + 0.05))).toBeGreaterThanOrEqual(4.5);
    // The same everywhere: the import form's PEM box too.
    await page.getByTestId('nav-certificates').click();
    await page.getByTestId('pki-import').click();
    await page.getByTestId('import-text').waitFor();
    const importPlaceholders = await page.evaluate(() => {
      const w = globalThis as unknown as BrowserWindow & { document: { querySelectorAll(s: string): ArrayLike<unknown> } };
      return Array.from(w.document.querySelectorAll('input[placeholder], textarea[placeholder]')).map((e) => w.getComputedStyle(e, '::placeholder').fontStyle);
    });
    expect(importPlaceholders.length).toBeGreaterThan(0);
    expect(new Set(importPlaceholders)).toEqual(new Set(['italic']));
    expect(errors).toEqual([]);
  });
});
