// The proxy against the clients a lab points at it, in the ways they really behave: curl's
// "Expect: 100-continue" uploads, curl --http1.0 (ALPN "http/1.0" only), an h2-only client, a
// client that speaks TLS (or nothing) to the CONNECT port, one that leaves before its answer.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig, ProxyInfo } from '../../src-main/api/proxyTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { finishedProxySessions, openProxyLab, portOf, startLabProxy, type ProxyLab, type PythonUpstream } from '../support/proxyPeers';
import { run } from '../support/run';
import { WAIT_DEADLINE_MS } from '../support/waitUntil';

let lab: ProxyLab;
let wb: Workbench;
let upstream: PythonUpstream;
let wbCa: string;

beforeAll(async () => {
  lab = await openProxyLab('tlslab-proxy-clients-', 'ec:P-256');
  ({ wb, upstream, wbCa } = lab);
});

afterAll(async () => {
  await lab?.close();
});

const startProxy = (config: Partial<ProxyConfig> = {}): Promise<ProxyInfo> => startLabProxy(lab, config);

const port = portOf;

const sessionsOf = (proxy: ProxyInfo, count = 1): Promise<SessionDetail[]> => finishedProxySessions(wb, proxy, count);

const notes = (s: SessionDetail) => s.connections.flatMap((c) => c.timeline.filter((e) => e.kind === 'note').map((e) => (e as { text: string }).text));

