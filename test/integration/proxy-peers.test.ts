// Lab task 5: the man-in-the-middle proxy between real peers nobody here wrote. The victim is
// Python's ssl client or curl; the "real" site is a Python HTTPS server with its own CA made by
// openssl. The proxy forges with a workbench CA, and records both legs of every connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig, ProxyInfo } from '../../src-main/api/proxyTypes';
import type { SessionDetail, TlsRecordEntry } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { finishedProxySessions, openProxyLab, portOf, startLabProxy, type ProxyLab, type PythonUpstream, type UpstreamPki } from '../support/proxyPeers';
import { run } from '../support/run';

let lab: ProxyLab;
let wb: Workbench;
let pki: UpstreamPki;
let upstream: PythonUpstream;
let wbCa: string;

beforeAll(async () => {
  lab = await openProxyLab('tlslab-proxy-peers-');
  ({ wb, pki, upstream, wbCa } = lab);
});

afterAll(async () => {
  await lab?.close();
});

const startProxy = (config: Partial<ProxyConfig> = {}): Promise<ProxyInfo> => startLabProxy(lab, config);

const port = portOf;

const proxySessions = (proxy: ProxyInfo, count = 1): Promise<SessionDetail[]> => finishedProxySessions(wb, proxy, count);

const PY_VICTIM = String.raw`
import json, socket, ssl, sys
cafile, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
try:
    with socket.create_connection(('127.0.0.1', port)) as raw:
        with ctx.wrap_socket(raw, server_hostname='www.example.com') as s:
            cert = s.getpeercert()
            s.sendall(('GET ' + path + ' HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n').encode())
            data = b''
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
    print(json.dumps({'ok': True, 'version': s.version(), 'subject': cert['subject'], 'issuer': cert['issuer'], 'san': cert.get('subjectAltName'), 'response': data.decode('latin1')}))
except ssl.SSLError as e:
    print(json.dumps({'ok': False, 'error': str(e)}))
`;

async function pythonVictim(cafile: string, proxyPort: number, urlPath = '/') {
  const out = await run('python3', ['-c', PY_VICTIM, cafile, String(proxyPort), urlPath]);
  return JSON.parse(out.stdout) as { ok: boolean; error?: string; version?: string; subject?: [string, string][][]; issuer?: [string, string][][]; san?: [string, string][]; response?: string };
}

const flat = (name: [string, string][][] | undefined) => Object.fromEntries((name ?? []).flat());

function messages(c: SessionDetail['connections'][number], direction: TlsRecordEntry['direction']): string[] {
  return c.timeline.filter((e): e is TlsRecordEntry => e.kind === 'record' && e.direction === direction).flatMap((r) => r.messages);
}

