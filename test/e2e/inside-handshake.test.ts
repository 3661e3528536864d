// Inside the handshake, in Chromium against a real engine: a TLS 1.3 session of the workbench's
// client against openssl s_server, opened in the Inside view. The student selects the ClientHello in
// the ladder and sees the SNI bytes highlighted in the hex view; opens the key material and sees the
// traffic secrets; and reads the decrypted HTTP request. A second session, 100,000 one-byte records
// from Python's ssl module, shows that the record table keeps only a window of rows in the DOM.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SessionDetail } from '../../src-main/api/types';
import { startEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { freePort, waitForPort } from '../support/ports';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'e2e');
const CHROMIUM = '/usr/bin/chromium';
const HOST = 'www.bank32.com';
const MANY = 100_000;

let tmp: string;
let pki: { ca: string; cert: string; key: string };
let servers: ChildProcess[] = [];
let engine: Awaited<ReturnType<typeof startEngine>>;
let api: ApiConnection;
let browser: Browser;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A lab CA and a server certificate for www.bank32.com signed by it. */
function makePki(dir: string): { ca: string; cert: string; key: string } {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/O=Lab/CN=Lab Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', 'ca.key', '-out', 'ca.pem'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/O=Bank32/CN=${HOST}`, '-keyout', 'server.key', '-out', 'server.csr'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), `subjectAltName=DNS:${HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-sha256',
    '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}

/** openssl s_server answering GET with its status page (-www). */
async function startOpensslServer(): Promise<number> {
  const port = await freePort();
  servers.push(spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', pki.cert, '-key', pki.key, '-www'], { stdio: 'ignore' }));
  await waitForPort(port);
  return port;
}

/** Python's ssl module: reads the request, then answers with `count` records of one byte each. */
async function startManyRecordServer(count: number): Promise<number> {
  const port = await freePort();
  const script = `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv = socket.create_server(('127.0.0.1', int(sys.argv[1])))
while True:
    raw, _ = srv.accept()
    try:
        with ctx.wrap_socket(raw, server_side=True) as conn:
            conn.recv(4096)
            for _ in range(int(sys.argv[4])):
                conn.write(b'x')
            conn.unwrap()
    except (ssl.SSLError, OSError):
        pass  # the port probe, or a client that went away
`;
  servers.push(spawn('python3', ['-c', script, String(port), pki.cert, pki.key, String(count)], { stdio: 'ignore' }));
  await waitForPort(port);
  return port;
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function openSession(page: Page, id: number): Promise<void> {
  await page.goto(engine.url);
  await page.getByRole('heading', { name: 'New client session' }).waitFor();
  await page.evaluate(`location.hash = '#/sessions/${id}'`);
  await page.getByTestId('tab-inside').click();
  await page.getByTestId('inside-view').waitFor();
}

async function runClient(port: number, overrides: object = {}): Promise<SessionDetail> {
  return api.result<SessionDetail>('client.run', {
    host: HOST,
    port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.ca },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: '/' },
    timeoutMs: 60_000,
    ...overrides,
  });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-e2e-inside-'));
  pki = makePki(tmp);
  const staticDir = path.join(tmp, 'renderer');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staticDir, sourcemap: false } });
  engine = await startEngine({ dataDir: path.join(tmp, 'data'), staticDir });
  api = await connectApi(engine);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  api?.close();
  await engine?.close();
  for (const s of servers) s.kill();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('inside the handshake, in Chromium', () => {
  it('shows the ClientHello SNI bytes, the traffic secrets and the decrypted HTTP request of a TLS 1.3 session', async () => {
    const port = await startOpensslServer();
    const session = await runClient(port, { minVersion: 'TLSv1.3' });
    expect(session.status).toBe('ok');

    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
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
    await context.close();
  });

  it('keeps only a window of rows in the DOM for a session of 100,000 records', async () => {
    const port = await startManyRecordServer(MANY);
    const session = await runClient(port, { minVersion: 'TLSv1.3' });
    expect(session.status, JSON.stringify(session.error)).toBe('ok');
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
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
    await context.close();
  });
});
