// TLS 1.3's key schedule against RFC 8448, Section 3 ("Simple 1-RTT Handshake"): from the x25519
// shared secret and the transcript hashes to the traffic secrets, keys and IVs, and one of the
// trace's protected records opened with them.
import { describe, expect, it } from 'vitest';
import { hkdfExpandLabel, hkdfLabel } from '../../../src-main/tls/hkdf';
import { finishedKey, keySchedule, trafficKeys } from '../../../src-main/tls/keySchedule13';
import { openRecord } from '../../../src-main/tls/recordCrypto';
import { suiteParameters } from '../../../src-main/tls/suites';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 8448, Section 3.
const SHARED_SECRET = '8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 0f 89 49 2d';
const HELLO_HASH = '86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8';
const SERVER_FINISHED_HASH = '96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13';

const suite = suiteParameters(0x1301)!; // TLS_AES_128_GCM_SHA256

describe('TLS 1.3 key schedule (RFC 8448, Simple 1-RTT Handshake)', () => {
  const schedule = keySchedule({ hash: 'sha256', sharedSecret: hex(SHARED_SECRET), helloHash: hex(HELLO_HASH), serverFinishedHash: hex(SERVER_FINISHED_HASH) });

  it('extracts the early, handshake and master secrets', () => {
    expect(toHex(schedule.earlySecret)).toBe('33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
    expect(toHex(schedule.handshakeSecret)).toBe('1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac');
    expect(toHex(schedule.masterSecret)).toBe('18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919');
  });

  it('derives the handshake and application traffic secrets', () => {
    expect(toHex(schedule.clientHandshakeTrafficSecret)).toBe('b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21');
    expect(toHex(schedule.serverHandshakeTrafficSecret)).toBe('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');
    expect(toHex(schedule.clientApplicationTrafficSecret)).toBe('9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5');
    expect(toHex(schedule.serverApplicationTrafficSecret)).toBe('a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643');
    expect(toHex(schedule.exporterMasterSecret)).toBe('fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50');
  });

  it('writes the HkdfLabel bytes the RFC shows for "c hs traffic"', () => {
    expect(toHex(hkdfLabel('c hs traffic', hex(HELLO_HASH), 32))).toBe(
      '002012746c73313320632068732074726166666963' + '20' + HELLO_HASH.replace(/ /g, ''),
    );
    const step = schedule.steps.find((s) => s.title.startsWith('client_handshake_traffic_secret'));
    expect(step?.operation).toBe('HKDF-Expand-Label');
    expect(step?.inputs.find((i) => i.name === 'label')?.text).toBe('tls13 c hs traffic');
  });

  it('expands the traffic secrets into write keys and IVs', () => {
    const serverHs = trafficKeys(suite, schedule.serverHandshakeTrafficSecret);
    expect(toHex(serverHs.key)).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(toHex(serverHs.iv)).toBe('5d313eb2671276ee13000b30');
    const clientHs = trafficKeys(suite, schedule.clientHandshakeTrafficSecret);
    expect(toHex(clientHs.key)).toBe('dbfaa693d1762c5b666af5d950258d01');
    expect(toHex(clientHs.iv)).toBe('5bd3c71b836e0b76bb73265f');
    const serverAp = trafficKeys(suite, schedule.serverApplicationTrafficSecret);
    expect(toHex(serverAp.key)).toBe('9f02283b6c9c07efc26bb9f2ac92e356');
    expect(toHex(serverAp.iv)).toBe('cf782b88dd83549aadf1e984');
    const clientAp = trafficKeys(suite, schedule.clientApplicationTrafficSecret);
    expect(toHex(clientAp.key)).toBe('17422dda596ed5d9acd890e3c63f5051');
    expect(toHex(clientAp.iv)).toBe('5b78923dee08579033e523d9');
  });

  it('derives the finished keys', () => {
    expect(toHex(finishedKey('sha256', schedule.clientHandshakeTrafficSecret))).toBe('b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4');
    expect(toHex(finishedKey('sha256', schedule.serverHandshakeTrafficSecret))).toBe('008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8');
    // Expand-Label with an empty context is the same call the finished key makes.
    expect(toHex(hkdfExpandLabel('sha256', schedule.serverHandshakeTrafficSecret, 'finished', new Uint8Array(0), 32))).toBe(
      '008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8',
    );
  });

  it("opens the client's application data record: 50 bytes 00..31, inner type application_data", () => {
    const record = hex(
      '17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f 2b 98 19 a8 a5 b4 6b 39 5b ' +
        'd5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 3a ee bb 21 69 49 15 e4',
    );
    const keys = trafficKeys(suite, schedule.clientApplicationTrafficSecret);
    const opened = openRecord({
      keys: { suite, key: keys.key, iv: keys.iv, tls13: true, ivName: 'client_application_write_iv' },
      sequenceNumber: 0,
      contentType: record[0],
      version: (record[1] << 8) | record[2],
      body: record.subarray(5),
    });
    expect(opened.status).toBe('decrypted');
    expect(opened.tagCheck).toBe('ok');
    expect(opened.contentType).toBe(23);
    expect(toHex(opened.plaintext!)).toBe(toHex(Uint8Array.from({ length: 50 }, (_, i) => i)));
    expect(toHex(opened.additionalData!)).toBe('1703030043');
    // Sequence number 0: the nonce is the IV itself.
    expect(opened.nonce?.hex).toBe('5b78923dee08579033e523d9');

    // One flipped bit: the tag check fails and no plaintext is shown.
    const changed = Uint8Array.from(record);
    changed[20] ^= 0x01;
    const refused = openRecord({
      keys: { suite, key: keys.key, iv: keys.iv, tls13: true, ivName: 'client_application_write_iv' },
      sequenceNumber: 0,
      contentType: 23,
      version: 0x0303,
      body: changed.subarray(5),
    });
    expect(refused.status).toBe('tag-failed');
    expect(refused.tagCheck).toBe('failed');
    expect(refused.plaintext).toBeUndefined();
  });
});
