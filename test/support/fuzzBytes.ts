// What the fuzz tests do to real files: byte mutations every format shares, a format's own ones
// given by the caller, and DER rebuilt with some nodes replaced (the lengths around them follow).
import { type Asn1Node, concatBytes, encodeLength } from '../../src-main/pki/der';

export type ByteMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'splice'; at: number; from: number; length: number };

/**
 * The input with each mutation applied in turn (`at` taken modulo the current length). Mutations
 * other than ByteMutation's go to `own`, which returns the data after it.
 */
export function mutateBytes<M extends { kind: string; at: number }>(
  input: Uint8Array,
  mutations: readonly (ByteMutation | M)[],
  own: (data: Uint8Array, mutation: M, at: number) => Uint8Array = (data) => data,
): Uint8Array {
  let data: Uint8Array = Uint8Array.from(input);
  for (const m of mutations) {
    if (data.length === 0) break;
    const at = m.at % data.length;
    const b = m as ByteMutation;
    switch (b.kind) {
      case 'flip':
        data[at] ^= 1 << b.bit;
        break;
      case 'set':
        data[at] = b.value;
        break;
      case 'truncate':
        data = data.slice(0, at);
        break;
      case 'insert':
        data = Uint8Array.from([...data.subarray(0, at), ...b.bytes, ...data.subarray(at)]);
        break;
      case 'splice': {
        const from = b.from % data.length;
        data = Uint8Array.from([...data.subarray(0, at), ...data.subarray(from, from + b.length), ...data.subarray(at)]);
        break;
      }
      default:
        data = own(data, m as M, at);
    }
  }
  return data;
}

/** The DER again, with the nodes `change` answers for replaced (lengths of the nodes around them follow). */
export function rewriteDer(node: Asn1Node, change: (node: Asn1Node) => Uint8Array | undefined): Uint8Array {
  const replaced = change(node);
  if (replaced) return replaced;
  const tlv = (contents: Uint8Array) => concatBytes([node.encoded.subarray(0, 1), encodeLength(contents.length), contents]);
  if (node.constructed) return tlv(concatBytes(node.children.map((child) => rewriteDer(child, change))));
  if (node.encapsulates) return tlv(concatBytes([node.tagNumber === 3 ? Uint8Array.of(0) : new Uint8Array(0), rewriteDer(node.children[0], change)]));
  return node.encoded;
}
