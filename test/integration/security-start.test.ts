// npm start in browser mode opens Chromium on the workbench without putting the token on a
// command line, where every user of the machine could read it (ps, /proc/PID/cmdline) and use it
// on the engine's loopback port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startWorkbench } from '../support/startScript';
import { waitUntil } from '../support/waitUntil';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm start opening a browser', () => {
  it('gives the browser a private page that leads to the address, never the token itself', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-start-'));
    const argsFile = path.join(tmp, 'browser-args.txt');
    // A stand-in for Chromium: it writes down the arguments it was started with.
    const fakeBrowser = path.join(tmp, 'fake-chromium');
    fs.writeFileSync(fakeBrowser, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}.part' && mv '${argsFile}.part' '${argsFile}'\n`, { mode: 0o755 });
    const { child, url, output } = await startWorkbench(['--browser'], { TLSLAB_HOME: path.join(tmp, 'home'), TLSLAB_CHROMIUM: fakeBrowser, DISPLAY: ':lab-test' });
    try {
      const token = url.split('#token=')[1];
      // The single line that shows the address is the only place the token is printed.
      expect(output().split(token).length - 1).toBe(1);

      await waitUntil('the stand-in browser to be started and write its arguments', () => fs.existsSync(argsFile));
      const args = fs.readFileSync(argsFile, 'utf8');
      expect(args).not.toContain(token);
      const app = /^--app=(file:\/\/\S+)$/m.exec(args);
      expect(app).not.toBeNull();
      const opener = fileURLToPath(app![1]);
      // The page that carries the token is readable by its owner alone, in the browser's own profile.
      expect(fs.statSync(opener).mode & 0o077).toBe(0);
      expect(fs.statSync(path.dirname(opener)).mode & 0o077).toBe(0);
      expect(args).toContain(`--user-data-dir=${path.dirname(opener)}`);
      expect(fs.readFileSync(opener, 'utf8')).toContain(`<meta http-equiv="refresh" content="0;url=${url}">`);

      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      // The profile, with the address in its history, goes when the workbench stops.
      expect(fs.existsSync(path.dirname(opener))).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses a bad or busy --port with one line that says what to do, no stack trace', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as net.AddressInfo).port;
    try {
      for (const [port, said] of [
        ['abc', /^npm start: the port abc is not a TCP port: give a whole number from 1 to 65535, or 0 for any free one$/m],
        ['99999', /^npm start: the port 99999 is not a TCP port/m],
        [String(busyPort), new RegExp(`^npm start: port ${busyPort} on 127\\.0\\.0\\.1 is already in use; stop the other program or choose another port`, 'm')],
      ] as const) {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-security-port-'));
        const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), '--browser', '--no-open', '--port', port], {
          env: { ...process.env, TLSLAB_HOME: home },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        const code = await new Promise((resolve) => child.once('exit', resolve));
        expect(code, output).toBe(1);
        expect(output).toMatch(said);
        expect(output).not.toMatch(/\n\s+at |node:internal|validatePort/);
      }
    } finally {
      busy.close();
    }
  });
});
