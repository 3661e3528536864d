// Lab task 2's last step: Chromium reaches the workbench's HTTPS server. With the lab CA in its
// NSS database (made by certutil in a throwaway HOME) the page loads with no certificate error;
// without it, Chromium shows the certificate error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import { Workbench } from '../../src-main/workbench';
import { launchWithHome, nssHome } from '../support/e2e';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { isSessionOf } from '../support/serverSessions';
import { waitUntil } from '../support/waitUntil';

let pki: ServerTestPki;
let wb: Workbench;
let server: ServerInfo;
let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-chromium-'));
  pki = await makeServerPki();
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  server = await wb.servers.start({
    port: 0,
    identity: { kind: 'files', certPath: pki.bank.cert, keyPath: pki.bank.key },
  });
});

afterAll(async () => {
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A HOME whose NSS database trusts the lab CA, or trusts nothing. */
function home(name: string, trustLabCa: boolean): string {
  return nssHome(path.join(tmp, name), trustLabCa ? pki.caCert : null);
}

async function visit(homeDir: string): Promise<{ title: string | null; error: string | null }> {
  const context = await launchWithHome(homeDir, ['--host-resolver-rules=MAP www.bank32.com 127.0.0.1']);
  try {
    const page = await context.newPage();
    try {
      await page.goto(`https://www.bank32.com:${server.port}/`);
      return { title: await page.title(), error: null };
    } catch (err) {
      return { title: null, error: (err as Error).message };
    }
  } finally {
    await context.close();
  }
}

describe('Chromium and the lab HTTPS server', () => {
  it('with the lab CA in its NSS database it loads the bank page with no certificate error', async () => {
    const result = await visit(home('trusting', true));
    expect(result.error).toBeNull();
    expect(result.title).toBe('Bank32 Online Banking');
    const session = wb.listSessions(20).find((s) => isSessionOf(s, server) && s.status === 'ok');
    expect(session?.sni).toBe('www.bank32.com');
  });

  it('without the CA it shows the certificate error', async () => {
    const result = await visit(home('untrusting', false));
    expect(result.title).toBeNull();
    expect(result.error).toContain('net::ERR_CERT_AUTHORITY_INVALID');
    // Chromium names no reason in its alert: the server's session must not point at the names
    // when the cause here is the CA.
    const refused = await waitUntil(`a failed session for ${server.address}`, () => wb.listSessions(20).find((s) => isSessionOf(s, server) && s.status === 'failed'));
    expect(refused.error?.message).toContain('the client ended the handshake with the alert "certificate_unknown"');
    expect(refused?.error?.message).toContain('a CA they do not trust');
  });
});
