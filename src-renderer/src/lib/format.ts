// How numbers, times and bytes read on screen. Pure functions, no DOM.

/** Offset inside a session, in ms with 3 decimals: "12.345". */
export function formatOffsetMs(t: number): string {
  return t.toFixed(3);
}

/** A duration for people: "850 ms", "2.40 s", "3 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1_000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local date and time, unambiguous across locales: "2025-11-25 14:03:07". */
export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Short time for lists: "14:03:07" today, "2025-11-24 14:03" otherwise. */
export function formatListTime(epochMs: number, now: number = Date.now()): string {
  const d = new Date(epochMs);
  const today = new Date(now);
  if (Number.isNaN(d.getTime())) return '—';
  const sameDay =
    d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  if (sameDay) return time;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${time.slice(0, 5)}`;
}

/** Byte counts: "517 bytes", "1 byte", "12.3 KiB", "4.00 MiB". */
export function formatBytes(n: number): string {
  if (n === 1) return '1 byte';
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

/** A two-byte protocol version as hex: 0x0303. */
export function formatVersionHex(version: number): string {
  return `0x${version.toString(16).padStart(4, '0')}`;
}

/** A fingerprint as colon-separated upper-case byte pairs, whatever form it came in. */
export function formatFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return (hex.match(/.{1,2}/g) ?? []).join(':');
}

/** Hex bytes in groups of `perLine` for a monospaced block. */
export function formatHexLines(hex: string, perLine = 16): string[] {
  const pairs = hex.replace(/[^0-9a-fA-F]/g, '').toLowerCase().match(/.{1,2}/g) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < pairs.length; i += perLine) lines.push(pairs.slice(i, i + perLine).join(' '));
  return lines;
}

/** Count with a noun: "1 certificate", "3 certificates" (the engine's own, so that both say it alike). */
export { plural } from '../../../src-main/api/words';

/** The count above the servers or proxies: "" when there are none (the empty card says so), else "1 running · 2 stopped". */
export function serviceCount(running: number, total: number): string {
  if (total === 0) return '';
  const stopped = total - running;
  return stopped > 0 ? `${running} running · ${stopped} stopped` : `${running} running`;
}

/** What was said of a server or proxy just started ("Started ... on ADDR"), with its id. */
export interface StartedNotice {
  id: number;
  text: string;
}

/** The notice while the server or proxy it speaks of runs; null once that one is stopped or removed. */
export function runningNotice(notice: StartedNotice | null, list: readonly { id: number; status: string }[]): string | null {
  return notice && list.some((s) => s.id === notice.id && s.status === 'running') ? notice.text : null;
}

/** How an empty list of servers or proxies says to start one: by the form when it is open, else by the button. */
export function startHint(formOpen: boolean, what: 'server' | 'proxy'): string {
  return formOpen ? 'Fill in the form above' : `Choose “Start a new ${what}” above`;
}

/**
 * A cipher suite name cut into pieces of at most `width` characters at its separators
 * ("TLS_AES_" "256_GCM_" "SHA384"), so that a narrow column breaks it over a few lines, not one
 * line per word. A piece longer than `width` stays whole.
 */
export function cipherPieces(name: string, width = 10): string[] {
  const pieces: string[] = [];
  for (const part of name.split(/(?<=[_-])/)) {
    const last = pieces.length - 1;
    if (last >= 0 && pieces[last].length + part.length <= width) pieces[last] += part;
    else pieces.push(part);
  }
  return pieces;
}
