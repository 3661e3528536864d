// The e2e tests drive the bundle a user gets from `npm run build`, not Svelte's development build
// (which Vitest's NODE_ENV=test would give: other code, with checks and warnings of its own).
import fs from 'node:fs';
import path from 'node:path';
import { expect, inject, it } from 'vitest';

it('the renderer under test is the production build', () => {
  const dir = inject('rendererDir');
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const script = /<script[^>]+src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script).toBeTruthy();
  const code = fs.readFileSync(path.join(dir, script!), 'utf8');
  // Svelte's development runtime carries its dev-only warnings by code; production leaves them out.
  // (Compared as booleans: a failure must not print the whole bundle.)
  expect(code.includes('svelte.dev/e/'), 'the bundle is not a Svelte build').toBe(true);
  expect(code.includes('ownership_invalid'), 'the bundle is Svelte\'s development build').toBe(false);
});
