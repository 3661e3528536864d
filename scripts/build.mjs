// npm run build: the renderer (Vite), the Electron shell (esbuild, CommonJS for Electron) and
// the engine's bundle (dist-engine/, which bin/tlslab.mjs runs while the sources are unchanged).
import path from 'node:path';
import { build } from 'esbuild';
import { buildEngine } from './engine.mjs';
import { ROOT, buildRenderer } from './renderer.mjs';

// --no-renderer: the shell and the engine only (npm test builds the renderer only when it is stale).
if (!process.argv.includes('--no-renderer')) buildRenderer();
await buildEngine();
await build({
  entryPoints: {
    main: path.join(ROOT, 'src-main/electron/main.ts'),
    preload: path.join(ROOT, 'src-main/electron/preload.ts'),
  },
  outdir: path.join(ROOT, 'dist-electron'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'info',
});
