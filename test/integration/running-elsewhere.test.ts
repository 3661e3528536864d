// A `tlslab server` and a `tlslab proxy` started from a terminal on the data folder the engine
// uses: the engine's API lists them (servers.elsewhere) with their addresses, a server or proxy the
// window starts on their port is told which process holds it, and once they stop with Ctrl-C
// (SIGINT) they are no longer listed.
import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningElsewhere } from '../../src-main/api/serverTypes';
import { startEngine, type RunningEngine } from '../../src-main/host/engine';
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
});
