// The record inspector's hex view and field tree: bytes cut into rows of 16, the field a byte
// belongs to (the deepest one), and the byte range a field covers. Paths name tree nodes by
// their child indexes ("1.4.0"). Pure, no DOM.
import type { RecordField } from '../api/contract';

export function base64Bytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export interface HexRow {
  offset: number;
  /** "0000", "0010", ... */
  label: string;
  bytes: { index: number; hex: string; char: string }[];
}

function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** Rows of `width` bytes, at most `limit` bytes in all. */
export function hexRows(bytes: Uint8Array, width = 16, limit = bytes.length): HexRow[] {
  const rows: HexRow[] = [];
  const end = Math.min(bytes.length, limit);
  for (let offset = 0; offset < end; offset += width) {
    const cells = [];
    for (let i = offset; i < Math.min(offset + width, end); i++) {
      cells.push({ index: i, hex: bytes[i].toString(16).padStart(2, '0'), char: printable(bytes[i]) });
    }
    rows.push({ offset, label: offset.toString(16).padStart(4, '0'), bytes: cells });
  }
  return rows;
}

export function nodeAt(tree: readonly RecordField[], path: string): RecordField | undefined {
  if (path === '') return undefined;
  let nodes: readonly RecordField[] | undefined = tree;
  let node: RecordField | undefined;
  for (const part of path.split('.')) {
    node = nodes?.[Number(part)];
    if (!node) return undefined;
    nodes = node.children;
  }
  return node;
}

function contains(node: RecordField, offset: number): boolean {
  return offset >= node.offset && offset < node.offset + node.length;
}

/** The path of the deepest field that covers byte `offset`, or '' when none does. */
export function pathForByte(tree: readonly RecordField[], offset: number): string {
  let nodes: readonly RecordField[] | undefined = tree;
  const path: number[] = [];
  while (nodes) {
    const i: number = nodes.findIndex((n) => contains(n, offset));
    if (i < 0) break;
    path.push(i);
    nodes = nodes[i].children;
  }
  return path.join('.');
}

/** The path of the first node (depth first) that matches. */
export function findPath(tree: readonly RecordField[], match: (node: RecordField) => boolean, prefix = ''): string | undefined {
  for (let i = 0; i < tree.length; i++) {
    const path = prefix === '' ? String(i) : `${prefix}.${i}`;
    if (match(tree[i])) return path;
    const children = tree[i].children;
    if (children) {
      const found = findPath(children, match, path);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The path itself and every ancestor: the nodes to open so that `path` shows. */
export function ancestors(path: string): string[] {
  if (path === '') return [];
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** The byte range a path's node covers, as [start, end). */
export function rangeOf(tree: readonly RecordField[], path: string): [number, number] | null {
  const node = nodeAt(tree, path);
  return node ? [node.offset, node.offset + node.length] : null;
}

/** A DER certificate as PEM text, for the certificate inspector. */
export function derToPem(derBase64: string): string {
  const lines = derBase64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
