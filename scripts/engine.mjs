// The engine's bundle: the tlslab command (cli.mjs) and the recorder's writer thread
// (writerWorker.mjs), each one ES module, and the digest of the sources it was made from
// (sources.sha256). Loading two files instead of some 250 TypeScript modules through tsx took a
// short tlslab command from about 0.8 s to 0.6 s here; bundling the npm packages too (all but
// better-sqlite3, which is native, and ws's optional native helpers), whitespace and syntax
// minified, takes it to about 0.45 s: Node no longer resolves and wraps some 400 CommonJS files of
// @peculiar/x509, node-forge and zod on every command. Names are kept for stack traces, and the
// source map points into the sources.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { sourcesDigest } from '../bin/sources-digest.mjs';
import { ROOT } from './renderer.mjs';

export const ENGINE_DIR = path.join(ROOT, 'dist-engine');

/**
 * esbuild's options for code that runs as the engine runs: the engine's own bundle, and the
 * server benchmark's target process (bench/server.ts), so that the recorder it measures is the
 * code users run, not the sources as tsx compiles them on load. `outdir` is one folder down from
 * the project, as dist-engine/ is.
 */
export function engineBundleOptions(entryPoints, outdir) {
  return {
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'bufferutil', 'utf-8-validate', 'tsx', 'tsx/*', 'electron'],
    // The CommonJS packages inside call require() for Node's own modules: an ES module has none.
    banner: { js: "import { createRequire as __tlslabRequire } from 'node:module'; const require = __tlslabRequire(import.meta.url);" },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'linked',
    // src-main/paths.ts: the project folder, seen from the bundle's folder.
    define: { TLSLAB_BUNDLED_ROOT: JSON.stringify('..') },
    sourcemap: 'linked',
    logLevel: 'warning',
  };
}

export async function buildEngine() {
  const digest = sourcesDigest(ROOT);
  fs.rmSync(path.join(ENGINE_DIR, 'sources.sha256'), { force: true });
  await build(
    engineBundleOptions(
      {
        cli: path.join(ROOT, 'src-main/cli/main.ts'),
        writerWorker: path.join(ROOT, 'src-main/store/writerWorker.ts'),
      },
      ENGINE_DIR,
    ),
  );
  // Written last: a bundle cut short by a failed build is never taken for current.
  fs.writeFileSync(path.join(ENGINE_DIR, 'sources.sha256'), `${digest}\n`);
}
