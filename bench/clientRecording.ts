// What recording costs the client: handshakes per second and a 100 MB download, the workbench's
// recorded client against a plain Node TLS client, same openssl s_server, same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { ByteTap } from '../src-main/sessions/byteTap';
import { Workbench } from '../src-main/workbench';
import { makeTestPki } from '../test/support/opensslPki';
import { startOpensslServer } from '../test/support/opensslServer';
import { cpuMark, cpuSince, cpuText, type CpuSpent } from './cpu';
import { median } from './stats';

/** Handshakes per block; plain and recorded blocks alternate, 2 x ROUNDS pairs in all. */
const HANDSHAKES = 150;
const DOWNLOAD_BYTES = 100 * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function addSpent(total: CpuSpent, spent: CpuSpent): void {
  total.wallMs += spent.wallMs;
  total.cpuMs += spent.cpuMs;
  total.mainMs += spent.mainMs;
  total.writerMs += spent.writerMs;
}
const noSpent = (): CpuSpent => ({ wallMs: 0, cpuMs: 0, mainMs: 0, writerMs: 0 });

function plainHandshake(port: number, ca: string, maxVersion: tls.SecureVersion): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'www.bank32.com', ca, maxVersion });
    s.once('secureConnect', () => {
      // Do what the recorded client does: in TLS 1.3 wait for the server's first session ticket
      // (so the timeline can show it), in TLS 1.2 close at once.
      if (s.getProtocol() === 'TLSv1.3') s.once('session', () => setImmediate(() => s.end()));
      else s.end();
    });
    s.on('data', () => undefined);
    s.once('close', () => resolve());
    s.once('error', reject);
  });
}

/**
 * The floor for any recorder that keeps every byte: the plain client over the same byte tap the
 * workbench uses, each chunk appended to a file as it passes (no timestamps, no rows, no database).
 */
function appendingTap(port: number, fd: number): ByteTap {
  return new ByteTap(net.connect({ host: '127.0.0.1', port }), {
    observe: (_direction, data) => void fs.writeSync(fd, data),
    closed: () => undefined,
  });
}

function plainDownload(port: number, ca: string, appendTo?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const fd = appendTo ? fs.openSync(appendTo, 'a', 0o600) : -1;
    const socket = appendTo ? appendingTap(port, fd) : undefined;
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'www.bank32.com', ca, socket });
    s.once('secureConnect', () => s.write('GET /big.bin HTTP/1.0\r\nHost: www.bank32.com\r\n\r\n'));
    s.on('data', (d: Buffer) => (bytes += d.length));
    s.once('end', () => s.end());
    s.once('close', () => {
      if (fd >= 0) fs.closeSync(fd);
      resolve(bytes);
    });
    s.once('error', reject);
  });
}

