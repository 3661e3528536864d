// `npm run bench` runs the benchmarks as ES modules through tsx, not through vitest: code they
// share with the tests (test/support) can load in one and fail in the other. Asking the runner
// for a benchmark that does not exist loads every benchmark module and stops before measuring.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run bench', () => {
  it('loads every benchmark and names the ones there are', () => {
    const r = spawnSync(process.execPath, ['bench/run.mjs', 'no-such-benchmark'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toContain('no benchmark "no-such-benchmark"; choose one of client, proxy');
    expect(r.stderr).not.toMatch(/ReferenceError|SyntaxError|Cannot find module/);
    expect(r.status).not.toBe(0);
  });
});
