// The lab often runs `tlslab` commands in a terminal beside an open workbench window, on the same
// data folder. What they record must reach the window live, as the engine's own sessions do.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry, SessionSummary } from '../../src-main/api/types';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { tlslabSync } from '../support/run';

let dataDir: string;
let engine: RunningEngine;
let api: ApiConnection;
let cliSession = 0;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-other-writers-'));
  engine = await startEngine({ dataDir });
  api = await connectApi(engine);
});

afterAll(async () => {
  api?.close();
  await engine?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A loopback port where nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('sessions and host names written by tlslab commands beside the engine', () => {
  it('a session the CLI records reaches the engine API as session.created, with its outcome', async () => {
    const port = await closedPort();
    const out = tlslabSync(dataDir, ['client', `127.0.0.1:${port}`, '--json']);
    expect(out.status).not.toBe(0);
    const { sessionId } = JSON.parse(out.stdout) as { sessionId: number };
    // Created, and finished (one event when the engine's look found it finished already).
    const about = (e: { event: string; data: unknown }) => e.event.startsWith('session.') && (e.data as SessionSummary).id === sessionId;
    const finished = await api.waitForEvent((e) => about(e) && (e.data as SessionSummary).status === 'failed');
    expect(api.events.find(about)?.event).toBe('session.created');
    const summary = finished.data as SessionSummary;
    expect(summary.kind).toBe('client');
    expect(summary.target).toBe(`127.0.0.1:${port}`);
    expect(summary.error?.message).toContain('refused');
    cliSession = sessionId;
  });

  it('a host name the CLI adds reaches the engine API as hosts.changed', async () => {
    const out = tlslabSync(dataDir, ['hosts', 'set', 'www.bank32.com', '127.0.0.1']);
    expect(out.status).toBe(0);
    const changed = await api.waitForEvent((e) => e.event === 'hosts.changed' && (e.data as HostEntry[]).some((h) => h.name === 'www.bank32.com'));
    expect((changed.data as HostEntry[]).find((h) => h.name === 'www.bank32.com')?.address).toBe('127.0.0.1');
    // The host table's write was read after the session's: the finished session was not sent again.
    const aboutSession = api.events.filter((e) => e.event.startsWith('session.') && (e.data as SessionSummary).id === cliSession);
    expect(aboutSession.filter((e) => (e.data as SessionSummary).status === 'failed')).toHaveLength(1);
    expect((aboutSession.at(-1)?.data as SessionSummary).status).toBe('failed');
  });

  it('a session the CLI deletes leaves the engine API as session.deleted, whoever recorded it', async () => {
    // One recorded by the engine itself (through its API) and the CLI's from the first test.
    const port = await closedPort();
    const own = await api.result<{ id: number }>('client.run', { host: '127.0.0.1', port, trust: { kind: 'system' }, verifyPeer: true, checkHostname: true, send: { kind: 'none' } });
    expect(tlslabSync(dataDir, ['sessions', 'delete', String(own.id), String(cliSession)]).status).toBe(0);
    for (const id of [own.id, cliSession]) {
      await api.waitForEvent((e) => e.event === 'session.deleted' && (e.data as { id: number }).id === id);
    }
    // A session the engine deletes itself is announced once, by the engine, not again by the watch.
    const mine = await api.result<{ id: number }>('client.run', { host: '127.0.0.1', port, trust: { kind: 'system' }, verifyPeer: true, checkHostname: true, send: { kind: 'none' } });
    await api.result('sessions.delete', { id: mine.id });
    // A later write by the CLI, seen by the watch after the deletion was.
    expect(tlslabSync(dataDir, ['hosts', 'set', 'www.later.com', '127.0.0.2']).status).toBe(0);
    await api.waitForEvent((e) => e.event === 'hosts.changed' && (e.data as HostEntry[]).some((h) => h.name === 'www.later.com'));
    expect(api.events.filter((e) => e.event === 'session.deleted' && (e.data as { id: number }).id === mine.id)).toHaveLength(1);
  });
});
