// A TLS 1.3 connection's secrets and a record sealer, for tests that build connections byte by
// byte: the traffic secrets are known, so every record can be sealed as a real peer would.
import { createCipheriv } from 'node:crypto';
import { hkdfExpandLabel } from '../../../src-main/tls/hkdf';
import { trafficKeys } from '../../../src-main/tls/keySchedule13';
import { suiteParameters } from '../../../src-main/tls/suites';
import { concat, u16 } from './wire';

export const suite = suiteParameters(0x1301)!;
export const CLIENT_RANDOM = '01'.repeat(32);
export const secret = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Seals one TLS 1.3 record: TLSInnerPlaintext (content + type) under AES-128-GCM. */
export function seal(trafficSecret: Uint8Array, sequenceNumber: number, type: number, content: Uint8Array): Uint8Array {
  const { key, iv } = trafficKeys(suite, trafficSecret);
  const nonce = Uint8Array.from(iv);
  nonce[11] ^= sequenceNumber;
  const inner = concat(content, [type]);
  const header = concat([23], u16(0x0303), u16(inner.length + 16));
  const cipher = createCipheriv('aes-128-gcm', key, nonce);
  cipher.setAAD(header);
  return concat(header, cipher.update(inner), cipher.final(), cipher.getAuthTag());
}

export const C_HS = secret(0x11);
export const S_HS = secret(0x22);
export const C_AP = secret(0x33);
export const S_AP = secret(0x44);
export const C_AP_1 = hkdfExpandLabel('sha256', C_AP, 'traffic upd', new Uint8Array(0), 32);

export const keylog = [
  `CLIENT_HANDSHAKE_TRAFFIC_SECRET ${CLIENT_RANDOM} ${hex(C_HS)}`,
  `SERVER_HANDSHAKE_TRAFFIC_SECRET ${CLIENT_RANDOM} ${hex(S_HS)}`,
  `CLIENT_TRAFFIC_SECRET_0 ${CLIENT_RANDOM} ${hex(C_AP)}`,
  `SERVER_TRAFFIC_SECRET_0 ${CLIENT_RANDOM} ${hex(S_AP)}`,
];
