// The peers around the proxy: a "real" upstream HTTPS server in Python with its own CA made by
// the openssl command line (the workbench makes neither), which logs every request it receives.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PkiKeyType } from '../../src-main/api/pkiTypes';
import type { ProxyConfig, ProxyInfo } from '../../src-main/api/proxyTypes';
import type { SessionDetail } from '../../src-main/api/types';
import { Workbench } from '../../src-main/workbench';
import { waitUntil } from './waitUntil';

export interface UpstreamPki {
  dir: string;
  /** The upstream's own CA (what --upstream-ca trusts). */
  caCert: string;
  /** www.example.com (and example.com), O=Example Inc, signed by caCert. */
  cert: string;
  key: string;
  /** www.example.com signed by a CA nobody trusts: the "invalid upstream certificate". */
  strangerCert: string;
  strangerKey: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `sans` are the names of the upstream's certificate (a wildcard lets benchmarks use many host names). */
export function makeUpstreamPki(sans = 'DNS:www.example.com,DNS:example.com'): UpstreamPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-upstream-pki-'));
  const f = (name: string) => path.join(dir, name);
  const ca = (name: string, subject: string) => {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', f(`${name}.key`), '-out', f(`${name}.crt`)]);
  };
  const leaf = (name: string, caName: string) => {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/C=US/O=Example Inc/CN=www.example.com', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`)]);
    fs.writeFileSync(f(`${name}.ext`), `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
    openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${caName}.crt`), '-CAkey', f(`${caName}.key`), '-CAcreateserial', '-sha256', '-days', '365', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`)]);
    fs.chmodSync(f(`${name}.key`), 0o600);
  };
  ca('upstream-ca', '/O=Example Trust Services/CN=Example Upstream Root CA');
  ca('stranger-ca', '/O=Nobody/CN=Stranger Root CA');
  leaf('www', 'upstream-ca');
  leaf('stranger', 'stranger-ca');
  return { dir, caCert: f('upstream-ca.crt'), cert: f('www.crt'), key: f('www.key'), strangerCert: f('stranger.crt'), strangerKey: f('stranger.key') };
}

const UPSTREAM_PY = String.raw`
import http.server, json, socketserver, ssl, sys, time
cert, key = sys.argv[1], sys.argv[2]
PAGE = '<!doctype html><html><head><title>Example Domain</title><link rel="stylesheet" href="/style.css"><script src="/app.js"></script></head><body><h1>Example Domain</h1><p>Learn cybersecurity at www.example.com.</p><img src="/logo.svg" alt="logo"><img src="/pixel.svg" alt="pixel"></body></html>'
ASSETS = {'/style.css': ('text/css', 'h1 { color: #036; }'), '/app.js': ('text/javascript', 'document.title = document.title;'),
          '/logo.svg': ('image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'),
          '/pixel.svg': ('image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')}
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *args): pass
    def log_request_seen(self, body=b''):
        sys.stdout.write(json.dumps({'line': self.requestline, 'host': self.headers.get('Host'), 'body': body.decode('latin1')}) + '\n')
        sys.stdout.flush()
    def send_body(self, ctype, data, chunked=False):
        self.send_response(200)
        self.send_header('Content-Type', ctype)
        if chunked:
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            for i in range(0, len(data), 7):
                part = data[i:i+7]
                self.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
            self.wfile.write(b'0\r\n\r\n')
        else:
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)
    def do_GET(self):
        self.log_request_seen()
        path = self.path.split('?')[0]
        if path in ASSETS:
            return self.send_body(ASSETS[path][0], ASSETS[path][1].encode())
        if path.startswith('/slow/'):
            time.sleep(int(path[len('/slow/'):]) / 1000)
            return self.send_body('text/plain', b'slow answer')
        if path.startswith('/bytes/'):
            n = int(path[len('/bytes/'):])
            self.send_response(200)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(n))
            self.end_headers()
            block = b'x' * 65536
            while n > 0:
                self.wfile.write(block[:min(n, len(block))])
                n -= len(block)
            return
        body = (PAGE + '<!-- path ' + self.path + ' -->').encode()
        self.send_body('text/html; charset=utf-8', body, chunked=(path == '/chunked'))
    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(n)
        self.log_request_seen(body)
        self.send_body('text/plain', b'received: ' + body)
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 512
server = Server(('127.0.0.1', 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
class Handshaking(Handler):
    def setup(self):
        self.request.do_handshake()
        super().setup()
server.RequestHandlerClass = Handshaking
print(json.dumps({'port': server.server_address[1]}), flush=True)
server.serve_forever()
`;

export interface LoggedRequest {
  line: string;
  host: string | null;
  body: string;
}

export interface PythonUpstream {
  port: number;
  /** Every request the upstream received, as it logged it. */
  requests(): LoggedRequest[];
  stop(): Promise<void>;
}

/** An HTTPS server in Python on 127.0.0.1 (a free port), serving a page with several resources. */
export function startPythonUpstream(cert: string, key: string): Promise<PythonUpstream> {
  const child: ChildProcess = spawn('python3', ['-c', UPSTREAM_PY, cert, key], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logged: LoggedRequest[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let buffered = '';
    let port = 0;
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const value = JSON.parse(line) as { port?: number } & LoggedRequest;
        if (value.port && !port) {
          port = value.port;
          resolve({
            port,
            requests: () => [...logged],
            stop: () =>
              new Promise<void>((done) => {
                if (child.exitCode !== null) return done();
                child.once('exit', () => done());
                child.kill('SIGTERM');
              }),
          });
        } else logged.push(value);
      }
    });
    child.once('exit', (code) => {
      if (!port) reject(new Error(`the Python upstream exited (${code}): ${stderr}`));
    });
  });
}

/** The finished sessions of one proxy, once recorded; waits for `count` of them. */
export async function finishedProxySessions(wb: Workbench, proxy: ProxyInfo, count = 1): Promise<SessionDetail[]> {
  let seen = 0;
  return waitUntil(
    () => `${count} finished session(s) of proxy ${proxy.id} (${seen} recorded)`,
    async () => {
      const found = wb.listSessions(1000).filter((s) => s.kind === 'proxy' && s.status !== 'running');
      const details = await Promise.all(found.map((s) => wb.session(s.id)));
      const mine = details.filter((d) => d.proxy?.proxyId === proxy.id);
      seen = mine.length;
      return mine.length >= count ? mine : null;
    },
  );
}

/** What a proxy test stands on: a workbench that forges, and the "real" site behind the proxy. */
export interface ProxyLab {
  tmp: string;
  wb: Workbench;
  /** The upstream's PKI (its own CA, made by openssl). */
  pki: UpstreamPki;
  /** www.example.com, served by Python over TLS. */
  upstream: PythonUpstream;
  /** The forging CA's certificate as a PEM file, for victims that trust it. */
  wbCa: string;
  close(): Promise<void>;
}

/** A workbench in a fresh folder with the forging CA "Lab MITM CA", and the upstream running. */
export async function openProxyLab(prefix: string, caKey?: PkiKeyType): Promise<ProxyLab> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Lab MITM CA', subject: '/O=TLS Lab/CN=Lab MITM CA', ...(caKey ? { key: caKey } : {}) });
  const wbCa = path.join(tmp, 'wbca.pem');
  fs.writeFileSync(wbCa, wb.workshop.trustAnchorsPem('Lab MITM CA').join(''));
  const pki = makeUpstreamPki();
  const upstream = await startPythonUpstream(pki.cert, pki.key);
  return {
    tmp,
    wb,
    pki,
    upstream,
    wbCa,
    async close() {
      await wb.close();
      await upstream.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * A proxy of the lab: both modes on free loopback ports, forging with "Lab MITM CA", trusting the
 * upstream's CA, and (unless `mapUpstream` is false) sending www.example.com to the upstream.
 */
export function startLabProxy(lab: ProxyLab, config: Partial<ProxyConfig> = {}, { mapUpstream = true }: { mapUpstream?: boolean } = {}): Promise<ProxyInfo> {
  return lab.wb.proxies.start({
    ca: 'Lab MITM CA',
    mode: 'both',
    listen: '127.0.0.1:0',
    connectListen: '127.0.0.1:0',
    ...(mapUpstream ? { map: [{ host: 'www.example.com', address: `127.0.0.1:${lab.upstream.port}` }] } : {}),
    upstreamTrust: { kind: 'file', path: lab.pki.caCert },
    ...config,
  });
}

/** The port of "127.0.0.1:8443". */
export const portOf = (address: string | null): number => Number(address!.split(':').pop());
