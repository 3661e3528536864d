// DESIGN.md's walls: Electron only in src-main/electron; no Node in the renderer; the API
// contract is types only; tls/ and pki/ never touch sockets or the database.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|svelte|mjs|js)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push(m[1] ?? m[2] ?? m[3]);
  }
  return found;
}

const NODE_BUILTIN = /^(node:|fs$|path$|net$|tls$|crypto$|os$|child_process$|http$|https$|stream$|url$|worker_threads$|dns$)/;

function violations(dir: string, forbidden: (spec: string, file: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((file) =>
    imports(file)
      .filter((spec) => forbidden(spec, file))
      .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
  );
}

describe('module boundaries', () => {
  it('only src-main/electron imports Electron', () => {
    const outside = [...violations('src-main', (spec, file) => spec === 'electron' && !file.includes(`${path.sep}electron${path.sep}`)), ...violations('src-renderer', (spec) => spec === 'electron')];
    expect(outside).toEqual([]);
  });

  it('the renderer imports nothing from Node and nothing of the engine but its API contract', () => {
    expect(violations('src-renderer', (spec) => NODE_BUILTIN.test(spec) || spec === 'better-sqlite3' || spec === 'ws')).toEqual([]);
    expect(violations('src-renderer', (spec) => spec.includes('src-main/') && !spec.includes('src-main/api'))).toEqual([]);
  });

  it('the API contract is plain types: it imports nothing outside itself', () => {
    expect(violations('src-main/api', (spec) => !spec.startsWith('./'))).toEqual([]);
  });

  it('tls/ and pki/ stay pure: no sockets, no database, no sessions', () => {
    // node:net is allowed for its address helpers (isIP), never for sockets.
    const usesSockets = (file: string) => /\bnet\.(connect|createConnection|createServer|Socket|Server)\b/.test(fs.readFileSync(file, 'utf8'));
    const impure = (spec: string, file: string) =>
      /^(node:)?(tls|http|https|dgram)$/.test(spec) ||
      (/^(node:)?net$/.test(spec) && usesSockets(file)) ||
      spec === 'better-sqlite3' ||
      /\/(store|sessions|host)\//.test(spec);
    expect(violations('src-main/tls', impure)).toEqual([]);
    expect(violations('src-main/pki', impure)).toEqual([]);
  });

  it('the boundary check itself sees imports (it would catch a crossing)', () => {
    const all = sourceFiles('src-main/sessions').flatMap(imports);
    expect(all).toContain('node:tls');
  });
});
