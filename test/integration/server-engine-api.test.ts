// The TLS servers over the engine's WebSocket API, as the Servers view drives them: start from a
// workshop identity, see each connection announced with its session, stop, and refuse a busy port.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PkiIssued } from '../../src-main/api/pkiTypes';
import type { ServerConnectionSummary, ServerInfo } from '../../src-main/api/serverTypes';
import type { SessionDetail, SessionSummary } from '../../src-main/api/types';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { run } from '../support/run';
import { waitUntil } from '../support/waitUntil';

let engine: RunningEngine;
let api: ApiConnection;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-server-api-'));
  engine = await startEngine({ dataDir: path.join(dir, 'data') });
  api = await connectApi(engine);
  const ca = await api.result<PkiIssued>('pki.ca.create', { name: 'Server API Root', subject: { CN: 'Server API Root', O: 'Lab' }, key: 'ec:P-256' });
  await api.result('pki.cert.issue', { ca: 'Server API Root', name: 'bank32', subject: { CN: 'www.bank32.com' }, subjectAltNames: ['DNS:www.bank32.com'] });
  fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certificatePem);
});
afterAll(async () => {
  api?.close();
  await engine?.close();
});

describe('servers.* over the engine API', () => {
  it('starts a server from a workshop identity, announces a curl connection with its session, and stops', async () => {
    const server = await api.result<ServerInfo>('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'bank32' } } });
    expect(server.status).toBe('running');
    expect(server.names[0].certificate.subject).toContain('CN=www.bank32.com');

    const curl = await run('curl', ['-sS', '--cacert', path.join(dir, 'ca.pem'), '--resolve', `www.bank32.com:${server.port}:127.0.0.1`, `https://www.bank32.com:${server.port}/`]);
    expect(curl.code, curl.stderr).toBe(0);
    expect(curl.stdout).toMatch(/bank32/i);

    const announced = await api.waitForEvent((e) => e.event === 'server.connection' && (e.data as ServerConnectionSummary).serverId === server.id);
    const connection = announced.data as ServerConnectionSummary;
    expect(connection).toMatchObject({ outcome: 'ok', sni: 'www.bank32.com', version: 'TLSv1.3' });
    const session = await api.result<SessionDetail>('sessions.get', { id: connection.sessionId });
    expect(session.kind).toBe('server');
    expect(session.sni).toBe('www.bank32.com');

    const stopped = await api.result<ServerInfo>('servers.stop', { id: server.id });
    expect(stopped.status).toBe('stopped');
    const list = await api.result<ServerInfo[]>('servers.list', {});
    expect(list.find((s) => s.id === server.id)?.status).toBe('stopped');
  });

  it('sends a window one merged event per session under load, each ending with the session\'s final state', async () => {
    const server = await api.result<ServerInfo>('servers.start', { config: { port: 0, identity: { kind: 'lab', name: 'bank32' } } });
    const from = api.events.length;
    const load = await run(process.execPath, [path.resolve('test/support/tlsLoad.mjs'), 'handshakes', '127.0.0.1', String(server.port), '4', '40']);
    expect(JSON.parse(load.stdout)).toMatchObject({ done: 40, failed: 0 });
    const sessionFrames = () => api.events.slice(from).filter((e) => (e.event === 'session.created' || e.event === 'session.updated') && (e.data as SessionSummary).target === server.address);
    const latest = () => new Map(sessionFrames().map((f) => [(f.data as SessionSummary).id, f.data as SessionSummary]));
    // The engine announces each connection as it ends; its session's last change follows within the
    // merge delay, however long a busy machine makes that: wait until all 40 have left 'running'.
    await waitUntil(
      () => `the window to hear of 40 finished sessions (it heard ${[...latest().values()].filter((s) => s.status !== 'running').length} of ${latest().size})`,
      () => api.events.slice(from).filter((e) => e.event === 'server.connection').length >= 40 && latest().size >= 40 && [...latest().values()].every((s) => s.status !== 'running'),
    );
    const frames = sessionFrames();
    const bySession = new Map<number, string[]>();
    for (const f of frames) bySession.set((f.data as SessionSummary).id, [...(bySession.get((f.data as SessionSummary).id) ?? []), f.event]);
    expect(bySession.size).toBe(40);
    for (const events of bySession.values()) expect(events[0]).toBe('session.created');
    const last = latest();
    expect([...last.values()].every((s) => s.status === 'ok' && s.version === 'TLSv1.3')).toBe(true);
    // Unmerged, every session is three frames (accepted, established, ended); merged, a session
    // that starts and ends within one merge interval is one (how many do depends on the machine).
    expect(frames.length).toBeLessThan(3 * 40);
    await api.result<ServerInfo>('servers.stop', { id: server.id });
  });

  it('refuses a port in use with one clear error and lists nothing new', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const before = await api.result<ServerInfo[]>('servers.list', {});
      const frame = await api.call('servers.start', { config: { port, identity: { kind: 'lab', name: 'bank32' } } });
      expect(frame.ok).toBe(false);
      if (!frame.ok) expect(frame.error.message).toMatch(new RegExp(`${port}.*in use`));
      expect(await api.result<ServerInfo[]>('servers.list', {})).toHaveLength(before.length);
    } finally {
      blocker.close();
    }
  });
});
