// The e2e project's global setup: the renderer is built once per test run, from the sources as
// they are now, the way `npm run build` builds it for users. Vitest runs with NODE_ENV=test, under
// which Vite and Svelte build the development bundle (Svelte's dev checks, another size); the
// tests must see what a user gets, so the build runs as production.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The renderer built for this run (a temp folder, removed when the run ends). */
    rendererDir: string;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function setup(project: TestProject): Promise<() => void> {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-e2e-renderer-'));
  const outDir = path.join(top, 'renderer');
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir, sourcemap: false } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  project.provide('rendererDir', outDir);
  return () => fs.rmSync(top, { recursive: true, force: true });
}