export async function benchClientRecording(): Promise<void> {
  const pki = makeTestPki('tlslab-bench-');
  const ca = fs.readFileSync(pki.caCert, 'utf8');
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-www-'));
  fs.writeFileSync(path.join(www, 'big.bin'), Buffer.alloc(DOWNLOAD_BYTES, 0x61));
  // s_server -WWW serves files relative to its working directory.
  const served = await startServerIn(www, pki.serverCert, pki.serverKey);
  const uncapped = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-data-')), recordCapBytes: 0 });
  const capped = new Workbench({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-data-')) });
  const request = (send: 'none' | 'get', maxVersion: 'TLSv1.2' | 'TLSv1.3') => ({
    host: 'www.bank32.com',
    port: served.port,
    connectTo: '127.0.0.1',
    trust: { kind: 'file' as const, path: pki.caCert },
    verifyPeer: true,
    checkHostname: true,
    maxVersion,
    send: send === 'none' ? { kind: 'none' as const } : { kind: 'http-get' as const, path: '/big.bin' },
    timeoutMs: 60_000,
  });
  try {
    const failed = () => uncapped.listSessions(100_000).filter((x) => x.status !== 'ok').length;
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const plainRates: number[] = [];
      const recordedRates: number[] = [];
      const plainCpu = noSpent();
      const recordedCpu = noSpent();
      const plainBlock = async () => {
        const mark = await cpuMark();
        for (let i = 0; i < HANDSHAKES; i++) await plainHandshake(served.port, ca, version);
        const spent = await cpuSince(mark);
        addSpent(plainCpu, spent);
        plainRates.push(HANDSHAKES / (spent.wallMs / 1000));
      };
      const recordedBlock = async () => {
        const mark = await cpuMark([uncapped.writer]);
        // One session after another, as a plain client runs them; the recorder stores each while
        // the next runs, and the time to store the last one is counted.
        for (let i = 0; i < HANDSHAKES; i++) {
          await uncapped.recordClient(request('none', version), { stored: false });
        }
        await uncapped.writer.written();
        const spent = await cpuSince(mark, [uncapped.writer]);
        addSpent(recordedCpu, spent);
        recordedRates.push(HANDSHAKES / (spent.wallMs / 1000));
      };
      // Pairs side by side, in alternating order, so that both halves of a pair see the same
      // machine; the cost is the median over the pairs.
      for (let pair = 0; pair < 2 * ROUNDS; pair++) {
        if (pair % 2 === 0) {
          await plainBlock();
          await recordedBlock();
        } else {
          await recordedBlock();
          await plainBlock();
        }
      }
      if (failed() > 0) throw new Error(`${failed()} recorded handshakes failed`);
      const p = median(plainRates);
      const r = median(recordedRates);
      const pairCosts = plainRates.map((plainRate, i) => (1 - recordedRates[i] / plainRate) * 100);
      console.log(`handshakes/s ${version}: plain Node ${p.toFixed(0)}, recorded ${r.toFixed(0)}  -> recording costs ${median(pairCosts).toFixed(1)}% (median of ${pairCosts.length} side-by-side pairs: ${pairCosts.map((x) => x.toFixed(0)).join(' ')})`);
      console.log(`  pairs: plain ${plainRates.map((x) => x.toFixed(0)).join(' ')}, recorded ${recordedRates.map((x) => x.toFixed(0)).join(' ')}`);
      console.log(`  plain    ${cpuText(plainCpu, HANDSHAKES * 2 * ROUNDS, 'handshake')}`);
      console.log(`  recorded ${cpuText(recordedCpu, HANDSHAKES * 2 * ROUNDS, 'handshake')}  -> CPU +${((recordedCpu.cpuMs / plainCpu.cpuMs - 1) * 100).toFixed(0)}%`);
    }
    const plain: number[] = [];
    const floor: number[] = [];
    const recorded: number[] = [];
    const recordedCapped: number[] = [];
    const cpu = { plain: noSpent(), floor: noSpent(), recorded: noSpent(), capped: noSpent() };
    const floorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-floor-'));
    const MB = DOWNLOAD_BYTES / 1e6;
    for (let round = 0; round < ROUNDS; round++) {
      let mark = await cpuMark();
      const bytes = await plainDownload(served.port, ca);
      let spent = await cpuSince(mark);
      addSpent(cpu.plain, spent);
      plain.push(bytes / (spent.wallMs / 1000) / 1e6);
      mark = await cpuMark();
      const floorBytes = await plainDownload(served.port, ca, path.join(floorDir, `${round}.bin`));
      spent = await cpuSince(mark);
      addSpent(cpu.floor, spent);
      floor.push(floorBytes / (spent.wallMs / 1000) / 1e6);
      mark = await cpuMark([uncapped.writer]);
      const s = uncapped.sessions.getSession(await uncapped.recordClient(request('get', 'TLSv1.3')));
      await uncapped.writer.written();
      spent = await cpuSince(mark, [uncapped.writer]);
      addSpent(cpu.recorded, spent);
      recorded.push((s?.response?.bytes ?? 0) / (spent.wallMs / 1000) / 1e6);
      mark = await cpuMark([capped.writer]);
      const c = capped.sessions.getSession(await capped.recordClient(request('get', 'TLSv1.3')));
      await capped.writer.written();
      spent = await cpuSince(mark, [capped.writer]);
      addSpent(cpu.capped, spent);
      recordedCapped.push((c?.response?.bytes ?? 0) / (spent.wallMs / 1000) / 1e6);
    }
    fs.rmSync(floorDir, { recursive: true, force: true });
    const p = median(plain);
    const f = median(floor);
    const r = median(recorded);
    const rc = median(recordedCapped);
    console.log(`100 MB download MB/s: plain Node ${p.toFixed(0)}, recorded (all bytes stored) ${r.toFixed(0)} -> costs ${((1 - r / p) * 100).toFixed(1)}%; recorded with the default 64 MiB cap ${rc.toFixed(0)} -> costs ${((1 - rc / p) * 100).toFixed(1)}%`);
    console.log(`  floor for keeping every byte (plain client appending each received chunk to a file, nothing else): ${f.toFixed(0)} MB/s -> costs ${((1 - f / p) * 100).toFixed(1)}%`);
    console.log(`  rounds: plain ${plain.map((x) => x.toFixed(0)).join(' ')}, floor ${floor.map((x) => x.toFixed(0)).join(' ')}, recorded ${recorded.map((x) => x.toFixed(0)).join(' ')}, capped ${recordedCapped.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`  plain    ${cpuText(cpu.plain, MB * ROUNDS, 'MB')}`);
    console.log(`  floor    ${cpuText(cpu.floor, MB * ROUNDS, 'MB')}  -> CPU +${((cpu.floor.cpuMs / cpu.plain.cpuMs - 1) * 100).toFixed(0)}%`);
    console.log(`  recorded ${cpuText(cpu.recorded, MB * ROUNDS, 'MB')}  -> CPU +${((cpu.recorded.cpuMs / cpu.plain.cpuMs - 1) * 100).toFixed(0)}%`);
    console.log(`  capped   ${cpuText(cpu.capped, MB * ROUNDS, 'MB')}  -> CPU +${((cpu.capped.cpuMs / cpu.plain.cpuMs - 1) * 100).toFixed(0)}%`);
  } finally {
    await uncapped.close();
    await capped.close();
    await served.stop();
  }
}

async function startServerIn(cwd: string, cert: string, key: string) {
  const prev = process.cwd();
  process.chdir(cwd);
  try {
    return await startOpensslServer(cert, key, ['-WWW', '-quiet']);
  } finally {
    process.chdir(prev);
  }
}
