// The "Start a proxy" form as plain data: its defaults, its checks, and the ProxyConfig it
// becomes. Mistakes get one sentence next to their field before anything reaches the engine.
import type { ProxyConfig, ProxyHostMapping, ProxyMode, ProxyRewritePart, ProxyRewriteRule, TrustStoreSpec } from '../api/contract';

export type UpstreamTrustKind = 'system' | 'file' | 'dir' | 'lab';

export interface RewriteForm {
  direction: 'request' | 'response';
  find: string;
  replace: string;
  regex: boolean;
  ignoreCase: boolean;
  /** Also rewrite header values (the body, and the URL for requests, always). */
  headers: boolean;
}

export interface ProxyForm {
  label: string;
  mode: ProxyMode;
  /** Transparent mode's address, "127.0.0.1:8443". */
  listen: string;
  /** CONNECT mode's address, "127.0.0.1:8080". */
  connectListen: string;
  ca: string;
  /** One HOST=ADDR:PORT a line. */
  map: string;
  upstreamTrust: UpstreamTrustKind;
  upstreamPath: string;
  upstreamLab: string;
  upstreamInsecure: boolean;
  rewrite: RewriteForm[];
  /** MB per connection and direction; "" for the default (64), "0" for no cap. */
  recordCapMb: string;
}

export type ProxyFormErrors = Record<string, string>;
export type ProxyFormResult = { ok: true; config: ProxyConfig } | { ok: false; errors: ProxyFormErrors };

export const DEFAULT_TRANSPARENT_LISTEN = '127.0.0.1:8443';
export const DEFAULT_CONNECT_LISTEN = '127.0.0.1:8080';
export const DEFAULT_RECORD_CAP_MB = 64;

export function emptyRewrite(direction: 'request' | 'response' = 'response'): RewriteForm {
  return { direction, find: '', replace: '', regex: false, ignoreCase: false, headers: false };
}

export function defaultProxyForm(): ProxyForm {
  return {
    label: '',
    mode: 'transparent',
    listen: DEFAULT_TRANSPARENT_LISTEN,
    connectListen: DEFAULT_CONNECT_LISTEN,
    ca: '',
    map: '',
    upstreamTrust: 'system',
    upstreamPath: '',
    upstreamLab: '',
    upstreamInsecure: false,
    rewrite: [],
    recordCapMb: '',
  };
}

