// A DER node tree with absolute byte offsets, read with asn1js, so that callers can both walk a
// structure (subject hash, inspector) and point at the exact bytes of every node (hex view).
// Plus the few DER writers the canonical name encoding needs.
import * as asn1js from 'asn1js';
import { PkiError, libraryReason } from './errors.js';
export { concatBytes } from '../bytes.js';

export type Asn1TagClass = 'universal' | 'application' | 'context' | 'private';

export interface Asn1Node {
  /** Offset of the tag byte from the start of the outermost buffer. */
  offset: number;
  /** Tag plus length bytes. */
  headerLength: number;
  /** Length of the contents (without the header). */
  length: number;
  tagClass: Asn1TagClass;
  tagNumber: number;
  constructed: boolean;
  /** "SEQUENCE", "INTEGER", "[0]", ... */
  typeName: string;
  /** Child nodes: of a constructed node, or the structure wrapped in an OCTET/BIT STRING. */
  children: Asn1Node[];
  /** True when `children` were found inside a primitive OCTET STRING or BIT STRING. */
  encapsulates: boolean;
  /** The contents bytes (a view into the parsed buffer). */
  contents: Uint8Array;
  /** The whole encoding, header included (a view into the parsed buffer). */
  encoded: Uint8Array;
}

const TAG_CLASSES: Asn1TagClass[] = ['universal', 'universal', 'application', 'context', 'private'];

export const UNIVERSAL_TYPE_NAMES: Record<number, string> = {
  0: 'END OF CONTENT',
  1: 'BOOLEAN',
  2: 'INTEGER',
  3: 'BIT STRING',
  4: 'OCTET STRING',
  5: 'NULL',
  6: 'OBJECT IDENTIFIER',
  10: 'ENUMERATED',
  12: 'UTF8String',
  16: 'SEQUENCE',
  17: 'SET',
  18: 'NumericString',
  19: 'PrintableString',
  20: 'T61String',
  22: 'IA5String',
  23: 'UTCTime',
  24: 'GeneralizedTime',
  26: 'VisibleString',
  27: 'GeneralString',
  28: 'UniversalString',
  30: 'BMPString',
};

const MAX_DEPTH = 64;

/**
 * asn1js stops at 10,000 elements by default, which a PKCS#7 of the system's 144 root CAs passes
 * (it was refused as "not DER"). Allowed here: one per byte of the input (every element takes at
 * least two), up to 200,000 (some 3,000 certificates; about a second of decoding), so the work
 * stays bounded whatever the file.
 */
const MAX_NODES = 200_000;

function limits(length: number): { maxNodes: number } {
  return { maxNodes: Math.min(MAX_NODES, Math.max(10_000, length)) };
}

/**
 * Parses one DER (or BER) element that must fill `bytes` exactly.
 * Throws PkiError TRUNCATED_DER when the data stops early and BAD_DER for anything else.
 */
export function parseDer(bytes: Uint8Array, what = 'the data'): Asn1Node {
  if (bytes.length === 0) {
    throw new PkiError('BAD_DER', `${what} is empty: there are no bytes to decode. Check that the file is not empty.`);
  }
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(view, limits(view.length));
  } catch (err) {
    throw new PkiError('BAD_DER', `${what} is not valid DER: ${libraryReason(err) ?? 'the decoder cannot read it'}. The file may be damaged; get an undamaged copy.`);
  }
  if (parsed.offset === -1) {
    const reason = parsed.result.error || 'unknown decoding error';
    if (/end of input|too short|not enough|exceeds/i.test(reason) || declaredLengthExceeds(view)) {
      throw new PkiError(
        'TRUNCATED_DER',
        `${what} is cut short: its ASN.1 header announces more bytes than the ${view.length} that are there ` +
          `(${reason}). The file was probably truncated while copying or downloading; get a complete copy.`,
      );
    }
    throw new PkiError(
      'BAD_DER',
      `${what} is not valid DER: ${reason}. It may be another format (PEM text, PKCS#12, or not a certificate at all).`,
    );
  }
  if (parsed.offset !== view.length) {
    throw new PkiError(
      'BAD_DER',
      `${what} has ${view.length - parsed.offset} stray bytes after its end at offset ${parsed.offset}. ` +
        'A DER file holds exactly one structure; the file may be two files joined or damaged.',
    );
  }
  try {
    return toNode(parsed.result, view, 0, 0);
  } catch (err) {
    if (err instanceof PkiError) throw err;
    const reason = err instanceof PartError || err instanceof NestingError ? err.message : 'one of its elements cannot be decoded';
    throw new PkiError('BAD_DER', `${what} is not valid DER: ${reason}. The file may be damaged; get an undamaged copy.`);
  }
}

function declaredLengthExceeds(view: Uint8Array): boolean {
  if (view.length < 2) return true;
  let pos = 1;
  if ((view[0] & 0x1f) === 0x1f) {
    while (pos < view.length && view[pos] & 0x80) pos++;
    pos++;
  }
  if (pos >= view.length) return true;
  const first = view[pos];
  pos++;
  if (first < 0x80) return pos + first > view.length;
  const count = first & 0x7f;
  if (count === 0) return false;
  if (pos + count > view.length) return true;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + view[pos + i];
  return pos + count + length > view.length;
}

