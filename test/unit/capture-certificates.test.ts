// A capture imported with its key log: the session's peer chain comes from the server's
// Certificate message, or from inside a CompressedCertificate (RFC 8879), which Chromium asks for
// with brotli and large sites send. Before, a compressed chain left the session without one.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { serverCertificates } from '../../src-main/export/captureSession';
import { decodeHandshakeMessage } from '../../src-main/tls/handshake';
import { concat, handshake, u16, u24, vec } from './tls/wire';

const leaf = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
const root = Uint8Array.from({ length: 200 }, (_, i) => (i * 13) & 0xff);
// A TLS 1.3 Certificate body: empty request context, two entries with no extensions.
const certificateBody = concat(vec(1, []), vec(3, vec(3, leaf), vec(2, []), vec(3, root), vec(2, [])));

function fromServer(message: Uint8Array) {
  return { direction: 'server-to-client' as const, ...decodeHandshakeMessage(message, 0, { version: 0x0304 }) };
}

describe('the peer chain of an imported capture', () => {
  it('comes from a Certificate message', () => {
    const chain = serverCertificates({ handshakeMessages: [fromServer(handshake(11, certificateBody))] } as never);
    expect(chain.map((c) => [c.role, c.position, Buffer.from(c.der).equals(Buffer.from(c.position === 0 ? leaf : root))])).toEqual([
      ['peer', 0, true],
      ['peer', 1, true],
    ]);
  });

  it('comes from inside a brotli CompressedCertificate too', () => {
    const compressed = zlib.brotliCompressSync(certificateBody);
    const message = handshake(25, concat(u16(2), u24(certificateBody.length), vec(3, compressed)));
    const chain = serverCertificates({ handshakeMessages: [fromServer(message)] } as never);
    expect(chain).toHaveLength(2);
    expect(Buffer.from(chain[0].der).equals(Buffer.from(leaf))).toBe(true);
    expect(Buffer.from(chain[1].der).equals(Buffer.from(root))).toBe(true);
  });
});
