// The body of a protected record as the record inspector cuts it, by the suite's protection.
import { describe, expect, it } from 'vitest';
import { protectedBodyTree } from '../../src-main/sessions/recordFields';
import { suiteParameters } from '../../src-main/tls/suites';

describe('a protected record body', () => {
  it('GCM: the explicit nonce, the ciphertext and the tag', () => {
    const tree = protectedBodyTree(100, suiteParameters(0xc02f));
    expect(tree.children?.map((c) => [c.name, c.length])).toEqual([['nonce_explicit', 8], ['ciphertext', 76], ['authentication tag', 16]]);
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
