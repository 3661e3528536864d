// Extensions that tshark takes apart and the decoder once left as raw extension_data: crafted
// ClientHello / ServerHello / HelloRetryRequest / NewSessionTicket bytes (the values tshark 4.0
// shows for the same bytes are in the comments), and what the record inspector makes of them.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RecordField } from '../../../src-main/api/recordTypes';
import { handshakeMessageTree } from '../../../src-main/sessions/recordFields';
import { decodeHandshakeMessage } from '../../../src-main/tls/handshake';
import { ascii, concat, extension, handshake, u16, vec } from './wire';

const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

function clientHello(...extensions: Uint8Array[]): Uint8Array {
  const body = concat(u16(0x0303), new Uint8Array(32).fill(1), vec(1, []), vec(2, u16(0x5a5a), u16(0x1301)), vec(1, [0]), vec(2, ...extensions));
  return handshake(1, body);
}

function extensionNode(message: Uint8Array, name: string, context = {}): RecordField {
  const decoded = decodeHandshakeMessage(message, 0, context);
  expect(decoded.malformed).toBeUndefined();
  const tree = handshakeMessageTree(decoded);
  const extensions = tree.children?.find((c) => c.name === 'extensions');
  const node = extensions?.children?.find((c) => c.name === name);
  if (!node) throw new Error(`no ${name} in ${JSON.stringify(extensions?.children?.map((c) => c.name))}`);
  return node;
}

function child(node: RecordField, name: string): RecordField | undefined {
  return node.children?.find((c) => c.name === name);
}

describe('extensions tshark decodes', () => {
  it('padding (RFC 7685): "Padding Data", zero bytes counted', () => {
    const node = extensionNode(clientHello(extension(21, new Uint8Array(37))), 'padding');
    expect(node.value).toBe('37 zero bytes');
    expect(child(node, 'extension_data')).toBeUndefined();
    expect(child(node, 'padding')).toMatchObject({ offset: node.offset + 4, length: 37 });
    const odd = extensionNode(clientHello(extension(21, [0, 1])), 'padding');
    expect(odd.value).toBe('2 bytes');
    expect(child(odd, 'padding')?.note).toContain('must be zero');
  });

  it('record_size_limit (RFC 8449): "Record Size Limit: 16385"', () => {
    const node = extensionNode(clientHello(extension(28, u16(16385))), 'record_size_limit');
    expect(node.value).toBe('16385 bytes');
    expect(child(node, 'record_size_limit')?.value).toBe('16385');
  });

  it('heartbeat (RFC 6520): "Mode: Peer allowed to send requests (1)"', () => {
    const node = extensionNode(clientHello(extension(15, [1])), 'heartbeat');
    expect(node.value).toBe('peer_allowed_to_send');
    expect(child(node, 'mode')).toMatchObject({ code: 1, value: 'peer_allowed_to_send (0x01)' });
  });

  it('compress_certificate (RFC 8879): "Algorithm: brotli (2)", "Algorithm: zlib (1)"', () => {
    const node = extensionNode(clientHello(extension(27, vec(1, u16(2), u16(1)))), 'compress_certificate');
    expect(node.value).toBe('brotli, zlib');
  });

  it('max_fragment_length (RFC 6066): "Maximum Fragment Length: 512 (1)"; an undefined code is flagged', () => {
    expect(extensionNode(clientHello(extension(1, [4])), 'max_fragment_length').value).toBe('4096 bytes');
    const bad = extensionNode(clientHello(extension(1, [9])), 'max_fragment_length');
    expect(bad.value).toBe('unknown (0x09)');
    expect(child(bad, 'max_fragment_length')?.unknown).toBe(true);
  });

  it('status_request with an OCSP request naming a responder and carrying request extensions', () => {
    const data = concat([1], vec(2, vec(2, [0xaa, 0xbb])), vec(2, [0x30, 0x00]));
    const node = extensionNode(clientHello(extension(5, data)), 'status_request');
    expect(child(node, 'status_type')?.value).toBe('ocsp (0x01)');
    expect(child(node, 'responder_id_list')?.value).toBe('1 responders');
    expect(child(node, 'request_extensions')?.value).toBe('3000');
    expect(child(node, 'extension_data')).toBeUndefined();
  });

  it('session_ticket: the ticket the client presents', () => {
    const node = extensionNode(clientHello(extension(35, [1, 2, 3, 4])), 'session_ticket');
    expect(node.value).toBe('4-byte ticket');
    expect(child(node, 'ticket')?.value).toBe('01020304');
  });

  it('GREASE extensions (RFC 8701) are named once, with their code', () => {
    const node = extensionNode(clientHello(extension(0x0a0a, [])), 'GREASE (0x0a0a)');
    expect(child(node, 'extension_type')?.value).toBe('GREASE (0x0a0a)');
    expect(node.unknown).toBeUndefined();
  });

  it('cookie in a HelloRetryRequest (RFC 8446, 4.2.2): "Cookie Length", "Cookie"', () => {
    const hrrRandom = [
      0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e,
      0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ];
    const body = concat(u16(0x0303), hrrRandom, vec(1, []), u16(0x1301), [0], vec(2, extension(43, u16(0x0304)), extension(51, u16(24)), extension(44, vec(2, [9, 9, 9]))));
    const node = extensionNode(handshake(2, body), 'cookie');
    expect(node.value).toBe('3-byte cookie');
    expect(child(node, 'cookie')?.value).toBe('090909');
  });

  it('early_data in a TLS 1.3 NewSessionTicket: "Maximum Early Data Size"', () => {
    const body = concat(u32(7200), u32(1), vec(1, [0]), vec(2, [1, 2]), vec(2, extension(42, u32(16384))));
    const node = extensionNode(handshake(4, body), 'early_data', { version: 0x0304 });
    expect(node.value).toBe('max_early_data_size 16384');
    expect(child(node, 'max_early_data_size')?.value).toBe('16384');
  });

  it('a pre_shared_key whose binders run short is malformed, not read past its end', () => {
    const data = concat(vec(2, vec(2, [1, 2, 3]), u32(5)), u16(10), [4, 1]);
    const decoded = decodeHandshakeMessage(clientHello(extension(41, data)));
    expect(decoded.malformed).toMatch(/binders/);
  });
});

