// The ASN.1 explorer's model: the DER as a tree of nodes and as hex rows, and which bytes a
// chosen node covers (its tag-and-length header apart from its content).
import type { PkiAsn1Node, PkiByteRange } from '../api/contract';

export interface Asn1Row {
  /** "0", "0.2", "0.2.1": the child indices from the root. */
  path: string;
  depth: number;
  node: PkiAsn1Node;
  hasChildren: boolean;
}

/** The rows a tree view shows, skipping what sits under a collapsed node. */
export function asn1Rows(root: PkiAsn1Node, collapsed: ReadonlySet<string> = new Set()): Asn1Row[] {
  const rows: Asn1Row[] = [];
  const walk = (node: PkiAsn1Node, path: string, depth: number): void => {
    rows.push({ path, depth, node, hasChildren: node.children.length > 0 });
    if (collapsed.has(path)) return;
    node.children.forEach((child, i) => walk(child, `${path}.${i}`, depth + 1));
  };
  walk(root, '0', 0);
  return rows;
}

export function asn1NodeAt(root: PkiAsn1Node, path: string): PkiAsn1Node | null {
  const parts = path.split('.').map(Number);
  if (parts[0] !== 0) return null;
  let node: PkiAsn1Node | undefined = root;
  for (const index of parts.slice(1)) {
    node = node?.children[index];
    if (!node) return null;
  }
  return node ?? null;
}

/** The deepest node whose whole encoding (header and content) is exactly `range`, or failing that, the deepest that contains it. */
export function asn1PathForRange(root: PkiAsn1Node, range: PkiByteRange): string | null {
  let exact: string | null = null;
  let containing: string | null = null;
  const walk = (node: PkiAsn1Node, path: string): void => {
    const start = node.offset;
    const end = node.offset + node.headerLength + node.length;
    if (range.offset < start || range.offset + range.length > end) return;
    containing = path;
    if (start === range.offset && end - start === range.length) exact = path;
    node.children.forEach((child, i) => walk(child, `${path}.${i}`));
  };
  walk(root, '0');
  return exact ?? containing;
}

/** The paths that must be open for `path` to be seen. */
export function ancestorPaths(path: string): string[] {
  const parts = path.split('.');
  const paths: string[] = [];
  for (let i = 1; i < parts.length; i++) paths.push(parts.slice(0, i).join('.'));
  return paths;
}

export type ByteRole = 'header' | 'content' | null;

export interface Highlight {
  start: number;
  headerEnd: number;
  end: number;
}

export function highlightOf(node: PkiAsn1Node | null): Highlight | null {
  if (!node) return null;
  const headerEnd = node.offset + node.headerLength;
  return { start: node.offset, headerEnd, end: headerEnd + node.length };
}

export function byteRole(index: number, highlight: Highlight | null): ByteRole {
  if (!highlight || index < highlight.start || index >= highlight.end) return null;
  return index < highlight.headerEnd ? 'header' : 'content';
}

export interface HexRow {
  offset: number;
  bytes: number[];
}

export const HEX_ROW_BYTES = 16;

export function hexRows(bytes: Uint8Array, perRow = HEX_ROW_BYTES): HexRow[] {
  const rows: HexRow[] = [];
  for (let offset = 0; offset < bytes.length; offset += perRow) rows.push({ offset, bytes: Array.from(bytes.subarray(offset, offset + perRow)) });
  return rows;
}

export function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

export function hexOffset(offset: number): string {
  return offset.toString(16).padStart(4, '0');
}

/** A printable character for the text column, '.' for the rest. */
export function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}

/** "SEQUENCE at 4: header 4 bytes, content 778 bytes" — what the highlight shows. */
export function describeNode(node: PkiAsn1Node): string {
  const content = node.length === 1 ? '1 byte' : `${node.length} bytes`;
  const header = node.headerLength === 1 ? '1 byte' : `${node.headerLength} bytes`;
  return `${node.tag} at offset ${node.offset} (0x${hexOffset(node.offset)}): header ${header}, content ${content}`;
}

/** Base64 to bytes without Node's Buffer. */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64.replace(/\s+/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes to base64 without Node's Buffer, in chunks so a large file does not overflow the stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
