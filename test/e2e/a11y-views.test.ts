// Accessibility of every view, in Chromium against a real engine with realistic data: a workshop
// CA and a server certificate, a running server, a running man-in-the-middle proxy, client
// sessions that verified and one that failed, host table entries. axe-core (WCAG 2.1 A and AA)
// is injected into each view and must find nothing serious or critical.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { PkiIssued } from '../../src-main/api/pkiTypes';
import type { ProxyInfo } from '../../src-main/api/proxyTypes';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { ROOT, collectPageErrors, newPage, screenshot, startE2e, type E2eApp } from '../support/e2e';

const HOST = 'www.bank32.com';
const AXE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

interface AxeNode {
  target: string[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

let app: E2eApp;
let api: ApiConnection;
let caFile: string;
let server: ServerInfo;
let proxy: ProxyInfo;
let okSession: SessionDetail;
let failedSession: SessionDetail;
let proxySession: SessionDetail;

/** Every WCAG 2.1 A/AA violation axe finds in the page as it is now, as "rule (impact): target" lines. */
async function audit(page: Page, what: string): Promise<AxeViolation[]> {
  // The page's CSP refuses inline scripts (as it should), so axe goes in through the debugging protocol.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE);
  const violations = (await page.evaluate(`axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 160), failureSummary: n.failureSummary })) })))`)) as AxeViolation[];
  for (const v of violations) {
    console.log(`[${what}] ${v.id} (${v.impact}) ${v.help}: ${v.nodes.length} node(s)`);
    for (const n of v.nodes.slice(0, 4)) console.log(`    ${n.target.join(' ')}  ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, ' | ')}`);
  }
  return violations;
}

/** Rules left out, per view, each with its reason: none. */
const KNOWN: Record<string, string[]> = {};

function serious(violations: AxeViolation[], what = ''): string[] {
  return violations.filter((v) => (v.impact === 'serious' || v.impact === 'critical') && !(KNOWN[what] ?? []).includes(v.id))
    .map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

async function open(page: Page, hash: string, testId: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.getByTestId(testId).first().waitFor();
}

beforeAll(async () => {
  app = await startE2e('a11y');
  api = await connectApi(app.engine);
  const ca = await api.result<PkiIssued>('pki.ca.create', { name: 'Lab Root', subject: { CN: 'Lab Root CA', O: 'Lab' }, key: 'ec:P-256' });
  caFile = path.join(app.tmp, 'ca.pem');
  fs.writeFileSync(caFile, ca.certificatePem);
  await api.result('pki.cert.issue', { ca: 'Lab Root', name: 'bank32', subject: { CN: HOST }, subjectAltNames: [`DNS:${HOST}`] });
  await api.result('hosts.set', { name: HOST, address: '127.0.0.1' });
  server = await api.result<ServerInfo>('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'bank32' } } });
  const request = { host: HOST, port: server.port, connectTo: '127.0.0.1', verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' }, timeoutMs: 60_000 };
  okSession = await api.result<SessionDetail>('client.run', { ...request, trust: { kind: 'lab', name: 'Lab Root' } });
  failedSession = await api.result<SessionDetail>('client.run', { ...request, trust: { kind: 'system' } });
  proxy = await api.result<ProxyInfo>('proxies.start', { config: { ca: 'Lab Root', listen: '127.0.0.1:0', map: [{ host: HOST, address: `127.0.0.1:${server.port}` }], upstreamTrust: { kind: 'lab', name: 'Lab Root' } } });
  const proxyPort = Number(proxy.transparentAddress!.split(':')[1]);
  await api.result<SessionDetail>('client.run', { ...request, port: proxyPort, trust: { kind: 'lab', name: 'Lab Root' } });
  const sessions = await api.result<{ id: number; kind: string }[]>('sessions.list', {});
  proxySession = await api.result<SessionDetail>('sessions.get', { id: sessions.find((s) => s.kind === 'proxy')!.id });
});

afterAll(async () => {
  api?.close();
  await app?.close();
});

describe('accessibility of the views (axe-core, WCAG 2.1 A and AA)', () => {
  it('finds nothing serious or critical in any view', async () => {
    expect(okSession.status).toBe('ok');
    expect(failedSession.status).toBe('failed');
    const page = await newPage(app.browser);
    const errors = collectPageErrors(page);
    await page.goto(app.engine.url);
    await page.getByTestId('client-form').waitFor();
    const found: Record<string, string[]> = {};
    const check = async (what: string) => {
      found[what] = serious(await audit(page, what), what);
    };

    await check('new client form');
    // An empty field's outline is the only sign of it: 3:1 against the card at least (WCAG 1.4.11, which axe does not check).
    const outline = await page.evaluate(`(() => {
      const lum = (rgb) => { const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map((v) => { const c = Number(v) / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const border = lum(getComputedStyle(document.getElementById('client-connect-to')).borderTopColor);
      const card = lum(getComputedStyle(document.querySelector('[data-testid="client-form"]')).backgroundColor);
      return (Math.max(border, card) + 0.05) / (Math.min(border, card) + 0.05);
    })()`);
    expect(outline).toBeGreaterThanOrEqual(3);
    // The field with the focus is ringed in the accent colour, two pixels wide, not only with a pale halo.
    await page.getByTestId('client-connect-to').focus();
    expect(await page.evaluate(`getComputedStyle(document.getElementById('client-connect-to')).boxShadow`)).toMatch(/rgb\(47, 91, 211\) 0px 0px 0px 1px/);
    await page.screenshot({ path: path.join(ROOT, 'test-output', 'e2e', 'a11y-05-focused-field.png'), clip: { x: 272, y: 100, width: 900, height: 260 } });
    await screenshot(page, 'a11y-04-client-form');
    // A form sent with mistakes: each field names its problem.
    await page.getByTestId('client-host').fill('');
    await page.getByTestId('client-port').fill('99999');
    await page.getByTestId('client-connect').click();
    await page.getByTestId('form-problem').waitFor();
    await check('new client form with errors');
    await open(page, '#/sessions', 'sessions-count');
    await check('sessions list');
    await page.getByTestId('session-export').first().click();
    await page.getByTestId('session-export-menu').waitFor();
    await check('sessions list: export menu');
    await page.keyboard.press('Escape');
    await page.getByTestId('sessions-import-open-panel').click();
    await check('sessions list: import panel');
    await open(page, `#/sessions/${okSession.id}`, 'session-detail');
    await check('client session overview');
    // The scrolling timeline is reached by Tab and shows where the focus is.
    await page.getByTestId('timeline-scroll').first().focus();
    await screenshot(page, 'a11y-02-session-overview');
    await page.getByTestId('tab-inside').click();
    await page.getByTestId('inside-view').waitFor();
    await page.getByTestId('ladder-message').first().waitFor();
    await check('inside the handshake');
    await page.locator('[data-testid="inside-record-row"]').first().click();
    await page.getByTestId('record-inspector').waitFor();
    await check('inside: a record inspected');
    await screenshot(page, 'a11y-03-inside-record');
    await page.getByTestId('inside-tab-keys').click();
    await page.getByTestId('key-secrets').waitFor();
    await check('inside: key material');
    await open(page, `#/sessions/${failedSession.id}`, 'session-detail');
    await check('failed session overview');
    await open(page, `#/sessions/${proxySession.id}`, 'session-detail');
    await check('proxy session overview');
    await open(page, `#/compare/${okSession.id}/${failedSession.id}`, 'compare-facts');
    await check('compare');
    await open(page, '#/servers', 'server-address');
    await check('servers');
    // A connection's session link says what it opens, not only "#4".
    expect(await page.getByRole('link', { name: /^Session #\d+$/ }).count()).toBeGreaterThan(0);
    await page.getByTestId('server-new').click();
    await page.getByTestId('server-form').waitFor();
    await check('servers: start form');
    await open(page, '#/proxy', 'proxy-view');
    await check('proxy');
    await page.getByTestId('proxy-new').click();
    await page.getByTestId('proxy-form').waitFor();
    await check('proxy: start form');
    await open(page, '#/hosts', 'host-form');
    await check('host table');
    await open(page, '#/certificates', 'certificates-view');
    await check('certificates');
    for (const action of ['pki-new-ca', 'pki-issue', 'pki-new-csr', 'pki-sign-csr', 'pki-import', 'pki-forge', 'pki-inspect-pem']) {
      await page.getByTestId(action).click();
      await page.locator('.form-card').first().waitFor();
      await check(`certificates: ${action} form`);
    }
    await page.getByTestId('pki-open').first().click();
    await page.getByTestId('certificates-view').waitFor({ state: 'detached' });
    await page.waitForTimeout(300);
    await check('certificate detail');
    await open(page, '#/nowhere', 'main');
    await check('not found');
    await open(page, '#/about', 'about-facts');
    await check('about');
    await screenshot(page, 'a11y-01-about');
    await open(page, '#/start', 'start-steps');
    await check('start here');
    await open(page, '#/start/teacher', 'teacher-steps');
    await check('start here: teacher');

    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('stills the running dot and the spinners for a system set to reduce motion (WCAG 2.3.3), and only then', async () => {
    // The same animation as the running dot's, as the page's own styles leave it with each setting.
    const page = await newPage(app.browser);
    await page.goto(app.engine.url);
    await page.getByTestId('main').waitFor();
    const iterations = async (reducedMotion: 'reduce' | 'no-preference') => {
      await page.emulateMedia({ reducedMotion });
      return page.evaluate(`(() => {
        const dot = document.createElement('span');
        dot.style.animation = 'pulse 1.2s ease-in-out infinite';
        document.body.append(dot);
        const style = getComputedStyle(dot);
        const seen = [style.animationIterationCount, style.animationDuration];
        dot.remove();
        return seen;
      })()`);
    };
    expect(await iterations('no-preference')).toEqual(['infinite', '1.2s']);
    const [count, duration] = (await iterations('reduce')) as [string, string];
    expect(count).toBe('1');
    expect(parseFloat(duration)).toBeLessThan(0.001);
    await page.context().close();
  });
});
