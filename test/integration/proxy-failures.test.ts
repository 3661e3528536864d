// The proxy's failures, each recorded and explained: an unknown CA, the upstream down, an upstream
// certificate that does not verify (refused, or let through with --upstream-insecure), plain HTTP
// to the TLS port, a victim that vanishes mid-handshake. And the CLI contract.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyConfig, ProxyInfo } from '../../src-main/api/proxyTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { freePort } from '../support/ports';
import { finishedProxySessions, openProxyLab, portOf, startLabProxy, startPythonUpstream, type ProxyLab, type PythonUpstream, type UpstreamPki } from '../support/proxyPeers';
import { startOpensslServer } from '../support/opensslServer';
import { run } from '../support/run';
import { waitUntil, withDeadline } from '../support/waitUntil';

const BIN = path.resolve('bin/tlslab.mjs');
let lab: ProxyLab;
let tmp: string;
let wb: Workbench;
let pki: UpstreamPki;
let upstream: PythonUpstream;
let wbCa: string;
let stranger: PythonUpstream;

beforeAll(async () => {
  lab = await openProxyLab('tlslab-proxy-fail-', 'ec:P-256');
  ({ tmp, wb, pki, upstream, wbCa } = lab);
  stranger = await startPythonUpstream(pki.strangerCert, pki.strangerKey);
});

afterAll(async () => {
  await stranger?.stop();
  await lab?.close();
});

const startProxy = (config: Partial<ProxyConfig> = {}): Promise<ProxyInfo> => startLabProxy(lab, config, { mapUpstream: false });

const port = portOf;

/** The ClientHello Node's TLS client sends for `servername`, caught by a plain TCP listener. */
function nodeClientHello(servername: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const catcher = net.createServer((socket) => socket.once('data', (data: Buffer) => {
      resolve(data);
      socket.destroy();
      catcher.close();
    }));
    catcher.listen(0, '127.0.0.1', () => {
      tls.connect({ port: (catcher.address() as net.AddressInfo).port, host: '127.0.0.1', servername }).on('error', () => {});
    });
  });
}

const onlySession = async (proxy: ProxyInfo): Promise<SessionDetail> => (await finishedProxySessions(wb, proxy))[0];

const curlVia = (proxy: ProxyInfo, extra: string[] = []) =>
  run('curl', ['-sS', '--max-time', '20', '--connect-to', `www.example.com:443:${proxy.transparentAddress}`, '--cacert', wbCa, ...extra, 'https://www.example.com/']);

