// What recording costs the server: handshakes per second (TLS 1.3, RSA 2048 and P-256) and a
// 100 MB download, the workbench's recording server against a bare Node TLS server and
// `openssl s_server -WWW`, driven by the same load generator (its own process), in one run. Both
// parts also run the bare server over the byte tap alone, as the ceiling any recorder on Node's
// TLS can reach; the handshakes also run it with the workbench server's TLS settings and every
// byte and key log line kept in one file, the floor of any recorder that keeps each connection's
// bytes and keys; the download runs it with each byte written to a file as recordings are, the
// floor of any recorder that keeps every byte.
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { engineBundleOptions } from '../scripts/engine.mjs';
import { ROOT } from '../scripts/renderer.mjs';
import { withEngineMalloc } from '../src-main/engineMalloc';
import { run } from '../test/support/run';
import { freePort, waitForPort } from '../test/support/ports';
import { makeServerPki } from '../test/support/serverPki';
import type { CpuSpent } from './cpu';
import { pageCacheText } from './pageCache';
import type { TargetKind, TargetSpec } from './serverTargets';
import { median, quantile } from './stats';

const HANDSHAKES = 1500;
/** Load before the measured rounds (BENCH_WARM_UP overrides; 2,000 measured no different from 300). */
const WARM_UP_HANDSHAKES = Number(process.env.BENCH_WARM_UP ?? 300);
const CONCURRENCY = 16;
const DOWNLOAD_BYTES = 100 * 1024 * 1024;
const LOAD = path.resolve('test/support/tlsLoad.mjs');
/**
 * The target process, bundled as the engine is (scripts/engine.mjs) into dist-bench/, next to
 * dist-engine/: the recorder measured is the code users run. Through tsx, each closure the
 * recorder makes per connection also paid for esbuild's name keeping, about 3% of a handshake.
 */
const BENCH_BUNDLE_DIR = path.join(ROOT, 'dist-bench');
const TARGET_PROCESS = path.join(BENCH_BUNDLE_DIR, 'serverTargetProcess.mjs');

async function bundleTargetProcess(): Promise<void> {
  await build(
    engineBundleOptions(
      {
        serverTargetProcess: path.join(ROOT, 'bench', 'serverTargetProcess.ts'),
        writerWorker: path.join(ROOT, 'src-main', 'store', 'writerWorker.ts'),
      },
      BENCH_BUNDLE_DIR,
    ),
  );
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** BENCH_PART=handshakes or download runs only that half. */
const PART = process.env.BENCH_PART ?? 'all';
/**
 * BENCH_MALLOC: "engine" (the default) starts the recording server as the workbench starts its
 * engine, with its malloc settings (src-main/engineMalloc.ts), and the ceiling and floor
 * with the same (they stand for any recorder in such a process); bare Node runs with Node's
 * defaults, the figure every share is of, and again with the engine's settings. "none" starts
 * every target with the defaults.
 */
const MALLOC = process.env.BENCH_MALLOC ?? 'engine';

interface CpuTotals {
  cpuMs: number;
  mainMs: number;
  writerMs: number;
  rssMb: number;
}

interface Target {
  name: string;
  port: number;
  /** The CPU its process spent so far, once what it keeps is written; null for a peer that is not ours. */
  cpu(): Promise<CpuTotals | null>;
  stop(): Promise<void>;
}

/**
 * Runs the load against every target in turn, ROUNDS times alternating; wall median and CPU sum.
 * Each target first gets one unmeasured load (`warmUp`), so that no round measures code that has
 * not been compiled yet: the recorder's code is cold until its first sessions, Node's TLS is not.
 */
async function rounds(targets: Target[], args: (t: Target) => string[], value: (r: Record<string, number>) => number, warmUp = args): Promise<{ values: number[][]; cpu: CpuSpent[]; rssMb: number[] }> {
  const values: number[][] = targets.map(() => []);
  const cpu: CpuSpent[] = targets.map(() => ({ wallMs: 0, cpuMs: 0, mainMs: 0, writerMs: 0 }));
  const rssMb = targets.map(() => 0);
  for (const t of targets) {
    await load(warmUp(t));
    await t.cpu();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) {
      const before = await t.cpu();
      const started = performance.now();
      const r = await load(args(t));
      const after = await t.cpu();
      if (r.failed) console.log(`  (${t.name}: ${r.failed} failed)`);
      values[i].push(value(r));
      cpu[i].wallMs += performance.now() - started;
      if (before && after) {
        cpu[i].cpuMs += after.cpuMs - before.cpuMs;
        cpu[i].mainMs += after.mainMs - before.mainMs;
        cpu[i].writerMs += after.writerMs - before.writerMs;
        rssMb[i] = Math.max(rssMb[i], after.rssMb);
      }
    }
  }
  return { values, cpu, rssMb };
}

