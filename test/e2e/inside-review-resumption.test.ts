// A resumed TLS 1.3 session in the window: openssl s_client takes a ticket from the workbench's
// server, then resumes with it. The resumed session's key material says which recorded session it
// took up (a link to it), shows the schedule above the traffic secrets with the values nobody
// records marked unknown, and the ticket's nonce from the earlier session.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, newPage, screenshot, startE2e, type E2eApp } from '../support/e2e';
import { run } from '../support/run';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('inside-review-resumption');
});

afterAll(async () => {
  await app?.close();
});

describe('the key material of a resumed TLS 1.3 session', () => {
  it('links to the session whose ticket it used and shows the PSK schedule step by step', async () => {
    const wb = app.engine.workbench;
    await wb.workshop.createCa({ name: 'Lab Root', subject: '/CN=Lab Root', key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'Lab Root', name: 'www.bank32.com', subject: { CN: 'www.bank32.com' }, subjectAltNames: ['DNS:www.bank32.com'], key: 'ec:P-256' });
    const server = await wb.servers.start({ port: 0, identity: { kind: 'lab', name: 'www.bank32.com' } });
    const file = path.join(app.tmp, 'ticket.sess');
    const GET = 'GET / HTTP/1.1\r\nHost: www.bank32.com\r\nConnection: close\r\n\r\n';
    const sClient = (args: string[]) => run('openssl', ['s_client', '-connect', server.address, '-tls1_3', '-ign_eof', ...args], { input: GET });
    expect((await sClient(['-sess_out', file])).output).toContain('New, TLSv1.3');
    expect(fs.existsSync(file)).toBe(true);
    expect((await sClient(['-sess_in', file])).output).toContain('Reused, TLSv1.3');
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const [resumed, first] = wb.listSessions(10).filter((s) => s.kind === 'server');

    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.evaluate(`location.hash = '#/sessions/${resumed.id}'`);
    await page.getByTestId('tab-inside').click();
    await page.getByTestId('inside-tab-keys').click();
    const from = page.getByTestId('key-resumed-from');
    expect(await from.innerText()).toContain(`session #${first.id}`);
    expect(await from.innerText()).toContain('sent back as the PSK identity');
    expect(await page.getByTestId('no-key-shares').count()).toBe(0);

    const steps = page.getByTestId('key-step');
    const titles = await steps.locator('.title').allInnerTexts();
    expect(titles[0]).toContain(`PSK: the ticket session ${first.id} received`);
    expect(titles.some((t) => t.startsWith('PSK binder = HMAC'))).toBe(true);
    expect(titles.some((t) => t.endsWith('psk_dhe_ke'))).toBe(true);
    // The ticket's nonce is a value; the PSK is marked unknown, with the reason, and nothing to copy.
    const first0 = steps.first();
    expect(await first0.locator('[data-testid="key-value"][data-name="ticket_nonce"] code').innerText()).toMatch(/^[0-9a-f ]+$/);
    const psk = steps.filter({ hasText: 'PSK = HKDF-Expand-Label' }).locator('[data-testid="key-value"][data-name="PSK"]');
    await steps.filter({ hasText: 'PSK = HKDF-Expand-Label' }).locator('summary').click();
    expect(await psk.getByTestId('key-value-unknown').innerText()).toContain('an NSS key log has no line for it');
    expect(await psk.getByRole('button', { name: 'Copy hex' }).count()).toBe(0);
    await screenshot(page, 'inside-review-resumption-01-key-material');

    await from.getByRole('link').click();
    await page.waitForFunction(`location.hash === '#/sessions/${first.id}'`);
    expect(errors).toEqual([]);
  });
});

describe('a connection with no key log lines', () => {
  it('says why there may be none, without claiming the handshake failed', async () => {
    const wb = app.engine.workbench;
    // The handshake completes, yet the session holds no key log: a capture imported without one.
    await wb.workshop.createCa({ name: 'Other CA', subject: '/CN=Other CA', key: 'ec:P-256' });
    await wb.workshop.issue({ ca: 'Other CA', name: 'other.bank32.com', subject: { CN: 'other.bank32.com' }, subjectAltNames: ['DNS:other.bank32.com'], key: 'ec:P-256' });
    const server = await wb.servers.start({ port: 0, identity: { kind: 'lab', name: 'other.bank32.com' } });
    const out = await run('openssl', ['s_client', '-connect', server.address, '-tls1_3', '-ign_eof'], { input: 'GET / HTTP/1.0\r\n\r\n' });
    expect(out.output).toContain('New, TLSv1.3');
    await wb.servers.stop(server.id);
    await wb.writer.written();
    const [session] = wb.listSessions(1);
    const capture = wb.exchange.exportFile(session.id, 'pcapng', { secrets: false });
    const imported = wb.exchange.importBytes(capture.bytes, { source: 'no-keylog.pcapng' });

    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.evaluate(`location.hash = '#/sessions/${imported.id}'`);
    await page.getByTestId('keylog').locator('summary').click();
    const text = await page.getByTestId('keylog-none').innerText();
    expect(text).toContain('imported without its key log');
    expect(text).not.toContain('the handshake did not finish');
  });
});
