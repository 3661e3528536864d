// Inside the handshake, in Chromium against a real engine: a TLS 1.3 session of the workbench's
// client against openssl s_server, opened in the Inside view. The student selects the ClientHello in
// the ladder and sees the SNI bytes highlighted in the hex view; opens the key material and sees the
// traffic secrets; and reads the decrypted HTTP request. A second session, 100,000 one-byte records
// from Python's ssl module, shows that the record table keeps only a window of rows in the DOM.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SessionDetail } from '../../src-main/api/types';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { SCREENSHOTS, clientRunParams, collectPageErrors, makeLabPki, newPage, screenshot, startE2e, type E2eApp, type LabPki } from '../support/e2e';
import { startManyRecordServer as startPythonServer } from '../support/manyRecordServer';
import { startOpensslServer as startPeer } from '../support/opensslServer';

const HOST = 'www.bank32.com';
const MANY = 100_000;

let app: E2eApp;
let engine: E2eApp['engine'];
let browser: E2eApp['browser'];
let pki: LabPki;
const stops: (() => unknown)[] = [];
let api: ApiConnection;

/** openssl s_server answering GET with its status page (-www). */
async function startOpensslServer(): Promise<number> {
  const server = await startPeer(pki.cert, pki.key);
  stops.push(() => server.stop());
  return server.port;
}

/** Python's ssl module: reads the request, then answers with `count` records of one byte each. */
async function startManyRecordServer(count: number): Promise<number> {
  const server = await startPythonServer(pki.cert, pki.key, count);
  stops.push(() => server.stop());
  return server.port;
}

async function openSession(page: Page, id: number): Promise<void> {
  await page.goto(engine.url);
  await page.getByRole('heading', { name: 'New client session' }).waitFor();
  await page.evaluate(`location.hash = '#/sessions/${id}'`);
  await page.getByTestId('tab-inside').click();
  await page.getByTestId('inside-view').waitFor();
}

async function runClient(port: number, overrides: object = {}): Promise<SessionDetail> {
  return api.result<SessionDetail>('client.run', clientRunParams(HOST, port, pki.ca, overrides));
}

beforeAll(async () => {
  app = await startE2e('inside');
  ({ engine, browser } = app);
  pki = makeLabPki(app.tmp, { subject: `/O=Bank32/CN=${HOST}`, dnsNames: [HOST] });
  api = await connectApi(engine);
});

afterAll(async () => {
  api?.close();
  for (const stop of stops) await stop();
  await app?.close();
});

describe('inside the handshake, in Chromium', () => {
  it('shows the ClientHello SNI bytes, the traffic secrets and the decrypted HTTP request of a TLS 1.3 session', async () => {
    const port = await startOpensslServer();
    const session = await runClient(port, { minVersion: 'TLSv1.3' });
    expect(session.status).toBe('ok');

    const page = await newPage(browser);
    const pageErrors = collectPageErrors(page);
    await openSession(page, session.id);

    // The ladder: one round trip before the client's data in TLS 1.3.
    await page.getByTestId('ladder-message').first().waitFor();
    expect(await page.getByTestId('ladder-note').first().innerText()).toContain("1 round trip before the client's first application data");
    expect(await page.getByTestId('ladder-round-trip').count()).toBe(1);
    const ladderTexts = await page.getByTestId('ladder-message').allTextContents();
    // TLS 1.3's encrypted flight, read with the key log.
    for (const name of ['EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'NewSessionTicket']) {
      expect(ladderTexts.join('|')).toContain(name);
    }

    // Select the ClientHello in the ladder: its row is selected in the table, its record inspected.
    await page.getByTestId('ladder-message').filter({ hasText: 'ClientHello' }).first().click();
    await page.getByTestId('record-inspector').waitFor();
    expect(await page.locator('[data-testid="inside-record-row"][aria-selected="true"]').getAttribute('data-number')).toBe('1');
    await page.getByTestId('jump-SNI').click();
    const selection = await page.getByTestId('wire-selection').innerText();
    expect(selection).toContain('host_name');
    const highlighted = await page.locator('[data-testid="wire-hex"] button.byte.hl').allInnerTexts();
    expect(Buffer.from(highlighted.join(''), 'hex').toString('latin1')).toBe(HOST);
    // The field tree names the suites and extensions; the selected node shows the host name.
    expect(await page.locator('[data-testid="wire-field"][data-field="host_name"]').innerText()).toContain('www.bank32.com');
    const fieldNames = await page.locator('[data-testid="wire-field"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-field')));
    expect(fieldNames).toEqual(expect.arrayContaining(['ClientHello', 'cipher_suites', 'extensions', 'server_name', 'host_name']));
    await screenshot(page, 'inside-01-clienthello-sni');

    // Clicking a byte selects its field: the record header's content type.
    await page.locator('[data-testid="wire-hex"] button.byte[data-index="0"]').click();
    expect(await page.getByTestId('wire-selection').innerText()).toContain('content_type');

    // The client's request, decrypted, with its nonce and tag check.
    await page.locator('[data-testid="inside-record-row"][data-direction="client-to-server"][data-summary="Application Data"]').first().click();
    const plaintext = await page.getByTestId('decrypted-plaintext').innerText();
    expect(plaintext).toMatch(/^GET \/ HTTP\/1\.1\s+Host: www\.bank32\.com/);
    expect(await page.getByTestId('decryption-tag-check').innerText()).toContain('verified');
    expect(await page.getByTestId('decryption-nonce').innerText()).toMatch(/XOR/);
    await page.getByTestId('record-decryption').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'inside-02-decrypted-request.png'), fullPage: false });

    // Key material: the traffic secrets from the key log, down to keys and IVs.
    await page.getByTestId('inside-tab-keys').click();
    await page.getByTestId('key-secrets').waitFor();
    const secrets = await page.getByTestId('key-secrets').innerText();
    expect(secrets).toContain('client_handshake_traffic_secret');
    expect(secrets).toContain('server_application_traffic_secret_0');
    expect(await page.getByTestId('key-source').innerText()).toContain('key log');
    expect(await page.getByTestId('key-keys').innerText()).toMatch(/key|iv/);
    expect(await page.getByTestId('key-step').count()).toBeGreaterThan(2);
    await screenshot(page, 'inside-03-key-material');

    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('keeps only a window of rows in the DOM for a session of 100,000 records', async () => {
    const port = await startManyRecordServer(MANY);
    const session = await runClient(port, { minVersion: 'TLSv1.3' });
    expect(session.status, JSON.stringify(session.error)).toBe('ok');
    const page = await newPage(browser);
    await openSession(page, session.id);
    const table = page.getByTestId('inside-record-table');
    await page.locator('[data-testid="inside-record-row"][data-number="1"]').waitFor();
    const total = Number(await table.getAttribute('data-total'));
    expect(total).toBeGreaterThan(MANY);
    expect(await page.getByTestId('inside-record-row').count()).toBeLessThan(60);

    // Scroll to the end: the last record is drawn, still only a window of rows.
    await page.evaluate(`(() => { const box = document.querySelector('[data-testid="inside-record-table"] [role="listbox"]'); box.scrollTop = box.scrollHeight; })()`);
    await page.locator(`[data-testid="inside-record-row"][data-number="${total}"]`).waitFor();
    expect(await page.getByTestId('inside-record-row').count()).toBeLessThan(60);
    const last = await page.locator(`[data-testid="inside-record-row"][data-number="${total}"]`).innerText();
    expect(last).toMatch(/Alert|Application Data/);
    await screenshot(page, 'inside-04-100k-records');
    await page.context().close();
  });
});
