// The lab's main flow with the keyboard alone, as a student who cannot use a mouse (or hears the
// page through a screen reader) does it: reach the client form, fill it, run, hear the verdict,
// land on the session, switch to "Inside the handshake" with the arrow keys, and walk the record
// table row by row. No mouse click anywhere in this file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PkiIssued } from '../../src-main/api/pkiTypes';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { collectPageErrors, newPage, screenshot, startE2e, type E2eApp } from '../support/e2e';

const HOST = 'www.bank32.com';

let app: E2eApp;
let api: ApiConnection;
let server: ServerInfo;

beforeAll(async () => {
  app = await startE2e('a11y-keyboard');
  api = await connectApi(app.engine);
  const ca = await api.result<PkiIssued>('pki.ca.create', { name: 'Lab Root', subject: { CN: 'Lab Root CA', O: 'Lab' }, key: 'ec:P-256' });
  fs.writeFileSync(path.join(app.tmp, 'ca.pem'), ca.certificatePem);
  await api.result('pki.cert.issue', { ca: 'Lab Root', name: 'bank32', subject: { CN: HOST }, subjectAltNames: [`DNS:${HOST}`] });
  await api.result('hosts.set', { name: HOST, address: '127.0.0.1' });
  server = await api.result<ServerInfo>('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'bank32' } } });
});

afterAll(async () => {
  api?.close();
  await app?.close();
});

/** What has the keyboard focus: its test id, else its id, else its tag. */
function focused(page: Page): Promise<string> {
  return page.evaluate(`(() => { const e = document.activeElement; return e?.getAttribute('data-testid') || e?.id || e?.tagName.toLowerCase() || ''; })()`);
}

/** Presses Tab until the focus is on `target` (a test id or an id); fails past `limit` presses. Returns how many it took. */
async function tabTo(page: Page, target: string, limit = 40): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)) === target) return presses;
  }
  throw new Error(`Tab never reached ${target} in ${limit} presses (last: ${await focused(page)})`);
}

/** Chooses `value` in the focused <select> with the arrow keys. */
async function chooseWithArrows(page: Page, testId: string, value: string): Promise<void> {
  const select = page.getByTestId(testId);
  for (let i = 0; i < 8 && (await select.inputValue()) !== value; i++) await page.keyboard.press('ArrowDown');
  expect(await select.inputValue()).toBe(value);
}

function announced(page: Page): Promise<string> {
  return page.getByTestId('announcer').innerText();
}