/** A saved form merged over the defaults, so fields added later get their default. */
export function restoreProxyForm(saved: Partial<ProxyForm> | null | undefined): ProxyForm {
  const base = defaultProxyForm();
  if (!saved || typeof saved !== 'object') return base;
  return {
    ...base,
    ...saved,
    rewrite: Array.isArray(saved.rewrite) ? saved.rewrite.map((r) => ({ ...emptyRewrite(), ...r })) : [],
  };
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/** "127.0.0.1:8443" or "[::1]:8443" -> host and port, or null when it is not that shape. */
export function splitAddress(text: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (!m) return null;
  return { host: m[1], port: Number(m[2]) };
}

function checkListen(value: string, example: string): string | null {
  const text = value.trim();
  if (text === '') return `Enter the address to listen on, e.g. ${example}.`;
  const at = splitAddress(text);
  if (!at) return `Write the address as ADDRESS:PORT, e.g. ${example}.`;
  if (!isLoopbackHost(at.host)) return `The lab's proxy listens on loopback only (127.x.x.x or ::1); "${at.host}" is not one. Use ${example}.`;
  if (at.port > 65535) return `The port is a whole number from 1 to 65535 (0 picks a free one).`;
  if (at.port > 0 && at.port < 1024) return `Port ${at.port} is below 1024: only an administrator may listen on it. Use a port such as ${example.split(':')[1]}.`;
  return null;
}

const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/** The map box's lines as entries, with one sentence for the first bad line. */
export function parseHostMap(text: string): { entries: ProxyHostMapping[]; error: string | null } {
  const entries: ProxyHostMapping[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `Line ${i + 1} ("${line}")`;
    const eq = line.indexOf('=');
    if (eq < 0) return { entries, error: `${where}: write it as HOST=ADDR:PORT, e.g. www.example.com=127.0.0.1:4433.` };
    const host = line.slice(0, eq).trim().toLowerCase();
    const address = line.slice(eq + 1).trim();
    if (!HOST_NAME.test(host)) return { entries, error: `${where}: "${host}" is not a host name; write it like www.example.com.` };
    const at = splitAddress(address) ?? (isLoopbackHost(address) ? { host: address, port: 1 } : null);
    if (!at) return { entries, error: `${where}: "${address}" is not an address; write it as 127.0.0.1:4433.` };
    if (!isLoopbackHost(at.host)) {
      return { entries, error: `${where}: the lab's proxy forwards only to loopback addresses (127.x.x.x, ::1), where the lab's "real" servers run.` };
    }
    if (at.port < 1 || at.port > 65535) return { entries, error: `${where}: the port must be from 1 to 65535.` };
    if (seen.has(host)) return { entries, error: `${where}: ${host} is mapped twice; keep one line per name.` };
    seen.add(host);
    entries.push({ host, address });
  }
  return { entries, error: null };
}

export function formatHostMap(map: readonly ProxyHostMapping[] | undefined): string {
  return (map ?? []).map((m) => `${m.host}=${m.address}`).join('\n');
}

function readTrust(form: ProxyForm, errors: ProxyFormErrors): TrustStoreSpec {
  switch (form.upstreamTrust) {
    case 'system':
      return { kind: 'system' };
    case 'file':
      if (form.upstreamPath.trim() === '') errors.upstreamPath = "Enter the path of a PEM file with the real server's CA, e.g. /home/student/lab/ca.pem.";
      return { kind: 'file', path: form.upstreamPath.trim() };
    case 'dir':
      if (form.upstreamPath.trim() === '') errors.upstreamPath = 'Enter the folder of CA certificates (hash links, as c_rehash makes them).';
      return { kind: 'dir', path: form.upstreamPath.trim() };
    case 'lab':
      if (form.upstreamLab.trim() === '') errors.upstreamLab = 'Choose the workshop CA the real server\'s certificate must chain to.';
      return { kind: 'lab', name: form.upstreamLab.trim() };
  }
}

export function validateProxyForm(form: ProxyForm): ProxyFormResult {
  const errors: ProxyFormErrors = {};
  const transparent = form.mode === 'transparent' || form.mode === 'both';
  const connect = form.mode === 'connect' || form.mode === 'both';
  if (transparent) {
    const problem = checkListen(form.listen, DEFAULT_TRANSPARENT_LISTEN);
    if (problem) errors.listen = problem;
  }
  if (connect) {
    const problem = checkListen(form.connectListen, DEFAULT_CONNECT_LISTEN);
    if (problem) errors.connectListen = problem;
  }
  if (transparent && connect && !errors.listen && !errors.connectListen) {
    const a = splitAddress(form.listen.trim());
    const b = splitAddress(form.connectListen.trim());
    if (a && b && a.port !== 0 && a.port === b.port && a.host === b.host) {
      errors.connectListen = 'The two modes need two ports: transparent mode already listens there.';
    }
  }
  if (form.ca.trim() === '') errors.ca = 'Choose the workshop CA that signs the forged certificates.';

  const map = parseHostMap(form.map);
  if (map.error) errors.map = map.error;

  const upstreamTrust = readTrust(form, errors);

  const rewrite: ProxyRewriteRule[] = [];
  form.rewrite.forEach((rule, index) => {
    if (rule.find === '') errors[`rewrite.${index}.find`] = 'Enter the text to find (or remove the rule).';
    else if (rule.regex) {
      try {
        new RegExp(rule.find, rule.ignoreCase ? 'gi' : 'g');
      } catch (error) {
        errors[`rewrite.${index}.find`] = `Not a regular expression: ${error instanceof Error ? error.message : String(error)}. Untick "regex" to find the text as written.`;
      }
    }
    const out: ProxyRewriteRule = { direction: rule.direction, find: rule.find, replace: rule.replace };
    if (rule.regex) out.regex = true;
    if (rule.ignoreCase) out.flags = 'i';
    if (rule.headers) {
      const parts: ProxyRewritePart[] = rule.direction === 'request' ? ['body', 'url', 'headers'] : ['body', 'headers'];
      out.parts = parts;
    }
    rewrite.push(out);
  });

  let recordCapBytes: number | undefined;
  const cap = form.recordCapMb.trim();
  if (cap !== '') {
    const mb = Number(cap);
    if (!/^\d+(\.\d+)?$/.test(cap) || !Number.isFinite(mb)) errors.recordCapMb = `The cap is a number of MB, 0 or more (0: no cap; empty: ${DEFAULT_RECORD_CAP_MB} MB).`;
    else recordCapBytes = Math.round(mb * 1024 * 1024);
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const config: ProxyConfig = { mode: form.mode, ca: form.ca.trim(), upstreamTrust };
  if (form.label.trim() !== '') config.label = form.label.trim();
  if (transparent) config.listen = form.listen.trim();
  if (connect) config.connectListen = form.connectListen.trim();
  if (map.entries.length > 0) config.map = map.entries;
  if (form.upstreamInsecure) config.upstreamInsecure = true;
  if (rewrite.length > 0) config.rewrite = rewrite;
  if (recordCapBytes !== undefined) config.recordCapBytes = recordCapBytes;
  return { ok: true, config };
}

/** The form that would start `config` again. */
export function proxyFormFromConfig(config: ProxyConfig): ProxyForm {
  const form = defaultProxyForm();
  form.label = config.label ?? '';
  form.mode = config.mode ?? 'transparent';
  form.listen = config.listen ?? DEFAULT_TRANSPARENT_LISTEN;
  form.connectListen = config.connectListen ?? DEFAULT_CONNECT_LISTEN;
  form.ca = config.ca;
  form.map = formatHostMap(config.map);
  const trust = config.upstreamTrust ?? { kind: 'system' };
  form.upstreamTrust = trust.kind;
  if (trust.kind === 'file' || trust.kind === 'dir') form.upstreamPath = trust.path;
  if (trust.kind === 'lab') form.upstreamLab = trust.name;
  form.upstreamInsecure = config.upstreamInsecure === true;
  form.rewrite = (config.rewrite ?? []).map((r) => ({
    direction: r.direction,
    find: r.find,
    replace: r.replace,
    regex: r.regex === true,
    ignoreCase: (r.flags ?? '').includes('i'),
    headers: (r.parts ?? []).includes('headers'),
  }));
  form.recordCapMb = config.recordCapBytes === undefined ? '' : String(Math.round((config.recordCapBytes / (1024 * 1024)) * 100) / 100);
  return form;
}

/** "request: cybersecurity → SEED+Labs" (regex rules between slashes). */
export function ruleLabel(rule: ProxyRewriteRule): string {
  const find = rule.regex ? `/${rule.find}/${rule.flags ?? ''}` : `"${rule.find}"`;
  const parts = rule.parts && rule.parts.length > 0 ? ` (${rule.parts.join(', ')})` : '';
  return `${rule.direction}: ${find} → "${rule.replace}"${parts}`;
}
