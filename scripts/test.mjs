// npm test: make sure the real peers are there, typecheck, build the UI, run every test layer.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensurePeers } from './peers.mjs';
import { ROOT, ensureRenderer } from './renderer.mjs';

function run(label, command, args) {
  console.log(`\n== ${label}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\nnpm test: ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

try {
  ensurePeers();
} catch (err) {
  console.error(`npm test: ${err.message}`);
  process.exit(1);
}
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
run('typecheck (engine)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
run('typecheck (electron shell)', bin('tsc'), ['-p', 'src-main/electron/tsconfig.json', '--noEmit']);
run('typecheck (renderer)', bin('svelte-check'), ['--tsconfig', 'src-renderer/tsconfig.json', '--fail-on-warnings', '--output', 'human']);
console.log('\n== build renderer');
ensureRenderer({ quiet: true });
// The e2e tests drive this build (test/support/e2eBuild.ts) instead of making one of their own.
process.env.TLSLAB_E2E_RENDERER = path.join(ROOT, 'dist-renderer');
// The desktop shell (the package test builds a package around it) and the engine's bundle, which
// the tests that run tlslab as a command then start, as users do.
run('build shell and engine bundle', process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--no-renderer']);
run('tests', bin('vitest'), ['run', ...process.argv.slice(2)]);
