// The host table form: a name and the address it stands for (the lab's /etc/hosts trick).
import type { HostEntry } from '../api/contract';

export type HostEntryResult = { ok: true; entry: HostEntry } | { ok: false; errors: { name?: string; address?: string } };

const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function validateHostEntry(name: string, address: string): HostEntryResult {
  const errors: { name?: string; address?: string } = {};
  const n = name.trim().toLowerCase();
  const a = address.trim();
  if (n === '') errors.name = 'Enter a host name, e.g. www.bank32.com.';
  else if (!HOST_NAME.test(n)) errors.name = 'A host name has letters, digits, "-" and dots only, e.g. www.bank32.com.';
  if (a === '') errors.address = 'Enter the IP address it should go to, e.g. 127.0.0.1.';
  else if (IPV4.test(a) ? a.split('.').some((o) => Number(o) > 255) : !(a.includes(':') && /^[0-9A-Fa-f:.]+$/.test(a))) {
    errors.address = 'Use an IP address such as 127.0.0.1 or ::1.';
  }
  if (errors.name || errors.address) return { ok: false, errors };
  return { ok: true, entry: { name: n, address: a } };
}

export function sortHosts(hosts: readonly HostEntry[]): HostEntry[] {
  return [...hosts].sort((x, y) => x.name.localeCompare(y.name));
}
