// bin/tlslab.mjs runs dist-engine's bundle while it was built from the sources as they are, and
// the TypeScript sources through tsx as soon as one of them changes (or with TLSLAB_SOURCES=1):
// an edited engine never runs stale code. Tried on a copy of the project, so that the sources can
// be changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourcesDigest } from '../../bin/sources-digest.mjs';
import { run } from '../support/run';

const ROOT = path.resolve(__dirname, '..', '..');
let copy: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist-engine', 'cli.mjs'))) throw new Error('dist-engine/cli.mjs is missing: run npm run build first');
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bundle-'));
  for (const part of ['bin', 'src-main', 'dist-engine', 'resources']) fs.cpSync(path.join(ROOT, part), path.join(copy, part), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
});
// Only what was made: a missing bundle stops beforeAll before the copy, and must be the one error shown.
afterAll(() => {
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

async function engineCode(env: NodeJS.ProcessEnv = {}): Promise<string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-bundle-home-'));
  const about = await run(process.execPath, [path.join(copy, 'bin', 'tlslab.mjs'), '--data-dir', home, 'about', '--json'], { env: { ...process.env, ...env } });
  expect(about.stderr).toBe('');
  return JSON.parse(about.stdout).engineCode as string;
}

describe('the engine bundle', () => {
  it('runs while current; an edited source (or TLSLAB_SOURCES=1) runs the sources', async () => {
    // The build recorded the digest of the sources it bundled; the copy's are the same.
    expect(fs.readFileSync(path.join(copy, 'dist-engine', 'sources.sha256'), 'utf8').trim()).toBe(sourcesDigest(copy));
    expect(await engineCode()).toBe('bundle');
    expect(await engineCode({ TLSLAB_SOURCES: '1' })).toBe('sources');
    fs.appendFileSync(path.join(copy, 'src-main', 'errors.ts'), '\n// an edit\n');
    expect(await engineCode()).toBe('sources');
  });

  it('holds its npm packages too, but better-sqlite3 (native): a short command loads one file, not hundreds', () => {
    const code = fs.readFileSync(path.join(ROOT, 'dist-engine', 'cli.mjs'), 'utf8');
    const spec = String.raw`["']((?:@[\w.-]+\/)?[\w.:-]+(?:\/[\w./-]+)?)["']`;
    // Import statements (each begins a statement: after a ';', '}' or a line break) and require() calls.
    const statement = String.raw`(?:^|[;}\n])\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?`;
    const imported = new Set([...code.matchAll(new RegExp(String.raw`(?:${statement}|\brequire\(\s*)${spec}`, 'gm'))].map((m) => m[1]));
    const packages = [...imported].filter((spec) => !spec.startsWith('node:'));
    expect(packages.sort()).toEqual(['better-sqlite3']);
  });

  it('the digest covers every engine source, but not the Electron shell', () => {
    const before = sourcesDigest(copy);
    fs.appendFileSync(path.join(copy, 'src-main', 'electron', 'main.ts'), '\n// the shell is not the engine\n');
    expect(sourcesDigest(copy)).toBe(before);
    fs.appendFileSync(path.join(copy, 'src-main', 'tls', 'records.ts'), '\n');
    expect(sourcesDigest(copy)).not.toBe(before);
  });
});
