// What every e2e test sets up the same way: a temp folder, an engine serving the renderer built
// for this run and a connection to the run's headless Chromium (both from test/support/e2eBuild.ts);
// a lab PKI made by openssl; and the page helpers (screenshots, text by test id, the page's errors).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { chromiumLaunchOptions } from './chromium';
import { loopbackGet } from './clientRequest';
import { openssl } from './opensslPki';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'test-output', 'e2e');

export interface E2eApp {
  /** The test's temp folder (removed by close). */
  tmp: string;
  /** Where the renderer was built (shared by the run's tests; read only), for a second engine. */
  staticDir: string;
  engine: RunningEngine;
  /** The run's shared Chromium: open pages in contexts of their own (newPage, browser.newContext). */
  browser: Browser;
  /** Closes this file's contexts in the browser, and the engine, and removes the temp folder. */
  close(): Promise<void>;
}

/** Starts an engine on a data folder in a new temp folder, serving the run's renderer build, and connects to the run's Chromium. */
export async function startE2e(name: string): Promise<E2eApp> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `tlslab-e2e-${name}-`));
  let engine: RunningEngine | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    // A connected browser's close() closes the contexts this file made and disconnects; the
    // browser itself stays for the other files.
    await browser?.close();
    await engine?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const staticDir = inject('rendererDir');
    engine = await startEngine({ dataDir: path.join(tmp, 'data'), staticDir });
    browser = await chromium.connect(inject('browserWsEndpoint'));
    return { tmp, staticDir, engine, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A HOME folder whose NSS database (made by certutil) trusts caFile as a CA, or trusts nothing when caFile is null. */
export function nssHome(dir: string, caFile: string | null, nickname = 'labca'): string {
  const nssdb = path.join(dir, '.pki', 'nssdb');
  fs.mkdirSync(nssdb, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
  if (caFile) execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', nickname, '-i', caFile]);
  return dir;
}

/** Chromium with HOME=homeDir (so it trusts that HOME's NSS database) and a profile inside it. */
export function launchWithHome(homeDir: string, extraArgs: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(path.join(homeDir, 'profile'), { ...chromiumLaunchOptions(extraArgs), env: { ...process.env, HOME: homeDir } });
}

/** A page in a fresh context (its own sessionStorage, as a new browser window would have). */
export async function newPage(browser: Browser, options: { acceptDownloads?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...options });
  return context.newPage();
}

/** A new page of the workbench at this window size, once its main area is there. */
export async function openWorkbench(app: E2eApp, width = 1280, height = 800): Promise<Page> {
  const page = await newPage(app.browser);
  await page.setViewportSize({ width, height });
  await page.goto(app.engine.url);
  await page.getByTestId('main').waitFor();
  return page;
}

/** Collects the page's uncaught errors and console errors, as they come. */
export function collectPageErrors(page: Page, options: { console?: boolean } = {}): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.console !== false) {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
  }
  return errors;
}

/** The whole page, from the top (a scrolled page would shift the sticky sidebar in the picture). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The trimmed text of the first element with this test id, once it is there. */
export async function text(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId).first();
  await locator.waitFor();
  return (await locator.innerText()).trim();
}

export interface LabPki {
  ca: string;
  cert: string;
  key: string;
}

/** A lab CA ("Lab Root CA") and a server certificate signed by it for these DNS names, made by openssl in dir. */
export function makeLabPki(dir: string, options: { subject?: string; dnsNames?: string[] } = {}): LabPki {
  const subject = options.subject ?? '/O=Bank32/CN=www.bank32.com';
  const dnsNames = options.dnsNames ?? ['www.bank32.com'];
  const file = (name: string) => path.join(dir, name);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/O=Lab/CN=Lab Root CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', 'ca.key', '-out', 'ca.pem'], dir);
  fs.chmodSync(file('ca.key'), 0o600);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', 'server.key', '-out', 'server.csr'], dir);
  fs.chmodSync(file('server.key'), 0o600);
  const sans = dnsNames.map((name) => `DNS:${name}`).join(',');
  fs.writeFileSync(file('server.ext'), `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-sha256',
    '-extfile', 'server.ext', '-out', 'server.pem'], dir);
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}

/** The parameters of `client.run` for an HTTP GET of / that verifies the peer against caFile. */
export function clientRunParams(host: string, port: number, caFile: string, overrides: object = {}): object {
  return loopbackGet(host, port, caFile, { timeoutMs: 60_000, ...overrides });
}
