// Replay in Chromium: on a recorded session (a client against openssl s_server -www, whose status
// page changes with every connection), "Replay client" sends the same bytes again and shows the
// original and the replay side by side with the diff; "Serve this recording" starts a replay
// server that curl, trusting only the workshop CA, gets the recorded page from.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEngine } from '../../src-main/host/engine';
import { sessionTraffic } from '../../src-main/replay/recordedTraffic';
import { run } from '../support/run';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'e2e');
const CHROMIUM = '/usr/bin/chromium';

let tmp: string;
let caFile: string;
let server: ChildProcess;
let serverPort: number;
let engine: Awaited<ReturnType<typeof startEngine>>;
let browser: Browser;

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-e2e-replay-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/O=Lab/CN=Lab Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', 'ca.key', '-out', 'ca.pem'], tmp);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=www.bank32.com', '-keyout', 'server.key', '-out', 'server.csr'], tmp);
  fs.writeFileSync(path.join(tmp, 'server.ext'), 'subjectAltName=DNS:www.bank32.com\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-sha256', '-extfile', 'server.ext', '-out', 'server.pem'], tmp);
  serverPort = await freePort();
  server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${serverPort}`, '-cert', 'server.pem', '-key', 'server.key', '-www'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve) => {
    let out = '';
    const on = (d: Buffer) => ((out += d.toString()), out.includes('ACCEPT') && resolve());
    server.stdout!.on('data', on);
    server.stderr!.on('data', on);
  });
  const staticDir = path.join(tmp, 'renderer');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staticDir, sourcemap: false } });
  engine = await startEngine({ dataDir: path.join(tmp, 'data'), staticDir });
  await engine.workbench.workshop.createCa({ name: 'Replay CA', subject: '/O=TLS Lab/CN=Replay CA' });
  caFile = path.join(tmp, 'replay-ca.pem');
  fs.writeFileSync(caFile, engine.workbench.workshop.trustAnchorsPem('Replay CA').join(''));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await engine?.close();
  server?.kill();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('replay in Chromium', () => {
  it('replays a client session and shows the diff; serves the recording to curl', async () => {
    const id = await engine.workbench.recordClient({
      host: 'www.bank32.com', port: serverPort, connectTo: '127.0.0.1', trust: { kind: 'file', path: path.join(tmp, 'ca.pem') },
      verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' },
    });
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(engine.url);
    await page.goto(`${engine.url.split('#')[0]}#/sessions/${id}`);
    await page.getByTestId('replay-panel').waitFor();

    // A bad address is named next to its field.
    await page.getByTestId('replay-to').fill('https://nowhere/');
    await page.getByTestId('replay-client').click();
    expect(await page.getByTestId('replay-to-error').innerText()).toContain('HOST:PORT');
    await page.getByTestId('replay-to').fill('');

    await page.getByTestId('replay-client').click();
    await page.getByTestId('replay-result').waitFor({ timeout: 30_000 });
    const summary = await page.getByTestId('replay-diff-summary').innerText();
    expect(summary).toMatch(/The answers differ: \d+ lines? only in the original/);
    expect(await page.getByTestId('replay-result').innerText()).toContain('the same bytes as the original');
    // Side by side: the status line heads both sides, some rows changed, unchanged runs are folded.
    expect(await page.getByTestId('replay-diff').locator('thead').innerText()).toContain('HTTP/1.0 200 ok');
    await page.getByText(/unchanged lines — show/).first().waitFor();
    expect(await page.locator('[data-testid="replay-diff-row"].changed').count()).toBeGreaterThan(0);
    await page.getByTestId('replay-panel').scrollIntoViewIfNeeded();
    await page.getByTestId('replay-panel').screenshot({ path: path.join(SCREENSHOTS, 'replay-01-client-diff.png') });

    // Serve this recording, the original server stopped.
    server.kill();
    await page.getByTestId('serve-recording').click();
    expect(await page.getByTestId('serve-ca-error').innerText()).toContain('CA');
    await page.getByTestId('serve-ca').fill('Replay CA');
    await page.getByTestId('serve-recording').click();
    await page.getByTestId('replay-server').waitFor();
    const info = engine.workbench.replay.list()[0];
    const got = await run('curl', ['-sS', '--http1.1', '--cacert', caFile, '--resolve', `www.bank32.com:${info.port}:127.0.0.1`, `https://www.bank32.com:${info.port}/`]);
    expect(got.stderr).toBe('');
    const recorded = Buffer.from(sessionTraffic(engine.workbench.exchange.load(id), id)[0].serverBytes).toString('latin1');
    expect(recorded.endsWith(got.stdout)).toBe(true);
    await page.getByText('1 answered from the recording').waitFor();
    await page.getByTestId('replay-panel').screenshot({ path: path.join(SCREENSHOTS, 'replay-02-serving.png') });
    await page.getByTestId('replay-server-stop').click();
    await page.getByTestId('serve-recording').waitFor();
    await screenshot(page, 'replay-03-session');
    expect(errors).toEqual([]);
  });
});
