// The body of a protected record as the record inspector cuts it, by the suite's protection.
import { describe, expect, it } from 'vitest';
import { protectedBodyTree } from '../../src-main/sessions/recordFields';
import { suiteParameters } from '../../src-main/tls/suites';

describe('a protected record body', () => {
  it('GCM: the explicit nonce, the ciphertext and the tag', () => {
    const tree = protectedBodyTree(100, suiteParameters(0xc02f));
    expect(tree.children?.map((c) => [c.name, c.length])).toEqual([['nonce_explicit', 8], ['ciphertext', 76], ['authentication tag', 16]]);
  });

  it('CBC: the IV, then the ciphertext with the MAC inside it, or after it with encrypt-then-MAC', () => {
    const suite = suiteParameters(0xc013); // ECDHE-RSA-AES128-SHA: HMAC-SHA1, a 20-byte MAC
    expect(protectedBodyTree(68, suite).children?.map((c) => [c.name, c.length])).toEqual([['IV', 16], ['ciphertext (content, MAC and padding)', 52]]);
    expect(protectedBodyTree(68, suite, true).children?.map((c) => [c.name, c.length])).toEqual([['IV', 16], ['ciphertext (content and padding)', 32], ['MAC', 20]]);
  });

  it('a NULL cipher: the content in the clear and its MAC, said so', () => {
    const suite = suiteParameters(0x003b);
    expect(suite?.protection).toBe('null');
    expect(suite?.keyLength).toBe(0);
    const tree = protectedBodyTree(64, suite);
    expect(tree.name).toBe('protected_record');
    expect(tree.value).toBe('64 bytes: the content in the clear, then its MAC (NULL cipher: not encrypted)');
  });
});
