// An OCTET STRING or BIT STRING is looked into for an encapsulated structure (an extension's
// value, a key). Its bytes may only look like one: ciphertext in a PKCS#12 file started, about
// one file in a few thousand, with what the decoder took for a UniversalString of 3 bytes, and the
// decoder's own error made the whole file "not valid DER".
import { describe, expect, it } from 'vitest';
import { parseDer } from '../../../src-main/pki/der';

describe('bytes that only look like an encapsulated structure', () => {
  it('stay plain contents: the element around them still decodes', () => {
    // SEQUENCE { OCTET STRING { 30 05 1C 03 41 42 43 } }: a "SEQUENCE" holding a UniversalString
    // whose length is no multiple of 4.
    const der = Uint8Array.from([0x30, 0x09, 0x04, 0x07, 0x30, 0x05, 0x1c, 0x03, 0x41, 0x42, 0x43]);
    const node = parseDer(der);
    const octets = node.children[0];
    expect(octets.typeName).toBe('OCTET STRING');
    expect(octets.encapsulates).toBe(false);
    expect(Buffer.from(octets.contents).toString('hex')).toBe('30051c03414243');
  });

  it('a real encapsulated structure is still shown as one', () => {
    // OCTET STRING { SEQUENCE { INTEGER 5 } }
    const node = parseDer(Uint8Array.from([0x04, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05]));
    expect(node.encapsulates).toBe(true);
    expect(node.children[0].children[0].typeName).toBe('INTEGER');
  });
});
