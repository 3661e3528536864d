// Building the renderer when its sources are newer than the last build.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function rendererIsStale() {
  const index = path.join(ROOT, 'dist-renderer', 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const sources = Math.max(newestMtime(path.join(ROOT, 'src-renderer')), newestMtime(path.join(ROOT, 'src-main', 'api')));
  return sources > built;
}

/**
 * Why this Node.js cannot build the UI, or null when it can: Vite 8 needs 20.19+ on the 20 line or
 * 22.12+ (its `engines`); older ones fail deep inside the build with a stack trace.
 */
export function buildNodeProblem(version = process.versions.node) {
  const [major, minor] = version.split('.').map(Number);
  if ((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23) return null;
  return (
    `building the workbench's UI needs Node.js 20.19 or newer (22.12 or newer on the 22 line), which Vite requires; ` +
    `this is Node.js ${version}. Install a newer Node.js (nodejs.org, or NodeSource's packages on Debian) and run the command again.`
  );
}

/** Builds the UI into dist-renderer/, or into `outDir` (the e2e tests' own build, without source maps). */
export function buildRenderer({ quiet = false, outDir = null } = {}) {
  const problem = buildNodeProblem();
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  const elsewhere = outDir ? ['--outDir', outDir, '--emptyOutDir', '--sourcemap', 'false'] : [];
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', quiet ? 'warn' : 'info', ...elsewhere], {
    cwd: ROOT,
    stdio: 'inherit',
    // What users run is the production build, whatever NODE_ENV the shell has: under NODE_ENV=test
    // (a command started from the test runner) or development, Vite and Svelte would build the
    // development bundle, with other code and checks of its own.
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export function ensureRenderer(options) {
  if (rendererIsStale()) buildRenderer(options);
}
