// The OpenSSL names of cipher suites, used where a session comes from a capture (no Node socket
// to ask): they must be the names this machine's openssl gives the same codes.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { opensslSuiteName } from '../../../src-main/tls/opensslNames';
import { cipherSuiteName } from '../../../src-main/tls/registry';

describe('OpenSSL cipher suite names', () => {
  it('name every suite `openssl ciphers -V` lists as openssl does', () => {
    const listed = execFileSync('openssl', ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => {
        const [code, , name] = line.trim().split(/\s+/);
        const [hi, lo] = code.split(',').map((b) => Number.parseInt(b, 16));
        return { code: (hi << 8) | lo, name };
      });
    expect(listed.length).toBeGreaterThan(100);
    for (const { code, name } of listed) expect(opensslSuiteName(code), `0x${code.toString(16)}`).toBe(name);
  });

  it('differ from the IANA names where OpenSSL has its own, and are null for a suite OpenSSL does not speak', () => {
    expect(cipherSuiteName(0xc02f)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(opensslSuiteName(0xc02f)).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    expect(opensslSuiteName(0x009c)).toBe('AES128-GCM-SHA256');
    expect(opensslSuiteName(0x1301)).toBe('TLS_AES_128_GCM_SHA256');
    expect(opensslSuiteName(0x0004)).toBeNull(); // TLS_RSA_WITH_RC4_128_MD5: gone from OpenSSL 3
  });
});