function toNode(block: asn1js.AsnType, buffer: Uint8Array, offset: number, depth: number): Asn1Node {
  const base = block as asn1js.BaseBlock;
  const idBlock = base.idBlock;
  const lenBlock = base.lenBlock;
  const headerLength = idBlock.blockLength + lenBlock.blockLength;
  const indefinite = lenBlock.isIndefiniteForm;
  const length = indefinite ? base.blockLength - headerLength : lenBlock.length;
  const tagClass = TAG_CLASSES[idBlock.tagClass] ?? 'universal';
  const tagNumber = idBlock.tagNumber;
  const constructed = idBlock.isConstructed;
  const contents = buffer.subarray(offset + headerLength, offset + headerLength + length);
  const node: Asn1Node = {
    offset,
    headerLength,
    length,
    tagClass,
    tagNumber,
    constructed,
    typeName: typeNameOf(tagClass, tagNumber),
    children: [],
    encapsulates: false,
    contents,
    encoded: buffer.subarray(offset, offset + headerLength + length),
  };
  if (constructed) {
    const value = (base.valueBlock as unknown as { value?: unknown }).value;
    if (Array.isArray(value) && value.every(isBlock)) {
      let childOffset = offset + headerLength;
      for (const child of value) {
        const childNode = toNode(child, buffer, childOffset, depth + 1);
        node.children.push(childNode);
        childOffset += childNode.headerLength + childNode.length;
      }
    } else {
      // asn1js keeps the decoded text, not the parts, of a constructed (BER) string such as a
      // UTF8String in pieces: the parts are read here from the bytes themselves.
      for (const part of constructedParts(buffer, offset + headerLength, length, depth)) node.children.push(part);
    }
  } else if (tagClass === 'universal' && (tagNumber === 3 || tagNumber === 4)) {
    const skip = tagNumber === 3 ? 1 : 0;
    if (tagNumber !== 3 || contents[0] === 0) {
      const inner = tryEncapsulated(buffer, offset + headerLength + skip, length - skip, depth);
      if (inner) {
        node.children.push(inner);
        node.encapsulates = true;
      }
    }
  }
  return node;
}

function isBlock(value: unknown): value is asn1js.AsnType {
  const block = value as { idBlock?: { blockLength?: unknown }; lenBlock?: { blockLength?: unknown } } | null;
  return typeof block === 'object' && block !== null && typeof block.idBlock?.blockLength === 'number' && typeof block.lenBlock?.blockLength === 'number';
}

/** The elements one after another in `length` bytes at `start`, each a whole TLV. */
function constructedParts(buffer: Uint8Array, start: number, length: number, depth: number): Asn1Node[] {
  const parts: Asn1Node[] = [];
  if (depth >= MAX_DEPTH) throw new NestingError();
  for (let at = start; at < start + length; ) {
    const parsed = asn1js.fromBER(buffer.subarray(at, start + length), limits(length));
    if (parsed.offset === -1 || parsed.offset === 0 || !isBlock(parsed.result)) throw new PartError(at);
    const part = toNode(parsed.result, buffer, at, depth + 1);
    parts.push(part);
    at += part.headerLength + part.length;
  }
  return parts;
}

/** A part of a constructed element that does not decode; its offset is in the outermost buffer. */
class PartError extends Error {
  constructor(readonly at: number) {
    super(`the element at byte ${at} cannot be decoded`);
  }
}

class NestingError extends Error {
  constructor() {
    super(`elements are nested more than ${MAX_DEPTH} deep`);
  }
}

function tryEncapsulated(buffer: Uint8Array, start: number, length: number, depth: number): Asn1Node | null {
  if (length < 2 || depth >= MAX_DEPTH) return null;
  const tag = buffer[start];
  // Only structures are worth showing as encapsulated; a lone INTEGER-looking byte run is noise.
  if (tag !== 0x30 && tag !== 0x31 && tag !== 0x04 && tag !== 0x03 && tag !== 0x02) return null;
  const slice = buffer.subarray(start, start + length);
  try {
    const parsed = asn1js.fromBER(slice, limits(slice.length));
    if (parsed.offset !== length || parsed.result.error) return null;
    return toNode(parsed.result, buffer, start, depth + 1);
  } catch {
    // Contents that only look like ASN.1 (ciphertext, a hash) can trip the decoder itself, e.g.
    // a "UniversalString" whose length is no multiple of 4: they are bytes, not a structure.
    return null;
  }
}

function typeNameOf(tagClass: Asn1TagClass, tagNumber: number): string {
  if (tagClass === 'universal') return UNIVERSAL_TYPE_NAMES[tagNumber] ?? `UNIVERSAL ${tagNumber}`;
  if (tagClass === 'context') return `[${tagNumber}]`;
  if (tagClass === 'application') return `[APPLICATION ${tagNumber}]`;
  return `[PRIVATE ${tagNumber}]`;
}

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function decodeOid(contents: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of contents) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  if (arcs.length === 0) return '';
  const first = arcs[0];
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

// --- writing -------------------------------------------------------------------------------

export function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  let rest = length;
  while (rest > 0) {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  }
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One TLV with a single-byte tag. */
export function encodeTlv(tag: number, contents: Uint8Array): Uint8Array {
  const length = encodeLength(contents.length);
  const out = new Uint8Array(1 + length.length + contents.length);
  out[0] = tag;
  out.set(length, 1);
  out.set(contents, 1 + length.length);
  return out;
}

/** DER order for the members of a SET OF: by their encodings, shorter first on a common prefix. */
export function compareDerEncodings(a: Uint8Array, b: Uint8Array): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** Parses `bytes` that sit at `baseOffset` inside a larger buffer, so offsets point into that buffer. */
export function parseDerAt(bytes: Uint8Array, baseOffset: number, what?: string): Asn1Node {
  const node = parseDer(bytes, what);
  const shift = (n: Asn1Node): void => {
    n.offset += baseOffset;
    n.children.forEach(shift);
  };
  shift(node);
  return node;
}
