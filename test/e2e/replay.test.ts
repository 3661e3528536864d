// Replay in Chromium: on a recorded session (a client against openssl s_server -www, whose status
// page changes with every connection), "Replay client" sends the same bytes again and shows the
// original and the replay side by side with the diff; "Serve this recording" starts a replay
// server that curl, trusting only the workshop CA saved from the card, gets the recorded page from
// with the card's own command.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionTraffic } from '../../src-main/replay/recordedTraffic';
import { SCREENSHOTS, makeLabPki, newPage, screenshot, startE2e, type E2eApp, type LabPki } from '../support/e2e';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { run } from '../support/run';

let app: E2eApp;
let engine: E2eApp['engine'];
let browser: E2eApp['browser'];
let pki: LabPki;
let caFile: string;
let server: RunningPeer;
let serverPort: number;

beforeAll(async () => {
  app = await startE2e('replay');
  ({ engine, browser } = app);
  pki = makeLabPki(app.tmp, { subject: '/CN=www.bank32.com' });
  server = await startOpensslServer(pki.cert, pki.key);
  serverPort = server.port;
  await engine.workbench.workshop.createCa({ name: 'Replay CA', subject: '/O=TLS Lab/CN=Replay CA' });
  caFile = path.join(app.tmp, 'replay-ca.pem');
});

afterAll(async () => {
  await app?.close();
  await server?.stop();
});

describe('replay in Chromium', () => {
  it('replays a client session and shows the diff; serves the recording to curl', async () => {
    const id = await engine.workbench.recordClient({
      host: 'www.bank32.com', port: serverPort, connectTo: '127.0.0.1', trust: { kind: 'file', path: pki.ca },
      verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' },
    });
    const page = await newPage(browser);
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
    // The original presented no certificate; the workshop's are there to present instead.
    expect(await page.getByTestId('replay-client-cert').inputValue()).toBe('');
    expect(await page.getByTestId('replay-client-cert').locator('option').first().innerText()).toBe('as the original');

    await page.getByTestId('replay-client').click();
    await page.getByTestId('replay-result').waitFor({ timeout: 30_000 });
    const summary = await page.getByTestId('replay-diff-summary').innerText();
    expect(summary).toMatch(/The answers differ: \d+ lines? only in the original/);
    // The result appears below the form, away from the button: a screen reader hears it.
    await expect.poll(() => page.getByTestId('announcer').innerText()).toBe(`Replayed: ${summary}`);
    expect(await page.getByTestId('replay-sent').innerText()).toMatch(/^Sent \d+ bytes \(the same as the original's\) to www\.bank32\.com:\d+/);
    // Side by side: the status line heads both sides, some rows changed, unchanged runs are folded.
    expect(await page.getByTestId('replay-diff').locator('thead').innerText()).toContain('HTTP/1.0 200 ok');
    await page.getByText(/unchanged lines — show/).first().waitFor();
    expect(await page.locator('[data-testid="replay-diff-row"].changed').count()).toBeGreaterThan(0);
    await page.getByTestId('replay-panel').scrollIntoViewIfNeeded();
    await page.getByTestId('replay-panel').screenshot({ path: path.join(SCREENSHOTS, 'replay-01-client-diff.png') });

    // Serve this recording, the original server stopped. The workshop's one CA with a key is
    // already chosen to forge.
    await server.stop();
    expect(await page.getByTestId('serve-ca').inputValue()).toBe('Replay CA');
    await page.getByTestId('serve-recording').click();
    await page.getByTestId('replay-server').waitFor();
    await expect.poll(() => page.getByTestId('announcer').innerText()).toMatch(/^Serving this recording on 127\.0\.0\.1:\d+$/);
    // The card's try-it command names ca.pem, and one click saves it: curl runs that very command.
    expect(await page.getByTestId('replay-server-try-ca').innerText()).toContain('“Replay CA”');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('replay-server-try-ca-save').click()]);
    expect(download.suggestedFilename()).toBe('ca.pem');
    await download.saveAs(caFile);
    const tryIt = (await page.getByTestId('replay-server-try').innerText()).split(' ');
    expect(tryIt.slice(0, 3)).toEqual(['curl', '--cacert', 'ca.pem']);
    const got = await run('curl', ['-sS', '--cacert', caFile, ...tryIt.slice(3)]);
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
