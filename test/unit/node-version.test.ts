// A Node.js too old for the workbench says so in one line instead of failing deep inside Vite or
// the engine (Debian 12's own nodejs package is 18).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNodeProblem } from '../../scripts/renderer.mjs';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the Node.js version', () => {
  it('building the UI accepts the versions Vite supports and names the one it refuses', () => {
    for (const ok of ['20.19.0', '20.20.2', '22.12.0', '23.1.0', '24.11.1']) expect(buildNodeProblem(ok), ok).toBeNull();
    for (const old of ['18.19.1', '20.5.0', '20.18.3', '21.7.3', '22.11.0']) {
      expect(buildNodeProblem(old), old).toContain(`this is Node.js ${old}`);
    }
    expect(buildNodeProblem('18.19.1')).toContain('needs Node.js 20.19 or newer');
  });

  it('tlslab on Node.js 18 stops with one line that says what to install', () => {
    // Node 18 is not installed here: the version the command sees is set before it runs.
    const pretend = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"18.19.1"})';
    const r = spawnSync(process.execPath, ['--import', pretend, path.join(ROOT, 'bin', 'tlslab.mjs'), 'hosts', 'list'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      "tlslab needs Node.js 20 or newer; this is Node.js 18.19.1. Install a newer Node.js (nodejs.org, or NodeSource's packages on Debian) and run it again.",
    ]);
  });
});
