// A victim the workbench's own proxy refuses hears only "handshake_failure", but the proxy, in
// another process on the same data folder, recorded why: the victim's session says it. And what
// the proxy says at start and in its failure about where it sends a name (port 443 without
// --map), and the version a victim that refused the forged certificate had agreed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFolder } from '../support/cliProcesses';
import { freePort } from '../support/ports';
import { run } from '../support/run';
import { waitUntil } from '../support/waitUntil';

/** A loopback address nothing listens on: the real server a proxy without --map goes to is here, port 443. */
const NOWHERE = '127.0.0.77';
const lab = cliFolder('tlslab-refusal-cause-');
const { cli, startUntil, stop } = lab;

beforeAll(async () => {
  expect((await cli('ca', 'create', 'Model CA')).code).toBe(0);
  expect((await cli('ca', 'create', 'Evil CA')).code).toBe(0);
  expect((await cli('cert', 'issue', '--ca', 'Model CA', '--cn', 'www.bank32.com', '--san', 'DNS:www.bank32.com')).code).toBe(0);
  expect((await cli('ca', 'export', 'Evil CA', '--out', 'evil.pem')).code).toBe(0);
  expect((await cli('hosts', 'set', 'www.bank32.com', NOWHERE)).code).toBe(0);
});

afterAll(() => lab.close());

describe('what a victim refused by the proxy is told', () => {
  it('without --map the proxy says at start that a name goes to port 443, and a victim it cannot serve is told the real server was unreachable there', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const proxy = await startUntil(['proxy', '--listen', listen, '--ca', 'Evil CA'], 'stop with Ctrl-C');
    const upstreamLine = proxy.lines.find((l) => l.startsWith('real servers:'));
    expect(upstreamLine).toBe(
      `real servers: without --map a name goes to port 443 at its address in the host table or by DNS (a ClientHello names no port): www.bank32.com -> ${NOWHERE}:443; ` +
        `for a server on another port (the lab's use 4433) add --map www.bank32.com=${NOWHERE}:PORT`,
    );

    const victim = await cli('client', 'www.bank32.com:4433', '--connect-to', listen, '--ca', 'evil.pem', '--get', '/');
    expect(victim.code).toBe(1);
    const line = victim.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    // The alert the client got, and what the proxy saw; not guesses about the client's own offer.
    expect(line).toContain('the server ended the handshake with the alert "handshake_failure"');
    expect(line).toContain(`the proxy could not reach the real server at ${NOWHERE}:443: connection refused`);
    expect(line).toContain(`this client asked for port 4433`);
    expect(line).toContain(`give the proxy --map www.bank32.com=${NOWHERE}:4433`);
    expect(line).not.toContain('refused something this client offered');
    const proxySession = /see the proxy's session (\d+) \(recorded as session (\d+)\)/.exec(line);
    expect(proxySession).not.toBeNull();

    // The proxy's own line says where it went and how to change that.
    await waitUntil(() => `the proxy to print its FAILED line (it printed: ${JSON.stringify(proxy.output())})`, () => proxy.output().includes('FAILED'));
    expect(proxy.output()).toContain(
      `FAILED: the proxy could not reach the real server for www.bank32.com at ${NOWHERE}:443: connection refused; that is www.bank32.com's address in the host table and port 443, which transparent mode uses for a name without --map`,
    );
    expect(proxy.output()).toContain(`give the proxy --map www.bank32.com=${NOWHERE}:PORT  session ${proxySession![1]}`);

    // The session records the same reason as the command line said.
    const shown = JSON.parse((await cli('sessions', 'show', proxySession![2], '--json')).stdout);
    expect(shown.error.message).toBe(line.replace(/^tlslab: /, '').replace(/ \(recorded as session \d+\)$/, ''));
    await stop(proxy.child);
  });

  it('a careful proxy that refused the real certificate: the victim is told that, in the same form', async () => {
    const serverPort = await freePort();
    const server = await startUntil(['server', '--port', String(serverPort), '--identity', 'lab:www.bank32.com'], 'try it:');
    const listen = `127.0.0.1:${await freePort()}`;
    const proxy = await startUntil(['proxy', '--listen', listen, '--ca', 'Evil CA', '--map', `www.bank32.com=127.0.0.1:${serverPort}`], 'stop with Ctrl-C');
    expect(proxy.lines).toContain(
      `real servers: www.bank32.com -> 127.0.0.1:${serverPort} (--map); any other name: port 443 at its address in the host table or by DNS (a ClientHello names no port); add --map NAME=ADDR:PORT for a server on another port`,
    );
    const victim = await cli('client', `www.bank32.com:${serverPort}`, '--connect-to', listen, '--ca', 'evil.pem', '--get', '/');
    expect(victim.code).toBe(1);
    expect(victim.stderr).toMatch(
      /^tlslab: the server ended the handshake with the alert "handshake_failure"; that server was this workbench's man-in-the-middle proxy, and the real server's certificate did not verify on the proxy's side \(untrusted root\), so the proxy refused this client instead of showing it a forged certificate, as a careful proxy does; see the proxy's session \d+ \(recorded as session \d+\)\n$/,
    );
    await stop(proxy.child);
    await stop(server.child);
  });
});

describe('the proxy session of a victim that refused the forged certificate', () => {
  it('lists the version the victim leg agreed before the refusal', async () => {
    const serverPort = await freePort();
    const server = await startUntil(['server', '--port', String(serverPort), '--identity', 'lab:www.bank32.com'], 'try it:');
    const listen = `127.0.0.1:${await freePort()}`;
    const proxy = await startUntil(
      ['proxy', '--listen', listen, '--ca', 'Evil CA', '--map', `www.bank32.com=127.0.0.1:${serverPort}`, '--upstream-ca', 'lab:Model CA'],
      'stop with Ctrl-C',
    );
    // curl trusts only the system store: it refuses the forged certificate with unknown_ca.
    const victim = await run('curl', ['-sS', '--max-time', '20', '--tlsv1.3', '--connect-to', `www.bank32.com:443:${listen}`, 'https://www.bank32.com/']);
    expect(victim.code).not.toBe(0);
    await waitUntil(() => `the proxy to print its FAILED line (it printed: ${JSON.stringify(proxy.output())})`, () => proxy.output().includes('FAILED'));
    expect(proxy.output()).toContain('the victim refused the forged certificate with the alert "unknown_ca"');
    await stop(proxy.child);
    await stop(server.child);
    const list = await cli('sessions', 'list', '--kind', 'proxy', '--json');
    const refused = (JSON.parse(list.stdout) as { status: string; version: string | null; error: { message: string } | null }[]).find((s) => s.error?.message.includes('unknown_ca'));
    expect(refused?.status).toBe('failed');
    expect(refused?.version).toBe('TLSv1.3');
    const table = await cli('sessions', 'list', '--kind', 'proxy');
    expect(table.stdout).toMatch(/proxy\s+failed\s+TLSv1\.3\s+www\.bank32\.com/);
  });
});
