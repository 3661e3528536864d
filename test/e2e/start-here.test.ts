// "Start here" in Chromium, from an empty data folder: the client form points a first-time student
// to it, each step is ticked off as the data folder shows it done (the CA and certificate made
// through the engine as a teacher would, the sessions run from the guide's own buttons), its
// buttons open the right form with the right values, and the failing check gets its tick too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, openWorkbench, screenshot, startE2e, text, type E2eApp } from '../support/e2e';
import { freePort } from '../support/ports';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2e('start-here');
});

afterAll(async () => {
  await app?.close();
});

const done = (page: Page, id: string) => page.getByTestId(`start-step-${id}`).getAttribute('data-done');

async function openStart(page: Page): Promise<void> {
  await page.getByTestId('nav-start').click();
  await page.getByTestId('start-steps').waitFor();
}

describe('Start here', () => {
  it('walks a student from an empty data folder to a verified session and a failed check', async () => {
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);

    // An empty data folder: the client form says where to begin.
    expect(await text(page, 'client-first-time')).toContain('Start here');
    await page.getByTestId('client-first-time').getByRole('link', { name: 'Start here' }).click();
    await page.getByTestId('start-steps').waitFor();
    await expect.poll(() => page.title()).toBe('Start here · TLS Lab Workbench');
    expect(await text(page, 'start-progress')).toBe('0 of 7 done');
    expect(await done(page, 'ca')).toBe('false');
    expect(await page.getByTestId('start-do-certificate').isDisabled()).toBe(true);
    expect(await page.getByTestId('start-step-certificate').innerText()).toContain('needs a CA (step 1)');

    // Step 1's button opens the CA form under Certificates.
    await page.getByTestId('start-do-ca').click();
    await page.getByTestId('ca-name').waitFor();

    // The CA, made elsewhere (here through the engine), ticks step 1; step 2's button opens the issue form.
    await app.engine.workbench.workshop.createCa({ name: 'Lab Root', subject: '/O=Lab/CN=Lab Root' });
    await openStart(page);
    await expect.poll(() => done(page, 'ca')).toBe('true');
    expect(await text(page, 'start-evidence-ca')).toBe('CA “Lab Root”');
    await page.getByTestId('start-do-certificate').click();
    await page.getByTestId('issue-name').waitFor();

    // With a certificate but no server yet, the client steps say that the port would be closed.
    await app.engine.workbench.workshop.issue({ ca: 'Lab Root', name: 'www.bank32.com', subject: { CN: 'www.bank32.com', O: 'Bank32' }, subjectAltNames: ['DNS:www.bank32.com'] });
    await openStart(page);
    await expect.poll(() => done(page, 'certificate')).toBe('true');
    expect(await text(page, 'start-caveat-client')).toContain('no server runs now');
    const server = await app.engine.workbench.servers.start({ port: 0, identity: { kind: 'lab', name: 'www.bank32.com' }, label: 'bank' });
    await openStart(page);
    await expect.poll(() => text(page, 'start-progress')).toBe('3 of 7 done');
    expect(await text(page, 'start-evidence-server')).toBe('bank is running');
    expect(await page.getByTestId('start-caveat-client').count()).toBe(0);
    expect(await page.getByTestId('start-step-server').innerText()).toContain('tlslab server --identity lab:www.bank32.com');

    // Step 5 fills in the client form: the server's name, through its address, trusting the lab CA.
    await page.getByTestId('start-do-client').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-host').inputValue()).toBe('www.bank32.com');
    expect(await page.getByTestId('client-port').inputValue()).toBe(String(server.port));
    expect(await page.getByTestId('client-connect-to').inputValue()).toBe('127.0.0.1');
    expect(await page.getByTestId('client-trust-ca').inputValue()).toBe('Lab Root');
    await page.getByTestId('client-connect').click();
    await page.locator('[data-testid="outcome-badge"][data-tone="ok"]').waitFor({ timeout: 30_000 });
    const verifiedId = Number(/#\/sessions\/(\d+)/.exec(page.url())![1]);

    await openStart(page);
    await expect.poll(() => done(page, 'client')).toBe('true');
    expect(await text(page, 'start-evidence-client')).toBe(`session #${verifiedId}, verified · open it`);
    expect(await page.getByTestId('start-look-inside').getAttribute('href')).toBe(`#/sessions/${verifiedId}`);
    expect(await text(page, 'start-compare')).toContain('Compare');

    // Step 6 asks for the same server by its address: the name check fails, and the step is ticked.
    await page.getByTestId('start-do-broken').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-host').inputValue()).toBe('127.0.0.1');
    expect(await page.getByTestId('client-connect-to').inputValue()).toBe('');
    await page.getByTestId('client-connect').click();
    await page.locator('[data-testid="outcome-badge"][data-tone="fail"]').waitFor({ timeout: 30_000 });
    await openStart(page);
    await expect.poll(() => done(page, 'broken')).toBe('true');
    expect(await text(page, 'start-evidence-broken')).toContain('127.0.0.1');
    // The host table is optional and was skipped (the form used "connect to"): the proxy is next.
    expect(await text(page, 'start-progress')).toBe('5 of 7 done');
    expect(await page.getByTestId('start-step-proxy').innerText()).toContain('next');
    expect(await page.getByTestId('start-step-hosts').innerText()).not.toContain('next');
    await screenshot(page, 'start-here');

    // Step 7 fills in the proxy form: the lab CA signs, the "real" site is the lab's server, checked against its CA.
    await page.getByTestId('start-do-proxy').click();
    await page.getByTestId('proxy-map').waitFor();
    expect(await page.getByTestId('proxy-map').inputValue()).toBe(`www.bank32.com=127.0.0.1:${server.port}`);
    expect(await page.getByTestId('proxy-ca').inputValue()).toBe('Lab Root');
    expect(await page.getByTestId('proxy-upstream-lab-ca').inputValue()).toBe('Lab Root');
    await page.getByTestId('proxy-listen').fill(`127.0.0.1:${await freePort()}`);
    await page.getByTestId('proxy-form-submit').click();
    await page.locator('[data-testid="proxy-card"][data-status="running"]').waitFor();
    await page.getByTestId('proxy-try-client').click();
    await page.getByTestId('client-form').waitFor();
    await page.getByTestId('client-connect').click();
    await page.locator('[data-testid="outcome-badge"][data-tone="ok"]').waitFor({ timeout: 30_000 });
    await openStart(page);
    await expect.poll(() => done(page, 'proxy')).toBe('true');
    expect(await text(page, 'start-progress')).toBe('6 of 7 done');
    // Only the optional host table is left, and it is offered as what comes next.
    expect(await page.getByTestId('start-step-hosts').innerText()).toContain('next');

    // Once there are sessions the client form no longer says "first time".
    await page.getByTestId('nav-new-client').click();
    await page.getByTestId('client-form').waitFor();
    expect(await page.getByTestId('client-first-time').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
