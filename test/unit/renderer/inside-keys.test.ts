import { describe, expect, it } from 'vitest';
import type { ConnectionKeys, DerivationStep } from '../../../src-main/api/decryptTypes';
import { keyAdvice, stepCheck } from '../../../src-renderer/src/lib/inside-records';

const value = (name: string, hex: string) => ({ name, hex, length: hex.length / 2 });

function finished(computed: string, received: string): DerivationStep {
  return {
    title: 'server Finished check: verify_data = HMAC(finished_key, Transcript-Hash)',
    operation: 'HMAC-SHA256',
    inputs: [value('server finished_key', '00'.repeat(32))],
    outputs: [value('computed verify_data', computed), value('received verify_data', received)],
    note: 'they match: these keys are the ones the peers used',
  };
}

function keys(extra: Partial<ConnectionKeys>): ConnectionKeys {
  return { sessionId: 1, connectionId: 1, leg: 'client', keyShares: [], extendedMasterSecret: true, encryptThenMac: false, source: 'none', secrets: [], keys: [], steps: [], keylog: [], notes: [], ...extra };
}

describe('the key schedule, as the Key material tab lists it', () => {
  it('a Finished check says on its closed summary whether the verify_data matched', () => {
    expect(stepCheck(finished('aabbcc', 'AABBCC'))).toBe('match');
    expect(stepCheck(finished('aabbcc', 'aabbcd'))).toBe('differ');
    // A step that only derives checks nothing.
    expect(stepCheck({ title: 'client_write_key', operation: 'HKDF-Expand-Label', inputs: [], outputs: [value('client_write_key', '11'.repeat(16))] })).toBeNull();
  });

  it('an RSA key exchange with nothing to open it tells the student where to give the server key', () => {
    expect(keyAdvice(keys({ keyExchange: 'rsa' }))).toContain("server's private key alone opens it");
    expect(keyAdvice(keys({ keyExchange: 'rsa' }))).toContain('Certificates');
    // Opened already, or an (EC)DHE exchange no server key opens: no such advice.
    expect(keyAdvice(keys({ keyExchange: 'rsa', source: 'server-private-key' }))).toBeNull();
    expect(keyAdvice(keys({ keyExchange: 'ecdhe' }))).toBeNull();
  });
});