describe('Expect: 100-continue', () => {
  it('with a request rule holding the body, curl does not wait out its 100-continue timeout, and the upstream gets the rewritten body', async () => {
    const proxy = await startProxy({ mode: 'connect', rewrite: [{ direction: 'request', find: 'alice', replace: 'mallory' }] });
    const before = upstream.requests().length;
    const out = await run('curl', ['-sS', '-v', '--max-time', '20', '-x', `http://${proxy.connectAddress}`, '--cacert', wbCa, '--expect100-timeout', '8',
      '-H', 'Expect: 100-continue', '--data-binary', 'user=alice', 'https://www.example.com/login']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('received: user=mallory');
    // The old proxy held the request head with the body, so no 100 Continue came: curl sent the
    // body only when its own 8 s wait ran out. Now the victim gets its 100 Continue.
    expect(out.stderr).toMatch(/^< HTTP\/1\.1 100 Continue/m);
    expect(upstream.requests().slice(before).map((r) => r.body)).toEqual(['user=mallory']);
    const [s] = await sessionsOf(proxy);
    expect(s.status).toBe('ok');
    expect(notes(s).some((n) => n.includes('100 Continue'))).toBe(true);
    await wb.proxies.stop(proxy.id);
  });
});

describe('ALPN', () => {
  it('curl --http1.0 (ALPN "http/1.0" only) gets the page, as it would from the real server', async () => {
    const proxy = await startProxy({ mode: 'connect' });
    const out = await run('curl', ['-sS', '--max-time', '20', '--http1.0', '-x', `http://${proxy.connectAddress}`, '--cacert', wbCa, 'https://www.example.com/']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('<title>Example Domain</title>');
    const [s] = await sessionsOf(proxy);
    expect(s.status).toBe('ok');
    expect(s.alpn).toBe('http/1.0');
    await wb.proxies.stop(proxy.id);
  });

  it('a client that offers only h2 is refused, and the record says the proxy speaks HTTP/1.x and what the client offered', async () => {
    const proxy = await startProxy({ mode: 'transparent' });
    const script = String.raw`
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
ctx.set_alpn_protocols(['h2'])
try:
    with ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='www.example.com') as s:
        print('connected', s.selected_alpn_protocol())
except (ssl.SSLError, OSError) as e:
    print('refused', e)
`;
    const out = await run('python3', ['-c', script, wbCa, String(port(proxy.transparentAddress))]);
    expect(out.stdout).toMatch(/^refused /);
    const [s] = await sessionsOf(proxy);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('VICTIM_ALPN_UNSUPPORTED');
    expect(s.error?.message).toMatch(/offered only h2 by ALPN.*HTTP\/1\.1/);
    expect(s.error?.message).not.toMatch(/statem|0A0000EB/);
    await wb.proxies.stop(proxy.id);
  });
});

/**
 * Connects and says nothing. Who ended the connection: the proxy (its FIN or reset reaches us),
 * or this test giving up on a proxy that would wait for ever.
 */
function silentClient(address: string | null): Promise<'proxy' | 'test'> {
  return new Promise((resolve) => {
    const socket = net.connect(port(address), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.once('close', () => resolve('proxy'));
    // Long past the proxy's own limit for a silent client, however slow the machine.
    setTimeout(() => {
      resolve('test');
      socket.destroy();
    }, WAIT_DEADLINE_MS).unref();
  });
}

describe('the CONNECT port', () => {
  it('a client that starts TLS there (curl -x https://) is turned away at once, and the record says to use -x http://', async () => {
    const proxy = await startProxy({ mode: 'connect' });
    const out = await run('curl', ['-sS', '--max-time', '15', '-x', `https://${proxy.connectAddress}`, '--proxy-insecure', '--cacert', wbCa, 'https://www.example.com/']);
    expect(out.code).not.toBe(0);
    // Turned away by the proxy (an alert), not left hanging until curl gave up.
    expect(out.stderr).not.toMatch(/timed out/i);
    const [s] = await sessionsOf(proxy);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('TLS_ON_CONNECT_PORT');
    expect(s.error?.message).toContain(`-x http://${proxy.connectAddress}`);
    expect(s.connections[0].bytesClientToServer).toBeGreaterThan(0);
    await wb.proxies.stop(proxy.id);
  });

  it('a client that sends no CONNECT request is dropped after the handshake timeout, and recorded', async () => {
    const proxy = await startProxy({ mode: 'connect', handshakeTimeoutMs: 600 });
    expect(await silentClient(proxy.connectAddress)).toBe('proxy');
    const [s] = await sessionsOf(proxy);
    expect(s.error?.code).toBe('CONNECT_TIMEOUT');
    expect(s.error?.message).toMatch(/no CONNECT request within 0\.6 s/);
    await wb.proxies.stop(proxy.id);
  });

  it('on the transparent port a client that says nothing is dropped, and the record says it sent no ClientHello', async () => {
    const proxy = await startProxy({ mode: 'transparent', handshakeTimeoutMs: 600 });
    expect(await silentClient(proxy.transparentAddress)).toBe('proxy');
    const [s] = await sessionsOf(proxy);
    expect(s.error?.code).toBe('HANDSHAKE_TIMEOUT');
    expect(s.error?.message).toBe('the victim sent nothing within 0.6 s: no ClientHello (a TLS client speaks first); the proxy dropped it');
    await wb.proxies.stop(proxy.id);
  });

  it('a plain http:// request there gets the 405 and is recorded, with the request it sent', async () => {
    const proxy = await startProxy({ mode: 'connect' });
    const out = await run('curl', ['-sS', '--max-time', '15', '-x', `http://${proxy.connectAddress}`, 'http://www.example.com/']);
    expect(out.stdout).toContain('handles only CONNECT');
    const [s] = await sessionsOf(proxy);
    expect(s.error?.code).toBe('NOT_CONNECT');
    expect(s.error?.message).toContain('GET http://www.example.com/ HTTP/1.1');
    expect(s.connections[0].bytesServerToClient).toBeGreaterThan(0);
    await wb.proxies.stop(proxy.id);
  });
});

describe('a victim that leaves before its answer', () => {
  it('is not a failure of the proxy, and the record says the response was not delivered', async () => {
    const proxy = await startProxy({ mode: 'transparent' });
    const script = String.raw`
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[1])
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[2]))), server_hostname='www.example.com')
s.sendall(b'GET /slow/500 HTTP/1.1\r\nHost: www.example.com\r\n\r\n')
time.sleep(0.1)
s.close()
`;
    await run('python3', ['-c', script, wbCa, String(port(proxy.transparentAddress))]);
    const [s] = await sessionsOf(proxy);
    expect(s.error).toBeNull();
    expect(s.status).toBe('ok');
    expect(notes(s).some((n) => /response .*not delivered.*victim had closed/.test(n))).toBe(true);
    await wb.proxies.stop(proxy.id);
  });
});
