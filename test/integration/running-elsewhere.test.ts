// A `tlslab server` and a `tlslab proxy` started from a terminal on the data folder the engine
// uses: the engine's API lists them (servers.elsewhere) with their addresses, a server, proxy or
// replay server the window or another command starts on their port is told which process holds
// it, and once they stop with Ctrl-C (SIGINT) they are no longer listed. The other way round, a
// command on a port the window's own server, proxy or replay server holds is told that.
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningElsewhere } from '../../src-main/api/serverTypes';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
import type { ProxyInfo } from '../../src-main/api/proxyTypes';
import type { ReplayServerInfo } from '../../src-main/api/replayTypes';
import { RUNNING_FOLDER } from '../../src-main/store/runningElsewhere';
import { cliFolder } from '../support/cliProcesses';
import { connectApi, type ApiConnection } from '../support/engineApi';
import { freePort } from '../support/ports';

const lab = cliFolder('tlslab-elsewhere-');
const { cli, startUntil } = lab;
let engine: RunningEngine;
let api: ApiConnection;

async function interrupt(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

beforeAll(async () => {
  expect((await cli('ca', 'create', 'Lab Root')).code).toBe(0);
  expect((await cli('cert', 'issue', '--ca', 'Lab Root', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com')).code).toBe(0);
  engine = await startEngine({ dataDir: lab.dataDir });
  api = await connectApi(engine);
});

afterAll(async () => {
  api?.close();
  await engine?.close();
  await lab.close();
});

describe('servers and proxies run from a terminal', () => {
  it('are listed by the engine with their addresses, named when the window asks for their port, and gone after Ctrl-C', async () => {
    expect(await api.result<RunningElsewhere[]>('servers.elsewhere', {})).toEqual([]);

    const port = await freePort();
    const server = await startUntil(['server', '--identity', 'lab:www.bank32.com', '--port', String(port), '--label', 'bank from a terminal'], 'stop with Ctrl-C');
    const proxyAt = `127.0.0.1:${await freePort()}`;
    const proxy = await startUntil(['proxy', '--listen', proxyAt, '--ca', 'Lab Root'], 'stop with Ctrl-C');

    const listed = await api.result<RunningElsewhere[]>('servers.elsewhere', {});
    expect(listed.map((e) => [e.kind, e.pid, e.address, e.label])).toEqual([
      ['server', server.child.pid, `127.0.0.1:${port}`, 'bank from a terminal'],
      ['proxy', proxy.child.pid, proxyAt, proxyAt],
    ]);
    expect(listed[0].certificate).toContain('CN=www.bank32.com');
    expect(listed[1].mode).toBe('transparent');

    // The window's server on the same port: the message names the terminal's server.
    const refused = await api.call('servers.start', { config: { port, identity: { kind: 'lab', name: 'www.bank32.com' } } });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('PORT_IN_USE');
    expect(refused.error.message).toMatch(
      new RegExp(
        `^port ${port} on 127\\.0\\.0\\.1 is already in use by \`tlslab server\` \\(process ${server.child.pid}, started \\d\\d:\\d\\d:\\d\\d\\) recording into this data folder; ` +
          `stop it with Ctrl-C in its terminal, or choose another port such as 4433$`,
      ),
    );
    // And the window's proxy on the terminal proxy's port.
    const proxyRefused = await api.call('proxies.start', { config: { listen: proxyAt, ca: 'Lab Root' } });
    expect(proxyRefused.ok).toBe(false);
    if (proxyRefused.ok) return;
    expect(proxyRefused.error.message).toContain(`--listen ${proxyAt} is already in use by \`tlslab proxy\` (process ${proxy.child.pid}, started `);
    // A second terminal server on the port says the same.
    const second = await cli('server', '--identity', 'lab:www.bank32.com', '--port', String(port));
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`is already in use by \`tlslab server\` (process ${server.child.pid}, started `);

    await interrupt(server.child);
    expect(server.output()).toContain('stopped (SIGINT)');
    expect((await api.result<RunningElsewhere[]>('servers.elsewhere', {})).map((e) => e.kind)).toEqual(['proxy']);
    await interrupt(proxy.child);
    expect(await api.result<RunningElsewhere[]>('servers.elsewhere', {})).toEqual([]);
    expect(fs.readdirSync(path.join(lab.dataDir, RUNNING_FOLDER))).toEqual([]);

    // With the terminal's server gone, the port's message is the one it always was.
    const free = await api.result<{ id: number; port: number }>('servers.start', { config: { port, identity: { kind: 'lab', name: 'www.bank32.com' } } });
    expect(free.port).toBe(port);
    await api.result('servers.stop', { id: free.id });
  });

  it('names a terminal server to a proxy or replay server asking for its port, from a terminal or the window', async () => {
    const port = await freePort();
    const server = await startUntil(['server', '--identity', 'lab:www.bank32.com', '--port', String(port), '--label', 'bank'], 'stop with Ctrl-C');
    const byTerminalServer = `is already in use by \`tlslab server\` (process ${server.child.pid}, started `;

    // `tlslab proxy`: its proxy is started in its own process, not through the engine's API.
    const proxy = await cli('proxy', '--listen', `127.0.0.1:${port}`, '--ca', 'Lab Root');
    expect(proxy.code).not.toBe(0);
    expect(proxy.stderr).toContain(`--listen 127.0.0.1:${port} ${byTerminalServer}`);
    expect(proxy.stderr).toContain('recording into this data folder; stop it with Ctrl-C in its terminal, or choose another port');

    // The engine's proxies name it themselves, whoever asks them (here not through the API).
    await expect(engine.workbench.proxies.start({ listen: `127.0.0.1:${port}`, ca: 'Lab Root' })).rejects.toThrow(byTerminalServer);

    const recorded = await cli('client', `www.bank32.com:${port}`, '--connect-to', '127.0.0.1', '--ca', 'lab:Lab Root', '--get', '/', '--json');
    expect(recorded.code).toBe(0);
    const sessionId = (JSON.parse(recorded.stdout) as { sessionId: number }).sessionId;

    const replay = await cli('replay-server', String(sessionId), '--listen', `127.0.0.1:${port}`, '--ca', 'Lab Root');
    expect(replay.code).not.toBe(0);
    expect(replay.stderr).toContain(`port ${port} on 127.0.0.1 ${byTerminalServer}`);
    expect(replay.stderr).toContain(`stop it with Ctrl-C in its terminal, or choose another with --listen 127.0.0.1:`);

    const windowReplay = await api.call('replay.servers.start', { ids: [sessionId], ca: 'Lab Root', listen: `127.0.0.1:${port}` });
    expect(windowReplay.ok).toBe(false);
    if (windowReplay.ok) return;
    expect(windowReplay.error.code).toBe('PORT_IN_USE');
    expect(windowReplay.error.message).toContain(byTerminalServer);

    await interrupt(server.child);
  });

  it("names the window's own server, proxy and replay server to a terminal's command, lists them nowhere as a terminal's, and forgets them when they stop", async () => {
    const runningFiles = () => fs.readdirSync(path.join(lab.dataDir, RUNNING_FOLDER));
    const serverPort = await freePort();
    const bank = await api.result<{ id: number }>('servers.start', { config: { port: serverPort, label: 'Bank', identity: { kind: 'lab', name: 'www.bank32.com' } } });
    const proxyAt = `127.0.0.1:${await freePort()}`;
    const mitm = await api.result<ProxyInfo>('proxies.start', { config: { listen: proxyAt, ca: 'Lab Root', label: 'mitm' } });

    // The window's card lists terminals' commands only.
    expect(await api.result<RunningElsewhere[]>('servers.elsewhere', {})).toEqual([]);
    const origins = runningFiles().map((name) => (JSON.parse(fs.readFileSync(path.join(lab.dataDir, RUNNING_FOLDER, name), 'utf8')) as RunningElsewhere).origin);
    expect(origins).toEqual(['window', 'window']);

    const server = await cli('server', '--identity', 'lab:www.bank32.com', '--port', String(serverPort));
    expect(server.code).not.toBe(0);
    expect(server.stderr).toContain(
      `port ${serverPort} on 127.0.0.1 is already in use by the workbench window's server 'Bank' (process ${process.pid}); ` +
        `stop it in the Servers view, or choose another port such as ${serverPort === 4433 ? 4434 : 4433}`,
    );
    const proxy = await cli('proxy', '--listen', proxyAt, '--ca', 'Lab Root');
    expect(proxy.code).not.toBe(0);
    expect(proxy.stderr).toContain(`--listen ${proxyAt} is already in use by the workbench window's proxy 'mitm' (process ${process.pid}); stop it in the Proxy view, or choose another port`);

    const recorded = await cli('client', `www.bank32.com:${serverPort}`, '--connect-to', '127.0.0.1', '--ca', 'lab:Lab Root', '--get', '/', '--json');
    expect(recorded.code).toBe(0);
    const sessionId = (JSON.parse(recorded.stdout) as { sessionId: number }).sessionId;
    const replay = await api.result<ReplayServerInfo>('replay.servers.start', { ids: [sessionId], ca: 'Lab Root', listen: '127.0.0.1:0' });
    const onReplay = await cli('server', '--identity', 'lab:www.bank32.com', '--port', String(replay.port));
    expect(onReplay.code).not.toBe(0);
    expect(onReplay.stderr).toContain(`is already in use by the workbench window's replay server '${replay.label}' (process ${process.pid}); stop it in the Replay panel of its session's page`);

    await api.result('servers.stop', { id: bank.id });
    await api.result('proxies.stop', { id: mitm.id });
    await api.result('replay.servers.stop', { id: replay.id });
    expect(runningFiles()).toEqual([]);

    // A second window on the folder: its server's record goes when its engine closes.
    const other = await startEngine({ dataDir: lab.dataDir });
    await other.workbench.servers.start({ port: 0, identity: { kind: 'lab', name: 'www.bank32.com' } });
    expect(runningFiles()).toHaveLength(1);
    await other.close();
    expect(runningFiles()).toEqual([]);
  });

  it("a window's engine in its own process: a terminal's server on its server's port names it, and the record goes when the shell stops the engine (SIGTERM)", async () => {
    const runningFiles = () => fs.readdirSync(path.join(lab.dataDir, RUNNING_FOLDER));
    const started = await startUntil(['engine', '--json'], '"token"');
    const { port: enginePort, token } = JSON.parse(started.output().trim().split('\n').at(-1)!) as { port: number; token: string };
    const windowApi = await connectApi({ port: enginePort, token } as RunningEngine);
    try {
      const port = await freePort();
      await windowApi.result('servers.start', { config: { port, label: 'Bank', identity: { kind: 'lab', name: 'www.bank32.com' } } });
      const refused = await cli('server', '--identity', 'lab:www.bank32.com', '--port', String(port));
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`is already in use by the workbench window's server 'Bank' (process ${started.child.pid}); stop it in the Servers view`);
      expect(runningFiles()).toHaveLength(1);
    } finally {
      windowApi.close();
    }
    const exited = new Promise((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGTERM');
    await exited;
    expect(runningFiles()).toEqual([]);
  });
});
