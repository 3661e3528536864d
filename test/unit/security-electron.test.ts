// The Electron shell's security decisions, tested without the Electron binary (which cannot be
// downloaded here): the pure checks in guards.ts, and the window's settings as main.ts spells them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalUrl, isEngineUrl, parseEngineReady } from '../../src-main/electron/guards';

const ENGINE = 'http://127.0.0.1:41234';

describe('where the window may go', () => {
  it('stays on the engine: same scheme, host and port', () => {
    expect(isEngineUrl(`${ENGINE}/`, ENGINE)).toBe(true);
    expect(isEngineUrl(`${ENGINE}/#/sessions`, ENGINE)).toBe(true);
    expect(isEngineUrl(`${ENGINE}/assets/app.js?x=1`, ENGINE)).toBe(true);
  });

  it('refuses every other place, and anything that does not parse', () => {
    for (const url of [
      'http://127.0.0.1:41235/',
      'http://localhost:41234/',
      'https://127.0.0.1:41234/',
      'http://127.0.0.1:41234.evil.example/',
      'http://127.0.0.1:41234@evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
      '',
    ]) {
      expect(isEngineUrl(url, ENGINE), url).toBe(false);
    }
  });

  it('refuses everything before the engine is known', () => {
    expect(isEngineUrl(`${ENGINE}/`, '')).toBe(false);
    expect(isEngineUrl('null', 'null')).toBe(false);
  });
});

describe('what the system browser may be asked to open', () => {
  it('opens http and https links to other places', () => {
    expect(externalUrl('https://www.rfc-editor.org/rfc/rfc8446', ENGINE)).toBe('https://www.rfc-editor.org/rfc/rfc8446');
    expect(externalUrl('http://www.bank32.com:4433/', ENGINE)).toBe('http://www.bank32.com:4433/');
  });

  it('refuses other schemes, credentials in the address and the engine itself', () => {
    for (const url of ['file:///etc/passwd', 'smb://server/share', 'javascript:alert(1)', 'ms-settings:', 'vscode://x', `${ENGINE}/#token=abc`, 'https://user:pw@example.org/', 'nonsense']) {
      expect(externalUrl(url, ENGINE), url).toBeNull();
    }
  });
});

describe('the address the engine reports', () => {
  it('is taken when it is plain http on loopback', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '[::1]', 'localhost']) {
      const ready = parseEngineReady(JSON.stringify({ url: `http://${host}:5000/#token=t`, port: 5000, token: 't' }));
      expect(ready.url).toBe(`http://${host}:5000/#token=t`);
    }
  });

  it('is refused, with the reason, when it points anywhere else or is not the ready line', () => {
    for (const url of ['http://192.168.1.5:5000/', 'https://127.0.0.1:5000/', 'file:///tmp/x.html', 'http://127.0.0.1.evil.example:5000/', 'http://evil.example/']) {
      expect(() => parseEngineReady(JSON.stringify({ url, port: 5000, token: 't' })), url).toThrow(/will not load.*127\.0\.0\.1 or ::1/);
    }
    expect(() => parseEngineReady('Debugger listening on ws://127.0.0.1:9229')).toThrow(/instead of its address/);
  });
});

describe("the window's settings in main.ts", () => {
  const main = fs.readFileSync(path.resolve(__dirname, '..', '..', 'src-main', 'electron', 'main.ts'), 'utf8');
  const preload = fs.readFileSync(path.resolve(__dirname, '..', '..', 'src-main', 'electron', 'preload.ts'), 'utf8');

  it('keeps the checklist settings on', () => {
    for (const setting of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', 'webSecurity: true', 'allowRunningInsecureContent: false', 'webviewTag: false', 'app.enableSandbox()']) {
      expect(main, setting).toContain(setting);
    }
    expect(main).not.toMatch(/nodeIntegration(InSubFrames|InWorker)?: true|enableBlinkFeatures|experimentalFeatures: true/);
  });

  it('denies permissions and guards navigation in every web contents', () => {
    expect(main).toContain('setPermissionRequestHandler((_wc, _permission, callback) => callback(false))');
    expect(main).toContain('setPermissionCheckHandler(() => false)');
    const created = main.slice(main.indexOf("app.on('web-contents-created'"));
    for (const guard of ["'will-navigate'", "'will-redirect'", "'will-attach-webview'", 'setWindowOpenHandler', "action: 'deny'"]) expect(created, guard).toContain(guard);
    expect(main).not.toMatch(/shell\.openExternal\((?!external\))/);
  });

  it('exposes two dialogs to the page and nothing else', () => {
    expect(preload.match(/exposeInMainWorld/g)).toHaveLength(1);
    expect(preload).not.toMatch(/ipcRenderer\.(send|on)\b|exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    expect([...preload.matchAll(/ipcRenderer\.invoke\('([^']+)'/g)].map((m) => m[1])).toEqual(['dialog:open-file', 'dialog:save-file']);
  });
});
