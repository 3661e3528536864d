// The Servers view in Chromium, in browser mode, against a real engine: a student starts an HTTPS
// server from the form with a certificate made in the workshop, reaches it with curl and openssl,
// watches the connections arrive, opens them, and sees a start failure explained.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, collectPageErrors, newPage as openPage, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { freePort } from '../support/ports';
import { run } from '../support/run';

let app: E2eApp;
let tmp: string;
let engine: E2eApp['engine'];
let caFile: string;
let aliceCert: string;
let aliceKey: string;
let mailCert: string;
let mailKey: string;

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await openPage(app.browser);
  return { page, errors: collectPageErrors(page) };
}

beforeAll(async () => {
  app = await startE2e('servers');
  ({ tmp, engine } = app);

  // The lab's CA and the bank's certificate, made in the certificate workshop.
  const ca = await engine.workbench.workshop.createCa({ name: 'Lab Root', subject: '/O=Lab/CN=Lab Root CA' });
  await engine.workbench.workshop.issue({ ca: 'Lab Root', name: 'www.bank32.com', subject: { CN: 'www.bank32.com', O: 'Bank32' },
    subjectAltNames: ['DNS:www.bank32.com'] });
  caFile = path.join(tmp, 'ca.pem');
  fs.writeFileSync(caFile, ca.certificatePem);
  // A student's client certificate from the same CA, as files for openssl.
  const alice = await engine.workbench.workshop.issue({ ca: 'Lab Root', name: 'alice', subject: { CN: 'alice' }, profile: 'client' });
  aliceCert = path.join(tmp, 'alice.pem');
  aliceKey = path.join(tmp, 'alice.key');
  fs.writeFileSync(aliceCert, alice.certificatePem);
  fs.writeFileSync(aliceKey, alice.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  // A second site made with openssl, its key encrypted under a passphrase ("Enter PEM pass phrase").
  mailCert = path.join(tmp, 'mail.pem');
  mailKey = path.join(tmp, 'mail.key');
  const made = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', mailKey,
    '-passout', 'pass:dees', '-subj', '/CN=mail.bank32.com', '-addext', 'subjectAltName=DNS:mail.bank32.com', '-days', '30', '-out', mailCert]);
  if (made.code !== 0) throw new Error(`openssl could not make the mail certificate: ${made.output}`);
  fs.chmodSync(mailKey, 0o600);
});

afterAll(async () => {
  await app?.close();
});

