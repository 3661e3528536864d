import { describe, expect, it } from 'vitest';
import type { RecordField } from '../../../src-main/api/recordTypes';
import { ancestors, base64Bytes, derToPem, findPath, hexRows, nodeAt, pathForByte, rangeOf, toHex } from '../../../src-renderer/src/lib/inside-hex';

// A ClientHello record's first fields, as sessions.records lays them out.
const tree: RecordField[] = [
  {
    name: 'Record header',
    offset: 0,
    length: 5,
    children: [
      { name: 'content_type', offset: 0, length: 1, value: 'Handshake (22)' },
      { name: 'legacy_record_version', offset: 1, length: 2 },
      { name: 'length', offset: 3, length: 2 },
    ],
  },
  {
    name: 'ClientHello',
    offset: 5,
    length: 20,
    children: [
      { name: 'msg_type', offset: 5, length: 1 },
      { name: 'length', offset: 6, length: 3 },
      { name: 'server_name', offset: 9, length: 16, children: [{ name: 'host_name', offset: 11, length: 14, value: 'www.bank32.com' }] },
    ],
  },
];

describe('the record inspector hex view', () => {
  it('cuts bytes into rows of 16 with offsets and printable characters', () => {
    const bytes = base64Bytes(Buffer.from('\x16\x03\x01 www.bank32.com!!!!!!!!!!!', 'latin1').toString('base64'));
    const rows = hexRows(bytes);
    expect(rows.map((r) => r.label)).toEqual(['0000', '0010']);
    expect(rows[0].bytes[0]).toEqual({ index: 0, hex: '16', char: '.' });
    expect(rows[0].bytes.slice(4, 7).map((b) => b.char).join('')).toBe('www');
    expect(hexRows(bytes, 16, 8)).toHaveLength(1);
    expect(toHex(bytes.subarray(0, 3))).toBe('160301');
  });

  it('finds the deepest field a byte belongs to, and the bytes a field covers', () => {
    expect(pathForByte(tree, 0)).toBe('0.0');
    expect(pathForByte(tree, 4)).toBe('0.2');
    expect(pathForByte(tree, 12)).toBe('1.2.0');
    expect(pathForByte(tree, 10)).toBe('1.2');
    expect(pathForByte(tree, 400)).toBe('');
    expect(nodeAt(tree, '1.2.0')?.value).toBe('www.bank32.com');
    expect(rangeOf(tree, '1.2.0')).toEqual([11, 25]);
    expect(rangeOf(tree, '9')).toBeNull();
    expect(findPath(tree, (n) => n.name === 'host_name')).toBe('1.2.0');
    expect(ancestors('1.2.0')).toEqual(['1', '1.2', '1.2.0']);
  });

  it('wraps a DER certificate as PEM for the inspector', () => {
    const pem = derToPem('A'.repeat(100));
    expect(pem.split('\n')).toEqual(['-----BEGIN CERTIFICATE-----', 'A'.repeat(64), 'A'.repeat(36), '-----END CERTIFICATE-----', '']);
  });
});
