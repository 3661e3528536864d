// What recording costs the client: handshakes per second and a 100 MB download, the workbench's
// recorded client against a plain Node TLS client, same openssl s_server, same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { connectTapped } from '../src-main/sessions/byteTap';
import { Workbench } from '../src-main/workbench';
import { makeTestPki } from '../test/support/opensslPki';
import { startOpensslServer } from '../test/support/opensslServer';
import { cpuMark, cpuSince, cpuText, type CpuSpent } from './cpu';
import { floorFile } from './floorFile';
import { pageCacheText } from './pageCache';
import { median } from './stats';

/** Handshakes per block; plain and recorded blocks alternate, 2 x ROUNDS pairs in all. */
const HANDSHAKES = 150;
/**
 * V8 goes on compiling the recorder's code (TurboFan, on its helper threads) for about the first
 * 2,000 sessions: traced with --trace-opt, the compile time per 250 sessions fell from 186 ms to
 * under 35 ms only after 2,000. With 50 warm-up sessions the measured blocks paid for it (TLS 1.2
 * cost 11-18%; with 2,000, 10-13%). A workbench that runs a class's sessions is warm; BENCH_WARM_UP
 * overrides it.
 */
const WARM_UP_HANDSHAKES = Number(process.env.BENCH_WARM_UP ?? 2000);
const DOWNLOAD_BYTES = 100 * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** BENCH_PART=handshakes or download runs only that half. */
const PART = process.env.BENCH_PART ?? 'all';

function addSpent(total: CpuSpent, spent: CpuSpent): void {
  total.wallMs += spent.wallMs;
  total.cpuMs += spent.cpuMs;
  total.mainMs += spent.mainMs;
  total.writerMs += spent.writerMs;
}
const noSpent = (): CpuSpent => ({ wallMs: 0, cpuMs: 0, mainMs: 0, writerMs: 0 });
/** "+34%" or "-1%": how much more (or less) `value` is than `base`. */
function percentChange(value: number, base: number): string {
  const change = Math.round((value / base - 1) * 100);
  return `${change >= 0 ? '+' : ''}${change}%`;
}

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
 * The plain client over the same byte tap the workbench uses (the only way Node hands out the
 * bytes under TLS). With a file, each chunk goes to it as recordings do (floorFile.ts): the floor
 * for any recorder that keeps every byte. Without, the bytes are seen and dropped: the ceiling for
 * any recorder on Node's TLS.
 */
function plainDownload(port: number, ca: string, tap?: { appendTo?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const floor = tap?.appendTo ? floorFile(tap.appendTo) : undefined;
    // Tapped as client sessions are: reads into one reused buffer (connectTapped).
    const socket = tap ? connectTapped({ host: '127.0.0.1', port }, { observe: (_direction, data) => floor?.observe(data), closed: () => undefined }).tap : undefined;
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'www.bank32.com', ca, socket });
    s.once('secureConnect', () => s.write('GET /big.bin HTTP/1.0\r\nHost: www.bank32.com\r\n\r\n'));
    s.on('data', (d: Buffer) => (bytes += d.length));
    s.once('end', () => s.end());
    s.once('close', () => {
      if (floor) floor.close().then(() => resolve(bytes), reject);
      else resolve(bytes);
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
    for (const version of PART === 'download' ? [] : (['TLSv1.2', 'TLSv1.3'] as const)) {
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
      // One unmeasured block of each first (the recorder's code is cold until its first sessions).
      for (let i = 0; i < WARM_UP_HANDSHAKES; i++) {
        await plainHandshake(served.port, ca, version);
        await uncapped.recordClient(request('none', version), { stored: false });
      }
      await uncapped.writer.written();
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
      console.log(`  recorded ${cpuText(recordedCpu, HANDSHAKES * 2 * ROUNDS, 'handshake')}  -> CPU ${percentChange(recordedCpu.cpuMs, plainCpu.cpuMs)}`);
    }
    if (PART === 'handshakes') return;
    const MB = DOWNLOAD_BYTES / 1e6;
    const floorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-floor-'));
    let floorFiles = 0;
    const downloads: { name: string; run: () => Promise<number>; writer?: Workbench['writer'] }[] = [
      { name: 'plain Node', run: () => plainDownload(served.port, ca) },
      { name: 'byte tap only, nothing kept (ceiling)', run: () => plainDownload(served.port, ca, {}) },
      { name: 'tap + recording files (floor)', run: () => plainDownload(served.port, ca, { appendTo: path.join(floorDir, `${floorFiles++}.bin`) }) },
      { name: 'recorded, all bytes stored', writer: uncapped.writer, run: async () => uncapped.sessions.getSession(await uncapped.recordClient(request('get', 'TLSv1.3')))?.response?.bytes ?? 0 },
      { name: 'recorded, default 64 MiB cap', writer: capped.writer, run: async () => capped.sessions.getSession(await capped.recordClient(request('get', 'TLSv1.3')))?.response?.bytes ?? 0 },
    ];
    const rates = downloads.map(() => [] as number[]);
    const cpu = downloads.map(noSpent);
    // One unmeasured download each first, so that no round measures code not yet compiled.
    for (const d of downloads) {
      await d.run();
      await d.writer?.written();
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, d] of downloads.entries()) {
        const writers = d.writer ? [d.writer] : [];
        const mark = await cpuMark(writers);
        const bytes = await d.run();
        await d.writer?.written();
        const spent = await cpuSince(mark, writers);
        addSpent(cpu[i], spent);
        rates[i].push(bytes / (spent.wallMs / 1000) / 1e6);
      }
    }
    fs.rmSync(floorDir, { recursive: true, force: true });
    console.log(`100 MB download over TLS 1.3 (MB/s; cost = median over ${ROUNDS} rounds of 1 - rate / plain rate, each round runs all side by side):`);
    for (const [i, d] of downloads.entries()) {
      const cost = median(rates[i].map((r, round) => (1 - r / rates[0][round]) * 100));
      const costText = i === 0 ? '' : `  -> costs ${cost.toFixed(1)}%`;
      const cpuExtra = i === 0 ? '' : `  -> CPU ${percentChange(cpu[i].cpuMs, cpu[0].cpuMs)}`;
      console.log(`  ${d.name.padEnd(44)} ${median(rates[i]).toFixed(0).padStart(5)} MB/s${costText}  [${rates[i].map((x) => x.toFixed(0)).join(' ')}]`);
      console.log(`    ${cpuText(cpu[i], MB * ROUNDS, 'MB')}${cpuExtra}`);
    }
    console.log(`  ${await pageCacheText(DOWNLOAD_BYTES, (DOWNLOAD_BYTES / 1e6 / median(rates[0])) * 1000)}`);
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
