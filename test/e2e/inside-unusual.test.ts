// Inside the handshake for sessions out of the ordinary, in Chromium against a real engine: captures
// of openssl s_client and s_server taken on loopback by tshark and imported, as a teacher brings
// them. A session of two connections (a ticket fetched, then the session resumed with it) draws a
// ladder for each connection; every Finished check says on its summary that it matched; an RSA key
// exchange with no key log tells the student how to open it with the server's key.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { SessionImportResult } from '../../src-main/api/exchangeTypes';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { collectPageErrors, makeLabPki, newPage, screenshot, startE2e, type E2eApp, type LabPki } from '../support/e2e';
import { startLoopbackCapture } from '../support/loopbackCapture';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';

let app: E2eApp;
let pki: LabPki;
let api: ApiConnection;
const peers: RunningPeer[] = [];

beforeAll(async () => {
  app = await startE2e('inside-unusual');
  pki = makeLabPki(app.tmp, { subject: '/CN=www.bank32.com', dnsNames: ['www.bank32.com'] });
  api = await connectApi(app.engine);
});

afterAll(async () => {
  api?.close();
  for (const peer of peers) await peer.stop();
  await app?.close();
});

/** s_client until it has sent its request and the server has answered (-www closes), with a key log. */
async function sClient(port: number, args: string[], keylog: string): Promise<void> {
  const child: ChildProcess = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-keylogfile', keylog, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin?.write('GET / HTTP/1.0\r\n\r\n');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Runs `clients` against an openssl s_server while dumpcap captures, and imports the capture. */
async function capturedSession(name: string, serverArgs: string[], clients: (port: number, keylog: string) => Promise<void>, withKeylog = true): Promise<number> {
  const peer = await startOpensslServer(pki.cert, pki.key, serverArgs);
  peers.push(peer);
  const file = path.join(app.tmp, `${name}.pcapng`);
  const keylog = path.join(app.tmp, `${name}.keys`);
  const capture = await startLoopbackCapture(peer.port, file);
  await clients(peer.port, keylog);
  await capture.stop();
  const imported = await api.result<SessionImportResult>('sessions.import', { path: file, fileName: `${name}.pcapng`, ...(withKeylog ? { keylogPath: keylog } : {}) });
  return imported.id;
}

async function openInside(page: Page, id: number): Promise<void> {
  await page.goto(app.engine.url);
  await page.getByRole('heading', { name: 'New client session' }).waitFor();
  await page.evaluate(`location.hash = '#/sessions/${id}'`);
  await page.getByTestId('tab-inside').click();
  await page.getByTestId('inside-view').waitFor();
}

async function ladderText(page: Page): Promise<string> {
  await page.getByTestId('ladder-message').first().waitFor();
  // Each message's drawn line (its <title> tooltip aside).
  return (await page.locator('[data-testid="ladder-message"] text').allTextContents()).join('|');
}

describe('inside unusual sessions, in Chromium', () => {
  it('a capture of a ticket fetched and then resumed: each connection has its own ladder, and its Finished checks say they matched', async () => {
    const session = path.join(app.tmp, 'ticket.session');
    const id = await capturedSession('resumed', ['-www', '-tls1_3'], async (port, keylog) => {
      await sClient(port, ['-sess_out', session], keylog);
      await sClient(port, ['-sess_in', session], keylog);
    });
    const page = await newPage(app.browser);
    const pageErrors = collectPageErrors(page);
    await openInside(page, id);

    // The first connection: a full handshake, the server's certificate in it.
    const connections = page.getByTestId('inside-connection');
    // The connection list fills in after the page's first paint: wait for both.
    await expect.poll(() => connections.locator('option').count()).toBe(2);
    // Told apart by their ends (the client's port differs), not by a number alone.
    const options = await connections.locator('option').allInnerTexts();
    for (const [i, option] of options.entries()) expect(option).toMatch(new RegExp(`^${i + 1}: client, 127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:\\d+$`));
    const full = await ladderText(page);
    expect(full).toContain('Certificate');
    expect(full.split('|').filter((m) => m === 'ClientHello')).toHaveLength(1);
    // Two openssl programs the workbench only watched: neither column is "the workbench".
    const ladderSvg = await page.locator('svg[aria-label="Ladder diagram of the handshake"]').textContent();
    expect(ladderSvg).toContain('in the capture');
    expect(ladderSvg).not.toContain('workbench');

    // The second: resumed with the ticket, no certificate; its own ladder, not the first one's.
    await connections.selectOption({ index: 1 });
    await page.getByTestId('ladder-message').filter({ hasText: 'ServerHello' }).first().waitFor();
    const resumed = await ladderText(page);
    expect(resumed).toContain('Finished');
    expect(resumed).not.toContain('Certificate');
    expect(resumed.split('|').filter((m) => m === 'ClientHello')).toHaveLength(1);
    await screenshot(page, 'inside-unusual-01-resumed-ladder');

    // The key schedule: both Finished checks matched, said on their closed summaries.
    await page.getByTestId('inside-tab-keys').click();
    await page.getByTestId('key-steps').waitFor();
    expect(await page.getByTestId('key-step-check').allInnerTexts()).toEqual(['✓ matches', '✓ matches']);
    // The ticket came from the capture's first connection: named so, not as a link to this same session.
    const resumedFrom = page.getByTestId('key-resumed-from');
    expect(await resumedFrom.innerText()).toContain('connection 1 of this session');
    expect(await resumedFrom.getByRole('link').count()).toBe(0);
    expect(await page.getByTestId('key-step').first().locator('.title').innerText()).toContain('PSK: the ticket connection 1 of this session received');
    await page.getByTestId('key-step-check').last().scrollIntoViewIfNeeded();
    await screenshot(page, 'inside-unusual-02-finished-checks');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('an RSA key exchange captured with no key log says how to open it: the server key in the certificate workshop', async () => {
    const id = await capturedSession('rsa', ['-www', '-tls1_2', '-cipher', 'AES128-GCM-SHA256'], (port, keylog) => sClient(port, ['-tls1_2'], keylog), false);
    const page = await newPage(app.browser);
    await openInside(page, id);
    await page.getByTestId('inside-tab-keys').click();
    await page.getByTestId('key-source').waitFor();
    expect(await page.getByTestId('key-source').innerText()).toContain('nothing');
    const advice = await page.getByTestId('key-advice').innerText();
    expect(advice).toContain("the server's private key alone opens it");
    expect(advice).toContain('Certificates');
    await screenshot(page, 'inside-unusual-03-rsa-advice');
    await page.close();
  });
});
