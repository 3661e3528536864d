// The workbench's own host table: the lab's /etc/hosts trick without root.
import net from 'node:net';
import type { HostEntry } from '../api/types';
import { WorkbenchError } from '../errors';
import { asciiDomain } from '../pki/names';
import type { Db } from './database';

class HostTableError extends WorkbenchError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

const HOSTNAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

export function validateHostEntry(entry: HostEntry): HostEntry {
  // Kept as clients send it: an internationalised name (bücher.example) in IDNA ASCII (xn--bcher-kva.example).
  const name = asciiDomain(entry.name.trim().toLowerCase().replace(/\.$/, ''));
  const address = entry.address.trim();
  if (!HOSTNAME.test(name)) {
    throw new HostTableError(`"${entry.name}" is not a host name; use letters, digits, dots and dashes, like www.bank32.com`);
  }
  if (!net.isIP(address)) {
    throw new HostTableError(`"${entry.address}" is not an IP address; give one like 127.0.0.1 or ::1`);
  }
  return { name, address };
}

export class HostTable {
  constructor(private readonly db: Db) {}

  list(): HostEntry[] {
    return this.db.prepare('SELECT name, address FROM hosts ORDER BY name').all() as HostEntry[];
  }

  set(entry: HostEntry): HostEntry[] {
    const clean = validateHostEntry(entry);
    this.db
      .prepare('INSERT INTO hosts (name, address) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET address = excluded.address')
      .run(clean.name, clean.address);
    return this.list();
  }

  remove(name: string): HostEntry[] {
    this.db.prepare('DELETE FROM hosts WHERE name = ?').run(asciiDomain(name.trim().toLowerCase()));
    return this.list();
  }

  lookup(name: string): string | null {
    const row = this.db
      .prepare('SELECT address FROM hosts WHERE name = ?')
      .get(asciiDomain(name.trim().toLowerCase().replace(/\.$/, ''))) as { address: string } | undefined;
    return row?.address ?? null;
  }
}
