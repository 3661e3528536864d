// The man-in-the-middle lesson as a student meets it: victims that refuse the forged certificate,
// each for its own reason. What the proxy records must say which check failed (the chain, the
// name) as far as the victim's alert tells it, and keep what was agreed on the victim's leg
// (version, cipher suite) although the handshake did not finish.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig, ProxyConnectionSummary, ProxyInfo } from '../../src-main/api/proxyTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { finishedProxySessions, openProxyLab, startLabProxy, type ProxyLab } from '../support/proxyPeers';
import { run } from '../support/run';
import { nodeVictim } from '../support/nodeVictim';

let lab: ProxyLab;
let wb: Workbench;
let wbCa: string;
const ended: ProxyConnectionSummary[] = [];
let unsubscribe: () => void;

beforeAll(async () => {
  lab = await openProxyLab('tlslab-proxy-lesson-');
  ({ wb, wbCa } = lab);
  unsubscribe = wb.subscribe((event, data) => {
    if (event === 'proxy.connection') ended.push(data as ProxyConnectionSummary);
  });
});

afterAll(async () => {
  unsubscribe?.();
  await lab?.close();
});

const startProxy = (config: Partial<ProxyConfig> = {}): Promise<ProxyInfo> => startLabProxy(lab, { mode: 'transparent', ...config });

async function onlySession(proxy: ProxyInfo): Promise<SessionDetail> {
  const [s] = await finishedProxySessions(wb, proxy);
  return s;
}

const summaryOf = async (sessionId: number): Promise<ProxyConnectionSummary> => {
  await expect.poll(() => ended.some((c) => c.sessionId === sessionId)).toBe(true);
  return ended.find((c) => c.sessionId === sessionId)!;
};

describe('a victim that refuses the forged certificate', () => {
  it('openssl s_client trusting the forging CA but checking another name: the record says the name check failed, and keeps the agreed TLS version', async () => {
    const proxy = await startProxy();
    const out = await run('openssl', [
      's_client', '-connect', proxy.transparentAddress!, '-servername', 'www.example.com', '-CAfile', wbCa,
      '-verify_hostname', 'www.other.example', '-verify_return_error', '-tls1_3',
    ], { input: '' });
    expect(out.output).toContain('hostname mismatch');
    const s = await onlySession(proxy);
    expect(s.status).toBe('failed');
    expect(s.proxy?.victimAlert).toBe('bad_certificate');
    // Which check: not the chain (the victim trusts the CA), but the name, with the names the forged certificate holds.
    const message = s.error!.message;
    expect(message).toContain('trusts "Lab MITM CA"');
    expect(message).toContain('host name');
    expect(message).toContain('DNS:www.example.com');
    expect(message).toContain('made it for www.example.com, the name the victim sent by SNI');
    // The victim leg agreed TLS 1.3 and a suite before it refused the certificate.
    expect(s.proxy?.victim.version).toBe('TLSv1.3');
    expect(s.proxy?.victim.cipher).toMatch(/^TLS_AES_|^TLS_CHACHA20_/);
    expect((await summaryOf(s.id)).victimVersion).toBe('TLSv1.3');
    await wb.proxies.stop(proxy.id);
  });

  it('through CONNECT (openssl s_client -proxy), a name mismatch names the CONNECT target the certificate was made for', async () => {
    const proxy = await startProxy({ mode: 'connect', connectListen: '127.0.0.1:0' });
    const out = await run('openssl', [
      's_client', '-proxy', proxy.connectAddress!, '-connect', 'www.example.com:443', '-servername', 'www.example.com', '-CAfile', wbCa,
      '-verify_hostname', 'www.other.example', '-verify_return_error',
    ], { input: '' });
    expect(out.output).toContain('hostname mismatch');
    const s = await onlySession(proxy);
    expect(s.proxy?.mode).toBe('connect');
    expect(s.proxy?.victimAlert).toBe('bad_certificate');
    expect(s.error!.message).toContain("made it for www.example.com, the victim's CONNECT target, so the victim checks another name");
    expect(s.proxy?.victim.version).toBe('TLSv1.3');
    await wb.proxies.stop(proxy.id);
  });

  it('curl over TLS 1.2 without the forging CA: the chain check failed (unknown_ca), and the leg shows TLS 1.2 with its suite', async () => {
    const proxy = await startProxy();
    const out = await run('curl', ['-sS', '--max-time', '20', '--tls-max', '1.2', '--connect-to', `www.example.com:443:${proxy.transparentAddress}`, 'https://www.example.com/']);
    expect(out.code).toBe(60);
    const s = await onlySession(proxy);
    expect(s.proxy?.victimAlert).toBe('unknown_ca');
    expect(s.error!.message).toContain('it does not trust "Lab MITM CA"');
    expect(s.error!.message).toContain('chain check failed');
    expect(s.proxy?.victim.version).toBe('TLSv1.2');
    expect(s.proxy?.victim.cipher).toMatch(/^TLS_ECDHE_/);
    await wb.proxies.stop(proxy.id);
  });

  it('a Node.js client that checks the certificate after the handshake leaves without an alert: the record says it left after the forged certificate', async () => {
    const proxy = await startProxy();
    const out = await nodeVictim(proxy.transparentAddress!);
    expect(out.stdout).toContain('refused SELF_SIGNED_CERT_IN_CHAIN');
    const s = await onlySession(proxy);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('VICTIM_CLOSED_AFTER_CERTIFICATE');
    expect(s.error!.message).toContain('after receiving the forged certificate');
    expect(s.error!.message).toContain('does not trust "Lab MITM CA"');
    expect(s.proxy?.failedLeg).toBe('victim');
    await wb.proxies.stop(proxy.id);
  });
});