describe('the main flow with the keyboard alone', () => {
  it('runs a client session from the form, says the verdict, and walks the handshake records', async () => {
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    await page.evaluate(`location.hash = '#/about'`);
    await page.getByTestId('about-facts').waitFor();

    // The first Tab offers the skip link; the second is the first page of the sidebar (Start here), the third the client form.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('skip-to-page');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('nav-start');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('nav-new-client');
    await page.keyboard.press('Enter');
    await page.getByTestId('client-form').waitFor();
    // The window's title and the sidebar say which page this is.
    await expect.poll(() => page.title()).toBe('New client session · TLS Lab Workbench');
    expect(await page.getByTestId('nav-new-client').getAttribute('aria-current')).toBe('page');
    expect(await page.locator('nav [aria-current]').count()).toBe(1);

    await tabTo(page, 'client-host');
    await page.keyboard.type(HOST);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('client-port');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(String(server.port));
    await tabTo(page, 'client-trust-kind');
    await chooseWithArrows(page, 'client-trust-kind', 'lab');
    await expect.poll(() => page.getByTestId('client-trust-ca').inputValue()).toBe('Lab Root');

    // Enter in a field runs the session. The verdict is said aloud, and the keyboard is on the session's title.
    await page.getByTestId('client-host').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('session-detail').waitFor();
    await expect.poll(() => announced(page)).toMatch(/^Session #\d+ to www\.bank32\.com:\d+: Verified\. verified: trusted chain, hostname matches/);
    await expect.poll(() => focused(page)).toBe('session-target');
    expect(await page.title()).toMatch(/^Session #\d+ · TLS Lab Workbench$/);
    expect(await page.locator('[data-testid="session-nav-item"][aria-current="page"]').count()).toBe(1);
    expect(await page.locator('nav [aria-current]').count()).toBe(0);
    await screenshot(page, 'a11y-10-keyboard-verdict');

    // The tabs follow the tab pattern: one Tab stop, the arrow keys move between them.
    await tabTo(page, 'tab-overview');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe('tab-inside');
    expect(await page.getByTestId('tab-inside').getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('inside-view').waitFor();
    await page.getByTestId('ladder-message').first().waitFor();
    expect(await page.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('session-tab-inside');

    // The ladder is one Tab stop: the arrow keys go from message to message, Enter inspects one.
    await tabTo(page, 'ladder-message', 8);
    expect(await page.evaluate('document.activeElement.getAttribute("data-number")')).toBe('1');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement.getAttribute("data-number")')).toBe('2');
    await page.keyboard.press('Enter');
    await page.getByTestId('record-inspector').waitFor();
    const table = page.getByTestId('inside-record-list');
    expect(await table.getAttribute('aria-activedescendant')).toBe('inside-record-2');

    // The record table is the next Tab stop; each arrow key chooses a row, which the listbox names as its active one.
    expect(await tabTo(page, 'inside-record-list', 1)).toBe(1);
    await page.keyboard.press('ArrowUp');
    expect(await table.getAttribute('aria-activedescendant')).toBe('inside-record-1');
    // The row is read as a sentence, not as "1 9.192 right arrow client right arrow server".
    expect(await table.getByRole('option', { selected: true }).getAttribute('id')).toBe('inside-record-1');
    expect(await table.getByRole('option', { name: /^Record 1 ?, at [\d.]+ ms, client → server ?, Handshake ?, TLS 1\.0 ?, \d+ bytes: ClientHello$/ }).count()).toBe(1);
    await page.keyboard.press('ArrowDown');
    expect(await table.getAttribute('aria-activedescendant')).toBe('inside-record-2');
    expect(await page.locator('#inside-record-2').getAttribute('aria-selected')).toBe('true');
    const total = Number(await page.getByTestId('inside-record-table').getAttribute('data-total'));
    await page.keyboard.press('End');
    await expect.poll(() => table.getAttribute('aria-activedescendant')).toBe(`inside-record-${total}`);
    await page.keyboard.press('Home');
    await expect.poll(() => table.getAttribute('aria-activedescendant')).toBe('inside-record-1');
    await screenshot(page, 'a11y-11-keyboard-records');

    // The record's fields: one Tab stop for the tree, whose arrow keys choose fields and show their bytes.
    await tabTo(page, 'wire-field', 12);
    const field = () => page.evaluate('document.activeElement.getAttribute("data-field")');
    expect(await field()).toBe('Record header');
    await page.keyboard.press('ArrowRight');
    expect(await field()).toBe('content_type');
    expect(await page.getByTestId('wire-selection').innerText()).toContain('content_type');
    await page.keyboard.press('ArrowDown');
    expect(await field()).toBe('legacy_record_version');
    await page.keyboard.press('ArrowLeft');
    expect(await field()).toBe('Record header');
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('[data-testid="wire-field"][data-field="Record header"]').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowDown');
    expect(await field()).toBe('ClientHello');
    // The hex view is one Tab stop (a box that scrolls), not one per byte: the next Tab leaves the bytes.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('wire-hex');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.classList.contains("byte")')).toBe(false);
    expect(await page.evaluate('document.activeElement.getAttribute("data-testid")')).not.toBe('wire-field');

    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('says why a run failed', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    await page.getByTestId('client-host').fill(HOST);
    await page.getByTestId('client-port').fill(String(server.port));
    await page.getByTestId('client-trust-kind').selectOption('system');
    await page.getByTestId('client-host').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('session-detail').waitFor();
    await expect.poll(() => announced(page)).toMatch(/: Failed\. not verified: untrusted root/);
    await expect.poll(() => focused(page)).toBe('session-target');
    await page.context().close();
  });

  it('keeps the keyboard on Connect when the engine refuses the run, and the error is an alert', async () => {
    const page = await newPage(app.browser);
    // The engine answers this window's client.run with an error of its own (as when it cannot take the run at all).
    await page.routeWebSocket(/\/api/, (ws) => {
      const engineSide = ws.connectToServer();
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { id: number; method: string };
        if (frame.method === 'client.run') {
          // Later, as a real run answers: meanwhile the button shows "Connecting…", disabled.
          const answer = JSON.stringify({ type: 'response', id: frame.id, ok: false, error: { code: 'ENGINE_BUSY', message: 'the engine is shutting down; start it again' } });
          setTimeout(() => ws.send(answer), 500);
        } else engineSide.send(message);
      });
      engineSide.onMessage((message) => ws.send(message));
    });
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    await page.getByTestId('client-host').fill(HOST);
    await page.getByTestId('client-port').fill(String(server.port));
    await page.getByTestId('client-connect').focus();
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('the engine is shutting down; start it again');
    await expect.poll(() => focused(page)).toBe('client-connect');
    await page.context().close();
  });

  it('ties each form problem to its field, so a screen reader on the field hears it', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    /** The words a screen reader says after the field's name: the text of the elements aria-describedby names. */
    const description = (id: string) =>
      page.evaluate(`(() => (document.getElementById(${JSON.stringify(id)}).getAttribute('aria-describedby') || '').split(/\\s+/)
        .map((ref) => document.getElementById(ref)?.innerText.trim() ?? '').join(' ').trim())()`);
    const invalid = (id: string) => page.evaluate(`document.getElementById(${JSON.stringify(id)}).getAttribute('aria-invalid')`);

    // Host table: an address that is not one.
    await page.evaluate(`location.hash = '#/hosts'`);
    await page.getByTestId('host-name').fill('www.example.com');
    await page.getByTestId('host-address').fill('not an address');
    await page.getByTestId('host-address').press('Enter');
    await page.getByTestId('host-address-error').waitFor();
    await expect.poll(() => focused(page)).toBe('host-address');
    expect(await invalid('host-address')).toBe('true');
    expect(await description('host-address')).toBe(await page.getByTestId('host-address-error').innerText());

    // Servers: a port out of range, in a form built of FormFields.
    await page.evaluate(`location.hash = '#/servers'`);
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-port').fill('70000');
    await page.getByTestId('server-form-submit').click();
    await page.getByTestId('server-port-error').waitFor();
    expect(await invalid('server-port')).toBe('true');
    expect(await description('server-port')).toBe(await page.getByTestId('server-port-error').innerText());
    // A field without a problem is described by its hint.
    expect(await description('server-host')).toContain('Loopback only');
    await screenshot(page, 'a11y-12-server-form-error');

    // Proxy: a map line without a port.
    await page.evaluate(`location.hash = '#/proxy'`);
    await page.getByTestId('proxy-form').waitFor();
    await page.getByTestId('proxy-map').fill('www.example.com 127.0.0.1');
    await page.getByTestId('proxy-form-submit').click();
    await page.getByTestId('proxy-map-error').waitFor();
    expect(await invalid('proxy-map')).toBe('true');
    expect(await description('proxy-map')).toBe(await page.getByTestId('proxy-map-error').innerText());
    await page.context().close();
  });

  it('says when a session was exported, and when a file was imported', async () => {
    await api.result('client.run', { host: HOST, port: server.port, connectTo: '127.0.0.1', trust: { kind: 'lab', name: 'Lab Root' },
      verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' } });
    const page = await newPage(app.browser, { acceptDownloads: true });
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    await page.evaluate(`location.hash = '#/sessions'`);
    const row = page.getByTestId('sessions-row').first();
    await row.getByTestId('session-export').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('session-export-menu').waitFor();
    // A menu opened from the keyboard has the focus on its first format; the arrow keys go through them.
    await expect.poll(() => page.evaluate('document.activeElement.getAttribute("role")')).toBe('menuitem');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement.innerText')).toContain('pcapng without keys');
    await page.keyboard.press('End');
    expect(await focused(page)).toBe('session-export-bundle');
    const downloading = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    const download = await downloading;
    // The menu is gone with the chosen format: the keyboard is back on Export.
    expect(await focused(page)).toBe('session-export');
    const bundle = path.join(app.tmp, download.suggestedFilename());
    await download.saveAs(bundle);
    await expect.poll(() => announced(page)).toMatch(new RegExp(`^Downloaded ${download.suggestedFilename().replace('.', '\\.')}`));

    await page.getByTestId('sessions-import-open-panel').click();
    await page.getByTestId('sessions-import-file').setInputFiles(bundle);
    await page.getByTestId('sessions-import-submit').focus();
    await page.keyboard.press('Enter');
    const message = await page.getByTestId('sessions-import-message').innerText();
    expect(message).toMatch(/as session \d+/);
    await expect.poll(() => announced(page)).toBe(message);
    expect(await focused(page)).toBe('sessions-import-submit');
    await page.context().close();
  });

  it('says that a server started from the form is running', async () => {
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    await page.evaluate(`location.hash = '#/servers'`);
    await page.getByTestId('server-new').click();
    await expect.poll(() => page.getByTestId('server-identity-lab').inputValue()).toBe('bank32');
    await page.getByTestId('server-port').fill('0');
    await page.getByTestId('server-label').fill('Spoken');
    await page.getByTestId('server-form-submit').click();
    const notice = await page.getByTestId('server-notice').innerText();
    expect(notice).toContain('Spoken');
    await expect.poll(() => announced(page)).toBe(notice.replace(/^✓\s*/, '').replace(/\s*×$/, '').trim());
    await page.context().close();
  });
});
