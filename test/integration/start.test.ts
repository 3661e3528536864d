// npm start on a machine like this one (no Electron binary, maybe no display): browser mode, one
// line saying why, the address with its token, and an engine that answers to that token only,
// running with the engine's malloc settings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startWorkbench } from '../support/startScript';

describe('npm start', () => {
  it('falls back to browser mode, says why, and prints the address with the token', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-start-'));
    const { child, url, output } = await startWorkbench(['--no-open'], { TLSLAB_HOME: home, DISPLAY: '' });
    try {
      expect(output()).toMatch(/^Starting in browser mode: (Electron's binary is not installed|there is no display)/m);
      expect(output()).toContain(`Data folder: ${home}`);
      const token = url.split('#token=')[1];
      const origin = new URL(url).origin;
      expect((await fetch(`${origin}/health?token=${token}`)).status).toBe(200);
      expect((await fetch(`${origin}/health?token=wrong`)).status).toBe(401);
      const page = await fetch(`${origin}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await page.text()).toContain('<div id="app"');
      if (process.platform === 'linux') {
        // The engine runs in a second process, started with its malloc settings (engineMalloc.ts), that npm start
        // waits for (its children, such as the esbuild service tsx starts on a cold cache, inherit the variable too).
        const engines = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`TLSLAB_LAUNCHER_PID=${child.pid}`) && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('start.mjs');
          } catch {
            return false;
          }
        });
        expect(engines).toHaveLength(1);
        expect(fs.readFileSync(`/proc/${engines[0]}/environ`, 'latin1')).toContain('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304');
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});