describe('the Servers view in Chromium', () => {
  it('starts a server with a workshop certificate, shows curl and openssl connections live, and opens them', async () => {
    const { page, errors } = await newPage();
    const port = await freePort();
    await page.goto(engine.url);
    await page.getByTestId('nav-servers').click();
    await page.getByRole('heading', { name: 'Servers', exact: true }).waitFor();

    // With no server yet the form is open, the workshop's only server certificate already chosen (alice is a client's);
    // a problem is explained before the engine is asked.
    await page.getByTestId('server-form').waitFor();
    await expect.poll(() => page.getByTestId('server-identity-lab').inputValue()).toBe('www.bank32.com');
    await page.getByTestId('server-port').fill('port');
    await page.getByTestId('server-form-submit').click();
    expect(await page.getByTestId('server-port-error').count()).toBe(1);
    await page.getByTestId('server-port').fill(String(port));

    // A privileged port is called out next to the field, with the port to use instead.
    await page.getByTestId('server-port').fill('443');
    expect(await text(page, 'server-port-note')).toContain('Use 4433');
    await page.getByTestId('server-port').fill(String(port));
    expect(await page.getByTestId('server-port-note').count()).toBe(0);

    await page.getByTestId('server-identity-lab').selectOption('www.bank32.com');
    // The RSA key exchange hint appears for an RSA-only cipher list, and goes with it.
    await page.getByTestId('server-ciphers').fill('AES128-GCM-SHA256');
    expect(await text(page, 'server-rsa-note')).toContain('no forward secrecy');
    await page.getByTestId('server-ciphers').fill('');
    await page.getByTestId('server-label').fill('Bank32');
    await screenshot(page, 'servers-01-start-form');
    await page.getByTestId('server-form-submit').click();

    const card = page.getByTestId('server-card').filter({ hasText: 'Bank32' });
    await page.locator('[data-testid="server-card"][data-status="running"]').filter({ hasText: 'Bank32' }).waitFor();
    expect(await card.getByTestId('server-status').innerText()).toBe('Running');
    expect(await card.getByTestId('server-address').innerText()).toBe(`127.0.0.1:${port}`);
    expect(await card.getByTestId('server-names').innerText()).toContain('www.bank32.com');
    expect(await text(page, 'server-notice')).toContain(`127.0.0.1:${port}`);
    expect(await card.getByTestId('server-connections-empty').innerText()).toContain('No connection yet');
    // The form closes once the server runs.
    expect(await page.getByTestId('server-form').count()).toBe(0);
    // The sidebar counts running servers.
    expect(await page.getByTestId('nav-servers').innerText()).toContain('1');

    // curl with the lab CA fetches the bank page; the connection appears without a reload.
    const curl = await run('curl', ['-sS', '--cacert', caFile, '--resolve', `www.bank32.com:${port}:127.0.0.1`, `https://www.bank32.com:${port}/`]);
    expect(curl.code).toBe(0);
    expect(curl.output.toLowerCase()).toContain('bank32');
    // A row shows as soon as the session is created; the request count arrives when the connection ends.
    const okRow = card.locator('[data-testid="server-connection-row"][data-outcome="ok"]').filter({ hasText: '1 request' }).first();
    await okRow.waitFor();
    const okText = await okRow.innerText();
    expect(okText).toContain('www.bank32.com');
    expect(okText).toContain('TLSv1.3');
    expect(okText).toContain('TLS_');
    expect(okText).toContain('1 request');

    // openssl offering only RSA key exchange over TLS 1.2 gets it.
    const rsa = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.bank32.com', '-CAfile', caFile,
      '-verify_return_error', '-tls1_2', '-cipher', 'AES128-GCM-SHA256'], { input: 'Q\n' });
    expect(rsa.output).toContain('AES128-GCM-SHA256');
    const rsaRow = card.getByTestId('server-connection-row').filter({ hasText: 'TLS_RSA_WITH_AES_128_GCM_SHA256' }).first();
    await rsaRow.waitFor();
    expect(await rsaRow.innerText()).toContain('TLSv1.2');

    // curl without the lab CA refuses the certificate: the failure shows the alert it sent, by name.
    const refused = await run('curl', ['-sS', '--resolve', `www.bank32.com:${port}:127.0.0.1`, `https://www.bank32.com:${port}/`]);
    expect(refused.code).not.toBe(0);
    const failedRow = card.locator('[data-testid="server-connection-row"][data-outcome="failed"]').first();
    await failedRow.waitFor();
    expect(await failedRow.innerText()).toContain('unknown_ca');
    // The counters follow within a moment (the engine batches their updates).
    await card.getByTestId('server-counts').filter({ hasText: '3 connections · 1 failed' }).waitFor();
    // A Node program refusing over TLS 1.2 (it checks after its handshake and sends no alert): the
    // handshake is complete on this side, so the row is "ok", and says the client left without a word.
    const silent = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'www.bank32.com', maxVersion: 'TLSv1.2' });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      socket.on('secureConnect', () => resolve('accepted'));
    });
    expect(silent).toMatch(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);
    const silentRow = card.locator('[data-testid="server-connection-row"][data-outcome="ok"]').filter({ has: page.getByTestId('connection-left-silently') }).first();
    await silentRow.waitFor();
    expect(await silentRow.getByTestId('connection-left-silently').getAttribute('title')).toContain('a client that refuses the certificate in its own code');
    await screenshot(page, 'servers-02-live-connections');

    // The curl connection, as the server recorded it.
    const okId = await okRow.getAttribute('data-session-id');
    await okRow.getByTestId('server-connection-open').click();
    await page.getByTestId('session-detail').waitFor();
    expect(page.url()).toMatch(new RegExp(`#/sessions/${okId}$`));
    await page.getByTestId('cipher-iana').waitFor();
    expect(await text(page, 'outcome-badge')).toContain('Served');
    expect(await page.getByTestId('outcome-badge').getAttribute('data-tone')).toBe('ok');
    expect(await text(page, 'fact-sni')).toBe('www.bank32.com');
    expect(await text(page, 'fact-version')).toBe('TLSv1.3');
    expect(await text(page, 'cipher-iana')).toMatch(/^TLS_AES_/);
    expect(await text(page, 'fact-peer')).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await text(page, 'fact-alpn')).toBe('http/1.1');
    expect(await text(page, 'fact-resumed')).toContain('no');
    expect(await text(page, 'fact-key-exchange')).toContain('fresh key for this connection: forward secrecy');
    expect(await text(page, 'client-certificate-result')).toContain('Not asked for');
    expect(await text(page, 'cert-subject')).toContain('CN=www.bank32.com');
    const rows = await page.getByTestId('timeline-row').allInnerTexts();
    expect(rows.some((row) => row.includes('ClientHello'))).toBe(true);
    expect(rows.some((row) => row.includes('ServerHello'))).toBe(true);
    await screenshot(page, 'servers-03-server-session');

    // The RSA key exchange connection says there is no forward secrecy.
    await page.getByTestId('nav-servers').click();
    const rsaId = await card.getByTestId('server-connection-row').filter({ hasText: 'TLS_RSA_WITH_AES_128_GCM_SHA256' }).first().getAttribute('data-session-id');
    await page.goto(`${engine.url.replace(/#.*$/, '')}#/sessions/${rsaId}`);
    await page.getByTestId('fact-key-exchange').waitFor();
    expect(await text(page, 'fact-key-exchange')).toContain('RSA');
    expect(await text(page, 'fact-key-exchange')).toContain('no forward secrecy');
    expect(await text(page, 'fact-key-exchange')).toContain("no ephemeral key: whoever gets the server's private key later can decrypt this recording");
    expect(await text(page, 'cipher-openssl')).toBe('AES128-GCM-SHA256');
    await screenshot(page, 'servers-04-rsa-key-exchange');

    // The refused connection names the client's alert.
    await page.getByTestId('nav-servers').click();
    await card.locator('[data-testid="server-connection-row"][data-outcome="failed"]').first().getByTestId('server-connection-open').click();
    await page.getByTestId('fact-client-alert').waitFor();
    expect(await text(page, 'fact-client-alert')).toContain('unknown_ca');
    expect(await text(page, 'outcome-badge')).toContain('Failed');
    expect(await text(page, 'session-outcome-detail')).toContain('unknown_ca');
    // The certificate the client refused is shown with the session.
    expect(await page.getByRole('region', { name: 'Certificates this server sent' }).innerText()).toContain('www.bank32.com');
    // The handshake never finished: nothing to replay, said instead of the replay forms.
    expect(await text(page, 'replay-nothing')).toContain('The TLS handshake never finished');
    await screenshot(page, 'servers-05-client-alert');
    expect(errors).toEqual([]);
  });

  it('says why a server cannot start (port in use) next to the form, and stops and removes a server', async () => {
    const { page, errors } = await newPage();
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
    try {
      await page.goto(engine.url);
      await page.getByTestId('nav-servers').click();
      await page.getByTestId('server-card').first().waitFor();
      await page.getByTestId('server-new').click();
      await page.getByTestId('server-form').waitFor();
      await page.getByTestId('server-port').fill(String(port));
      await page.getByTestId('server-label').fill('Blocked');
      await page.getByTestId('server-identity-lab').selectOption('www.bank32.com');
      await page.getByTestId('server-form-submit').click();
      const error = page.getByTestId('server-form').getByTestId('error-box');
      await error.waitFor();
      const message = await error.innerText();
      expect(message).toContain('The server did not start');
      expect(message).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(message).toContain('PORT_IN_USE');
      expect(await page.getByTestId('server-card').filter({ hasText: 'Blocked' }).count()).toBe(0);
      await screenshot(page, 'servers-06-port-in-use');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }

    const card = page.getByTestId('server-card').filter({ hasText: 'Bank32' });
    await card.getByTestId('server-stop').click();
    await card.getByTestId('server-status').filter({ hasText: 'Stopped' }).waitFor();
    expect(await card.getByTestId('server-restart').innerText()).toBe('Start again');
    // Its recorded connections stay listed after it stops (curl twice, openssl, the workbench's client).
    expect(await card.getByTestId('server-connection-row').count()).toBe(4);
    await screenshot(page, 'servers-07-stopped');
    await card.getByTestId('server-remove').click();
    await card.waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });

  it('serves a second name by SNI from PEM files with a key passphrase, and requires a client certificate', async () => {
    const { page, errors } = await newPage();
    const port = await freePort();
    await page.goto(engine.url);
    await page.getByTestId('nav-servers').click();
    if ((await page.getByTestId('server-form').count()) === 0) await page.getByTestId('server-new').click();
    await page.getByTestId('server-port').fill(String(port));
    await page.getByTestId('server-label').fill('Bank32 with mail');
    await page.getByTestId('server-identity-lab').selectOption('www.bank32.com');
    await page.getByTestId('server-sni-add').click();
    await page.getByTestId('server-sni-0-name').fill('mail.bank32.com');
    await page.getByTestId('server-sni-0-kind-files').check();
    await page.getByTestId('server-sni-0-cert').fill(mailCert);
    await page.getByTestId('server-sni-0-key').fill(mailKey);
    await page.getByTestId('server-sni-0-passphrase').fill('not-the-passphrase');
    await page.getByTestId('server-client-cert-require').check();
    await page.getByTestId('server-client-ca-lab').selectOption('Lab Root');
    await page.getByTestId('server-form-submit').click();

    // A wrong passphrase is one clear error next to the form, naming the key it concerns.
    const error = page.getByTestId('server-form').getByTestId('error-box');
    await error.waitFor();
    expect(await error.innerText()).toContain('mail.bank32.com');
    expect(await error.innerText()).toContain('passphrase does not open this private key');
    await screenshot(page, 'servers-08-wrong-passphrase');

    await page.getByTestId('server-sni-0-passphrase').fill('dees');
    await page.getByTestId('server-form-submit').click();
    const card = page.locator('[data-testid="server-card"][data-status="running"]').filter({ hasText: 'Bank32 with mail' });
    await card.waitFor();
    const names = await card.getByTestId('server-names').innerText();
    expect(names).toContain('default');
    expect(names).toContain('mail.bank32.com');

    // With alice's certificate, openssl gets the mail certificate by SNI and is let in.
    const withCert = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'mail.bank32.com', '-CAfile', mailCert,
      '-verify_return_error', '-cert', aliceCert, '-key', aliceKey], { input: 'Q\n' });
    expect(withCert.output).toContain('subject=CN = mail.bank32.com');
    const okRow = card.locator('[data-testid="server-connection-row"][data-outcome="ok"]').filter({ hasText: 'client cert' }).first();
    await okRow.waitFor();
    expect(await okRow.innerText()).toContain('mail.bank32.com');

    // Without one, it is refused, and the session says why.
    await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.bank32.com', '-CAfile', caFile], { input: 'Q\n' });
    const refused = card.locator('[data-testid="server-connection-row"][data-outcome="failed"]').first();
    await refused.waitFor();
    await screenshot(page, 'servers-09-client-certificates');

    await okRow.getByTestId('server-connection-open').click();
    await page.getByTestId('client-certificate-subject').waitFor();
    expect(await text(page, 'client-certificate-subject')).toContain('CN=alice');
    expect(await text(page, 'client-certificate-result')).toContain('verified');
    expect(await text(page, 'outcome-badge')).toContain('Client verified');
    expect(await text(page, 'fact-sni')).toBe('mail.bank32.com');
    const subjects = await page.getByTestId('cert-subject').allInnerTexts();
    expect(subjects[0]).toContain('CN=mail.bank32.com');
    expect(subjects.some((subject) => subject.includes('CN=alice'))).toBe(true);
    await screenshot(page, 'servers-10-client-certificate-session');

    await page.getByTestId('nav-servers').click();
    await card.locator('[data-testid="server-connection-row"][data-outcome="failed"]').first().getByTestId('server-connection-open').click();
    await page.getByTestId('client-certificate-result').waitFor();
    expect(await text(page, 'outcome-badge')).toContain('Failed');
    expect(await text(page, 'session-outcome-detail')).toContain('the client sent no certificate');
    expect(await text(page, 'client-certificate-result')).toBe('None sent, and this server requires one.');
    await screenshot(page, 'servers-11-client-certificate-missing');
    expect(errors).toEqual([]);
  });

  it('keeps up with a load test: every connection counted, the sidebar bounded to the newest 100 with a way to all', async () => {
    const { page, errors } = await newPage();
    await page.goto(engine.url);
    await page.getByTestId('nav-servers').click();
    const server = await engine.workbench.servers.start({ port: 0, label: 'Load', identity: { kind: 'lab', name: 'www.bank32.com' } });
    const card = page.getByTestId('server-card').filter({ hasText: 'Load' });
    await card.waitFor();
    const load = await run(process.execPath, [path.resolve('test/support/tlsLoad.mjs'), 'handshakes', '127.0.0.1', String(server.port), '8', '150']);
    expect(JSON.parse(load.stdout)).toMatchObject({ done: 150, failed: 0 });
    await card.getByTestId('server-counts').filter({ hasText: /^150 connections/ }).waitFor();
    // Every ended connection shows as ok, newest first, and none is left "open" or "handshake…".
    await expect.poll(() => card.locator('[data-testid="server-connection-row"][data-outcome="ok"]').count()).toBe(150);
    const ids = await card.getByTestId('server-connection-open').allInnerTexts();
    expect(ids.map((t) => Number(t.slice(1)))).toEqual([...ids.map((t) => Number(t.slice(1)))].sort((a, b) => b - a));
    // The load generator only shakes hands: its rows say so instead of "0 requests".
    expect(await card.getByTestId('server-connection-row').first().innerText()).toContain('no request (handshake only)');
    expect(await page.getByTestId('session-nav-item').count()).toBe(100);
    // The first screen, as the student sees it (the whole page is 150 rows long).
    await page.screenshot({ path: path.join(SCREENSHOTS, 'servers-12-after-load.png') });
    await page.getByTestId('session-nav-more').click();
    await page.waitForURL(/#\/sessions$/);
    await engine.workbench.servers.stop(server.id);
    expect(errors).toEqual([]);
  });
});
