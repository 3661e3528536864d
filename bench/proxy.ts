// The man-in-the-middle proxy against mitmproxy, side by side in one run, with the same curl
// client and the same upstream (`openssl s_server -WWW` with its own openssl-made CA):
//   - a 200 MiB download: direct, through the workbench proxy with recording on (default cap),
//     and through `mitmdump --set stream_large_bodies=1m`;
//   - the latency a proxy adds to a small request on a fresh connection, to a new host name
//     (forging included) and to one already forged (cached);
//   - a ceiling: a bare Node TLS-terminating relay (CONNECT, one fixed certificate, no recording,
//     no forging, no HTTP parsing), to show how close to direct any Node relay gets on this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Workbench } from '../src-main/workbench';
import { freePort, waitForPort } from '../test/support/ports';
import { makeUpstreamPki } from '../test/support/proxyPeers';
import { run } from '../test/support/run';
import { cpuMark, cpuSince } from './cpu';
import { median } from './stats';

/** CPU (user + system, ms) a child process has spent so far, from /proc; NaN elsewhere. */
function childCpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const DOWNLOAD_BYTES = 200 * 1024 * 1024;
const LATENCY_SAMPLES = 15;

interface Via {
  name: string;
  /** curl arguments that send the request this way, for https://HOST:PORT/ */
  args(host: string, port: number): string[];
}

async function curl(via: Via, host: string, port: number, file: string): Promise<{ seconds: number; speed: number }> {
  const out = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{time_total} %{speed_download} %{size_download}', ...via.args(host, port), `https://${host}:${port}/${file}`], { timeoutMs: 300_000 });
  if (out.code !== 0) throw new Error(`curl via ${via.name} failed: ${out.stderr.trim()}`);
  const [seconds, speed, size] = out.stdout.trim().split(' ').map(Number);
  if (file === 'big.bin' && size !== DOWNLOAD_BYTES) throw new Error(`curl via ${via.name} got ${size} bytes, not ${DOWNLOAD_BYTES}`);
  return { seconds, speed };
}

const mbps = (bytesPerSecond: number) => `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`;
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;

