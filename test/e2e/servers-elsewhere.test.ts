// The Servers view in Chromium while a student's `tlslab server` runs in a terminal on the data
// folder the window's engine uses: the view lists it under "Running from a terminal" rather than
// saying there is no server, the start form says its port is taken before Start is pressed, and
// the card goes once the terminal's server stops with Ctrl-C. A `tlslab proxy` shows in the Proxy view.
// The window's own servers (and another window's) are not in the card: it is for terminals' commands.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, newPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { startTlslabUntil } from '../support/cliProcesses';
import { RUNNING_FOLDER } from '../../src-main/store/runningElsewhere';
import { freePort } from '../support/ports';

let app: E2eApp;
const terminals: ChildProcess[] = [];

/** The browser's getComputedStyle, for functions that run in the page (this file is typed for Node). */
interface BrowserStyle {
  getComputedStyle(element: unknown): { fontSize: string };
}

/** A tlslab command on the engine's data folder, as a student starts it in a terminal; resolves once it listens. */
async function inTerminal(args: string[]): Promise<ChildProcess> {
  const { child } = await startTlslabUntil(app.engine.workbench.dataDir, args, 'stop with Ctrl-C');
  terminals.push(child);
  return child;
}

beforeAll(async () => {
  app = await startE2e('servers-elsewhere');
  await app.engine.workbench.workshop.createCa({ name: 'Lab Root', subject: '/O=Lab/CN=Lab Root CA' });
  await app.engine.workbench.workshop.issue({ ca: 'Lab Root', name: 'www.bank32.com', subject: { CN: 'www.bank32.com', O: 'Bank32' },
    subjectAltNames: ['DNS:www.bank32.com'] });
});

afterAll(async () => {
  for (const child of terminals) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await app?.close();
});

describe('a server run from a terminal, in the Servers view', () => {
  it('shows under "Running from a terminal", holds its port in the form, and goes when stopped with Ctrl-C', async () => {
    const port = await freePort();
    const terminal = await inTerminal(['server', '--identity', 'lab:www.bank32.com', '--port', String(port), '--label', 'bank from a terminal']);
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-servers').click();
    await page.getByRole('heading', { name: 'Servers', exact: true }).waitFor();

    await page.getByTestId('elsewhere-card').waitFor();
    expect(await page.getByRole('heading', { name: 'Running from a terminal' }).count()).toBe(1);
    expect(await text(page, 'elsewhere-address')).toBe(`127.0.0.1:${port}`);
    expect(await text(page, 'elsewhere-pid')).toBe(String(terminal.pid));
    const row = await text(page, 'elsewhere-row');
    expect(row).toContain('tlslab server');
    expect(row).toContain('bank from a terminal');
    expect(row).toContain('CN=www.bank32.com');
    expect(await text(page, 'elsewhere-note')).toContain('show under Sessions');
    expect(await text(page, 'elsewhere-note')).toContain('Ctrl-C in their terminal');
    const empty = await text(page, 'servers-empty');
    expect(empty).not.toContain('No server yet');

    // The form says the port is taken before Start is pressed.
    await page.getByTestId('server-form').waitFor();
    await page.getByTestId('server-port').fill(String(port));
    expect(await text(page, 'server-port-note')).toBe(`127.0.0.1:${port} is taken by tlslab server (process ${terminal.pid}) from a terminal; use ${port + 1} or 0`);
    await screenshot(page, 'servers-elsewhere');

    // Ctrl-C in the terminal: the card and the note go (the view asks again every few seconds).
    const exited = new Promise((resolve) => terminal.once('exit', resolve));
    terminal.kill('SIGINT');
    await exited;
    await page.getByTestId('elsewhere-card').waitFor({ state: 'detached', timeout: 60_000 });
    expect(await page.getByTestId('server-port-note').count()).toBe(0);
    expect(await text(page, 'servers-empty')).toContain('No server yet');
    expect(errors).toEqual([]);
  });

  it("lists neither the window's own server nor another window's, and sets the label as its neighbours", async () => {
    const port = await freePort();
    const terminal = await inTerminal(['server', '--identity', 'lab:www.bank32.com', '--port', String(port), '--label', 'bank from a terminal']);
    const own = await app.engine.workbench.servers.start({ port: 0, label: 'bank from this window', identity: { kind: 'lab', name: 'www.bank32.com' } });
    // Another window's engine on the same folder, as its record says: a live process, origin window.
    const otherWindow = spawn('sleep', ['120'], { stdio: 'ignore' });
    terminals.push(otherWindow);
    const otherRecord = path.join(app.engine.workbench.dataDir, RUNNING_FOLDER, `${otherWindow.pid}-server-1.json`);
    fs.writeFileSync(otherRecord, JSON.stringify({ kind: 'server', origin: 'window', pid: otherWindow.pid, address: '127.0.0.1:1', addresses: ['127.0.0.1:1'], label: 'bank of another window', startedAt: Date.now() }));
    try {
      const page = await newPage(app.browser);
      const errors = collectPageErrors(page);
      await page.goto(app.engine.url);
      await page.getByTestId('nav-servers').click();
      await page.getByTestId('elsewhere-card').waitFor();
      expect(await page.getByTestId('elsewhere-row').count()).toBe(1);
      expect(await text(page, 'elsewhere-pid')).toBe(String(terminal.pid));
      expect(await text(page, 'elsewhere-label')).toBe('bank from a terminal');
      // The label is set in the size of the cells beside it, not the larger body size.
      const fontSize = (testId: string) => page.getByTestId(testId).evaluate((cell) => (globalThis as unknown as BrowserStyle).getComputedStyle(cell).fontSize);
      expect(await fontSize('elsewhere-label')).toBe(await fontSize('elsewhere-address'));
      await screenshot(page, 'servers-elsewhere-beside-own');
      expect(errors).toEqual([]);
    } finally {
      await app.engine.workbench.servers.remove(own.id);
      fs.rmSync(otherRecord, { force: true });
    }
  });

  it('shows a proxy run from a terminal in the Proxy view', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const proxy = await inTerminal(['proxy', '--listen', listen, '--ca', 'Lab Root']);
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('nav-proxy').click();
    await page.getByTestId('elsewhere-card').waitFor();
    expect(await text(page, 'elsewhere-address')).toBe(listen);
    expect(await text(page, 'elsewhere-pid')).toBe(String(proxy.pid));
    expect(await text(page, 'elsewhere-row')).toContain('tlslab proxy');
    expect(await text(page, 'proxies-empty')).not.toContain('No proxy yet');
    expect(errors).toEqual([]);
  });
});
