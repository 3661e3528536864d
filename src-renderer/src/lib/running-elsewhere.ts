// Servers, proxies and replay servers started from a terminal on the window's data folder
// (servers.elsewhere): how the Servers view names them, and the start form's note when one of
// them holds the port it is about to ask for.
import type { RunningElsewhere } from '../api/contract';

/** "tlslab server", "tlslab proxy", "tlslab replay-server": the command the student typed. */
export function elsewhereCommand(entry: RunningElsewhere): string {
  return `tlslab ${entry.kind}`;
}

/** "127.0.0.1:4433", "[::1]:4433": as the engine writes an address. */
function addressOf(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The note next to the Port field when a terminal's tlslab command listens where the form would:
 * "127.0.0.1:4433 is taken by tlslab server (process 1234) from a terminal; use 4434 or 0". Null
 * when nothing listed holds it, or the address is not one yet (the form's own checks say so).
 */
export function portTakenNote(hostText: string, portText: string, running: readonly RunningElsewhere[]): string | null {
  const host = hostText.trim() === 'localhost' ? '127.0.0.1' : hostText.trim();
  if (host === '' || !/^\d+$/.test(portText.trim())) return null;
  const port = Number(portText.trim());
  if (port === 0 || port > 65535) return null;
  const taken = new Set(running.flatMap((entry) => entry.addresses));
  const address = addressOf(host, port);
  const holder = running.find((entry) => entry.addresses.includes(address));
  if (!holder) return null;
  let free = port + 1;
  while (free <= 65535 && taken.has(addressOf(host, free))) free++;
  const instead = free <= 65535 ? `use ${free} or 0` : 'use 0';
  return `${address} is taken by ${elsewhereCommand(holder)} (process ${holder.pid}) from a terminal; ${instead}`;
}