// The server's side of Encrypted Client Hello (draft-ietf-tls-esni) and of ALPS: no peer on these
// machines sends them (OpenSSL 3.0 has neither), and tshark 4.0 shows both as raw data.
describe('encrypted_client_hello and application_settings from the server', () => {
  const hrrRandom = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e,
    0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
  ];

  it('retry_configs in EncryptedExtensions: each ECHConfig with its key, suites and public name', () => {
    const contents = concat([7], u16(0x0020), vec(2, new Uint8Array(32).fill(5)), vec(2, u16(1), u16(1), u16(1), u16(3)), [0], vec(1, ascii('public.bank32.com')), vec(2, []));
    const config = concat(u16(0xfe0d), vec(2, contents));
    const node = extensionNode(handshake(8, vec(2, extension(0xfe0d, vec(2, config)))), 'encrypted_client_hello', { version: 0x0304 });
    expect(node.value).toBe('retry_configs: public.bank32.com');
    expect(child(node, 'extension_data')).toBeUndefined();
    const echConfig = child(child(node, 'retry_configs') as RecordField, 'ECHConfig') as RecordField;
    expect(child(echConfig, 'config_id')?.value).toBe('7');
    expect(child(echConfig, 'kem_id')?.value).toBe('DHKEM(X25519, HKDF-SHA256) (0x0020)');
    expect(child(child(echConfig, 'public_key') as RecordField, 'length')?.value).toBe('32');
    expect(child(echConfig, 'cipher_suites')?.children?.slice(1).map((c) => c.value)).toEqual(['HKDF-SHA256/AES-128-GCM', 'HKDF-SHA256/ChaCha20Poly1305']);
    expect(child(echConfig, 'public_name')?.value).toBe('public.bank32.com');
    // Each field's bytes lie where the tree says they do: the public name ends where the extensions begin.
    const name = child(echConfig, 'public_name') as RecordField;
    expect(child(echConfig, 'extensions')?.offset).toBe(name.offset + name.length);
  });

  it('the 8-byte accept confirmation in a HelloRetryRequest', () => {
    const body = concat(u16(0x0303), hrrRandom, vec(1, []), u16(0x1301), [0], vec(2, extension(43, u16(0x0304)), extension(51, u16(29)), extension(0xfe0d, [1, 2, 3, 4, 5, 6, 7, 8])));
    const node = extensionNode(handshake(2, body), 'encrypted_client_hello');
    expect(node.value).toBe('accept confirmation');
    expect(child(node, 'confirmation')?.value).toBe('0102030405060708');
  });

  it("the server's ALPS settings in EncryptedExtensions are kept as its settings, not as raw extension data", () => {
    const node = extensionNode(handshake(8, vec(2, extension(17613, [0, 0, 4, 1, 2, 3, 4]))), 'application_settings', { version: 0x0304 });
    expect(node.value).toBe('7 bytes of settings');
    expect(child(node, 'application_settings')?.value).toBe('00000401020304');
    expect(child(node, 'extension_data')).toBeUndefined();
  });

  it('an ECHClientHello cut short is malformed, not read past its end', () => {
    const decoded = decodeHandshakeMessage(clientHello(extension(0xfe0d, concat([0], u16(1), u16(1), [9], u16(32), [1, 2]))));
    expect(decoded.malformed).toMatch(/enc/);
  });
});

