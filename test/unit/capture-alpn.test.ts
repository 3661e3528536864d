// An imported capture's ALPN: TLS 1.3 sends the server's choice in the EncryptedExtensions, which
// the capture shows only once its key log opens the handshake; TLS 1.2 sends it in the clear.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiatedAlpn } from '../../src-main/export/captureSession';
import { decodeConnection } from '../../src-main/tls/records';
import { decryptConnection } from '../../src-main/tls/sessionKeys';
import { TestCertificate, captureOpensslSession } from './tls/opensslCapture';

let certificate: TestCertificate;
beforeAll(() => {
  certificate = new TestCertificate();
});
afterAll(() => certificate.remove());

async function capture(version: string) {
  const keylog = path.join(certificate.dir, `keys-${version}.log`);
  const c = await captureOpensslSession(certificate, {
    serverArgs: ['-www', '-alpn', 'http/1.1'],
    clientArgs: [version, '-alpn', 'h2,http/1.1', '-keylogfile', keylog],
    clientInput: 'GET / HTTP/1.0\r\n\r\n',
  });
  return { chunks: c.chunks, keylog: fs.readFileSync(keylog, 'utf8').split('\n').filter(Boolean) };
}

describe('the ALPN of an imported capture', () => {
  it('TLS 1.3: read from the EncryptedExtensions once the key log opens them, and not guessed without it', async () => {
    const { chunks, keylog } = await capture('-tls1_3');
    expect(negotiatedAlpn(decryptConnection({ chunks, keylog }).decoded)).toBe('http/1.1');
    expect(negotiatedAlpn(decodeConnection(chunks))).toBeNull();
  });

  it('TLS 1.2: read from the ServerHello', async () => {
    const { chunks } = await capture('-tls1_2');
    expect(negotiatedAlpn(decodeConnection(chunks))).toBe('http/1.1');
  });
});