describe('bad input and broken peers', () => {
  it('an unknown CA name is refused at start with the names the workbench has, and nothing listens', async () => {
    const at = await freePort();
    await expect(startProxy({ ca: 'No Such CA', listen: `127.0.0.1:${at}`, mode: 'transparent' })).rejects.toThrow(/no certificate or CA named "No Such CA".*Lab MITM CA/);
    expect(wb.proxies.list()).toHaveLength(0);
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(at, '127.0.0.1');
      s.once('connect', () => reject(new Error('something listens')));
      s.once('error', () => resolve());
    });
  });

  it('a non-loopback listen address is refused', async () => {
    await expect(startProxy({ listen: '0.0.0.0:8443', mode: 'transparent' })).rejects.toThrow(/only on loopback/);
  });

  it('upstream down: the victim gets an alert (transparent) or a 502 (CONNECT), and the record says the upstream is unreachable', async () => {
    const dead = await freePort();
    const proxy = await startProxy({ map: [{ host: 'www.example.com', address: `127.0.0.1:${dead}` }] });
    const out = await curlVia(proxy);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/alert handshake failure|handshake failure/i);
    const s = await onlySession(proxy);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('UPSTREAM_UNREACHABLE');
    expect(s.error?.message).toContain(`127.0.0.1:${dead}`);
    expect(s.proxy?.failedLeg).toBe('upstream');
    expect(s.connections.map((c) => c.leg)).toEqual(['proxy-client', 'proxy-upstream']);
    const viaConnect = await run('curl', ['-sS', '-x', `http://${proxy.connectAddress}`, '--cacert', wbCa, 'https://www.example.com/']);
    expect(viaConnect.stderr).toMatch(/CONNECT tunnel failed, response 502/);
    await wb.proxies.stop(proxy.id);
  });

  it('an upstream certificate that does not verify is refused and explained; --upstream-insecure goes on and says so', async () => {
    const proxy = await startProxy({ mode: 'transparent', map: [{ host: 'www.example.com', address: `127.0.0.1:${stranger.port}` }] });
    const out = await curlVia(proxy);
    expect(out.code).not.toBe(0);
    const s = await onlySession(proxy);
    expect(s.error?.code).toBe('UPSTREAM_CERT_INVALID');
    expect(s.error?.message).toMatch(/did not verify.*Give --upstream-ca the CA that issued the real server's certificate, or --upstream-insecure/);
    expect(s.proxy?.upstreamVerification?.accepted).toBe(false);
    expect(s.proxy?.upstreamCertificate?.issuer).toContain('Stranger Root CA');
    expect(s.connections[1].peerCertificates[0].issuer).toContain('Stranger Root CA');
    await wb.proxies.stop(proxy.id);

    const careless = await startProxy({ mode: 'transparent', upstreamInsecure: true, map: [{ host: 'www.example.com', address: `127.0.0.1:${stranger.port}` }] });
    const through = await curlVia(careless);
    expect(through.code).toBe(0);
    expect(through.stdout).toContain('Example Domain');
    const t = await onlySession(careless);
    expect(t.status).toBe('ok');
    expect(t.proxy?.upstreamVerification?.accepted).toBe(false);
    expect(t.connections[1].timeline.some((e) => e.kind === 'note' && e.text.includes('--upstream-insecure'))).toBe(true);
    await wb.proxies.stop(careless.id);
  });

  it('refusing the real server\'s certificate, the proxy tells it why with the alert an OpenSSL client sends (TLS 1.3 and 1.2)', async () => {
    for (const version of ['-tls1_3', '-tls1_2']) {
      const real = await startOpensslServer(pki.strangerCert, pki.strangerKey, ['-quiet', version]);
      try {
        const proxy = await startProxy({ mode: 'transparent', map: [{ host: 'www.example.com', address: `127.0.0.1:${real.port}` }] });
        const out = await curlVia(proxy);
        expect(out.code).not.toBe(0);
        const s = await onlySession(proxy);
        expect(s.error?.code).toBe('UPSTREAM_CERT_INVALID');
        const notes = s.connections[1].timeline.filter((e) => e.kind === 'note').map((e) => e.text);
        expect(notes).toContain('the proxy sends the real server the fatal alert unknown_ca and closes this connection');
        expect(s.proxy?.upstreamVerification?.alertSent).toBe('unknown_ca');
        // s_server -quiet prints one error line when a handshake ends badly: the alert, or an unexpected eof.
        await waitUntil(() => `s_server to report how the proxy's handshake ended (${version}; it printed: ${JSON.stringify(real.output())})`, () => /:error:/.test(real.output()));
        expect(real.output(), version).toMatch(/tlsv1 alert unknown ca/);
        await wb.proxies.stop(proxy.id);
      } finally {
        await real.stop();
      }
    }
  });

  it('a real server that requires a client certificate turns the proxy away, and the session says why a man in the middle cannot log in', async () => {
    const mtls = await startOpensslServer(pki.cert, pki.key, ['-www', '-tls1_3', '-Verify', '1', '-verify_return_error', '-CAfile', pki.caCert]);
    try {
      const proxy = await startProxy({ mode: 'transparent', map: [{ host: 'www.example.com', address: `127.0.0.1:${mtls.port}` }] });
      const out = await curlVia(proxy);
      expect(out.code).not.toBe(0);
      const s = await onlySession(proxy);
      expect(s.error?.code).toBe('UPSTREAM_CLIENT_CERTIFICATE_REQUIRED');
      expect(s.error?.message).toContain('the server asked for a client certificate and this client had none to send');
      expect(s.error?.message).toContain("cannot answer that with the victim's certificate: it never holds the victim's private key");
      await wb.proxies.stop(proxy.id);
    } finally {
      await mtls.stop();
    }
  });

  it('CONNECT answers 200 once the real server accepts TCP; an upstream certificate that then fails to verify gets the victim a TLS alert, and the record says why', async () => {
    const proxy = await startProxy({ mode: 'connect', map: [{ host: 'www.example.com', address: `127.0.0.1:${stranger.port}` }] });
    const out = await run('curl', ['-sS', '--max-time', '20', '-x', `http://${proxy.connectAddress}`, '--cacert', wbCa, 'https://www.example.com/']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/handshake failure/i);
    const s = await onlySession(proxy);
    expect(s.error?.code).toBe('UPSTREAM_CERT_INVALID');
    expect(s.proxy?.failedLeg).toBe('upstream');
    const notes = s.connections[0].timeline.filter((e) => e.kind === 'note').map((e) => e.text);
    expect(notes).toContain('the proxy answered the CONNECT with 200 Connection established');
    expect(notes).toContain('the proxy refused the victim with a handshake_failure alert');
    await wb.proxies.stop(proxy.id);
  });

  it('plain HTTP to the TLS port gets a 400 that says to use https://, and the record says so', async () => {
    const proxy = await startProxy({ mode: 'transparent', map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }] });
    const out = await run('curl', ['-sS', `http://${proxy.transparentAddress}/`]);
    expect(out.stdout).toContain('use https://');
    const s = await onlySession(proxy);
    expect(s.error?.code).toBe('NOT_TLS');
    expect(s.error?.message).toContain('plain HTTP');
    expect(s.connections[0].bytesClientToServer).toBeGreaterThan(0);
    await wb.proxies.stop(proxy.id);
  });

  it('a victim that vanishes mid-handshake is recorded as such and the proxy keeps serving', async () => {
    const proxy = await startProxy({ mode: 'transparent', map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }] });
    // openssl s_client sends a real ClientHello; killing it right away leaves the handshake half done.
    await new Promise<void>((resolve) => {
      const child = spawn('openssl', ['s_client', '-connect', proxy.transparentAddress!, '-servername', 'www.example.com'], { stdio: ['pipe', 'pipe', 'pipe'] });
      setImmediate(() => {
        const socket = net.connect(port(proxy.transparentAddress), '127.0.0.1', () => {
          // A victim that sends half a ClientHello and leaves.
          socket.end(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
          child.kill('SIGKILL');
          child.once('exit', () => resolve());
        });
      });
    });
    const s = await onlySession(proxy);
    expect(s.status).toBe('failed');
    expect(['CLOSED_BEFORE_HELLO', 'CLOSED_DURING_HANDSHAKE', 'VICTIM_CLOSED_AFTER_CERTIFICATE']).toContain(s.error?.code);
    expect(s.error?.message).toMatch(/victim/);
    const ok = await curlVia(proxy);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Example Domain');
    await wb.proxies.stop(proxy.id);
  });
  it('a victim that leaves right after its ClientHello, while the proxy reaches the real server, fails at once, not at the handshake timeout', async () => {
    const proxy = await startProxy({ mode: 'transparent', handshakeTimeoutMs: 120_000, map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }] });
    // curl given a CA file it cannot read sends its ClientHello, then gives up and closes.
    const empty = path.join(tmp, 'empty-ca.pem');
    fs.writeFileSync(empty, '');
    const out = await run('curl', ['-sS', '--connect-to', `www.example.com:443:${proxy.transparentAddress}`, '--cacert', empty, 'https://www.example.com/']);
    expect(out.code).not.toBe(0);
    const s = await onlySession(proxy);
    await wb.proxies.stop(proxy.id);
    expect(s.status).toBe('failed');
    const victimLeg = s.connections.find((c) => c.leg === 'proxy-client')!;
    if (victimLeg.bytesServerToClient === 0) {
      expect(s.error?.code).toBe('CLOSED_DURING_HANDSHAKE');
      expect(s.error?.message).toContain('the victim closed the connection after its ClientHello, before the proxy answered it');
    } else {
      // On a loaded machine the proxy's forged flight can leave before curl's close arrives. Then
      // curl's side answers it with a reset, or (if its close came first) the wire looks as a
      // Node client's silent refusal does, which the proxy cannot tell apart.
      expect(['VICTIM_CLOSED_AFTER_CERTIFICATE', 'CLOSED_DURING_HANDSHAKE']).toContain(s.error?.code);
      if (s.error?.code === 'CLOSED_DURING_HANDSHAKE') expect(s.error.message).toContain('the victim reset the connection in the middle of the handshake');
    }
  });

  it('a victim that resets the connection on the proxy\'s first bytes is said to have left unread, not to have refused the certificate', async () => {
    const proxy = await startProxy({ mode: 'transparent', map: [{ host: 'www.example.com', address: `127.0.0.1:${upstream.port}` }] });
    const hello = await nodeClientHello('www.example.com');
    await new Promise<void>((resolve) => {
      const victim = net.connect(port(proxy.transparentAddress), '127.0.0.1', () => victim.write(hello));
      victim.once('data', () => victim.resetAndDestroy());
      victim.on('error', () => {});
      victim.once('close', () => resolve());
    });
    const s = await onlySession(proxy);
    await wb.proxies.stop(proxy.id);
    expect(s.status).toBe('failed');
    expect(s.error?.code).toBe('CLOSED_DURING_HANDSHAKE');
    expect(s.error?.message).toContain('the victim reset the connection in the middle of the handshake, without an alert and before reading all the proxy had sent');
    expect(s.connections.find((c) => c.leg === 'proxy-client')!.bytesServerToClient).toBeGreaterThan(0);
  });
});

