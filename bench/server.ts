// What recording costs the server: handshakes per second (TLS 1.3, RSA 2048 and P-256) and a
// 100 MB download, the workbench's recording server against a bare Node TLS server and
// `openssl s_server -WWW`, driven by the same load generator (its own process), in one run. Both
// parts also run the bare server over the byte tap alone, as the ceiling any recorder on Node's
// TLS can reach; the handshakes also run it with the workbench server's TLS settings and every
// byte and key log line kept in one file, the floor of any recorder that keeps each connection's
// bytes and keys; the download runs it with each byte written to a file as recordings are, the
// floor of any recorder that keeps every byte.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import net, { type AddressInfo } from 'node:net';
import { ByteTap } from '../src-main/sessions/byteTap';
import { streamFile } from '../src-main/sessions/serverResponders';
import { Workbench } from '../src-main/workbench';
import { run } from '../test/support/run';
import { freePort, waitForPort } from '../test/support/ports';
import { makeServerPki } from '../test/support/serverPki';
import { cpuMark, cpuSince, type CpuSpent } from './cpu';
import { floorFile } from './floorFile';
import { floorLog } from './floorLog';
import { pageCacheText } from './pageCache';
import { median } from './stats';

const HANDSHAKES = 1500;
/** Load before the measured rounds (BENCH_WARM_UP overrides; 2,000 measured no different from 300). */
const WARM_UP_HANDSHAKES = Number(process.env.BENCH_WARM_UP ?? 300);
const CONCURRENCY = 16;
const DOWNLOAD_BYTES = 100 * 1024 * 1024;
const LOAD = path.resolve('test/support/tlsLoad.mjs');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** BENCH_PART=handshakes or download runs only that half. */
const PART = process.env.BENCH_PART ?? 'all';

/**
 * Runs the load against every target in turn, ROUNDS times alternating; wall median and CPU sum.
 * Each target first gets one unmeasured load (`warmUp`), so that no round measures code that has
 * not been compiled yet: the recorder's code is cold until its first sessions, Node's TLS is not.
 */
async function rounds(targets: Target[], args: (t: Target) => string[], value: (r: Record<string, number>) => number, writers: Workbench[], warmUp = args): Promise<{ values: number[][]; cpu: CpuSpent[] }> {
  const values: number[][] = targets.map(() => []);
  const cpu: CpuSpent[] = targets.map(() => ({ wallMs: 0, cpuMs: 0, mainMs: 0, writerMs: 0 }));
  for (const t of targets) await load(warmUp(t));
  for (const w of writers) await w.writer.written();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) {
      const ws = writers.map((w) => w.writer);
      const mark = await cpuMark(ws);
      const r = await load(args(t));
      for (const w of ws) await w.written();
      const spent = await cpuSince(mark, ws);
      if (r.failed) console.log(`  (${t.name}: ${r.failed} failed)`);
      values[i].push(value(r));
      cpu[i].wallMs += spent.wallMs;
      cpu[i].cpuMs += spent.cpuMs;
      cpu[i].mainMs += spent.mainMs;
      cpu[i].writerMs += spent.writerMs;
    }
  }
  return { values, cpu };
}

interface Target {
  name: string;
  port: number;
  stop(): Promise<void>;
}

async function load(args: string[]): Promise<Record<string, number>> {
  const out = await run(process.execPath, [LOAD, ...args], { timeoutMs: 600_000 });
  if (out.code !== 0) throw new Error(`load generator failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as Record<string, number>;
}

/**
 * Answers like the recording server, without recording: the page, or big.bin read from the same
 * file with the workbench's own file streaming (so that neither reading the disk nor how it is
 * read counts as recording's cost), then close.
 */
function answerHello(socket: tls.TLSSocket, big: string): void {
  socket.on('error', () => undefined);
  let head = '';
  socket.on('data', (d: Buffer) => {
    head += d.toString('latin1');
    if (!head.includes('\r\n\r\n')) return;
    socket.removeAllListeners('data');
    if (head.startsWith('GET /big.bin')) {
      const size = fs.statSync(big).size;
      socket.write(`HTTP/1.0 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      streamFile(socket, big, size, () => socket.end());
      return;
    }
    const body = Buffer.from('<p>hello</p>');
    socket.write(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.end(body);
  });
}

async function listening(name: string, server: net.Server): Promise<Target> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { name, port: (server.address() as AddressInfo).port, stop: () => new Promise((r) => server.close(() => r())) };
}

