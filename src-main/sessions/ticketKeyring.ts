// The ticket keys the workbench's servers used, kept in the data folder so that a recorded session
// can later be opened the way an attacker who stole the server's ticket key would open it. One
// file, mode 0600, of JSON lines: a line saying what the file is, then one line per key, each added
// with a single append, so that servers started at the same moment by different processes (the
// engine and a `tlslab server`) all keep theirs. It is never part of an export or a hand-out
// bundle: it stays where it is.
import fs from 'node:fs';
import path from 'node:path';
import { TICKET_KEYRING_FILE } from '../store/database';
import { writeFilesAtomically } from '../workshop/files';
import type { TicketKeyEntry } from '../tls/sessionTicket';

export { TICKET_KEYRING_FILE };

const ABOUT =
  'Session ticket keys of the servers this workbench ran (key name, HMAC-SHA256 secret, AES-128-CBC key, hex). ' +
  'Whoever has this file can open every ticket those servers issued, and so read the recorded TLS 1.2 sessions that used one. Keep it private.';

const HEX16 = /^[0-9a-f]{32}$/;

function valid(entry: unknown): entry is TicketKeyEntry {
  const e = entry as Partial<TicketKeyEntry> | null;
  return (
    !!e &&
    typeof e.keyName === 'string' && HEX16.test(e.keyName) &&
    typeof e.hmacKey === 'string' && HEX16.test(e.hmacKey) &&
    typeof e.aesKey === 'string' && HEX16.test(e.aesKey) &&
    typeof e.server === 'string' &&
    typeof e.startedAt === 'number'
  );
}

/** The keys in the file's text: JSON lines, or the single JSON document earlier workbenches wrote. Damaged lines are skipped. */
function parseKeys(text: string): TicketKeyEntry[] {
  try {
    const whole = JSON.parse(text) as { keys?: unknown };
    if (Array.isArray(whole?.keys)) return whole.keys.filter(valid);
  } catch {
    // several lines: read them one by one
  }
  const byName = new Map<string, TicketKeyEntry>();
  for (const line of text.split('\n')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (!valid(parsed)) continue;
    byName.delete(parsed.keyName);
    byName.set(parsed.keyName, parsed);
  }
  return [...byName.values()];
}

export class TicketKeyring {
  readonly file: string;
  private cached?: { mtimeMs: number; size: number; keys: TicketKeyEntry[] };

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, TICKET_KEYRING_FILE);
  }

  /** Every key kept, oldest first. A missing file is an empty keyring; a damaged line is left out. */
  list(): TicketKeyEntry[] {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch {
      return [];
    }
    if (this.cached && this.cached.mtimeMs === stat.mtimeMs && this.cached.size === stat.size) return this.cached.keys;
    let keys: TicketKeyEntry[] = [];
    try {
      keys = parseKeys(fs.readFileSync(this.file, 'utf8'));
    } catch {
      keys = [];
    }
    this.cached = { mtimeMs: stat.mtimeMs, size: stat.size, keys };
    return keys;
  }

  /** Keeps one more key (a server started): one appended line. */
  add(entry: TicketKeyEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    this.cached = undefined;
    let fd: number;
    try {
      fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      try {
        fs.writeSync(fd, `${JSON.stringify({ about: ABOUT })}\n${line}`);
      } finally {
        fs.closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = fs.readFileSync(this.file, 'utf8');
    if (!text.startsWith('{"about"') || !text.includes('\n')) {
      // A file an earlier workbench wrote whole (or one damaged): rewritten once as lines.
      const keys = parseKeys(text).filter((k) => k.keyName !== entry.keyName);
      const body = [{ about: ABOUT }, ...keys, entry].map((k) => JSON.stringify(k)).join('\n');
      writeFilesAtomically([{ path: this.file, data: `${body}\n`, secret: true }]);
      return;
    }
    fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND);
    try {
      // A line cut short (a crash mid-write) must not swallow this one.
      fs.writeSync(fd, text.endsWith('\n') ? line : `\n${line}`);
    } finally {
      fs.closeSync(fd);
    }
  }
}