// RFC 8879: a server that takes up the client's compress_certificate sends a CompressedCertificate
// (type 25) in place of its Certificate. tshark shows "Algorithm: brotli (2)", "Uncompressed
// Length", "Length" and, decompressed, the certificates inside; no peer here sends one (OpenSSL
// 3.0 cannot), so the bytes are built and compressed with Node's zlib.
describe('CompressedCertificate', () => {
  async function leafDer(): Promise<Uint8Array> {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=www.bank32.com', notBefore: new Date('2026-01-01'), notAfter: new Date('2027-01-01'), keys, signingAlgorithm: alg });
    return new Uint8Array(cert.rawData);
  }

  function compressedCertificate(algorithm: number, certificateBody: Uint8Array, compress: (b: Uint8Array) => Uint8Array, announced = certificateBody.length): Uint8Array {
    const compressed = compress(certificateBody);
    return handshake(25, concat(u16(algorithm), [(announced >> 16) & 0xff, (announced >> 8) & 0xff, announced & 0xff], vec(3, compressed)));
  }

  function tree(message: Uint8Array): RecordField {
    const decoded = decodeHandshakeMessage(message, 0, { version: 0x0304 });
    expect(decoded.malformed).toBeUndefined();
    return handshakeMessageTree(decoded);
  }

  for (const [algorithm, name, compress] of [
    [2, 'brotli', (b: Uint8Array) => zlib.brotliCompressSync(b)],
    [1, 'zlib', (b: Uint8Array) => zlib.deflateSync(b)],
  ] as const) {
    it(`${name}: the algorithm, both lengths, and the certificates inside, decompressed`, async () => {
      const der = await leafDer();
      const body = concat(vec(1, []), vec(3, vec(3, der), vec(2, [])));
      const message = tree(compressedCertificate(algorithm, body, compress));
      expect(message.name).toBe('CompressedCertificate');
      expect(message.value).toBe(`${name}: 1 certificate inside`);
      expect(child(message, 'algorithm')?.value).toBe(`${name} (0x000${algorithm})`);
      expect(child(message, 'uncompressed_length')?.value).toBe(String(body.length));
      const data = child(message, 'compressed_certificate_message') as RecordField;
      expect(child(data, 'compressed_certificate_message')).toBeDefined();
      const inside = child(data, 'Certificate (decompressed)') as RecordField;
      const list = child(inside, 'certificate_list') as RecordField;
      expect(child(list, 'certificate 1')?.value).toBe('CN=www.bank32.com');
      expect(child(child(list, 'certificate 1') as RecordField, 'cert_data')?.certificateDer).toBe(Buffer.from(der).toString('base64'));
      // Nothing of it points outside the compressed data it came from.
      const within = (n: RecordField): boolean => n.offset >= data.offset && n.offset + n.length <= data.offset + data.length && (n.children ?? []).every(within);
      expect(within(inside)).toBe(true);
    });
  }

  it('data that does not decompress to the announced length is said so, and the message is still read', () => {
    const body = concat(vec(1, []), vec(3, vec(3, [1, 2, 3]), vec(2, [])));
    const message = tree(compressedCertificate(2, body, (b) => zlib.brotliCompressSync(b), body.length + 5));
    expect(message.value).toBe('brotli, not decompressed');
    expect(child(message, 'compressed_certificate_message')?.note).toMatch(/decompress/);
  });
});

describe('delegated_credentials (RFC 9345) in a TLS 1.3 Certificate entry', () => {
  it('the DelegatedCredential: valid_time, the scheme it verifies with, its key, and the signature over it', () => {
    const spki = new Uint8Array(91).fill(0x30);
    const dc = concat(u32(86400), u16(0x0403), vec(3, spki), u16(0x0804), vec(2, new Uint8Array(256).fill(9)));
    const body = concat(vec(1, []), vec(3, vec(3, [0x30, 0x03, 0x02, 0x01, 0x00]), vec(2, extension(34, dc))));
    const decoded = decodeHandshakeMessage(handshake(11, body), 0, { version: 0x0304 });
    expect(decoded.malformed).toBeUndefined();
    const tree = handshakeMessageTree(decoded);
    const entry = child(child(tree, 'certificate_list') as RecordField, 'certificate 1') as RecordField;
    const node = child(child(entry, 'extensions') as RecordField, 'delegated_credentials') as RecordField;
    expect(node.value).toBe('valid 86400 s, ecdsa_secp256r1_sha256');
    expect(child(node, 'extension_data')).toBeUndefined();
    expect(child(child(node, 'cred') as RecordField, 'dc_cert_verify_algorithm')?.value).toBe('ecdsa_secp256r1_sha256 (0x0403)');
    expect(child(child(child(node, 'cred') as RecordField, 'ASN1_subjectPublicKeyInfo') as RecordField, 'length')?.value).toBe('91');
    expect(child(node, 'algorithm')?.value).toBe('rsa_pss_rsae_sha256 (0x0804)');
    const signature = child(node, 'signature') as RecordField;
    expect(signature.offset + signature.length).toBe(node.offset + node.length);
  });
});