async function bareNode(cert: string, key: string, chain: string | undefined, big: string): Promise<Target> {
  const certPem = fs.readFileSync(cert, 'utf8') + (chain ? fs.readFileSync(chain, 'utf8') : '');
  return listening('bare Node TLS server', tls.createServer({ cert: certPem, key: fs.readFileSync(key) }, (socket) => answerHello(socket, big)));
}

/**
 * The ceiling for any recorder built on Node's TLS: the bare server, but with its TLS socket over
 * the workbench's byte tap (the only way Node hands out the bytes under TLS), every byte seen and
 * dropped. No rows, no session, no database.
 */
async function tapOnly(cert: string, key: string, chain: string | undefined, big: string): Promise<Target> {
  const certPem = fs.readFileSync(cert, 'utf8') + (chain ? fs.readFileSync(chain, 'utf8') : '');
  const secureContext = tls.createSecureContext({ cert: certPem, key: fs.readFileSync(key) });
  return listening(
    'byte tap only, nothing recorded (ceiling)',
    net.createServer((raw) => {
      raw.on('error', () => undefined);
      const tap = new ByteTap(raw, { observe: () => undefined, closed: () => undefined });
      const socket = new tls.TLSSocket(tap, { isServer: true, secureContext });
      socket.on('end', () => socket.end());
      answerHello(socket, big);
    }),
  );
}

/**
 * The floor for any recorder that keeps every byte: the tap, and each chunk written to a file as
 * recordings are (floorFile.ts), with no timestamps, rows or database. The files stay until the
 * target stops, as a recorder's do.
 */
async function tapAndFile(cert: string, key: string, big: string): Promise<Target> {
  const secureContext = tls.createSecureContext({ cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key) });
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-srv-floor-'));
  let connections = 0;
  const target = await listening(
    'byte tap + recording files (floor)',
    net.createServer((raw) => {
      raw.on('error', () => undefined);
      const file = floorFile(path.join(folder, `${connections++}.bin`));
      const tap = new ByteTap(raw, {
        observe: (_direction, data) => file.observe(data),
        closed: () => void file.close(),
      });
      const socket = new tls.TLSSocket(tap, { isServer: true, secureContext });
      socket.on('end', () => socket.end());
      answerHello(socket, big);
    }),
  );
  return removingFolder(target, folder);
}

/**
 * The floor for a recorder that keeps each connection's bytes and keys: the tap, the TLS settings
 * the workbench server uses (sessions/tlsServer.ts: ticket keys, session id context, server cipher
 * order, DH parameters, ALPN), and each chunk and key log line queued into one shared file
 * (floorLog.ts). No sessions, events or rows.
 */
async function tapAndLog(cert: string, key: string, chain: string | undefined, big: string): Promise<Target> {
  const certPem = fs.readFileSync(cert, 'utf8') + (chain ? fs.readFileSync(chain, 'utf8') : '');
  const secureContext = tls.createSecureContext({ cert: certPem, key: fs.readFileSync(key), dhparam: 'auto', honorCipherOrder: true, secureOptions: 0, sessionIdContext: 'tlslab-bench' });
  secureContext.context.setTicketKeys(crypto.randomBytes(48));
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-srv-log-'));
  const log = floorLog(path.join(folder, 'connections.bin'));
  const target = await listening(
    'tap + bytes and keys in one file (floor)',
    net.createServer({ noDelay: true }, (raw) => {
      raw.on('error', () => undefined);
      const keep = log.connection();
      const tap = new ByteTap(raw, {
        observe: (direction, data) => keep(direction === 'inbound' ? 'client-to-server' : 'server-to-client', data),
        closed: () => keep('closed'),
      });
      const socket = new tls.TLSSocket(tap, { isServer: true, secureContext, ALPNProtocols: ['http/1.1', 'http/1.0'] });
      socket.on('keylog', (line: Buffer) => keep('keylog', line));
      socket.on('end', () => socket.end());
      answerHello(socket, big);
    }),
  );
  return removingFolder(target, folder, () => log.close());
}

