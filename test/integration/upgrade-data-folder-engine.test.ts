// The window's view of a data folder from an earlier workbench (test/fixtures/data-folders/): the
// engine lists its sessions with their names and tags, pages their records as the old workbench
// counted them, and, once the student unlocks the keys with the teacher's passphrase, serves the
// old server certificate, which curl checks against the old CA.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionCatalogEntry } from '../../src-main/api/exchangeTypes';
import type { SessionSummary } from '../../src-main/api/types';
import type { RecordPage } from '../../src-main/api/recordTypes';
import type { ServerInfo } from '../../src-main/api/serverTypes';
import { startEngine } from '../../src-main/host/engine';
import { connectApi } from '../support/engineApi';
import { tlslabInProcess } from '../support/cliInProcess';
import { dataFolderFixtures, unpackDataFolder } from '../support/dataFolderFixtures';
import { run } from '../support/run';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-upgrade-engine-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(dataFolderFixtures)('the engine on a data folder from an earlier workbench (%s)', (fixture) => {
  it('lists, names and pages the old sessions, and serves the old sealed identity once unlocked', async () => {
    const { data, expected, meta } = unpackDataFolder(fixture, tmp);
    const oldList = JSON.parse(fs.readFileSync(path.join(expected, 'sessions-list.json'), 'utf8')) as Json[];

    const engine = await startEngine({ dataDir: data });
    const api = await connectApi(engine);
    try {
      const list = await api.result<SessionSummary[]>('sessions.list', {});
      expect(list.map((s) => [s.id, s.kind, s.status, s.target])).toEqual(oldList.map((s) => [s.id, s.kind, s.status, s.target]));
      if (meta.has.tag) {
        const found = await api.result<SessionCatalogEntry[]>('sessions.search', { tags: ['lesson-3'] });
        // A hand-out's copy of the session (schema 9 fixtures) keeps its name and tags, and is "imported".
        const copy = meta.sessions.handout?.[0];
        const expectedRows: Array<[number, string, string[]]> = [[meta.sessions.tls13, 'Lesson 3: TLS 1.3 handshake', ['lesson-3', 'tls13']]];
        if (copy !== undefined) expectedRows.push([copy, 'Lesson 3: TLS 1.3 handshake', ['imported', 'lesson-3', 'tls13']]);
        const byId = (rows: Array<[number, string, string[]]>) => [...rows].sort((a, b) => a[0] - b[0]);
        expect(byId(found.map((s) => [s.id, s.name ?? '', s.tags]))).toEqual(byId(expectedRows));
      }
      for (const old of oldList) {
        const shown = JSON.parse(fs.readFileSync(path.join(expected, `session-${old.id}.json`), 'utf8')) as Json;
        for (const conn of shown.connections as Json[]) {
          const records = (conn.timeline as Json[]).filter((e) => e.kind === 'record');
          const page = await api.result<RecordPage>('sessions.records', { id: old.id, connectionId: conn.id });
          expect(page.total).toBe(records.length);
          expect(page.rows.map((r) => [r.number, r.length])).toEqual(records.map((r) => [r.number, r.length]));
        }
      }

      if (!meta.has.passphrase) return;
      // Locked until the student gives the teacher's passphrase.
      const locked = await api.call('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'lab.test' } } });
      expect(locked.ok).toBe(false);
      await api.result('pki.passphrase.unlock', { passphrase: meta.passphrase });
      const server = await api.result<ServerInfo>('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'lab.test' } } });
      const port = server.port;
      const caFile = path.join(path.dirname(data), 'ca.pem');
      const exported = await tlslabInProcess(data, ['ca', 'export', 'Course Root CA', '--out', caFile]);
      expect(exported.status).toBe(0);
      const curl = await run('curl', ['-sS', '--cacert', caFile, '--resolve', `lab.test:${port}:127.0.0.1`, `https://lab.test:${port}/after-upgrade`]);
      expect(curl.stderr).toBe('');
      expect(curl.code).toBe(0);
      await api.result('servers.stop', { id: server.id });
    } finally {
      api.close();
      await engine.close();
    }
  });
});
