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

export async function runBenchmarks(which: string): Promise<void> {
  const names = which === 'all' ? Object.keys(BENCHMARKS) : [which];
  for (const name of names) {
    const bench = BENCHMARKS[name];
    if (!bench) throw new Error(`no benchmark "${name}"; choose one of ${Object.keys(BENCHMARKS).join(', ')} or all`);
    console.log(`\n### ${name}`);
    await bench();
  }
}
