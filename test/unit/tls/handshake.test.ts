import { describe, expect, it } from 'vitest';
import { decodeHandshakeBody, decodeHandshakeMessage } from '../../../src-main/tls/handshake';
import { clientHelloBody, concat, extension, handshake, seededRandom, serverHelloBody, u16, u24, vec } from './wire';

const HRR_RANDOM = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16,
  0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

describe('handshake message decoders', () => {
  it('reads a ClientHello: SNI, ALPN, versions, groups, key shares and each field with its bytes', () => {
    const message = handshake(1, clientHelloBody({ serverName: 'www.bank32.com', alpn: ['h2', 'http/1.1'], versions: [0x0304, 0x0303] }));
    const decoded = decodeHandshakeMessage(message, 0);
    expect(decoded.name).toBe('ClientHello');
    expect(decoded.malformed).toBeUndefined();
    if (decoded.body.kind !== 'client_hello') throw new Error(`decoded as ${decoded.body.kind}`);
    const hello = decoded.body;
    expect(hello.serverName).toBe('www.bank32.com');
    expect(hello.alpn).toEqual(['h2', 'http/1.1']);
    expect(hello.supportedVersions?.map((v) => v.name)).toEqual(['TLS 1.3', 'TLS 1.2']);
    expect(hello.supportedGroups?.map((g) => g.name)).toEqual(['x25519', 'secp256r1']);
    expect(hello.keyShareGroups?.map((g) => g.name)).toEqual(['x25519']);
    expect(hello.cipherSuites.map((s) => s.name)).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
    expect(hello.sessionId.length).toBe(32);
    expect(hello.fields.map((f) => [f.field, f.offset, f.length])).toEqual([
      ['legacy_version', 4, 2],
      ['random', 6, 32],
      ['legacy_session_id', 38, 33],
      ['cipher_suites', 71, 6],
      ['legacy_compression_methods', 77, 2],
      ['extensions', 79, message.length - 79],
    ]);
    const sni = hello.extensions.find((e) => e.name === 'server_name');
    expect(sni && message.subarray(sni.offset, sni.offset + sni.length)[0]).toBe(0);
  });

  it('names the field and offset where a truncated ClientHello ends', () => {
    // legacy_version, random, empty session id, then cipher_suites claiming 4 bytes with 1 present.
    const body = concat(u16(0x0303), new Uint8Array(32), [0], u16(4), [0x13]);
    const decoded = decodeHandshakeMessage(handshake(1, body), 0);
    expect(decoded.body.kind).toBe('malformed');
    expect(decoded.malformed).toBe('ClientHello.cipher_suites: need 4 bytes at offset 41, 1 left');
    if (decoded.body.kind !== 'malformed') throw new Error('expected malformed');
    expect(decoded.body.field).toBe('ClientHello.cipher_suites');
    expect(decoded.body.errorOffset).toBe(41);
  });

  it('keeps a ClientHello whose server_name extension is broken, and says which extension', () => {
    const body = concat(u16(0x0303), new Uint8Array(32), [0], vec(2, u16(0x1301)), vec(1, [0]), vec(2, extension(0, [0, 9, 0])));
    const decoded = decodeHandshakeMessage(handshake(1, body), 0);
    expect(decoded.body.kind).toBe('client_hello');
    expect(decoded.malformed).toMatch(/^ClientHello\.server_name\.server_name_list: need 9 bytes/);
  });

  it('accepts a TLS 1.0-era ClientHello without an extensions block', () => {
    const body = concat(u16(0x0301), new Uint8Array(32), [0], vec(2, u16(0x002f)), vec(1, [0]));
    const decoded = decodeHandshakeBody(1, body, 4);
    if (decoded.kind !== 'client_hello') throw new Error(`decoded as ${decoded.kind}`);
    expect(decoded.legacyVersion.name).toBe('TLS 1.0');
    expect(decoded.extensions).toEqual([]);
    expect(decoded.serverName).toBeUndefined();
  });

  it('recognises a HelloRetryRequest by its special random and reads the group it asks for', () => {
    const body = concat(
      u16(0x0303),
      HRR_RANDOM,
      vec(1, []),
      u16(0x1302),
      [0],
      vec(2, extension(43, u16(0x0304)), extension(51, u16(24))),
    );
    const decoded = decodeHandshakeMessage(handshake(2, body), 0);
    expect(decoded.name).toBe('HelloRetryRequest');
    if (decoded.body.kind !== 'server_hello') throw new Error(`decoded as ${decoded.body.kind}`);
    expect(decoded.body.isHelloRetryRequest).toBe(true);
    expect(decoded.body.keyShareGroup?.name).toBe('secp384r1');
    expect(decoded.body.version.name).toBe('TLS 1.3');
  });

  it('reads the selected version of a TLS 1.3 ServerHello, which legacy_version hides', () => {
    const decoded = decodeHandshakeBody(2, serverHelloBody({ version: 0x0304 }), 4);
    if (decoded.kind !== 'server_hello') throw new Error(`decoded as ${decoded.kind}`);
    expect(decoded.legacyVersion.name).toBe('TLS 1.2');
    expect(decoded.selectedVersion?.name).toBe('TLS 1.3');
    expect(decoded.version.name).toBe('TLS 1.3');
    expect(decoded.isHelloRetryRequest).toBe(false);
    expect(decoded.keyShareGroup?.name).toBe('x25519');
  });

  it('spots the downgrade sentinel a TLS 1.3 server puts in a TLS 1.2 ServerHello random', () => {
    const random = concat(new Uint8Array(24), [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
    const decoded = decodeHandshakeBody(2, serverHelloBody({ random }), 4);
    if (decoded.kind !== 'server_hello') throw new Error(`decoded as ${decoded.kind}`);
    expect(decoded.downgradeSentinel).toBe('TLS 1.2');
  });

  it('reads a TLS 1.3 Certificate with its request context and per-entry extensions', () => {
    const der = new Uint8Array(40).fill(0x30);
    const body = concat(vec(1, []), vec(3, vec(3, der), vec(2, extension(5, [1, 2])), vec(3, der.subarray(0, 10)), vec(2)));
    const decoded = decodeHandshakeBody(11, body, 4, { version: 0x0304 });
    if (decoded.kind !== 'certificate') throw new Error(`decoded as ${decoded.kind}`);
    expect(decoded.form).toBe('tls13');
    expect(decoded.certificateList.map((e) => e.certData.length)).toEqual([40, 10]);
    expect(decoded.certificateList[0].extensions.map((e) => e.name)).toEqual(['status_request']);
  });

  it('reads a TLS 1.2 ECDHE ServerKeyExchange when the suite is known, and keeps it raw when not', () => {
    const body = concat([3], u16(23), vec(1, new Uint8Array(65).fill(4)), u16(0x0401), vec(2, new Uint8Array(256)));
    const decoded = decodeHandshakeBody(12, body, 4, { version: 0x0303, cipherSuite: 0xc02f });
    if (decoded.kind !== 'server_key_exchange') throw new Error(`decoded as ${decoded.kind}`);
    expect(decoded.ecdh?.curveType.name).toBe('named_curve');
    expect(decoded.ecdh?.namedCurve.name).toBe('secp256r1');
    expect(decoded.ecdh?.publicPoint.length).toBe(65);
    expect(decoded.signatureAlgorithm?.name).toBe('rsa_pkcs1_sha256');
    expect(decoded.signature?.length).toBe(256);
    const unknown = decodeHandshakeBody(12, body, 4);
    if (unknown.kind !== 'server_key_exchange') throw new Error(`decoded as ${unknown.kind}`);
    expect(unknown.keyExchange).toBe('unknown');
    expect(unknown.ecdh).toBeUndefined();
    expect(unknown.raw.length).toBe(body.length);
  });

  it('reads a TLS 1.2 CertificateRequest and NewSessionTicket', () => {
    const request = decodeHandshakeBody(13, concat(vec(1, [1, 64]), vec(2, u16(0x0804)), vec(2, vec(2, [0x30, 0]))), 4, {
      version: 0x0303,
    });
    if (request.kind !== 'certificate_request') throw new Error(`decoded as ${request.kind}`);
    expect(request.certificateTypes?.map((t) => t.name)).toEqual(['rsa_sign', 'ecdsa_sign']);
    expect(request.supportedSignatureAlgorithms?.map((s) => s.name)).toEqual(['rsa_pss_rsae_sha256']);
    expect(request.certificateAuthorities?.length).toBe(1);
    const ticket = decodeHandshakeBody(4, concat([0, 0, 0x1c, 0x20], vec(2, new Uint8Array(100))), 4, { version: 0x0303 });
    if (ticket.kind !== 'new_session_ticket') throw new Error(`decoded as ${ticket.kind}`);
    expect(ticket.ticketLifetime).toBe(7200);
    expect(ticket.ticket.length).toBe(100);
  });

  it('keeps an unknown handshake type as bytes under a name that says so', () => {
    const decoded = decodeHandshakeMessage(handshake(99, [1, 2, 3]), 0);
    expect(decoded.name).toBe('unknown handshake message (0x63)');
    expect(decoded.body.kind).toBe('raw');
    expect(decoded.malformed).toBeUndefined();
  });

  it('reports a ServerHelloDone with a body as malformed', () => {
    const decoded = decodeHandshakeMessage(handshake(14, [0]), 0);
    expect(decoded.malformed).toBe('ServerHelloDone: 1 unexpected trailing byte at offset 4');
  });

  it('reports a message whose header claims more bytes than it has', () => {
    const decoded = decodeHandshakeMessage(concat([20], u24(12), [1, 2]), 100);
    expect(decoded.name).toBe('Finished');
    expect(decoded.malformed).toBe('Finished.body: need 12 bytes at offset 104, 2 left');
  });

  it('never throws on random bodies for any message type, with or without a negotiated suite', () => {
    const random = seededRandom(0x5eed);
    const contexts = [
      {},
      { version: 0x0303, cipherSuite: 0xc02f }, // ECDHE
      { version: 0x0303, cipherSuite: 0x009c }, // RSA
      { version: 0x0304, cipherSuite: 0x1301 }, // TLS 1.3
      { version: 0x0303, cipherSuite: 0xc0a4 }, // PSK
      { version: 0x0301, cipherSuite: 0x0033 }, // TLS 1.0 DHE
    ];
    for (let i = 0; i < 3000; i++) {
      const body = Uint8Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256));
      // Bias towards plausible shapes: small length prefixes.
      if (body.length > 4 && random() < 0.5) body[0] = 0;
      const msgType = random() < 0.7 ? [1, 2, 4, 8, 11, 12, 13, 15, 16, 20, 22, 24][i % 12] : Math.floor(random() * 256);
      const context = contexts[i % contexts.length];
      expect(() => decodeHandshakeBody(msgType, body, 4, context)).not.toThrow();
      expect(() => decodeHandshakeMessage(concat([msgType], u24(body.length), body), 0, context)).not.toThrow();
    }
  });
});