describe('who ended a forwarded connection first', () => {
  const PY_CLOSE = String.raw`
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
host, port = sys.argv[2].rsplit(':', 1)
with socket.create_connection((host, int(port))) as raw:
    with ctx.wrap_socket(raw, server_hostname='www.example.com') as s:
        s.sendall(b'GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n')
        data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
print(data.split(b'\r\n')[0].decode())
`;

  it('the real server, when it ends the connection after a "Connection: close" response', async () => {
    const proxy = await startProxy();
    const out = await run('python3', ['-c', PY_CLOSE, wbCa, proxy.transparentAddress!]);
    expect(out.stdout).toContain('200');
    const s = await onlySession(proxy);
    expect(s.status).toBe('ok');
    expect(s.proxy?.closedFirst).toBe('upstream');
    await wb.proxies.stop(proxy.id);
  });

  it('the victim, when openssl s_client reaches the end of its input and quits', async () => {
    const proxy = await startProxy();
    const out = await run('openssl', ['s_client', '-connect', proxy.transparentAddress!, '-servername', 'www.example.com', '-CAfile', wbCa, '-verify_return_error'], { input: '' });
    expect(out.output).toContain('Verify return code: 0 (ok)');
    const s = await onlySession(proxy);
    expect(s.status).toBe('ok');
    expect(s.proxy?.closedFirst).toBe('victim');
    await wb.proxies.stop(proxy.id);
  });
});

describe('the facts of a CONNECT session', () => {
  it('records the SNI the victim sent inside the tunnel, as curl -x sends it', async () => {
    const proxy = await startProxy({ mode: 'connect', connectListen: '127.0.0.1:0' });
    const out = await run('curl', ['-sS', '--max-time', '20', '-x', `http://${proxy.connectAddress}`, '--cacert', wbCa, 'https://www.example.com/']);
    expect(out.code, out.output).toBe(0);
    const s = await onlySession(proxy);
    expect(s.status).toBe('ok');
    expect(s.proxy?.mode).toBe('connect');
    expect(s.sni).toBe('www.example.com');
    await wb.proxies.stop(proxy.id);
  });
});
