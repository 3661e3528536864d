import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchClientRecording } from './clientRecording';
import { benchProxy } from './proxy';
import { benchExchange } from './exchange';
import { benchForge } from './forge';
import { benchLargeSession } from './largeSession';
import { benchServer } from './server';
import { benchUiFirstPaint } from './uiFirstPaint';
import { benchUiLoad } from './uiLoad';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  client: benchClientRecording,
  proxy: benchProxy,
  exchange: benchExchange,
  forge: benchForge,
  'large-session': benchLargeSession,
  server: benchServer,
  ui: benchUiFirstPaint,
  'ui-load': benchUiLoad,
};

/**
 * Runs the benchmarks with every temporary folder they (and the peers they start) make inside one
 * folder of their own, removed when they end, however they end: the downloads write hundreds of
 * MB per run, and left behind, a few dozen runs filled this machine's disk.
 */
export async function runBenchmarks(which: string): Promise<void> {
  const names = which === 'all' ? Object.keys(BENCHMARKS) : [which];
  const unknown = names.find((name) => !BENCHMARKS[name]);
  if (unknown) throw new Error(`no benchmark "${unknown}"; choose one of ${Object.keys(BENCHMARKS).join(', ')} or all`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bench-run-'));
  const removeScratch = () => fs.rmSync(scratch, { recursive: true, force: true });
  const interrupted = () => {
    removeScratch();
    process.exit(130);
  };
  process.env.TMPDIR = scratch;
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    for (const name of names) {
      console.log(`\n### ${name}`);
      await BENCHMARKS[name]();
    }
  } finally {
    removeScratch();
  }
}
