// "Start here" for a teacher, in Chromium from an empty data folder: the second tab (a link of its
// own, #/start/teacher) walks through preparing a lab. The CA, the intermediate and a certificate are
// made through its buttons, two sessions are recorded and tagged through the engine's API, and the
// steps tick; the hand-out's command names the tag, and its button opens Sessions filtered by it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { collectPageErrors, openWorkbench, screenshot, startE2e, text, type E2eApp } from '../support/e2e';

let app: E2eApp;
let api: ApiConnection;

beforeAll(async () => {
  app = await startE2e('start-teacher');
  api = await connectApi(app.engine);
});

afterAll(async () => {
  api?.close();
  await app?.close();
});

const done = (page: Page, id: string) => page.getByTestId(`teacher-step-${id}`).getAttribute('data-done');
const focused = (page: Page) => page.evaluate('document.activeElement?.dataset.testid');

async function openTeacher(page: Page): Promise<void> {
  await page.evaluate(`location.hash = '#/start/teacher'`);
  await page.getByTestId('teacher-steps').waitFor();
}

describe('Start here, the teacher’s path', () => {
  it('prepares a lab from an empty data folder: CA, certificates, tagged sessions, and the hand-out’s command', async () => {
    const page = await openWorkbench(app);
    const errors = collectPageErrors(page);
    await page.evaluate(`location.hash = '#/start'`);
    await page.getByTestId('start-steps').waitFor();

    // The student's path is the default; the arrow key moves to the teacher's tab, and the address says so.
    expect(await page.getByTestId('start-tab-student').getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('start-tab-student').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('teacher-steps').waitFor();
    expect(new URL(page.url()).hash).toBe('#/start/teacher');
    await expect.poll(() => focused(page)).toBe('start-tab-teacher');
    expect(await page.getByTestId('start-tab-teacher').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('start-steps').count()).toBe(0);
    // The tabs are one Tab stop: the next Tab is the first step's button, not the other tab.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('teacher-do-root');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('start-tab-teacher');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).not.toBe('start-tab-student');
    expect(await text(page, 'teacher-progress')).toBe('0 of 5 done');
    expect(await page.getByTestId('teacher-step-root').innerText()).toContain('next');
    expect(await page.getByTestId('teacher-do-certificates').isDisabled()).toBe(true);
    expect(await page.getByTestId('teacher-step-certificates').innerText()).toContain('needs a root CA (step 1)');
    expect(await page.getByTestId('teacher-step-handout').innerText()).toContain('does not keep track of exports');
    await screenshot(page, 'start-teacher-01-empty');

    // Step 1's button opens the CA form.
    await page.getByTestId('teacher-do-root').click();
    await page.getByTestId('ca-name').fill('Lab Root');
    await page.getByTestId('ca-subject-CN').fill('Lab Root CA');
    await page.getByTestId('ca-key').selectOption('ec:P-256');
    await page.getByTestId('ca-form-submit').click();
    await page.getByTestId('pki-notice').waitFor();
    await openTeacher(page);
    await expect.poll(() => done(page, 'root')).toBe('true');
    expect(await text(page, 'teacher-evidence-root')).toBe('root CA “Lab Root”');

    // Step 2 opens the same form under the root: an intermediate.
    await page.getByTestId('teacher-do-intermediate').click();
    await expect.poll(() => page.getByTestId('ca-parent').inputValue()).toBe('Lab Root');
    await page.getByTestId('ca-name').fill('Lab Issuing');
    await page.getByTestId('ca-subject-CN').fill('Lab Issuing CA');
    await page.getByTestId('ca-key').selectOption('ec:P-256');
    await page.getByTestId('ca-form-submit').click();
    await page.getByTestId('pki-notice').waitFor();
    await openTeacher(page);
    await expect.poll(() => done(page, 'intermediate')).toBe('true');
    expect(await text(page, 'teacher-evidence-intermediate')).toBe('“Lab Issuing” under “Lab Root”');
    expect(await text(page, 'teacher-cli-certificates')).toBe('tlslab cert issue --ca "Lab Issuing" --cn www.bank32.com');

    // Step 3 opens the issue form with the intermediate as the issuer and the lab's name typed in.
    await page.getByTestId('teacher-do-certificates').click();
    await expect.poll(() => page.getByTestId('issue-ca').inputValue()).toBe('Lab Issuing');
    expect(await page.getByTestId('issue-subject-CN').inputValue()).toBe('www.bank32.com');
    await page.getByTestId('issue-key').selectOption('ec:P-256');
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'pki-notice')).toContain('Issued "www.bank32.com"');
    await openTeacher(page);
    await expect.poll(() => text(page, 'teacher-evidence-certificates')).toBe('www.bank32.com; a second name is still missing');
    expect(await done(page, 'certificates')).toBe('false');
    expect(await text(page, 'teacher-cli-certificates')).toBe('tlslab cert issue --ca "Lab Issuing" --cn www.example32.com');
    // Its button again: the second name, for the SNI lesson.
    await page.getByTestId('teacher-do-certificates').click();
    await expect.poll(() => page.getByTestId('issue-subject-CN').inputValue()).toBe('www.example32.com');
    await page.getByTestId('issue-key').selectOption('ec:P-256');
    await page.getByTestId('issue-form-submit').click();
    expect(await text(page, 'pki-notice')).toContain('Issued "www.example32.com"');
    await openTeacher(page);
    await expect.poll(() => done(page, 'certificates')).toBe('true');
    expect(await text(page, 'teacher-evidence-certificates')).toBe('www.bank32.com, www.example32.com');

    // No server runs: the reference step's button starts with one.
    expect(await text(page, 'teacher-do-reference')).toBe('Open Servers to start one');
    expect(await text(page, 'teacher-cli-reference')).toBe('tlslab server --identity lab:www.bank32.com');
    const server = await api.result<ServerInfo>('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'www.bank32.com' } } });
    await expect.poll(() => text(page, 'teacher-do-reference')).toBe('Fill in the client form');

    // Two reference sessions recorded through the engine: a verified one and a failed name check.
    const request = { port: server.port, verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' }, timeoutMs: 60_000, trust: { kind: 'lab', name: 'Lab Root' } };
    const verified = await api.result<SessionDetail>('client.run', { ...request, host: 'www.bank32.com', connectTo: '127.0.0.1' });
    const failed = await api.result<SessionDetail>('client.run', { ...request, host: '127.0.0.1' });
    expect(verified.status).toBe('ok');
    await expect.poll(() => text(page, 'teacher-evidence-reference'))
      .toBe(`verified #${verified.id} · failed check #${failed.id}; still missing: through the proxy`);
    expect(await text(page, 'teacher-do-reference')).toBe('Fill in the proxy form');
    expect(await done(page, 'reference')).toBe('false');
    // Each session the step names opens it.
    await page.getByTestId(`teacher-session-reference-${failed.id}`).click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/sessions/${failed.id}`);
    await page.getByTestId('session-target').waitFor();
    await openTeacher(page);

    // Tagged: one session is not enough for a hand-out, two are.
    expect(await text(page, 'teacher-cli-tag')).toContain(`tlslab sessions tag ${verified.id} lab-1`);
    await api.result('sessions.tag', { id: verified.id, add: ['lab-1'] });
    await expect.poll(() => text(page, 'teacher-evidence-tag')).toBe('tag “lab-1” on 1 session; a hand-out needs two or more');
    expect(await page.getByTestId('teacher-do-handout').isDisabled()).toBe(true);
    await api.result('sessions.tag', { id: failed.id, add: ['lab-1'] });
    await expect.poll(() => done(page, 'tag')).toBe('true');
    expect(await text(page, 'teacher-evidence-tag')).toBe('tag “lab-1” on 2 sessions');
    expect(await text(page, 'teacher-progress')).toBe('4 of 5 done');

    // The hand-out is never ticked, and its command exports the sessions by the tag.
    expect(await done(page, 'handout')).toBe('false');
    expect(await text(page, 'teacher-cli-handout')).toBe('tlslab sessions export --tag lab-1 --format bundle -o lab-1.tlslab');
    expect(await text(page, 'teacher-do-handout')).toBe('Open Sessions tagged “lab-1”');
    expect(await page.locator('[data-testid="teacher-cli-students"]').allInnerTexts())
      .toEqual(['tlslab ca export "Lab Root" -o lab-root.pem', 'tlslab sessions import lab-1.tlslab']);
    await screenshot(page, 'start-teacher-02-prepared-1280');
    await page.setViewportSize({ width: 1024, height: 800 });
    await screenshot(page, 'start-teacher-03-prepared-1024');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Its button opens Sessions filtered by the tag, with the hand-out export for the two sessions shown.
    await page.getByTestId('teacher-do-handout').click();
    await page.getByTestId('sessions-count').waitFor();
    expect(new URL(page.url()).hash).toBe('#/sessions?tag=lab-1');
    await expect.poll(() => text(page, 'sessions-count')).toBe('2 matching');
    expect(await text(page, 'sessions-handout-export')).toBe('Export the 2 sessions shown as one hand-out bundle');
    // The address follows the tag filter as it is changed: a reload shows the list as it is now,
    // not the tag the link came with.
    const tagsField = page.getByTestId('sessions-filter-tags');
    await tagsField.fill('');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/sessions');
    await page.reload();
    await page.getByTestId('sessions-count').waitFor();
    expect(await tagsField.inputValue()).toBe('');
    await tagsField.fill('lab-1');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/sessions?tag=lab-1');
    await page.reload();
    await expect.poll(() => text(page, 'sessions-count')).toBe('2 matching');
    expect(await tagsField.inputValue()).toBe('lab-1');

    // The students' step opens the root CA, whose certificate (not its key) they are given.
    await openTeacher(page);
    await page.getByTestId('teacher-do-students').click();
    await expect.poll(() => new URL(page.url()).hash).toMatch(/^#\/certificates\/\d+$/);
    expect(await page.getByTestId('main').innerText()).toContain('Lab Root');

    // Back on the student's tab, the default path is as it was.
    await page.evaluate(`location.hash = '#/start'`);
    await page.getByTestId('start-steps').waitFor();
    expect(await page.getByTestId('start-tab-student').getAttribute('aria-selected')).toBe('true');
    expect(errors).toEqual([]);
  });
});
