// The ticket keys the workbench's servers used, kept in the data folder so that a recorded session
// can later be opened the way an attacker who stole the server's ticket key would open it. One
// JSON file, mode 0600, replaced atomically (written beside it and renamed, as the workshop writes
// its secret files). It is never part of an export or a hand-out bundle: it stays where it is.
import fs from 'node:fs';
import path from 'node:path';
import { writeFilesAtomically } from '../workshop/files';
import type { TicketKeyEntry } from '../tls/sessionTicket';

export const TICKET_KEYRING_FILE = 'ticket-keys.json';

interface KeyringFile {
  about: string;
  keys: TicketKeyEntry[];
}

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

export class TicketKeyring {
  readonly file: string;
  private cached?: { mtimeMs: number; size: number; keys: TicketKeyEntry[] };

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, TICKET_KEYRING_FILE);
  }

  /** Every key kept, oldest first. A missing file is an empty keyring; a damaged one is too (and is replaced on the next add). */
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
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<KeyringFile>;
      keys = Array.isArray(parsed.keys) ? parsed.keys.filter(valid) : [];
    } catch {
      keys = [];
    }
    this.cached = { mtimeMs: stat.mtimeMs, size: stat.size, keys };
    return keys;
  }

  /** Keeps one more key (a server started). */
  add(entry: TicketKeyEntry): void {
    const keys = this.list().filter((k) => k.keyName !== entry.keyName);
    keys.push(entry);
    const body: KeyringFile = { about: ABOUT, keys };
    writeFilesAtomically([{ path: this.file, data: `${JSON.stringify(body, null, 1)}\n`, secret: true }]);
    this.cached = undefined;
  }
}
