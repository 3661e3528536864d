// The shell's security decisions as plain functions (no Electron import), so that they can be
// tested where the Electron binary cannot run: where the window may go, what the system browser
// may be asked to open, and which engine address the window may load.

export interface EngineReady {
  url: string;
  port: number;
  token: string;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether `url` is a page of the engine: the only place the window may show or navigate to. */
export function isEngineUrl(url: string, engineOrigin: string): boolean {
  if (!engineOrigin) return false;
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === 'http:' && parsed.origin === engineOrigin;
}

/**
 * The address to hand to the system browser for a link the page wants opened in a new window, or
 * null. http and https only (file:, javascript:, smb:, custom schemes could run programs or read
 * files), and never the engine itself: the system browser is another program, and a page of the
 * engine belongs in this window.
 */
export function externalUrl(url: string, engineOrigin: string): string | null {
  const parsed = parse(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return null;
  if (parsed.origin === engineOrigin) return null;
  if (parsed.username || parsed.password) return null;
  return parsed.href;
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === '[::1]' || hostname === 'localhost') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The engine's first line on standard output ({"url","port","token"}), checked: the window loads
 * nothing but a plain http page on a loopback address, whatever the line says.
 */
export function parseEngineReady(line: string): EngineReady {
  let ready: Partial<EngineReady>;
  try {
    ready = JSON.parse(line) as Partial<EngineReady>;
  } catch {
    throw new Error(`the engine printed "${line.slice(0, 200)}" instead of its address; run "node bin/tlslab.mjs engine --json" to see why`);
  }
  const url = typeof ready.url === 'string' ? parse(ready.url) : null;
  if (!url || url.protocol !== 'http:' || !isLoopbackHost(url.hostname) || typeof ready.token !== 'string' || typeof ready.port !== 'number') {
    throw new Error(`the engine gave an address the window will not load (${String(ready.url).slice(0, 200)}): it must be http:// on 127.0.0.1 or ::1`);
  }
  return { url: url.href, port: ready.port, token: ready.token };
}
