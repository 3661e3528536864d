// Every test file that mocks a module runs with a module graph of its own; in the shared graph
// of the unit, integration and e2e workers its mock could miss the modules loaded before it, and the
// test would check the real code while saying it checked the mock's.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { OWN_MODULE_FILES } from '../support/ownModules';

const ROOT = path.resolve(__dirname, '..', '..');

function testFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return testFiles(rel);
    return entry.name.endsWith('.test.ts') ? [rel] : [];
  });
}

it('lists every test file that mocks a module, and only those', () => {
  const mocking = [...testFiles('test/unit'), ...testFiles('test/integration'), ...testFiles('test/e2e')]
    .filter((file) => /\bvi\.(mock|doMock|unmock|resetModules)\(/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')))
    .sort();
  expect(mocking).toEqual([...OWN_MODULE_FILES].sort());
});