describe('transparent mode (the victim names the site by SNI)', () => {
  it("Python's ssl client trusting only the workbench CA gets the real page, through a certificate forged for www.example.com", async () => {
    const proxy = await startProxy({ mode: 'transparent' });
    const result = await pythonVictim(wbCa, port(proxy.transparentAddress));
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.response).toContain('HTTP/1.1 200 OK');
    expect(result.response).toContain('<title>Example Domain</title>');
    expect(flat(result.subject).commonName).toBe('www.example.com');
    // Names copied from the real certificate (O and the SANs), issuer is the workbench CA.
    expect(flat(result.subject).organizationName).toBe('Example Inc');
    expect(result.san).toEqual([['DNS', 'www.example.com'], ['DNS', 'example.com']]);
    expect(flat(result.issuer).commonName).toBe('Lab MITM CA');

    const [s] = await proxySessions(proxy);
    expect(s.kind).toBe('proxy');
    expect(s.error).toBeNull();
    expect(s.status).toBe('ok');
    // The port the proxy's map sent it to: a ClientHello names none.
    expect(s.target).toBe(`www.example.com:${upstream.port}`);
    // What the victim asked for: the name it sent (no port: the one it dialed was the proxy's).
    expect(s.proxy?.host).toBe('www.example.com');
    expect(s.sni).toBe('www.example.com');
    expect(s.address).toBe(`127.0.0.1:${upstream.port}`);
    expect(s.connections.map((c) => c.leg)).toEqual(['proxy-client', 'proxy-upstream']);
    const [victim, up] = s.connections;
    // The forged chain on the victim leg, the real chain on the upstream leg.
    expect(victim.localCertificates[0].issuer).toContain('CN=Lab MITM CA');
    expect(up.peerCertificates[0].issuer).toContain('CN=Example Upstream Root CA');
    expect(victim.localCertificates[0].fingerprintSha256).not.toBe(up.peerCertificates[0].fingerprintSha256);
    // Both key logs.
    expect(victim.keylog.some((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 '))).toBe(true);
    expect(up.keylog.some((l) => l.startsWith('CLIENT_TRAFFIC_SECRET_0 '))).toBe(true);
    expect(messages(victim, 'client-to-server')[0]).toBe('ClientHello');
    expect(messages(up, 'client-to-server')[0]).toBe('ClientHello');
    expect(s.proxy?.namesFromUpstream).toBe(true);
    expect(s.proxy?.upstreamVerification?.accepted).toBe(true);
    expect(s.proxy?.exchanges).toBe(1);
    expect(s.verification?.accepted).toBe(true);
    await wb.proxies.stop(proxy.id);
  });

  it('trusting the upstream CA instead, the victim refuses the forged certificate and the proxy records its alert', async () => {
    const proxy = await startProxy({ mode: 'transparent' });
    const result = await pythonVictim(pki.caCert, port(proxy.transparentAddress));
    expect(result.ok).toBe(false);
    expect(result.error).toContain('CERTIFICATE_VERIFY_FAILED');
    const [s] = await proxySessions(proxy);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('VICTIM_REJECTED_CERTIFICATE');
    expect(s.proxy?.victimAlert).toBe('unknown_ca');
    expect(s.error?.message).toContain('unknown_ca');
    expect(s.proxy?.failedLeg).toBe('victim');
    const alerts = s.connections[0].timeline.filter((e): e is TlsRecordEntry => e.kind === 'record' && e.direction === 'client-to-server' && !!e.alert);
    expect(alerts.map((a) => a.alert!.descriptionName)).toContain('unknown_ca');
    await wb.proxies.stop(proxy.id);
  });
});

describe('CONNECT mode (curl -x)', () => {
  const curl = (proxy: ProxyInfo, extra: string[], url = 'https://www.example.com/') =>
    run('curl', ['-sS', '-x', `http://${proxy.connectAddress}`, '--cacert', wbCa, ...extra, url]);

  it('curl through CONNECT with --cacert the workbench CA fetches the page', async () => {
    const proxy = await startProxy({ mode: 'connect' });
    const out = await curl(proxy, []);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('<title>Example Domain</title>');
    const [s] = await proxySessions(proxy);
    expect(s.status).toBe('ok');
    expect(s.proxy?.mode).toBe('connect');
    expect(s.target).toBe('www.example.com:443');
    expect(s.connections[0].timeline.some((e) => e.kind === 'note' && e.text.startsWith('CONNECT www.example.com:443'))).toBe(true);
    await wb.proxies.stop(proxy.id);
  });

  it('a response rewrite changes the body, and curl accepts the new Content-Length (and a chunked body)', async () => {
    const proxy = await startProxy({ mode: 'connect', rewrite: [{ direction: 'response', find: 'Example Domain', replace: 'Intercepted by the lab proxy' }] });
    const out = await curl(proxy, ['-i']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('<title>Intercepted by the lab proxy</title>');
    expect(out.stdout).not.toContain('Example Domain');
    const length = Number(/content-length: (\d+)/i.exec(out.stdout)?.[1]);
    // -i also shows the proxy's answer to CONNECT: the real response starts after it.
    const response = out.stdout.slice(out.stdout.indexOf('HTTP/1.1 200 OK'));
    const body = response.slice(response.indexOf('\r\n\r\n') + 4);
    expect(Buffer.byteLength(body)).toBe(length);
    const chunked = await curl(proxy, [], 'https://www.example.com/chunked');
    expect(chunked.code).toBe(0);
    expect(chunked.stdout).toContain('<title>Intercepted by the lab proxy</title>');
    const sessions = await proxySessions(proxy, 2);
    for (const s of sessions) {
      expect(s.proxy?.rulesFired.length).toBeGreaterThan(0);
      expect(s.proxy?.rulesFired[0]).toMatchObject({ rule: 0, event: 'response-body', exchange: 1, replacements: 2 });
    }
    await wb.proxies.stop(proxy.id);
  });

  it('a request rewrite ("cybersecurity" to "SEED+Labs") reaches the upstream rewritten, in the URL and in the body', async () => {
    const proxy = await startProxy({ mode: 'connect', rewrite: [{ direction: 'request', find: 'cybersecurity', replace: 'SEED+Labs' }] });
    const before = upstream.requests().length;
    const get = await curl(proxy, [], 'https://www.example.com/search?q=cybersecurity');
    expect(get.code).toBe(0);
    const post = await curl(proxy, ['--data-binary', 'topic=cybersecurity&level=cybersecurity-101']);
    expect(post.code).toBe(0);
    expect(post.stdout).toBe('received: topic=SEED+Labs&level=SEED+Labs-101');
    const seen = upstream.requests().slice(before);
    expect(seen.map((r) => r.line)).toContain('GET /search?q=SEED+Labs HTTP/1.1');
    expect(seen.map((r) => r.body)).toContain('topic=SEED+Labs&level=SEED+Labs-101');
    expect(seen.some((r) => r.line.includes('cybersecurity') || r.body.includes('cybersecurity'))).toBe(false);
    const sessions = await proxySessions(proxy, 2);
    const events = sessions.flatMap((s) => s.proxy!.rulesFired.map((f) => f.event)).sort();
    expect(events).toEqual(['request-body', 'request-head']);
    await wb.proxies.stop(proxy.id);
  });
});
