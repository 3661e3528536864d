// TLS 1.2's PRF against the published vectors (IETF TLS mailing list, msg03416: P_SHA256 and
// P_SHA384), and the master secret / key block shapes a student sees.
import { describe, expect, it } from 'vitest';
import type { DerivationStep } from '../../../src-main/api/decryptTypes';
import { extendedMasterSecret, keyBlock, masterSecret, prf12 } from '../../../src-main/tls/prf';
import { suiteParameters } from '../../../src-main/tls/suites';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('TLS 1.2 PRF', () => {
  it('reproduces the SHA-256 PRF vector (100 bytes of "test label")', () => {
    const out = prf12('sha256', hex('9bbe436ba940f017b17652849a71db35'), 'test label', hex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(toHex(out)).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a' +
        '6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab' +
        '4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701' +
        '87347b66',
    );
  });

  it('reproduces the SHA-384 PRF vector (148 bytes)', () => {
    const out = prf12('sha384', hex('b80b733d6ceefcdc71566ea48e5567df'), 'test label', hex('cd665cf6a8447dd6ff8b27555edb7465'), 148);
    expect(toHex(out)).toBe(
      '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd' +
        'e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd' +
        '8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425' +
        '9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6' +
        '91c8f3a26854308d5eaa3be85e0990703d73e56f',
    );
  });

  it('shows each P_hash round: A(i) chained from the seed, four SHA-256 rounds for 100 bytes', () => {
    const steps: DerivationStep[] = [];
    prf12('sha256', hex('9bbe436ba940f017b17652849a71db35'), 'test label', hex('a0ba9f936cda311827a6f796ffd5198c'), 100, {
      steps,
      what: 'vector',
    });
    const rounds = steps.filter((s) => s.operation === 'HMAC-SHA256');
    expect(rounds).toHaveLength(4);
    // A(0) is label + seed; each round's A(i) is the next round's input.
    expect(rounds[0].inputs[0].hex).toBe(Buffer.from('test label').toString('hex') + 'a0ba9f936cda311827a6f796ffd5198c');
    for (let i = 1; i < rounds.length; i++) expect(rounds[i].inputs[0].hex).toBe(rounds[i - 1].outputs[0].hex);
    // The first round's output is the vector's first 32 bytes.
    expect(rounds[0].outputs[1].hex).toBe('e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a');
    expect(rounds[3].note).toBe('only the first 4 bytes of this round are used');
  });

  it('derives a 48-byte master secret and cuts the key block per suite', () => {
    const pre = new Uint8Array(48).fill(3);
    const cr = new Uint8Array(32).fill(1);
    const sr = new Uint8Array(32).fill(2);
    const master = masterSecret('sha256', pre, cr, sr);
    expect(master).toHaveLength(48);
    // The same as PRF(pre, "master secret", client_random + server_random).
    expect(toHex(master)).toBe(toHex(prf12('sha256', pre, 'master secret', new Uint8Array([...cr, ...sr]), 48)));
    expect(toHex(extendedMasterSecret('sha256', pre, new Uint8Array(32)))).not.toBe(toHex(master));

    const cbc = keyBlock(suiteParameters(0xc014)!, master, cr, sr); // ECDHE-RSA-AES256-SHA
    expect([cbc.clientWriteMacKey.length, cbc.clientWriteKey.length, cbc.clientWriteIv.length]).toEqual([20, 32, 16]);
    const gcm = keyBlock(suiteParameters(0xc02f)!, master, cr, sr); // ECDHE-RSA-AES128-GCM-SHA256
    expect([gcm.clientWriteMacKey.length, gcm.clientWriteKey.length, gcm.clientWriteIv.length]).toEqual([0, 16, 4]);
    const chacha = keyBlock(suiteParameters(0xcca8)!, master, cr, sr);
    expect([chacha.clientWriteKey.length, chacha.serverWriteIv.length]).toEqual([32, 12]);
    // The key block is one PRF output: server random first in its seed.
    const whole = prf12('sha256', master, 'key expansion', new Uint8Array([...sr, ...cr]), 2 * 16 + 2 * 4);
    expect(toHex(gcm.clientWriteKey) + toHex(gcm.serverWriteKey)).toBe(toHex(whole.subarray(0, 32)));
  });
});
