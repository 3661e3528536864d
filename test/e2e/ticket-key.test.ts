// The server's ticket key in the window: openssl s_client resumes a TLS 1.2 ECDHE session with
// the workbench's server by its ticket; the resumed session, exported as a capture without its key
// log and imported again, is opened from the ticket alone. The key material panel shows the ticket
// opened step by step, the master secret it holds highlighted, and the request it decrypts.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, newPage, screenshot, startE2e, type E2eApp } from '../support/e2e';
import { run } from '../support/run';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('ticket-key');
});

afterAll(async () => {
  await app?.close();
});

describe("a TLS 1.2 ECDHE session opened with the server's ticket key", () => {
  it('shows the ticket opened step by step and the master secret it holds', async () => {
    const wb = app.engine.workbench;
    await wb.workshop.createCa({ name: 'Lab Root', subject: '/CN=Lab Root', key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'Lab Root', name: 'www.bank32.com', subject: { CN: 'www.bank32.com' }, subjectAltNames: ['DNS:www.bank32.com'], key: 'ec:P-256' });
    const server = await wb.servers.start({ port: 0, label: 'bank32 ticket server', identity: { kind: 'lab', name: 'www.bank32.com' } });
    const file = path.join(app.tmp, 'ticket12.sess');
    const GET = 'GET /account HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n';
    const sClient = (args: string[]) => run('openssl', ['s_client', '-connect', server.address, '-tls1_2', '-ign_eof', ...args], { input: GET });
    expect((await sClient(['-sess_out', file])).output).toContain('New, TLSv1.2');
    expect((await sClient(['-sess_in', file])).output).toContain('Reused, TLSv1.2');
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const master = /Master-Key: ([0-9A-F]+)/.exec(execFileSync('openssl', ['sess_id', '-in', file, '-text', '-noout']).toString())?.[1].toLowerCase();
    expect(fs.existsSync(file)).toBe(true);
    const [resumed] = wb.listSessions(10).filter((s) => s.kind === 'server');
    // A capture of it without any key log: only the ticket key can open it.
    const capture = wb.exchange.exportFile(resumed.id, 'pcapng', { secrets: false });
    const imported = wb.exchange.importBytes(capture.bytes, { source: 'resumed-no-keylog.pcapng' });

    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.evaluate(`location.hash = '#/sessions/${imported.id}'`);
    await page.getByTestId('tab-inside').click();
    await page.getByTestId('inside-tab-keys').click();
    expect(await page.getByTestId('key-source').innerText()).toContain("server's ticket key");
    const steps = page.getByTestId('key-step');
    const titles = await steps.locator('.title').allInnerTexts();
    expect(titles[0]).toContain('the server bank32 ticket server');
    expect(titles[1]).toContain('MAC check');
    expect(titles[2]).toContain('AES-128-CBC');
    expect(titles[3]).toContain('session state decoded: TLS 1.2');
    expect(await steps.nth(1).getByTestId('key-step-check').innerText()).toContain('matches');
    const secret = page.locator('[data-testid="key-value"][data-highlight="true"]').first();
    expect(await secret.getAttribute('data-name')).toBe('master secret (master_key)');
    expect((await secret.locator('code').innerText()).replace(/\s/g, '')).toBe(master);
    expect(await page.getByTestId('key-notes').innerText()).toContain('session tickets undo forward secrecy');
    await steps.nth(3).scrollIntoViewIfNeeded();
    await screenshot(page, 'ticket-key-01-key-material');

    // The recorded session itself has its key log; the panel opens it with that, and, asked, as a
    // thief of the ticket key would: the same master secret, now from the ticket.
    await page.evaluate(`location.hash = '#/sessions/${resumed.id}'`);
    await page.getByTestId('tab-inside').click();
    await page.getByTestId('inside-tab-keys').click();
    await expect.poll(() => page.getByTestId('key-source').innerText()).toContain('key log');
    const toggle = page.getByTestId('ticket-key-toggle');
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await expect.poll(() => page.getByTestId('key-source').innerText()).toContain("server's ticket key");
    expect(await page.getByTestId('ticket-key-toggle').isChecked()).toBe(true);
    const fromTicket = page.locator('[data-testid="key-value"][data-highlight="true"]').first();
    expect((await fromTicket.locator('code').innerText()).replace(/\s/g, '')).toBe(master);
    await screenshot(page, 'ticket-key-02-as-a-thief');
    await page.getByTestId('ticket-key-toggle').uncheck();
    await expect.poll(() => page.getByTestId('key-source').innerText()).toContain('key log');
    expect(errors).toEqual([]);
  });
});
