// The key exchange of a handshake, read from real recorded bytes: openssl s_client talks to
// openssl s_server through a recording relay, and the engine names what they did.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyExchangeOfHandshake } from '../../../src-main/tls/keyExchange';
import { type RecordedChunk, decodeConnection } from '../../../src-main/tls/records';
import { startOpensslServer } from '../../support/opensslServer';
import { recordingRelay } from '../../support/recordingRelay';
import { run } from '../../support/run';
import { TestCertificate, captureOpensslSession } from './opensslCapture';
import { clientHelloBody, concat, extension, handshake, record, u16, vec } from './wire';

const GET = 'GET / HTTP/1.0\r\n\r\n';

let certificate: TestCertificate;
let dir: string;

beforeAll(() => {
  certificate = new TestCertificate();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlslab-kx-'));
});

afterAll(() => {
  certificate.remove();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function fullHandshake(serverArgs: string[], clientArgs: string[]) {
  const capture = await captureOpensslSession(certificate, { serverArgs: ['-www', ...serverArgs], clientArgs, clientInput: GET });
  return keyExchangeOfHandshake(decodeConnection(capture.chunks));
}

describe('the key exchange of a full handshake, from its recorded bytes', () => {
  it('TLS 1.2 with AES128-GCM-SHA256: RSA key transport, no ephemeral key', async () => {
    expect(await fullHandshake([], ['-tls1_2', '-cipher', 'AES128-GCM-SHA256'])).toMatchObject({
      method: 'RSA',
      ephemeral: false,
      group: null,
      resumed: false,
      pskMode: null,
      summary: expect.stringContaining('no forward secrecy'),
    });
  });

  it("TLS 1.2 with ECDHE on P-256: the group is the ServerKeyExchange's named curve", async () => {
    expect(await fullHandshake(['-groups', 'P-256'], ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])).toMatchObject({
      method: 'ECDHE',
      ephemeral: true,
      group: 'secp256r1',
      resumed: false,
      summary: 'ECDHE with secp256r1: ephemeral key, forward secrecy',
    });
  });

  it("TLS 1.3 with x25519: the group is the ServerHello's key_share", async () => {
    expect(await fullHandshake(['-groups', 'X25519'], ['-tls1_3'])).toMatchObject({ method: 'ECDHE', ephemeral: true, group: 'x25519', resumed: false, pskMode: null });
  });

  it('TLS 1.3 after a HelloRetryRequest for P-256: the group of the ServerHello that settled it', async () => {
    expect(await fullHandshake(['-groups', 'P-256'], ['-tls1_3', '-groups', 'X25519:P-256'])).toMatchObject({ method: 'ECDHE', group: 'secp256r1', ephemeral: true });
  });

  it('a connection that never got a ServerHello has no key exchange to name', () => {
    const hello: RecordedChunk = { direction: 'client-to-server', t: 0, data: Uint8Array.from([22, 3, 1, 0, 4, 1, 0, 0, 0]) };
    expect(keyExchangeOfHandshake(decodeConnection([hello]))).toBeNull();
  });
});

describe('the key exchange of a resumed handshake, from its recorded bytes', () => {
  /** Two s_client connections to one s_server, the second resuming the first; the second's bytes. */
  async function resumed(serverArgs: string[], clientArgs: string[]) {
    const peer = await startOpensslServer(certificate.cert, certificate.key, ['-www', ...serverArgs]);
    try {
      const session = path.join(dir, `session-${Math.random().toString(16).slice(2)}.pem`);
      const connect = async (args: string[]) => {
        const relay = await recordingRelay(peer.port);
        const out = await run('openssl', ['s_client', '-connect', `127.0.0.1:${relay.port}`, '-ign_eof', ...clientArgs, ...args], { input: GET });
        await relay.settled();
        relay.close();
        return { chunks: relay.chunks, output: out.output };
      };
      const first = await connect(['-sess_out', session]);
      expect(first.output).toMatch(/New, TLSv1\.\d/);
      const second = await connect(['-sess_in', session]);
      expect(second.output).toMatch(/Reused, TLSv1\.\d/);
      return keyExchangeOfHandshake(decodeConnection(second.chunks));
    } finally {
      await peer.stop();
    }
  }

  it('TLS 1.3 by ticket with a fresh key share (psk_dhe_ke): still forward secret', async () => {
    expect(await resumed(['-groups', 'X25519'], ['-tls1_3'])).toMatchObject({
      method: 'ECDHE',
      ephemeral: true,
      group: 'x25519',
      resumed: true,
      pskMode: 'psk_dhe_ke',
    });
  });

  it('TLS 1.3 by ticket with the pre-shared key alone (psk_ke): no ephemeral key, though the suite is a TLS 1.3 one', () => {
    // OpenSSL 3.0's client always offers psk_dhe_ke too, and its server then takes it: the
    // ServerHello of a psk_ke resumption is built here (pre_shared_key, no key_share; RFC 8446 4.2.11).
    const body = concat(
      u16(0x0303),
      new Uint8Array(32).fill(3),
      vec(1, new Uint8Array(32).fill(2)),
      u16(0x1301),
      [0],
      vec(2, extension(43, u16(0x0304)), extension(41, u16(0))),
    );
    const chunks: RecordedChunk[] = [
      { direction: 'client-to-server', t: 0, data: record(22, handshake(1, clientHelloBody({ versions: [0x0304] }))) },
      { direction: 'server-to-client', t: 1, data: record(22, handshake(2, body)) },
    ];
    expect(keyExchangeOfHandshake(decodeConnection(chunks))).toMatchObject({
      method: 'PSK',
      ephemeral: false,
      group: null,
      resumed: true,
      pskMode: 'psk_ke',
      summary: expect.stringContaining('no forward secrecy'),
    });
  });

  it('TLS 1.2 by session ticket and by session ID: no key exchange at all', async () => {
    const expected = { method: 'resumed', ephemeral: false, resumed: true, pskMode: null };
    expect(await resumed([], ['-tls1_2'])).toMatchObject(expected);
    expect(await resumed(['-no_ticket'], ['-tls1_2'])).toMatchObject(expected);
  });
});
