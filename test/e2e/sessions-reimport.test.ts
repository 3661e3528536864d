// The Import panel in Chromium, given a bundle it already imported: it names the session the file
// became and copies nothing; "Import a copy anyway" makes the second copy asked for. The imported
// session's page says where it came from; the one recorded here does not. The sessions a search
// shows go out as one hand-out bundle, and the panel names every session that file brings back.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SessionCatalogEntry, SessionExportResult } from '../../src-main/api/exchangeTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { clientRunParams, collectPageErrors, makeLabPki, newPage, screenshot, startE2e, type E2eApp, type LabPki } from '../support/e2e';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let app: E2eApp;
let pki: LabPki;
let server: RunningPeer;
let api: ApiConnection;

beforeAll(async () => {
  app = await startE2e('sessions-reimport');
  pki = makeLabPki(app.tmp);
  server = await startOpensslServer(pki.cert, pki.key);
  api = await connectApi(app.engine);
});

afterAll(async () => {
  api?.close();
  await app?.close();
  await server?.stop();
});

/** What the window imported, for the page that says where it came from. */
let recordedId = 0;
let importedId = 0;

async function rowIds(page: Page): Promise<number[]> {
  const ids = await page.getByTestId('sessions-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session-id')));
  return ids.map(Number).sort((a, b) => a - b);
}

/** Imports through the panel and returns what it says, once it says something that matches `said`. */
async function importFile(page: Page, file: string, said: RegExp): Promise<string> {
  await page.getByTestId('sessions-import-file').setInputFiles(file);
  await page.getByTestId('sessions-import-submit').click();
  const message = page.getByTestId('sessions-import-message').filter({ hasText: said });
  await message.waitFor();
  return message.innerText();
}

describe('importing a bundle twice, in Chromium', () => {
  it('the second time names the session it already is; "Import a copy anyway" copies', async () => {
    const recorded = await api.result<SessionDetail>('client.run', clientRunParams('www.bank32.com', server.port, pki.ca));
    expect(recorded.status, JSON.stringify(recorded.error)).toBe('ok');
    const bundle = path.join(app.tmp, 'lesson.tlslab');
    await api.result<SessionExportResult>('sessions.export', { id: recorded.id, format: 'bundle', path: bundle });
    expect(fs.existsSync(bundle)).toBe(true);

    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByRole('heading', { name: 'New client session' }).waitFor();
    await page.evaluate(`location.hash = '#/sessions'`);
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toEqual([recorded.id]);
    await page.getByTestId('sessions-import-open-panel').click();

    const first = await importFile(page, bundle, /^Imported /);
    recordedId = recorded.id;
    importedId = Number(/^Imported lesson\.tlslab as session (\d+)/.exec(first)?.[1]);
    expect(importedId).toBeGreaterThan(recorded.id);
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toEqual([recorded.id, importedId]);

    const second = await importFile(page, bundle, /already imported/);
    expect(second).toBe(`lesson.tlslab is already imported as session ${importedId}; nothing was copied. Use "Import a copy anyway" for a second copy.`);
    expect(await page.getByTestId('sessions-import-open').getAttribute('href')).toBe(`#/sessions/${importedId}`);
    expect(await rowIds(page)).toEqual([recorded.id, importedId]);
    await screenshot(page, 'sessions-reimport-already');

    await page.getByTestId('sessions-import-again').click();
    await page.getByTestId('sessions-import-message').filter({ hasText: /^Imported lesson\.tlslab as session/ }).waitFor();
    const copyId = Number(/as session (\d+)/.exec(await page.getByTestId('sessions-import-message').innerText())?.[1]);
    expect(copyId).toBeGreaterThan(importedId);
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toEqual([recorded.id, importedId, copyId]);
    expect(pageErrors).toEqual([]);
  });
});

