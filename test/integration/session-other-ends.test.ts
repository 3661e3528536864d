// sessions.otherEnds: a run of the workbench's client against a lab server records two sessions,
// one from each end of the same TCP connection; each names the other, and no other run's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { dispatch } from '../../src-main/host/dispatch';
import { validateParams } from '../../src-main/host/validation';
import { Workbench } from '../../src-main/workbench';
import { tlslabInProcess } from '../support/cliInProcess';
import { makeServerPki, type ServerTestPki } from '../support/serverPki';
import { isSessionOf } from '../support/serverSessions';
import { waitUntil } from '../support/waitUntil';

let pki: ServerTestPki;
let wb: Workbench;
let server: ServerInfo;
let dir: string;

beforeAll(async () => {
  pki = await makeServerPki();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-other-ends-'));
  wb = new Workbench({ dataDir: dir });
  server = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: pki.rsa.cert, keyPath: pki.rsa.key } });
});

afterAll(async () => {
  await wb?.close();
});

async function runClient(trust: string): Promise<SessionDetail> {
  return wb.runClient({ host: 'www.bank32.com', port: server.port, connectTo: '127.0.0.1', trust: { kind: 'file', path: trust }, verifyPeer: true, checkHostname: true, send: { kind: 'http-get', path: '/' } });
}

async function serverSessionFor(client: SessionDetail): Promise<number> {
  const local = client.connections[0].local;
  return waitUntil(`the server to record a finished session for the client from ${local}`, async () => {
    for (const s of wb.listSessions(50).filter((x) => isSessionOf(x, server) && x.status !== 'running')) {
      if ((await wb.session(s.id)).connections[0].remote === local) return s.id;
    }
    return 0;
  });
}

const otherEnds = async (id: number) => (await dispatch(wb, 'sessions.otherEnds', validateParams('sessions.otherEnds', { id }))).map((s) => `${s.kind} #${s.id}`);

describe('the other end of a connection', () => {
  it("a client session and the lab server's name each other, and nothing of another run", async () => {
    const refused = await runClient(pki.otherCaCert);
    expect(refused.status).toBe('failed');
    const accepted = await runClient(pki.caCert);
    expect(accepted.status).toBe('ok');
    const refusedServer = await serverSessionFor(refused);
    const acceptedServer = await serverSessionFor(accepted);
    expect(await otherEnds(refused.id)).toEqual([`server #${refusedServer}`]);
    expect(await otherEnds(refusedServer)).toEqual([`client #${refused.id}`]);
    expect(await otherEnds(accepted.id)).toEqual([`server #${acceptedServer}`]);
    expect(await otherEnds(acceptedServer)).toEqual([`client #${accepted.id}`]);
    // `sessions show` says it under the header.
    const shown = await tlslabInProcess(dir, ['sessions', 'show', String(refused.id)]);
    expect(shown.stdout.split('\n')).toContain(`Other end: the lab server's session ${refusedServer} (the same connection, recorded from its side)`);
    const serverShown = await tlslabInProcess(dir, ['sessions', 'show', String(refusedServer)]);
    expect(serverShown.stdout).toContain(`Other end: the workbench client's session ${refused.id} (`);
  });

  it('a session nobody else recorded has none; an unknown one is refused', async () => {
    const nobody = await wb.runClient({ host: 'www.bank32.com', port: 1, connectTo: '127.0.0.1', trust: { kind: 'file', path: pki.caCert }, verifyPeer: true, checkHostname: true, send: { kind: 'none' } });
    expect(await otherEnds(nobody.id)).toEqual([]);
    await expect(dispatch(wb, 'sessions.otherEnds', { id: 999_999 })).rejects.toThrow(/there is no session 999999/);
  });
});
