// The sessions list in Chromium against a real engine and openssl s_server: two client sessions are
// recorded; the student names one, tags it, finds it by tag and by host, exports it as a bundle
// (a browser download), imports that file back through the Import button and sees a new session,
// deletes the other one (with a confirmation) and sees it gone, here and on its own page. Then a
// session plays on its Inside tab: the selected record follows the playback cursor, steps back,
// and scrubs to the start.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SessionDetail } from '../../src-main/api/types';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { SCREENSHOTS, clientRunParams, collectPageErrors, makeLabPki, newPage, screenshot, startE2e, type E2eApp, type LabPki } from '../support/e2e';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let app: E2eApp;
let tmp: string;
let engine: E2eApp['engine'];
let browser: E2eApp['browser'];
let pki: LabPki;
let server: RunningPeer;
let api: ApiConnection;

async function runClient(host: string): Promise<SessionDetail> {
  return api.result<SessionDetail>('client.run', clientRunParams(host, server.port, pki.ca));
}

async function rowIds(page: Page): Promise<number[]> {
  const ids = await page.getByTestId('sessions-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id')));
  return ids.map(Number);
}

/** Waits until the list shows exactly these sessions (it searches again as filters change). */
async function expectRows(page: Page, ids: number[]): Promise<void> {
  const want = [...ids].sort((a, b) => a - b);
  const sorted = async () => (await rowIds(page)).sort((a, b) => a - b);
  await expect.poll(sorted, { timeout: 30_000 }).toEqual(want);
}

/** Waits until record n is the one selected in the record table. */
async function waitSelected(page: Page, n: number): Promise<void> {
  await page.locator(`[data-testid="inside-record-row"][aria-selected="true"][data-number="${n}"]`).waitFor();
}

function row(page: Page, id: number) {
  return page.locator(`[data-testid="sessions-row"][data-session-id="${id}"]`);
}

async function selectedRecord(page: Page): Promise<number> {
  const selected = page.locator('[data-testid="inside-record-row"][aria-selected="true"]');
  await selected.waitFor();
  return Number(await selected.getAttribute('data-number'));
}

beforeAll(async () => {
  app = await startE2e('sessions');
  ({ tmp, engine, browser } = app);
  // One server certificate for two names, so two sessions differ by host.
  pki = makeLabPki(app.tmp, { dnsNames: ['www.bank32.com', 'shop.lab.test'] });
  server = await startOpensslServer(pki.cert, pki.key);
  api = await connectApi(engine);
});

afterAll(async () => {
  api?.close();
  await app?.close();
  await server?.stop();
});

