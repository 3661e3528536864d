// Forged certificates by (CA, host, template), most recently used last. An entry that expires
// soon is dropped on lookup rather than served: the proxy must never present a stale leaf.
const EXPIRY_MARGIN_MS = 60 * 60 * 1000;

export interface Expiring {
  notAfter: number;
}

export class ExpiringLru<T extends Expiring> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.notAfter - EXPIRY_MARGIN_MS <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Drops the entries whose key starts with the prefix (a deleted CA's forgeries). */
  dropPrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
