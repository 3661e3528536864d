// The workbench's client refuses a certificate the way clients built on OpenSSL do: with the fatal
// alert that names the problem. Judged by `openssl s_server` (the alert it reports must be the one
// `openssl s_client -verify_return_error` makes it report for the same certificate), by Python's
// ssl server (the lab's server), and by tshark reading the exported capture.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientSessionRequest } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { tshark } from '../support/loopbackCapture';
import { makeTestPki, type TestPki } from '../support/opensslPki';
import { startOpensslServer } from '../support/opensslServer';
import { run, tlslabSync } from '../support/run';
import { waitUntil, withDeadline } from '../support/waitUntil';

let pki: TestPki;
let wb: Workbench;
let tmp: string;

beforeAll(() => {
  pki = makeTestPki('tlslab-refusal-');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-refusal-'));
  wb = new Workbench({ dataDir: path.join(tmp, 'data') });
});

afterAll(async () => {
  await wb?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * What `openssl s_server` reports receiving from one client ("unknown ca", "bad certificate"...), or
 * null. s_server -quiet prints one OpenSSL error line when a handshake ends badly: the alert it was
 * sent, or "unexpected eof" from a client that left without one. That line, not a fixed wait, says
 * the server has seen the end of the connection.
 */
async function alertSeenBy(serverArgs: { cert: string; key: string; extra?: string[] }, client: (port: number) => Promise<unknown>): Promise<string | null> {
  const server = await startOpensslServer(serverArgs.cert, serverArgs.key, ['-quiet', ...(serverArgs.extra ?? [])]);
  try {
    await client(server.port);
    await waitUntil(() => `s_server to report how the handshake ended (it printed: ${JSON.stringify(server.output())})`, () => /:error:/.test(server.output()));
    return /(?:tlsv1|sslv3) alert ([a-z ]+)/i.exec(server.output())?.[1].trim() ?? null;
  } finally {
    await server.stop();
  }
}

function workbenchClient(port: number, overrides: Partial<ClientSessionRequest> = {}) {
  return wb.runClient({
    host: 'www.bank32.com',
    port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file', path: pki.otherCaCert },
    verifyPeer: true,
    checkHostname: true,
    send: { kind: 'none' },
    ...overrides,
  });
}

function opensslClient(port: number, args: string[]) {
  return run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.bank32.com', '-verify_return_error', ...args], { input: '' });
}

describe("the workbench's client sends the alert OpenSSL sends", () => {
  const cases: { name: string; server: () => { cert: string; key: string }; trust: () => string; host?: string; opensslArgs: () => string[]; alert: string }[] = [
    { name: 'an untrusted root', server: () => ({ cert: pki.serverCert, key: pki.serverKey }), trust: () => pki.otherCaCert, opensslArgs: () => ['-CAfile', pki.otherCaCert], alert: 'unknown ca' },
    {
      name: 'a name the certificate does not hold',
      server: () => ({ cert: pki.serverCert, key: pki.serverKey }),
      trust: () => pki.caCert,
      host: 'www.example.com',
      opensslArgs: () => ['-CAfile', pki.caCert, '-verify_hostname', 'www.example.com'],
      alert: 'bad certificate',
    },
    { name: 'an expired certificate', server: () => ({ cert: pki.expiredCert, key: pki.expiredKey }), trust: () => pki.caCert, opensslArgs: () => ['-CAfile', pki.caCert], alert: 'certificate expired' },
  ];

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    for (const c of cases) {
      it(`${version}, ${c.name}: openssl s_server reports the same alert from both clients`, async () => {
        const versionArg = version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2';
        const client: Partial<ClientSessionRequest> = { maxVersion: version, trust: { kind: 'file', path: c.trust() }, ...(c.host ? { host: c.host } : {}) };
        const fromOpenssl = await alertSeenBy(c.server(), (port) => opensslClient(port, [versionArg, ...c.opensslArgs()]));
        expect(fromOpenssl).toBe(c.alert);
        let session = 0;
        const fromWorkbench = await alertSeenBy(c.server(), async (port) => {
          const result = await workbenchClient(port, client);
          expect(result.status).toBe('failed');
          expect(result.verification?.alertSent).toBe(c.alert.replace(' ', '_'));
          session = result.id;
        });
        expect(fromWorkbench).toBe(fromOpenssl);
        const detail = await wb.session(session);
        const note = detail.connections[0].timeline.find((e) => e.kind === 'note' && (e as { text: string }).text.includes('fatal alert'));
        expect((note as { text: string } | undefined)?.text).toContain(`the client sends the fatal alert ${c.alert.replace(' ', '_')}`);
      });
    }
  }

  it('TLS 1.2 with every kind of record protection: AES-GCM, ChaCha20-Poly1305, AES-CBC with and without encrypt-then-MAC', async () => {
    for (const [cipher, extra] of [
      ['ECDHE-RSA-AES128-GCM-SHA256', []],
      ['ECDHE-RSA-CHACHA20-POLY1305', []],
      ['ECDHE-RSA-AES256-SHA384', []],
      ['AES128-SHA', ['-no_etm']],
    ] as const) {
      const alert = await alertSeenBy({ cert: pki.serverCert, key: pki.serverKey, extra: ['-cipher', cipher, ...extra] }, (port) => workbenchClient(port, { maxVersion: 'TLSv1.2' }));
      expect(alert, cipher).toBe('unknown ca');
    }
  });

  it('TLS 1.1 too (sealed with its own PRF); TLS 1.0, whose CBC records chain to each other, closes without one and says why', async () => {
    const legacy = (version: 'TLSv1' | 'TLSv1.1') => ({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' });
    const server = { cert: pki.serverCert, key: pki.serverKey, extra: ['-cipher', 'DEFAULT:@SECLEVEL=0'] };
    expect(await alertSeenBy(server, (port) => workbenchClient(port, legacy('TLSv1.1')))).toBe('unknown ca');
    let session = 0;
    const alert = await alertSeenBy(server, async (port) => {
      const result = await workbenchClient(port, legacy('TLSv1'));
      expect(result.status).toBe('failed');
      expect(result.version).toBe('TLSv1');
      session = result.id;
    });
    expect(alert).toBeNull();
    const detail = await wb.session(session);
    const note = detail.connections[0].timeline.find((e) => e.kind === 'note' && (e as { text: string }).text.includes('verification failed'));
    expect((note as { text: string } | undefined)?.text).toContain('no alert either: TLSv1 chains each CBC record to the one before');
  });
});

const PYTHON_SERVER = `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ctx.maximum_version = ssl.TLSVersion.TLSv1_3 if sys.argv[3] == '1.3' else ssl.TLSVersion.TLSv1_2
listener = socket.create_server(('127.0.0.1', 0))
print(listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
try:
    tls = ctx.wrap_socket(conn, server_side=True)
    tls.recv(100)
    print('no error', flush=True)
except ssl.SSLError as e:
    print(e.reason, flush=True)
except OSError as e:
    print(type(e).__name__, flush=True)
`;

describe("the lab's Python server", () => {
  for (const version of ['1.3', '1.2']) {
    it(`TLS ${version}: Python's ssl reports the client's alert by name`, async () => {
      const child = spawn('python3', ['-c', PYTHON_SERVER, pki.serverCert, pki.serverKey, version], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((r) => child.once('close', r));
      const lines: string[] = [];
      let buffered = '';
      const nextLine = async () => {
        await waitUntil('the Python server to print its port', () => lines.length > 0);
        return lines.shift()!;
      };
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          lines.push(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      });
      const port = Number(await nextLine());
      const result = await workbenchClient(port, { maxVersion: version === '1.3' ? 'TLSv1.3' : 'TLSv1.2' });
      expect(result.status).toBe('failed');
      await withDeadline('the Python server to report how the handshake ended and exit', exited);
      expect(lines).toEqual(['TLSV1_ALERT_UNKNOWN_CA']);
    });
  }
});

describe('the command line', () => {
  it('tlslab client says which alert it sent', async () => {
    const server = await startOpensslServer(pki.serverCert, pki.serverKey, ['-quiet']);
    try {
      const out = tlslabSync(path.join(tmp, 'data'), ['client', `www.bank32.com:${server.port}`, '--connect-to', '127.0.0.1', '--ca', pki.otherCaCert]);
      expect(out.status).not.toBe(0);
      expect(out.stdout).toContain('Verification: not verified: unknown issuer');
      expect(out.stdout).toContain('  refused: the client told the server so with the alert unknown_ca, and closed the connection');
    } finally {
      await server.stop();
    }
  });
});

describe('tshark', () => {
  it("reads the alert in the exported capture: over TLS 1.2 decrypted with the capture's own keys", async () => {
    const server = await startOpensslServer(pki.serverCert, pki.serverKey, ['-www']);
    try {
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        const result = await workbenchClient(server.port, { maxVersion: version });
        const file = path.join(tmp, `refused-${version}.pcapng`);
        const exported = tlslabSync(path.join(tmp, 'data'), ['sessions', 'export', String(result.id), '--format', 'pcapng', '--out', file]);
        expect(exported.status).toBe(0);
        const out = tshark(['-r', file, '-d', `tcp.port==${server.port},tls`, '-Y', 'tls.alert_message', '-T', 'fields', '-e', 'tls.alert_message.level', '-e', 'tls.alert_message.desc']).trim();
        // One alert from the client: fatal (2), unknown_ca (48).
        expect(out, version).toBe('2\t48');
      }
    } finally {
      await server.stop();
    }
  });
});