/** The target, stopping which also ends what it kept (`close`) and removes its folder, as a recorder's data goes when it is done. */
function removingFolder(target: Target, folder: string, close?: () => Promise<void>): Target {
  return {
    ...target,
    stop: async () => {
      await target.stop();
      await close?.();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function opensslServer(cert: string, key: string, chain: string | undefined, www: string): Promise<Target> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, ...(chain ? ['-cert_chain', chain] : []), '-WWW', '-quiet'], { cwd: www, stdio: 'ignore' });
  await waitForPort(port);
  return {
    name: 'openssl s_server -WWW',
    port,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function recording(wb: Workbench, cert: string, key: string, chain: string | undefined, www: string, name: string): Promise<Target> {
  const info = await wb.servers.start({ port: 0, identity: { kind: 'files', certPath: cert, keyPath: key, chainPath: chain }, responder: { kind: 'dir', path: www } });
  return { name, port: info.port, stop: async () => void (await wb.servers.stop(info.id)) };
}

/**
 * One target's line: its median, and its share of bare Node as the median of the rounds' shares
 * (each round runs every target side by side), then each round's share, so that the spread of a
 * shared 2-core machine shows next to the figure.
 */
function row(name: string, values: number[], unit: string, bare: number[], cpu: CpuSpent, per: number, perUnit: string): string {
  const value = median(values);
  const shares = values.map((v, round) => v / bare[round]);
  const share = median(shares);
  const inProcess = name.startsWith('openssl') ? '' : `  CPU ms/${perUnit}: ${(cpu.cpuMs / per).toFixed(3)} (main ${(cpu.mainMs / per).toFixed(3)}${cpu.writerMs > 0 ? `, writer ${(cpu.writerMs / per).toFixed(3)}` : ''})`;
  return `  ${name.padEnd(42)} ${value.toFixed(1).padStart(9)} ${unit}  ${(share * 100).toFixed(0).padStart(4)}% of bare Node  [rounds ${shares.map((s) => (s * 100).toFixed(0)).join(' ')}%]${inProcess}`;
}

export async function benchServer(): Promise<void> {
  const pki = await makeServerPki();
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-srv-www-'));
  const big = path.join(www, 'big.bin');
  fs.writeFileSync(big, Buffer.alloc(DOWNLOAD_BYTES, 0x61));
  fs.writeFileSync(path.join(www, 'index.html'), '<p>hello</p>');
  const wb = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-srv-data-')) });
  const uncapped = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-srv-data-')), recordCapBytes: 0 });
  try {
    for (const [label, id] of PART === 'download' ? [] : ([['RSA 2048', pki.rsa], ['ECDSA P-256', pki.ecdsa]] as const)) {
      const chain = 'chain' in id ? id.chain : undefined;
      console.log(`handshakes per second, TLS 1.3, ${label} (${HANDSHAKES} handshakes, ${CONCURRENCY} at a time):`);
      const targets = [
        await bareNode(id.cert, id.key, chain, big),
        await tapOnly(id.cert, id.key, chain, big),
        await tapAndLog(id.cert, id.key, chain, big),
        await recording(wb, id.cert, id.key, chain, www, 'recording workbench server'),
        await opensslServer(id.cert, id.key, chain, www),
      ];
      const handshakes = (count: number) => (t: Target) => ['handshakes', '127.0.0.1', String(t.port), String(CONCURRENCY), String(count)];
      const { values, cpu } = await rounds(targets, handshakes(HANDSHAKES), (r) => r.perSecond, [wb], handshakes(WARM_UP_HANDSHAKES));
      targets.forEach((t, i) => console.log(row(t.name, values[i], 'hs/s', values[0], cpu[i], HANDSHAKES * ROUNDS, 'handshake')));
      for (const t of targets) await t.stop();
    }
    if (PART === 'handshakes') return;

    console.log('100 MB download over TLS 1.3 (RSA 2048), one connection:');
    const id = pki.rsa;
    const targets = [
      await bareNode(id.cert, id.key, undefined, big),
      await tapOnly(id.cert, id.key, undefined, big),
      await tapAndFile(id.cert, id.key, big),
      await recording(wb, id.cert, id.key, undefined, www, 'recording server (64 MiB cap, default)'),
      await recording(uncapped, id.cert, id.key, undefined, www, 'recording server (no cap: all 100 MB kept)'),
      await opensslServer(id.cert, id.key, undefined, www),
    ];
    const { values, cpu } = await rounds(targets, (t) => ['download', '127.0.0.1', String(t.port), '/big.bin'], (r) => {
      if (r.bytes < DOWNLOAD_BYTES) console.log(`  (only ${r.bytes} bytes)`);
      return r.megabytesPerSecond;
    }, [wb, uncapped]);
    targets.forEach((t, i) => console.log(row(t.name, values[i], 'MB/s', values[0], cpu[i], (DOWNLOAD_BYTES / 1e6) * ROUNDS, 'MB')));
    console.log(`  ${await pageCacheText(DOWNLOAD_BYTES, (DOWNLOAD_BYTES / 1048576 / median(values[0])) * 1000)}`);
    for (const t of targets) await t.stop();
  } finally {
    await wb.close();
    await uncapped.close();
  }
}
