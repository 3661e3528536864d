import { describe, expect, it } from 'vitest';
import type { ConnectionKeys, DecryptedRecordInfo, DerivationStep } from '../../../src-main/api/decryptTypes';
import { decryptionFacts, keyAdvice, keyExchangeText, stepCheck } from '../../../src-renderer/src/lib/inside-records';

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

describe('the decryption of a CBC record, as the record inspector explains it', () => {
  // Record 11 of a TLS 1.0 AES128-SHA session with encrypt-then-MAC (openssl s_client -tls1): the
  // empty record of the 1/n-1 split, one block of padding.
  const tls10: DecryptedRecordInfo = {
    number: 11,
    t: 11,
    direction: 'client-to-server',
    outerContentType: 23,
    contentType: 23,
    contentTypeName: 'Application Data',
    length: 36,
    status: 'decrypted',
    keyEpoch: 'after ChangeCipherSpec',
    sequenceNumber: 1,
    recordIv: '9bacfcd918751d388c4ad4a79d0c3d5d',
    additionalData: '00000000000000011703010010',
    mac: { hash: 'HMAC-SHA1', received: '61', computed: '61', ok: true, order: 'encrypt-then-mac', paddingOk: true },
    paddingLength: 16,
    plaintextHex: '',
    plaintextLength: 0,
    messages: ['Application Data'],
  };

  it('TLS 1.0: the IV is not a field of the record, the padding is CBC padding, the type is the header one', () => {
    const facts = decryptionFacts(tls10, 0x0301);
    const labels = facts.map((f) => f.label);
    expect(labels).not.toContain('Record IV');
    expect(facts.find((f) => f.label === 'IV (not in the record)')?.explanation).toContain("previous record's last ciphertext block");
    expect(labels).not.toContain('Zero padding removed');
    expect(facts.find((f) => f.label === 'CBC padding removed')).toMatchObject({ value: '16 bytes' });
    expect(facts.find((f) => f.label === 'CBC padding removed')?.explanation).toContain('15 padding bytes and the padding-length byte, each of value 15');
    expect(labels).not.toContain('Real content type');
    expect(labels).toContain('Content type');
    expect(labels).toContain('MAC header');
    // The empty record before the data: why it is there.
    expect(facts.find((f) => f.label === 'Empty record')?.explanation).toContain('BEAST');
  });

  it('TLS 1.2: the IV is the first block of the record', () => {
    const facts = decryptionFacts({ ...tls10, additionalData: '00000000000000011703030010' }, 0x0303);
    expect(facts.find((f) => f.label === 'Record IV')?.explanation).toContain("record's first block");
    // TLS 1.1 and later need no empty record: an empty one there is not explained as one.
    expect(facts.map((f) => f.label)).not.toContain('Empty record');
  });

  it('TLS 1.2 GCM: the content type is the header one, not a hidden "real" one', () => {
    const { mac: _mac, recordIv: _iv, paddingLength: _pad, ...rest } = tls10;
    const facts = decryptionFacts({ ...rest, nonce: { hex: 'aa', construction: 'salt + explicit nonce', fixedIv: 'ab', explicit: 'cd' }, tag: 'ff', tagCheck: 'ok' }, 0x0303);
    expect(facts.map((f) => f.label)).toContain('Content type');
    expect(facts.map((f) => f.label)).not.toContain('Real content type');
  });
});

describe('the key exchange, as the Key material tab names it', () => {
  it('says what each one is rather than printing its token', () => {
    expect(keyExchangeText(keys({ keyExchange: 'rsa' }))).toContain('no forward secrecy');
    // A resumed TLS 1.2 connection makes no key exchange of its own.
    expect(keyExchangeText(keys({ keyExchange: 'ecdhe', resumed: true }))).toMatch(/^none in this connection: it resumed an earlier session and reuses its master secret \(that session's key exchange: ECDHE/);
    expect(keyExchangeText(keys({ keyExchange: 'ecdhe' }))).toContain('ephemeral elliptic-curve Diffie-Hellman');
    const share = { name: 'server key share (x25519)', hex: '00', length: 1 };
    expect(keyExchangeText(keys({ keyExchange: 'tls13', keyShares: [share] }))).toContain('key_share');
    expect(keyExchangeText(keys({ keyExchange: 'tls13' }))).not.toBe('tls13');
    expect(keyExchangeText(keys({}))).toBe('—');
    expect(keyExchangeText(keys({ keyExchange: 'dh_anon' }))).toContain('nothing authenticates the server');
    for (const kx of ['psk', 'ecdhe_psk', 'dhe_psk', 'rsa_psk']) expect(keyExchangeText(keys({ keyExchange: kx }))).toContain('given beforehand');
  });
});

describe('a 0-RTT record, as the record inspector explains it', () => {
  const early: DecryptedRecordInfo = {
    number: 3,
    t: 0.3,
    direction: 'client-to-server',
    outerContentType: 23,
    contentType: 23,
    contentTypeName: 'Application Data',
    length: 44,
    status: 'decrypted',
    keyEpoch: 'early data (0-RTT)',
    sequenceNumber: 0,
    paddingLength: 0,
    messages: ['Application Data (0-RTT)'],
  };

  it('says the server turned it down, though the key log opens it', () => {
    const facts = decryptionFacts(early, 0x0303, 'rejected');
    expect(facts.find((f) => f.label === 'The server')).toMatchObject({ value: 'turned this 0-RTT data down', tone: 'fail' });
    expect(decryptionFacts(early, 0x0303, 'accepted').find((f) => f.label === 'The server')).toMatchObject({ value: 'accepted this 0-RTT data', tone: 'ok' });
    expect(decryptionFacts(early, 0x0303).map((f) => f.label)).not.toContain('The server');
  });
});