function spawnPeer(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; output: () => string; stop(): Promise<void> } {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The least a TLS-terminating CONNECT relay in Node does: read the CONNECT head, answer 200, hand
 * the socket to a tls.Server with one fixed certificate, open tls.connect to the upstream and pipe
 * the plaintext both ways. No recording, no forging, no HTTP parsing.
 */
async function startBareRelay(cert: string, key: string, upstreamCa: string, upstreamPort: number): Promise<{ address: string; stop(): Promise<void> }> {
  const ca = fs.readFileSync(upstreamCa);
  const terminator = tls.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (victim) => {
    const upstream = tls.connect({ host: '127.0.0.1', port: upstreamPort, servername: 'www.example.com', ca });
    upstream.setNoDelay(true);
    victim.pipe(upstream).pipe(victim);
    const close = () => {
      victim.destroy();
      upstream.destroy();
    };
    victim.on('error', close);
    upstream.on('error', close);
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (raw) => {
    sockets.add(raw);
    raw.once('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    let head = '';
    const onData = (data: Buffer) => {
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      raw.off('data', onData);
      raw.pause();
      raw.write('HTTP/1.1 200 Connection established\r\n\r\n');
      terminator.emit('connection', raw);
    };
    raw.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function benchProxy(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-proxy-'));
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  fs.writeFileSync(path.join(www, 'big.bin'), Buffer.alloc(DOWNLOAD_BYTES, 0x61));
  fs.writeFileSync(path.join(www, 'small.txt'), 'hello from the real server\n');
  const pki = makeUpstreamPki('DNS:www.example.com,DNS:*.example.com');
  const upstreamPort = await freePort();
  const upstream = spawnPeer('openssl', ['s_server', '-accept', `127.0.0.1:${upstreamPort}`, '-cert', pki.cert, '-key', pki.key, '-WWW', '-quiet'], { cwd: www });
  await waitForPort(upstreamPort);

  const hosts = [...Array(LATENCY_SAMPLES * 2 + 2)].map((_, i) => `h${i}.example.com`);
  const wb = new Workbench({ dataDir: path.join(tmp, 'data') });
  await wb.workshop.createCa({ name: 'Bench CA', subject: '/CN=Bench MITM CA' });
  const wbCa = path.join(tmp, 'wbca.pem');
  fs.writeFileSync(wbCa, wb.workshop.trustAnchorsPem('Bench CA').join(''));
  const proxy = await wb.proxies.start({
    ca: 'Bench CA',
    mode: 'connect',
    connectListen: '127.0.0.1:0',
    map: ['www.example.com', ...hosts].map((host) => ({ host, address: '127.0.0.1' })),
    dns: false,
    upstreamTrust: { kind: 'file', path: pki.caCert },
  });

  // mitmproxy sends CONNECT targets under example.com to 127.0.0.1 (it would ask DNS otherwise).
  const addon = path.join(tmp, 'loopback.py');
  fs.writeFileSync(addon, 'def http_connect(flow):\n    if flow.request.host.endswith("example.com"):\n        flow.request.host = "127.0.0.1"\n');
  const confdir = path.join(tmp, 'mitm');
  const mitmPort = await freePort();
  const mitm = spawnPeer('mitmdump', ['--listen-host', '127.0.0.1', '--listen-port', String(mitmPort), '--set', `confdir=${confdir}`, '--set', 'stream_large_bodies=1m',
    '--set', `ssl_verify_upstream_trusted_ca=${pki.caCert}`, '-s', addon, '-q']);
  // mitmdump (Python) takes most of a second to listen here; one that exits has said why.
  const exited = new Promise<string>((resolve) => mitm.child.once('exit', (code, signal) => resolve(`it exited (${signal ?? `code ${code}`})`)).once('error', (err) => resolve(err.message)));
  const failed = await Promise.race([waitForPort(mitmPort, '127.0.0.1', 30_000).then(() => null, () => 'it did not listen within 30 s'), exited]);
  const mitmOk = failed === null;
  if (!mitmOk) console.log(`mitmdump did not start: ${failed}. ${mitm.output().slice(0, 400)}`);

  const relay = await startBareRelay(pki.cert, pki.key, pki.caCert, upstreamPort);

  const direct: Via = { name: 'direct', args: (host, port) => ['--cacert', pki.caCert, '--resolve', `${host}:${port}:127.0.0.1`] };
  const workbench: Via = { name: 'workbench proxy', args: () => ['-x', `http://${proxy.connectAddress}`, '--cacert', wbCa] };
  const mitmproxy: Via = { name: 'mitmproxy', args: () => ['-x', `http://127.0.0.1:${mitmPort}`, '--cacert', path.join(confdir, 'mitmproxy-ca-cert.pem')] };
  const bare: Via = { name: 'bare Node relay (no recording)', args: () => ['-x', `http://${relay.address}`, '--cacert', pki.caCert] };
  const vias = [direct, workbench, ...(mitmOk ? [mitmproxy] : []), bare];

  try {
    // Warm up every path once (imports, mitmproxy's CA, the first forged leaf key).
    for (const via of vias) await curl(via, 'www.example.com', upstreamPort, 'small.txt');

    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    console.log(`download of ${DOWNLOAD_BYTES / 1048576} MiB (curl, median of ${rounds}, alternating):`);
    const all = new Map<string, number[]>(vias.map((v) => [v.name, []]));
    const cpuOf = new Map<string, number>(vias.map((v) => [v.name, 0]));
    for (let round = 0; round < rounds; round++) {
      for (const via of vias) {
        const mitmBefore = childCpuMs(mitm.child.pid);
        const mark = await cpuMark([wb.writer]);
        const result = await curl(via, 'www.example.com', upstreamPort, 'big.bin');
        await wb.writer.written();
        const spent = await cpuSince(mark, [wb.writer]);
        all.get(via.name)!.push(result.speed);
        const cpu = via === mitmproxy ? childCpuMs(mitm.child.pid) - mitmBefore : via === workbench || via === bare ? spent.cpuMs : 0;
        cpuOf.set(via.name, cpuOf.get(via.name)! + cpu);
      }
    }
    const speeds = new Map<string, number>();
    for (const via of vias) {
      const values = all.get(via.name)!;
      speeds.set(via.name, median(values));
      const cpu = via === direct ? '' : `  proxy process CPU ${(cpuOf.get(via.name)! / ((DOWNLOAD_BYTES / 1e6) * rounds)).toFixed(2)} ms/MB`;
      console.log(`  ${via.name.padEnd(16)} ${mbps(median(values))}  [${values.map((v) => (v / 1e6).toFixed(0)).join(' ')}]${cpu}`);
    }
    console.log(`  bare Node relay (no recording) / direct = ${(speeds.get(bare.name)! / speeds.get('direct')!).toFixed(2)} (the ceiling for a TLS-terminating relay in Node here)`);
    const ours = speeds.get('workbench proxy')!;
    console.log(`  workbench proxy / direct = ${(ours / speeds.get('direct')!).toFixed(2)} (target >= 0.5)`);
    if (mitmOk) console.log(`  workbench proxy / mitmproxy = ${(ours / speeds.get('mitmproxy')!).toFixed(2)} (target >= 1.5)`);
    const big = wb.listSessions(10).find((s) => s.kind === 'proxy');
    if (big) {
      const detail = await wb.session(big.id);
      const victimLeg = detail.connections[0];
      console.log(`  recorded on the victim leg: ${(victimLeg.recordedServerToClient / 1048576).toFixed(0)} MiB of ${(victimLeg.bytesServerToClient / 1048576).toFixed(0)} MiB (default cap 64 MiB each way, each leg)`);
    }

    console.log(`latency of a small request on a fresh connection (median of ${LATENCY_SAMPLES}):`);
    const directTimes: number[] = [];
    // Spawning curl costs the bench process CPU too; measured on direct requests and taken off the workbench's figure.
    const spawnMark = await cpuMark();
    for (let i = 0; i < LATENCY_SAMPLES; i++) directTimes.push((await curl(direct, 'www.example.com', upstreamPort, 'small.txt')).seconds);
    const spawnCpu = (await cpuSince(spawnMark)).cpuMs / LATENCY_SAMPLES;
    const base = median(directTimes);
    console.log(`  direct                       ${ms(base)}`);
    const proxies = [workbench, ...(mitmOk ? [mitmproxy] : [])];
    // Alternating sample by sample, so that a burst of load on this shared machine hits both proxies.
    const fresh = new Map<string, number[]>(proxies.map((v) => [v.name, []]));
    const cached = new Map<string, number[]>(proxies.map((v) => [v.name, []]));
    const cpuPer = new Map<string, { fresh: number; cached: number }>(proxies.map((v) => [v.name, { fresh: 0, cached: 0 }]));
    const sample = async (via: Via, host: string, into: Map<string, number[]>, kind: 'fresh' | 'cached') => {
      const mitmBefore = childCpuMs(mitm.child.pid);
      const mark = await cpuMark([wb.writer]);
      into.get(via.name)!.push((await curl(via, host, upstreamPort, 'small.txt')).seconds);
      const spent = via === workbench ? (await wb.writer.written(), (await cpuSince(mark, [wb.writer])).cpuMs - spawnCpu) : childCpuMs(mitm.child.pid) - mitmBefore;
      cpuPer.get(via.name)![kind] += spent / LATENCY_SAMPLES;
    };
    for (let i = 0; i < LATENCY_SAMPLES; i++) for (const [index, via] of proxies.entries()) await sample(via, hosts[index * LATENCY_SAMPLES + i], fresh, 'fresh');
    for (let i = 0; i < LATENCY_SAMPLES; i++) for (const via of proxies) await sample(via, 'www.example.com', cached, 'cached');
    for (const via of proxies) {
      const f = median(fresh.get(via.name)!);
      const c = median(cached.get(via.name)!);
      const cpu = cpuPer.get(via.name)!;
      console.log(`  ${via.name.padEnd(16)} new host  ${ms(f)} (adds ${ms(f - base)})  proxy process CPU ${cpu.fresh.toFixed(1)} ms/connection`);
      console.log(`  ${via.name.padEnd(16)} cached    ${ms(c)} (adds ${ms(c - base)})  proxy process CPU ${cpu.cached.toFixed(1)} ms/connection`);
    }
  } finally {
    await mitm.stop();
    await relay.stop();
    await wb.close();
    await upstream.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