describe('tlslab proxy (the CLI contract)', () => {
  it('with an unknown CA it exits non-zero with one clear line', async () => {
    const out = await run(process.execPath, [BIN, '--data-dir', path.join(tmp, 'cli-data'), 'proxy', '--ca', 'Nobody', '--listen', '127.0.0.1:0']);
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^tlslab: there is no certificate or CA named "Nobody"/);
  });

  it('prints one line per connection as it happens, with --json too', async () => {
    const dataDir = path.join(tmp, 'cli-run');
    const cliWb = new Workbench({ dataDir });
    await cliWb.workshop.createCa({ name: 'CLI CA', subject: '/CN=CLI CA' });
    fs.writeFileSync(path.join(tmp, 'cli-ca.pem'), cliWb.workshop.trustAnchorsPem('CLI CA').join(''));
    await cliWb.close();
    const listen = await freePort();
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'proxy', '--ca', 'CLI CA', '--listen', `127.0.0.1:${listen}`, '--map', `www.example.com=127.0.0.1:${upstream.port}`,
      '--upstream-ca', pki.caCert, '--rewrite', 'response:Example Domain=>Owned Domain', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const lines: Record<string, unknown>[] = [];
    const waitFor = (pred: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (pred() ? resolve() : undefined);
        child.stdout.on('data', (d) => {
          stdout += d;
          const parts = stdout.split('\n');
          stdout = parts.pop()!;
          for (const p of parts) lines.push(JSON.parse(p));
          check();
        });
        child.once('exit', (code) => reject(new Error(`tlslab proxy exited ${code}`)));
        check();
      });
    await withDeadline('tlslab proxy --json to print its listening line', waitFor(() => lines.some((l) => l.event === 'listening')));
    const out = await run('curl', ['-sS', '--connect-to', `www.example.com:443:127.0.0.1:${listen}`, '--cacert', path.join(tmp, 'cli-ca.pem'), 'https://www.example.com/']);
    expect(out.stdout).toContain('<title>Owned Domain</title>');
    const connection = await waitUntil('tlslab proxy --json to print the connection line', () => lines.find((l) => l.event === 'connection'));
    expect(connection).toMatchObject({ mode: 'transparent', host: 'www.example.com', upstream: `127.0.0.1:${upstream.port}`, outcome: 'ok', exchanges: 1, rulesFired: 1, upstreamVerified: true });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