describe('an imported session in Chromium', () => {
  it('its page says which file it came from, when, and which workbench made it; a session recorded here says nothing of the kind', async () => {
    expect(importedId).toBeGreaterThan(0);
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByRole('heading', { name: 'New client session' }).waitFor();
    await page.evaluate(`location.hash = '#/sessions/${importedId}'`);
    await page.getByTestId('session-header').filter({ hasText: new RegExp(`Session #${importedId}\\s`) }).waitFor();
    const stamp = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';
    await expect
      .poll(() => page.getByTestId('session-imported').innerText(), { timeout: 30_000 })
      .toMatch(new RegExp(`^Imported from lesson\\.tlslab on ${stamp}: a session bundle made by TLS Lab Workbench \\S+ on ${stamp}$`));
    await screenshot(page, 'session-imported-origin');

    await page.evaluate(`location.hash = '#/sessions/${recordedId}'`);
    await page.getByTestId('session-header').filter({ hasText: new RegExp(`Session #${recordedId}\\s`) }).waitFor();
    expect(await page.getByTestId('session-imported').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

describe('a capture imported in Chromium with its key log picked beside it', () => {
  it('names the key log file on the session page', async () => {
    expect(recordedId).toBeGreaterThan(0);
    const capture = path.join(app.tmp, 'lesson-bare.pcapng');
    const keylog = path.join(app.tmp, 'lesson.keys.log');
    await api.result<SessionExportResult>('sessions.export', { id: recordedId, format: 'pcapng', path: capture, secrets: false });
    await api.result<SessionExportResult>('sessions.export', { id: recordedId, format: 'keylog', path: keylog });

    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByRole('heading', { name: 'New client session' }).waitFor();
    await page.evaluate(`location.hash = '#/sessions'`);
    await page.getByTestId('sessions-import-open-panel').click();
    await page.getByTestId('sessions-import-keylog').setInputFiles(keylog);
    const said = await importFile(page, capture, /^Imported /);
    const id = Number(/as session (\d+)/.exec(said)?.[1]);
    expect(id).toBeGreaterThan(importedId);

    await page.evaluate(`location.hash = '#/sessions/${id}'`);
    await expect
      .poll(() => page.getByTestId('session-imported').innerText(), { timeout: 30_000 })
      .toMatch(/^Imported from lesson-bare\.pcapng on .*: a capture, with the key log lesson\.keys\.log$/);
    expect(pageErrors).toEqual([]);
  });
});

describe('a hand-out of the sessions shown, in Chromium', () => {
  it('the search shows three sessions; one click downloads them as one bundle; imported, the panel names all three', async () => {
    const names = ['Handout lab: one', 'Handout lab: two', 'Handout lab: three'];
    const ids: number[] = [];
    for (const name of names) {
      const recorded = await api.result<SessionDetail>('client.run', clientRunParams('www.bank32.com', server.port, pki.ca));
      expect(recorded.status, JSON.stringify(recorded.error)).toBe('ok');
      await api.result<SessionCatalogEntry>('sessions.rename', { id: recorded.id, name });
      ids.push(recorded.id);
    }

    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByRole('heading', { name: 'New client session' }).waitFor();
    await page.evaluate(`location.hash = '#/sessions'`);
    await page.getByTestId('sessions-search').fill('Handout lab');
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toEqual(ids);
    const button = page.getByTestId('sessions-handout-export');
    expect(await button.innerText()).toBe('Export the 3 sessions shown as one hand-out bundle');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(`sessions-${ids.join('-')}.tlslab`);
    const file = path.join(app.tmp, download.suggestedFilename());
    await download.saveAs(file);
    expect(await page.getByTestId('sessions-handout-done').innerText()).toContain(`3 sessions: ${ids[0]} "${names[0]}"`);

    // One session shown: no hand-out (the row's own Export is the way).
    await page.getByTestId('sessions-search').fill(names[1]);
    await expect.poll(() => rowIds(page), { timeout: 30_000 }).toEqual([ids[1]]);
    expect(await button.count()).toBe(0);

    // The teacher's copies go; the hand-out brings all three back.
    for (const id of ids) await api.result('sessions.delete', { id });
    await page.getByTestId('sessions-search').fill('');
    await page.getByTestId('sessions-import-open-panel').click();
    const said = await importFile(page, file, /^Imported 3 sessions from /);
    const back = (await api.result<SessionCatalogEntry[]>('sessions.search', { text: 'Handout lab' })).sort((a, b) => a.id - b.id);
    expect(back.map((s) => s.name)).toEqual(names);
    expect(back.every((s) => s.tags.includes('imported'))).toBe(true);
    expect(said).toBe(`Imported 3 sessions from ${path.basename(file)}: ${back.map((s, i) => `${s.id} "${names[i]}"`).join(', ')}.`);
    // A link to each session it brought, not to the first alone.
    expect(await page.getByTestId('sessions-import-open-all').innerText()).toBe(`Open sessions ${back.map((s) => s.id).join(', ')}`);
    const links = page.getByTestId('sessions-import-open-all').getByRole('link');
    expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(back.map((s) => `#/sessions/${s.id}`));
    expect(await links.nth(2).getAttribute('aria-label')).toBe(`Open session ${back[2].id}`);
    await expect.poll(async () => (await rowIds(page)).filter((id) => back.some((s) => s.id === id)), { timeout: 30_000 }).toEqual(back.map((s) => s.id));
    // The window's own list (the sidebar) hears of every session the file brought, not just the first.
    await expect.poll(() => page.getByTestId('nav-sessions').innerText(), { timeout: 30_000 }).toMatch(/Sessions\s+7$/);
    await screenshot(page, 'sessions-handout-imported');
    expect(pageErrors).toEqual([]);
  });
});
