// Importing what is already there: a student who double-clicks, or a class that re-runs the
// teacher's setup script, gets "already imported as session N" instead of a second copy, from the
// command line, its --json, and the engine's API; --again (again: true) copies anyway; of several
// files only the new ones are imported; a session deleted since is imported again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionImportResult } from '../../src-main/api/exchangeTypes';
import type { ClientSessionRequest, SessionDetail } from '../../src-main/api/types';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer, type RunningPeer } from '../support/opensslServer';
import { tlslabSync } from '../support/run';

let pki: TestPki;
let tmp: string;
let dataDir: string;
let engine: RunningEngine;
let api: ApiConnection;
let peer: RunningPeer;

beforeAll(async () => {
  pki = makeTestPki('tlslab-reimport-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-reimport-'));
  dataDir = path.join(tmp, 'data');
  engine = await startEngine({ dataDir });
  api = await connectApi(engine);
  peer = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www', '-tls1_3']);
});

afterAll(async () => {
  api?.close();
  await engine?.close();
  await peer?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => tlslabSync(dataDir, args);

async function record(uri: string): Promise<SessionDetail> {
  const request: ClientSessionRequest = {
    host: 'www.bank32.com',
    port: peer.port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'http-get', path: uri },
  };
  const detail = await api.result<SessionDetail>('client.run', request);
  expect(detail.status).toBe('ok');
  return detail;
}

function exportTo(id: number, format: 'bundle' | 'pcapng', file: string): string {
  expect(cli(['sessions', 'export', String(id), '--format', format, '--out', file]).status).toBe(0);
  return file;
}

function sessionIds(): number[] {
  return (JSON.parse(cli(['sessions', 'list', '--json']).stdout) as { id: number }[]).map((s) => s.id);
}

function importJson(args: string[]): SessionImportResult {
  const r = cli(['sessions', 'import', ...args, '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as SessionImportResult;
}

describe('importing the same bundle twice', () => {
  it('the second time says which session it already is, copies nothing, and says how to copy anyway', async () => {
    const original = await record('/lesson/5');
    const file = exportTo(original.id, 'bundle', path.join(tmp, 'lesson5.tlslab'));
    const first = importJson([file]);
    expect(first.alreadyImportedAs).toBeNull();
    const before = sessionIds();

    const again = cli(['sessions', 'import', file]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`lesson5.tlslab (bundle) is already imported as session ${first.id} (client www.bank32.com:${peer.port}, ok); nothing was copied`);
    expect(again.stdout).toContain(`To import a second copy anyway: tlslab --data-dir ${dataDir} sessions import ${file} --again`);
    expect(again.stdout).not.toMatch(/^Imported /m);
    expect(sessionIds()).toEqual(before);

    const json = importJson([file]);
    expect(json.alreadyImportedAs).toBe(first.id);
    expect(json.id).toBe(first.id);
    expect(json.session.id).toBe(first.id);

    // The teacher exported the session again (the file differs in its creation time): the same session still.
    const reExported = exportTo(original.id, 'bundle', path.join(tmp, 'lesson5-again.tlslab'));
    expect(fs.readFileSync(reExported).equals(fs.readFileSync(file))).toBe(false);
    expect(importJson([reExported]).alreadyImportedAs).toBe(first.id);
    expect(sessionIds()).toEqual(before);

    // Asked for, a second copy is made.
    const copy = importJson([file, '--again']);
    expect(copy.alreadyImportedAs).toBeNull();
    expect(copy.id).not.toBe(first.id);
    expect(sessionIds()).toContain(copy.id);
  });

  it('of several files only the new ones are imported, and the line says which were there already', async () => {
    const a = await record('/several/a');
    const b = await record('/several/b');
    const fileA = exportTo(a.id, 'bundle', path.join(tmp, 'a.tlslab'));
    const fileB = exportTo(b.id, 'bundle', path.join(tmp, 'b.tlslab'));
    const firstA = importJson([fileA]);
    const before = sessionIds();

    const r = cli(['sessions', 'import', fileA, fileB]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`a.tlslab (bundle) is already imported as session ${firstA.id} (client www.bank32.com:${peer.port}, ok); nothing was copied`);
    const madeB = Number(/^Imported b\.tlslab \(bundle\) as session (\d+)/m.exec(r.stdout)?.[1]);
    expect(madeB).toBeGreaterThan(0);
    expect(r.stdout).toContain(`sessions import ${fileA} --again`);
    expect(sessionIds().sort()).toEqual([...before, madeB].sort());

    const both = JSON.parse(cli(['sessions', 'import', fileA, fileB, '--json']).stdout) as SessionImportResult[];
    expect(both.map((x) => x.alreadyImportedAs)).toEqual([firstA.id, madeB]);
  });

  it('a session deleted since the first import is imported again', async () => {
    const original = await record('/deleted');
    const file = exportTo(original.id, 'bundle', path.join(tmp, 'deleted.tlslab'));
    const first = importJson([file]);
    expect(cli(['sessions', 'delete', String(first.id)]).status).toBe(0);
    const second = importJson([file]);
    expect(second.alreadyImportedAs).toBeNull();
    expect(second.id).not.toBe(first.id);
    expect(sessionIds()).toContain(second.id);
  });
});

describe('importing the same capture twice', () => {
  it('a pcapng imported again, under another name too, is the session it became', async () => {
    const original = await record('/capture');
    const file = exportTo(original.id, 'pcapng', path.join(tmp, 'capture.pcapng'));
    const renamed = path.join(tmp, 'capture copy.pcapng');
    fs.copyFileSync(file, renamed);
    const first = importJson([file]);
    expect(first.source).toBe('pcapng');
    expect(first.alreadyImportedAs).toBeNull();
    expect(importJson([file]).alreadyImportedAs).toBe(first.id);
    const r = cli(['sessions', 'import', renamed]);
    expect(r.stdout).toContain(`capture copy.pcapng (pcapng) is already imported as session ${first.id}`);
    // The suggested command quotes the name with a space, so it runs as printed.
    expect(r.stdout).toContain(`sessions import '${renamed}' --again`);
  });
});

describe('over the engine API (the window)', () => {
  it('sessions.import names the earlier session, and again: true copies', async () => {
    const original = await record('/api');
    const file = exportTo(original.id, 'bundle', path.join(tmp, 'api.tlslab'));
    const base64 = fs.readFileSync(file).toString('base64');
    const first = await api.result<SessionImportResult>('sessions.import', { base64, fileName: 'api.tlslab' });
    expect(first.alreadyImportedAs).toBeNull();
    const second = await api.result<SessionImportResult>('sessions.import', { base64, fileName: 'api.tlslab' });
    expect(second.alreadyImportedAs).toBe(first.id);
    expect(second.session.id).toBe(first.id);
    const copy = await api.result<SessionImportResult>('sessions.import', { base64, fileName: 'api.tlslab', again: true });
    expect(copy.alreadyImportedAs).toBeNull();
    expect(copy.id).not.toBe(first.id);
  });
});