describe('the sessions list and playback, in Chromium', () => {
  it('names, tags, finds, exports, imports back, deletes, and plays a session', async () => {
    const bank = await runClient('www.bank32.com');
    const shop = await runClient('shop.lab.test');
    expect(bank.status, JSON.stringify(bank.error)).toBe('ok');
    expect(shop.status, JSON.stringify(shop.error)).toBe('ok');

    const page = await newPage(browser, { acceptDownloads: true });
    const context = page.context();
    const pageErrors = collectPageErrors(page);
    await page.goto(engine.url);
    await page.getByRole('heading', { name: 'New client session' }).waitFor();
    await page.evaluate(`location.hash = '#/sessions'`);
    await expectRows(page, [bank.id, shop.id]);
    // On a 1280-pixel screen every row's buttons stay inside the list's card.
    await page.setViewportSize({ width: 1280, height: 860 });
    const overflow = await page.getByTestId('sessions-table').evaluate((table) => {
      const card = (table.parentElement as unknown as { getBoundingClientRect(): { right: number } }).getBoundingClientRect().right;
      return [...table.querySelectorAll('[data-testid="session-delete"]')].map((b) => Math.round(b.getBoundingClientRect().right - card));
    });
    expect(overflow.every((px) => px <= 0)).toBe(true);
    await page.setViewportSize({ width: 1360, height: 900 });

    // Rename inline: the name shows above the target, and in the sidebar.
    await row(page, bank.id).getByTestId('session-rename').click();
    await row(page, bank.id).getByTestId('session-name-input').fill('RSA demo for lab 1');
    await row(page, bank.id).getByTestId('session-name-save').click();
    await row(page, bank.id).getByTestId('session-name').filter({ hasText: 'RSA demo for lab 1' }).waitFor();
    await page.getByTestId('session-nav-item').filter({ hasText: 'RSA demo for lab 1' }).waitFor();

    // A tag that is no tag is refused in the row, before the engine; then a good one.
    await row(page, bank.id).getByTestId('session-tag-button').click();
    await row(page, bank.id).getByTestId('session-tag-add').click();
    expect(await row(page, bank.id).getByTestId('session-row-problem').innerText()).toContain('Type a tag first');
    await row(page, bank.id).getByTestId('session-tag-input').fill('lab-1');
    await row(page, bank.id).getByTestId('session-tag-add').click();
    await row(page, bank.id).getByTestId('session-tag').filter({ hasText: 'lab-1' }).waitFor();
    expect(await row(page, bank.id).getByTestId('session-tag').count()).toBe(1);
    await screenshot(page, 'sessions-01-named-and-tagged');

    // Find it by tag, then the other one by host.
    await page.getByTestId('sessions-filter-tags').fill('lab-1');
    await expectRows(page, [bank.id]);
    expect(await page.getByTestId('sessions-count').innerText()).toBe('1 matching');
    await screenshot(page, 'sessions-02-filtered-by-tag');
    await page.getByTestId('sessions-filter-clear').click();
    await expectRows(page, [bank.id, shop.id]);
    await page.getByTestId('sessions-filter-host').fill('shop');
    await expectRows(page, [shop.id]);
    await page.getByTestId('sessions-filter-host').fill('no-such-host');
    await page.getByTestId('sessions-empty').filter({ hasText: 'No session matches' }).waitFor();
    await page.getByTestId('sessions-filter-clear').click();
    await expectRows(page, [bank.id, shop.id]);

    // Export a bundle: the export menu offers every format; the bundle arrives as a download.
    await row(page, bank.id).getByTestId('session-export').click();
    const menu = await page.getByTestId('session-export-menu').innerText();
    for (const label of ['pcapng with keys', 'pcapng without keys', 'Key log', 'HAR', 'Certificates (PEM)', 'Session bundle']) expect(menu).toContain(label);
    await screenshot(page, 'sessions-03-export-menu');
    const downloading = page.waitForEvent('download');
    await page.getByTestId('session-export-bundle').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`session-${bank.id}.tlslab`);
    const bundleFile = path.join(tmp, download.suggestedFilename());
    await download.saveAs(bundleFile);
    expect(fs.statSync(bundleFile).size).toBeGreaterThan(1000);
    expect(await row(page, bank.id).getByTestId('session-exported').innerText()).toContain(`Downloaded session-${bank.id}.tlslab`);
    // The bundle holds the key log: the row says so, and that the browser decides who may read it.
    expect(await row(page, bank.id).getByTestId('session-exported-secret').innerText()).toContain("It holds the session's secrets");
    await screenshot(page, 'sessions-03b-exported-secret');
    // Certificates alone hold no secret: no such line.
    await row(page, bank.id).getByTestId('session-export').click();
    await page.getByTestId('session-export-pem').click();
    await row(page, bank.id).getByTestId('session-exported').filter({ hasText: `session-${bank.id}.pem` }).waitFor();
    expect(await row(page, bank.id).getByTestId('session-exported-secret').count()).toBe(0);
    // A HAR holds no keys but the decrypted requests and answers: the row says that instead.
    await row(page, bank.id).getByTestId('session-export').click();
    await page.getByTestId('session-export-har').click();
    await row(page, bank.id).getByTestId('session-exported').filter({ hasText: `session-${bank.id}.har` }).waitFor();
    const harNote = await row(page, bank.id).getByTestId('session-exported-secret').innerText();
    expect(harNote).toContain('decrypted requests and answers in clear');
    expect(harNote).not.toContain('secrets');

    // A file that is not a session: one clear error, nothing imported.
    const notes = path.join(tmp, 'notes.pcap');
    fs.writeFileSync(notes, 'these are my lab notes, not a capture\n');
    await page.getByTestId('sessions-import-open-panel').click();
    await page.getByTestId('sessions-import-file').setInputFiles(notes);
    await page.getByTestId('sessions-import-submit').click();
    const refused = await page.getByTestId('sessions-import-error').innerText();
    expect(refused).toContain('notes.pcap was not imported');
    await screenshot(page, 'sessions-04-import-refused');
    await expectRows(page, [bank.id, shop.id]);

    // The downloaded bundle, imported back through the Import button, is a new session with the name and tags.
    await page.getByTestId('sessions-import-file').setInputFiles(bundleFile);
    await page.getByTestId('sessions-import-submit').click();
    const done = await page.getByTestId('sessions-import-done').innerText();
    const importedId = Number(/as session (\d+)/.exec(done)?.[1]);
    expect(importedId).toBeGreaterThan(shop.id);
    await expectRows(page, [bank.id, shop.id, importedId]);
    expect(await row(page, importedId).getByTestId('session-name').innerText()).toBe('RSA demo for lab 1');
    // The bundle's own tag comes back, and the workbench marks where the session came from.
    expect(await row(page, importedId).getByTestId('session-tag').allInnerTexts()).toEqual([
      expect.stringContaining('imported'),
      expect.stringContaining('lab-1'),
    ]);
    await screenshot(page, 'sessions-05-imported');

    // Delete the shop session with an inline confirmation; a second window showing it says it was deleted.
    const other = await context.newPage();
    await other.goto(engine.url);
    await other.getByRole('heading', { name: 'New client session' }).waitFor();
    await other.evaluate(`location.hash = '#/sessions/${shop.id}'`);
    await other.getByTestId('tab-overview').waitFor();
    await row(page, shop.id).getByTestId('session-delete').click();
    await row(page, shop.id).getByTestId('session-delete-confirm').waitFor();
    await screenshot(page, 'sessions-06-delete-confirm');
    // Keep is a way out.
    await row(page, shop.id).getByTestId('session-delete-cancel').click();
    await row(page, shop.id).getByTestId('session-delete').click();
    await row(page, shop.id).getByTestId('session-delete-confirm').click();
    await expectRows(page, [bank.id, importedId]);
    await expect.poll(() => page.getByTestId('session-nav-item').count(), { timeout: 30_000 }).toBe(2);
    expect(await other.getByTestId('session-deleted').innerText()).toContain(`Session #${shop.id} was deleted`);
    await other.screenshot({ path: path.join(SCREENSHOTS, 'sessions-07-deleted-page.png'), fullPage: true });
    await other.close();
    // The engine agrees: it is gone.
    const gone = await api.call('sessions.get', { id: shop.id });
    expect(gone.ok).toBe(false);

    // Playback on the imported session: the selected record follows the cursor.
    await page.evaluate(`location.hash = '#/sessions/${importedId}'`);
    expect(await page.getByTestId('session-catalog-line').innerText()).toMatch(/RSA demo for lab 1\s+imported\s+lab-1/);
    await page.getByTestId('tab-inside').click();
    const position = page.getByTestId('playback-position');
    await position.filter({ hasText: /Record – of \d+/ }).waitFor();
    const count = Number(/of (\d+)/.exec(await position.innerText())?.[1]);
    expect(count).toBeGreaterThan(5);

    await page.getByTestId('playback-next').click();
    expect(await selectedRecord(page)).toBe(1);
    await page.getByTestId('record-inspector').filter({ hasText: 'Record 1' }).waitFor();
    await page.getByTestId('playback-next').click();
    await waitSelected(page, 2);
    await page.getByTestId('record-inspector').filter({ hasText: 'Record 2' }).waitFor();
    // The ladder marks the same record (the server's first flight).
    expect(await page.locator('[data-testid="ladder-message"][aria-pressed="true"]').getAttribute('data-number')).toBe('2');

    // One record a second: pause once it has moved on, and the table, ladder and inspector are on that record.
    await page.getByTestId('playback-speed').selectOption('steady');
    await page.getByTestId('playback-toggle').click();
    await page.locator('[data-testid="playback-position"][data-cursor="3"]').waitFor();
    await page.getByTestId('playback-toggle').click();
    const paused = Number(await position.getAttribute('data-cursor'));
    expect(paused).toBeGreaterThanOrEqual(3);
    await waitSelected(page, paused);
    await page.getByTestId('record-inspector').filter({ hasText: `Record ${paused}` }).waitFor();
    const ladderLine = page.locator(`[data-testid="ladder-message"][data-number="${paused}"]`);
    if ((await ladderLine.count()) > 0) expect(await ladderLine.first().getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'sessions-08-playback-paused');

    // At the recorded pace (a loopback session lasts milliseconds) it plays to the last record.
    await page.getByTestId('playback-speed').selectOption('1');
    await page.getByTestId('playback-toggle').click();
    await position.filter({ hasText: `Record ${count} of ${count}` }).waitFor();
    expect(await selectedRecord(page)).toBe(count);
    expect(await page.getByTestId('playback-toggle').innerText()).toContain('Play again');

    // Step back: the record before the last.
    await page.getByTestId('playback-prev').click();
    await waitSelected(page, count - 1);
    await page.getByTestId('record-inspector').filter({ hasText: `Record ${count - 1}` }).waitFor();

    // Scrub to the start: the first record.
    await page.getByTestId('playback-scrub').fill(String(await page.getByTestId('playback-scrub').getAttribute('min')));
    await waitSelected(page, 1);
    await screenshot(page, 'sessions-09-playback-scrubbed');

    // A record clicked in the table becomes the cursor.
    await page.locator('[data-testid="inside-record-row"][data-number="4"]').click();
    await position.filter({ hasText: `Record 4 of ${count}` }).waitFor();

    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
