// npm run bench: benchmarks with their own runner, figures printed as ratios against a peer
// measured in the same run. Not part of npm test.
import { register } from 'tsx/esm/api';

register();
const which = process.argv[2] ?? 'all';
const { runBenchmarks } = await import('./index.ts');
await runBenchmarks(which);
