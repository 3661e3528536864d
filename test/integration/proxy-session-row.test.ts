// The proxy between curl or the workbench's client and a lab server, each its own tlslab process.
// What a student reads about a proxy session beside the real server's: where the proxy went (a
// ClientHello names no port; with --map the proxy goes to the mapped one, and the session says so,
// its target HOST:PORT like a client session's and the address it reached, not port 443). And what
// the real server hears of a request the proxy held for a rewrite rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFolder } from '../support/cliProcesses';
import { freePort } from '../support/ports';
import { run } from '../support/run';
import { waitUntil } from '../support/waitUntil';

const lab = cliFolder('tlslab-proxy-row-');
const { cli, startUntil, stop } = lab;

beforeAll(async () => {
  expect((await cli('ca', 'create', 'Model CA')).code).toBe(0);
  expect((await cli('ca', 'create', 'Evil CA')).code).toBe(0);
  expect((await cli('cert', 'issue', '--ca', 'Model CA', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com')).code).toBe(0);
  expect((await cli('ca', 'export', 'Evil CA', '--out', 'evil.pem')).code).toBe(0);
});

afterAll(() => lab.close());

interface Listed {
  id: number;
  kind: string;
  target: string;
  address: string | null;
}

describe('a transparent proxy session sent on by --map', () => {
  it('names the port the proxy really went to in sessions list and sessions show, matching the real server session; the proxy line names the site as the victim did', async () => {
    const serverPort = await freePort();
    const server = await startUntil(['server', '--port', String(serverPort), '--identity', 'lab:www.bank32.com'], 'try it:');
    const listen = `127.0.0.1:${await freePort()}`;
    const proxy = await startUntil(
      ['proxy', '--listen', listen, '--ca', 'Evil CA', '--map', `www.bank32.com=127.0.0.1:${serverPort}`, '--upstream-ca', 'lab:Model CA'],
      'stop with Ctrl-C',
    );
    const victim = await cli('client', `www.bank32.com:${serverPort}`, '--connect-to', listen, '--ca', 'evil.pem', '--get', '/');
    expect(victim.stderr).toBe('');
    expect(victim.code).toBe(0);
    await waitUntil(() => `the proxy to print its connection's line (it printed: ${JSON.stringify(proxy.output())})`, () => /ok \(\d+ exchange/.test(proxy.output()));
    expect(proxy.output()).toMatch(new RegExp(`transparent  www\\.bank32\\.com  -> 127\\.0\\.0\\.1:${serverPort}  `));
    await stop(proxy.child);
    await stop(server.child);

    const listed = JSON.parse((await cli('sessions', 'list', '--json')).stdout) as Listed[];
    const proxySession = listed.find((s) => s.kind === 'proxy')!;
    const serverSessions = listed.filter((s) => s.kind === 'server');
    expect(proxySession.target).toBe(`www.bank32.com:${serverPort}`);
    expect(proxySession.address).toBe(`127.0.0.1:${serverPort}`);
    // The real server's session is on the same port: the one the proxy's session names.
    expect(serverSessions.map((s) => s.target)).toContain(`127.0.0.1:${serverPort}`);

    const table = await cli('sessions', 'list', '--kind', 'proxy');
    expect(table.stdout).toMatch(new RegExp(`proxy\\s+ok\\s+TLSv1\\.3\\s+www\\.bank32\\.com:${serverPort}`));
    expect(table.stdout).not.toContain(':443');
    const shown = await cli('sessions', 'show', String(proxySession.id));
    expect(shown.stdout.split('\n')[0]).toBe(`Session ${proxySession.id} (proxy) www.bank32.com:${serverPort} -> 127.0.0.1:${serverPort}: ok`);
  });
});

describe('a request the proxy holds for a rewrite rule', () => {
  it('expecting "100-continue, x": the proxy says 100 Continue itself and passes x on, so the real server answers 417 for it', async () => {
    const serverPort = await freePort();
    const server = await startUntil(['server', '--port', String(serverPort), '--identity', 'lab:www.bank32.com'], 'try it:');
    const listen = `127.0.0.1:${await freePort()}`;
    const proxy = await startUntil(
      ['proxy', '--listen', listen, '--ca', 'Evil CA', '--map', `www.bank32.com=127.0.0.1:${serverPort}`, '--upstream-ca', 'lab:Model CA', '--rewrite', 'request:alice=>mallory'],
      'stop with Ctrl-C',
    );
    const out = await run('curl', ['-sS', '-i', '--max-time', '20', '--cacert', `${lab.cwd}/evil.pem`, '--connect-to', `www.bank32.com:443:${listen}`,
      '-H', 'Expect: 100-continue, x', '--data-binary', 'user=alice', 'https://www.bank32.com/login']);
    await stop(proxy.child);
    await stop(server.child);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 417 Expectation Failed\r\n/);
    expect(out.stdout).toContain('the request expects "x"');
  });
});
