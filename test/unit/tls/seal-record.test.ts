// sealRecord is openRecord's reverse: every suite the workbench decrypts reads back what it seals.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openRecord, type RecordKeys } from '../../../src-main/tls/recordCrypto';
import { sealRecord } from '../../../src-main/tls/sealRecord';
import { supportedSuites, type SuiteParameters } from '../../../src-main/tls/suites';
import { HASH_LENGTH } from '../../../src-main/tls/suites';

function keysFor(suite: SuiteParameters, encryptThenMac = false): RecordKeys {
  return {
    suite,
    key: crypto.randomBytes(suite.keyLength),
    iv: crypto.randomBytes(suite.fixedIvLength),
    macKey: suite.macHash ? crypto.randomBytes(HASH_LENGTH[suite.macHash]) : undefined,
    encryptThenMac,
    tls13: suite.family === 'tls13',
    ivName: 'client_write_iv',
  };
}

const ALERT = Uint8Array.of(2, 48);

describe('sealRecord', () => {
  const cases = supportedSuites().flatMap((suite) => (suite.protection === 'cbc' ? [[suite, false], [suite, true]] : [[suite, false]]) as [SuiteParameters, boolean][]);
  it.each(cases.map(([s, etm]) => [`${s.name}${etm ? ' (encrypt-then-MAC)' : ''}`, s, etm] as const))('%s: openRecord reads back a sealed alert', (_name, suite, etm) => {
    const keys = keysFor(suite, etm);
    const record = sealRecord({ keys, sequenceNumber: 7, contentType: 21, version: 0x0303, plaintext: ALERT });
    const length = (record[3] << 8) | record[4];
    expect(length).toBe(record.length - 5);
    // TLS 1.3 hides the type: the header says application_data.
    expect(record[0]).toBe(keys.tls13 ? 23 : 21);
    const opened = openRecord({ keys, sequenceNumber: 7, contentType: record[0], version: 0x0303, body: record.subarray(5) });
    expect(opened.status).toBe('decrypted');
    expect(opened.contentType).toBe(21);
    expect([...(opened.plaintext ?? [])]).toEqual([2, 48]);
    // Under another sequence number the record does not open (unless nothing protects it but a MAC of the same keys).
    const wrong = openRecord({ keys, sequenceNumber: 8, contentType: record[0], version: 0x0303, body: record.subarray(5) });
    expect(wrong.status).not.toBe('decrypted');
  });

  it('refuses a TLS 1.0 CBC record, whose IV is the record before it', () => {
    const suite = supportedSuites().find((s) => s.protection === 'cbc')!;
    const keys = { ...keysFor(suite), implicitIv: new Uint8Array(16) };
    expect(() => sealRecord({ keys, sequenceNumber: 1, contentType: 21, version: 0x0301, plaintext: ALERT })).toThrow(/TLS 1.0/);
  });
});
