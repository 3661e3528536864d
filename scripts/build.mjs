// npm run build: the renderer (Vite) and the Electron shell (esbuild, CommonJS for Electron).
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT, buildRenderer } from './renderer.mjs';

buildRenderer();
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
