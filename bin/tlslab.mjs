#!/usr/bin/env node
// The tlslab command. The engine is TypeScript: `npm run build` bundles it into dist-engine/, which
// starts in a fraction of the time; while that bundle is missing or older than the sources (an
// edit, a fresh clone), tsx compiles the sources on load instead, so a clone runs with no build step.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sourcesDigest } from './sources-digest.mjs';

if (Number(process.versions.node.split('.')[0]) < 20) {
  console.error(`tlslab needs Node.js 20 or newer; this is Node.js ${process.versions.node}. Install a newer Node.js (nodejs.org, or NodeSource's packages on Debian) and run it again.`);
  process.exit(1);
}
// Output piped into a command that stops reading early (tlslab sessions show 3 --decrypt | head):
// the reader is gone, so there is no one left to tell; stop quietly, as other commands do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** dist-engine's bundle, when it was built from the sources as they are now (TLSLAB_SOURCES=1 skips it). */
function currentBundle() {
  if (process.env.TLSLAB_SOURCES === '1') return null;
  const bundle = new URL('../dist-engine/cli.mjs', import.meta.url);
  try {
    const built = fs.readFileSync(new URL('../dist-engine/sources.sha256', import.meta.url), 'utf8').trim();
    return built === sourcesDigest(fileURLToPath(new URL('..', import.meta.url))) && fs.existsSync(bundle) ? bundle : null;
  } catch {
    return null;
  }
}

const bundle = currentBundle();
let runCli;
if (bundle) {
  ({ runCli } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src-main/cli/main.ts'));
}
const status = await runCli(process.argv.slice(2), { relaunch: true });
process.exitCode = status;
