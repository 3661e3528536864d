// The e2e project's global setup.
// - The renderer under test: the one `npm test` built into dist-renderer just before (it says so
//   with TLSLAB_E2E_RENDERER), or else one built for this run from the sources as they are now by
//   scripts/renderer.mjs, as `npm run build` builds it for users: the production build, though
//   Vitest runs with NODE_ENV=test.
// - One headless Chromium for the whole run (a browser server): each test file connects to it and
//   works in contexts of its own, which the file's close() removes. Launching a browser per file
//   cost about 2 s of CPU each on this 2-core machine, in a run bound by CPU.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { buildRenderer } from '../../scripts/renderer.mjs';
import { chromiumLaunchOptions } from './chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The renderer under test: dist-renderer as npm test built it, or a temp folder removed when the run ends. */
    rendererDir: string;
    /** Where the run's shared Chromium listens (playwright's browser server, on loopback). */
    browserWsEndpoint: string;
  }
}

/** The renderer built for users by `npm test`, when it says it just built (or checked) it. */
function builtByNpmTest(): string | null {
  const dir = process.env.TLSLAB_E2E_RENDERER;
  return dir && fs.existsSync(path.join(dir, 'index.html')) ? dir : null;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let top: string | null = null;
  let rendererDir = builtByNpmTest();
  if (!rendererDir) {
    top = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-e2e-renderer-'));
    rendererDir = path.join(top, 'renderer');
    buildRenderer({ quiet: true, outDir: rendererDir });
  }
  project.provide('rendererDir', rendererDir);
  // Loopback only, on a random path: nothing else on the machine drives this browser.
  const browserServer = await chromium.launchServer({ ...chromiumLaunchOptions(), host: '127.0.0.1' });
  project.provide('browserWsEndpoint', browserServer.wsEndpoint());
  return async () => {
    await browserServer.close();
    if (top) fs.rmSync(top, { recursive: true, force: true });
  };
}
