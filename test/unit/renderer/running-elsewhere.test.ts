// The start form's note when a `tlslab server` (proxy, replay server) in a terminal holds the port.
import { describe, expect, it } from 'vitest';
import type { RunningElsewhere } from '../../../src-main/api/serverTypes';
import { portTakenNote } from '../../../src-renderer/src/lib/running-elsewhere';

const server: RunningElsewhere = {
  kind: 'server', origin: 'terminal', pid: 1234, address: '127.0.0.1:4433', addresses: ['127.0.0.1:4433'], label: 'bank', startedAt: 0,
};
const proxy: RunningElsewhere = {
  kind: 'proxy', origin: 'terminal', pid: 77, address: '127.0.0.1:4434', addresses: ['127.0.0.1:4434', '127.0.0.1:8080'], label: 'mitm', startedAt: 0, mode: 'both',
};

describe('the port note for a port a terminal holds', () => {
  it('names the command and its process, and offers the next port none of them holds', () => {
    expect(portTakenNote('127.0.0.1', '4433', [server])).toBe('127.0.0.1:4433 is taken by tlslab server (process 1234) from a terminal; use 4434 or 0');
    expect(portTakenNote('localhost', ' 4433 ', [server, proxy])).toBe('127.0.0.1:4433 is taken by tlslab server (process 1234) from a terminal; use 4435 or 0');
    expect(portTakenNote('127.0.0.1', '8080', [server, proxy])).toBe('127.0.0.1:8080 is taken by tlslab proxy (process 77) from a terminal; use 8081 or 0');
  });

  it('says nothing for a free port, another address, port 0 or a port that is not one yet', () => {
    expect(portTakenNote('127.0.0.1', '4435', [server, proxy])).toBeNull();
    expect(portTakenNote('127.0.0.2', '4433', [server])).toBeNull();
    expect(portTakenNote('127.0.0.1', '0', [server])).toBeNull();
    expect(portTakenNote('127.0.0.1', 'port', [server])).toBeNull();
    expect(portTakenNote('127.0.0.1', '4433', [])).toBeNull();
  });
});
