// SSLKEYLOGFILE text (the NSS key log format Wireshark, curl and browsers share), out and in.
import type { RecordedSession } from './recordedSession';

/** Every key log line of the session, each once, in the order they were logged. */
export function sessionKeylogLines(session: RecordedSession): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const c of session.connections) {
    for (const k of c.keylog) {
      const line = k.line.trim();
      if (line && !seen.has(line)) {
        seen.add(line);
        lines.push(line);
      }
    }
  }
  return lines;
}

export function keylogFile(session: RecordedSession): string {
  return sessionKeylogLines(session)
    .map((l) => `${l}\n`)
    .join('');
}

const KEYLOG_LINE = /^[A-Z_0-9]+ [0-9a-fA-F]+ [0-9a-fA-F]+$/;

/**
 * The lines of a key log file. Comments and blank lines are dropped; anything else that is not
 * "LABEL <client random> <secret>" makes the whole file unreadable, with the line quoted.
 */
export function parseKeylogFile(text: string, name = 'the key log'): { lines: string[] } | { problem: string } {
  const lines: string[] = [];
  // A capture or other binary file given as the key log: say so rather than quote its bytes.
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
    return { problem: `${name} is not a key log: it holds binary data, not lines of text (was the capture itself given as the key log?)` };
  }
  const all = text.split(/\r?\n/);
  for (let i = 0; i < all.length; i++) {
    const line = all[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!KEYLOG_LINE.test(line.replace(/\s+/g, ' '))) {
      return {
        problem: `${name} line ${i + 1} is not an NSS key log line ("LABEL <client random hex> <secret hex>"): ${line.slice(0, 60)}`,
      };
    }
    lines.push(line.replace(/\s+/g, ' '));
  }
  return { lines };
}

/** The client random (hex, lower case) a key log line belongs to. */
export function keylogClientRandom(line: string): string | undefined {
  return line.split(' ')[1]?.toLowerCase();
}