async function load(args: string[]): Promise<Record<string, number>> {
  const out = await run(process.execPath, [LOAD, ...args], { timeoutMs: 600_000 });
  if (out.code !== 0) throw new Error(`load generator failed: ${out.stderr}`);
  return JSON.parse(out.stdout) as Record<string, number>;
}

/** A target in a process of its own (serverTargetProcess.ts), with Node's malloc defaults or the engine's settings. */
async function nodeTarget(name: string, kind: TargetKind, id: { cert: string; key: string; chain?: string }, www: string, engineMalloc: boolean): Promise<Target> {
  const spec: TargetSpec = { kind, cert: id.cert, key: id.key, chain: id.chain, www };
  const env = engineMalloc ? withEngineMalloc(process.env, 'linux') : process.env;
  const child = fork(TARGET_PROCESS, [JSON.stringify(spec)], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(key: string) => new Promise<T>((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m[key] as T);
    };
    const onExit = (code: number | null) => reject(new Error(`benchmark target "${name}" exited (${code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  const port = await next<number>('port');
  return {
    name,
    port,
    cpu: () => {
      const answer = next<CpuTotals>('cpu');
      child.send({ ask: 'cpu' });
      return answer;
    },
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.send({ ask: 'stop' });
    }),
  };
}

async function opensslServer(id: { cert: string; key: string; chain?: string }, www: string): Promise<Target> {
  const port = await freePort();
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', id.cert, '-key', id.key, ...(id.chain ? ['-cert_chain', id.chain] : []), '-WWW', '-quiet'], { cwd: www, stdio: 'ignore' });
  await waitForPort(port);
  return {
    name: 'openssl s_server -WWW',
    port,
    cpu: async () => null,
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * One target's line: its median, and its share of bare Node as the median of the rounds' shares
 * (each round runs every target side by side) with the middle half of them (the quartiles), then
 * each round's share, so that the spread of a shared 2-core machine shows next to the figure; then
 * the CPU its process spent per unit and its largest resident size. BENCH_ROUNDS=15 narrows the
 * middle half.
 */
function row(name: string, values: number[], unit: string, bare: number[], cpu: CpuSpent, rssMb: number, per: number, perUnit: string): string {
  const value = median(values);
  const shares = values.map((v, round) => v / bare[round]);
  const share = median(shares);
  const inProcess = name.startsWith('openssl') ? '' : `  CPU ms/${perUnit}: ${(cpu.cpuMs / per).toFixed(3)} (main ${(cpu.mainMs / per).toFixed(3)}${cpu.writerMs > 0 ? `, writer ${(cpu.writerMs / per).toFixed(3)}` : ''}), RSS ${rssMb.toFixed(0)} MB`;
  const percent = (s: number) => (s * 100).toFixed(0);
  const [low, high] = [percent(quantile(shares, 0.25)), percent(quantile(shares, 0.75))];
  const spread = values.length >= 4 && low !== high ? `, middle half ${low}-${high}%` : '';
  return `  ${name.padEnd(44)} ${value.toFixed(1).padStart(9)} ${unit}  ${percent(share).padStart(4)}% of bare Node${spread}  [rounds ${shares.map(percent).join(' ')}%]${inProcess}`;
}

export async function benchServer(): Promise<void> {
  await bundleTargetProcess();
  const pki = await makeServerPki();
  const www = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-srv-www-'));
  fs.writeFileSync(path.join(www, 'big.bin'), Buffer.alloc(DOWNLOAD_BYTES, 0x61));
  fs.writeFileSync(path.join(www, 'index.html'), '<p>hello</p>');
  const engine = MALLOC !== 'none';
  console.log(
    engine
      ? "Each target runs in a process of its own; the recording server, ceiling and floor with the engine's malloc settings (src-main/engineMalloc.ts), bare Node both ways. BENCH_MALLOC=none: Node's defaults for all."
      : "Each target runs in a process of its own, all with Node's malloc defaults (BENCH_MALLOC=none).",
  );
  const nodeTargets = async (id: { cert: string; key: string; chain?: string }, floor: { kind: TargetKind; name: string }, recordings: { kind: TargetKind; name: string }[]) => [
    await nodeTarget('bare Node TLS server', 'bare', id, www, false),
    ...(engine ? [await nodeTarget("bare Node, the engine's malloc settings", 'bare', id, www, true)] : []),
    await nodeTarget('byte tap only, nothing recorded (ceiling)', 'tap', id, www, engine),
    await nodeTarget(floor.name, floor.kind, id, www, engine),
    ...(await Promise.all(recordings.map((r) => nodeTarget(r.name, r.kind, id, www, engine)))),
    await opensslServer(id, www),
  ];
  for (const [label, id] of PART === 'download' ? [] : ([['RSA 2048', pki.rsa], ['ECDSA P-256', pki.ecdsa]] as const)) {
    console.log(`handshakes per second, TLS 1.3, ${label} (${HANDSHAKES} handshakes, ${CONCURRENCY} at a time):`);
    const targets = await nodeTargets(id, { kind: 'floor-log', name: 'tap + bytes and keys in one file (floor)' }, [{ kind: 'recording', name: 'recording workbench server' }]);
    try {
      const handshakes = (count: number) => (t: Target) => ['handshakes', '127.0.0.1', String(t.port), String(CONCURRENCY), String(count)];
      const { values, cpu, rssMb } = await rounds(targets, handshakes(HANDSHAKES), (r) => r.perSecond, handshakes(WARM_UP_HANDSHAKES));
      targets.forEach((t, i) => console.log(row(t.name, values[i], 'hs/s', values[0], cpu[i], rssMb[i], HANDSHAKES * ROUNDS, 'handshake')));
    } finally {
      for (const t of targets) await t.stop();
    }
  }
  if (PART === 'handshakes') return;

  console.log('100 MB download over TLS 1.3 (RSA 2048), one connection:');
  const targets = await nodeTargets(pki.rsa, { kind: 'floor-file', name: 'byte tap + recording files (floor)' }, [
    { kind: 'recording', name: 'recording server (64 MiB cap, default)' },
    { kind: 'recording-uncapped', name: 'recording server (no cap: all 100 MB kept)' },
  ]);
  try {
    const { values, cpu, rssMb } = await rounds(targets, (t) => ['download', '127.0.0.1', String(t.port), '/big.bin'], (r) => {
      if (r.bytes < DOWNLOAD_BYTES) console.log(`  (only ${r.bytes} bytes)`);
      return r.megabytesPerSecond;
    });
    targets.forEach((t, i) => console.log(row(t.name, values[i], 'MB/s', values[0], cpu[i], rssMb[i], (DOWNLOAD_BYTES / 1e6) * ROUNDS, 'MB')));
    console.log(`  ${await pageCacheText(DOWNLOAD_BYTES, (DOWNLOAD_BYTES / 1048576 / median(values[0])) * 1000)}`);
  } finally {
    for (const t of targets) await t.stop();
  }
}
