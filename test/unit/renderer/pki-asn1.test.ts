// The ASN.1 explorer's model over a real certificate from the workbench's own inspector.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, issueCertificate } from '../../../src-main/pki/certificates';
import { inspect, type Inspection } from '../../../src-main/pki/inspect';
import {
  ancestorPaths,
  asn1NodeAt,
  asn1PathForRange,
  asn1Rows,
  base64ToBytes,
  byteRole,
  bytesToBase64,
  describeNode,
  hexRows,
  highlightOf,
  printable,
} from '../../../src-renderer/src/lib/pki-asn1';

let inspection: Inspection;
let der: Uint8Array;

beforeAll(async () => {
  const ca = await createRootCa({ subject: '/O=Lab/CN=Lab Root CA', key: 'ec:P-256' });
  const leaf = await issueCertificate(ca, { subject: '/CN=www.bank32.com', subjectAltNames: 'DNS:www.bank32.com,IP:127.0.0.1', key: 'ec:P-256' });
  der = leaf.certificate;
  inspection = inspect(der);
});

describe('the ASN.1 tree as rows', () => {
  it('lists every node depth-first with its path, and hides what is under a collapsed node', () => {
    const rows = asn1Rows(inspection.asn1);
    expect(rows[0]).toMatchObject({ path: '0', depth: 0, hasChildren: true });
    expect(rows[0]!.node.tag).toBe('SEQUENCE');
    expect(rows[1]).toMatchObject({ path: '0.0', depth: 1 });
    const collapsed = asn1Rows(inspection.asn1, new Set(['0.0']));
    // With tbsCertificate closed, the signature algorithm follows it at once.
    expect(collapsed.map((r) => r.path).slice(0, 3)).toEqual(['0', '0.0', '0.1']);
    expect(collapsed.filter((r) => r.path.startsWith('0.0.')).length).toBe(0);
  });

  it('finds a node by path, and the paths that must be open to see it', () => {
    expect(asn1NodeAt(inspection.asn1, '0')).toBe(inspection.asn1);
    expect(asn1NodeAt(inspection.asn1, '0.0.1')?.tag).toBe('INTEGER');
    expect(asn1NodeAt(inspection.asn1, '0.9.9')).toBeNull();
    expect(asn1NodeAt(inspection.asn1, '1')).toBeNull();
    expect(ancestorPaths('0.0.7.0')).toEqual(['0', '0.0', '0.0.7']);
    expect(ancestorPaths('0')).toEqual([]);
  });

  it('maps an inspected field\'s byte range to the node that encodes it', () => {
    const serial = inspection.fields.find((f) => f.label === 'Serial number')!;
    const path = asn1PathForRange(inspection.asn1, serial.range!);
    expect(path).toBe('0.0.1');
    const san = inspection.extensions.find((e) => e.oid === '2.5.29.17')!;
    const sanNode = asn1NodeAt(inspection.asn1, asn1PathForRange(inspection.asn1, san.range!)!)!;
    expect(sanNode.offset).toBe(san.range!.offset);
    expect(sanNode.headerLength + sanNode.length).toBe(san.range!.length);
  });
});

describe('the hex view', () => {
  it('shows the DER in rows of 16 with printable text', () => {
    const bytes = base64ToBytes(bytesToBase64(der));
    expect(Array.from(bytes)).toEqual(Array.from(der));
    const rows = hexRows(bytes);
    expect(rows.length).toBe(Math.ceil(der.length / 16));
    expect(rows[1]!.offset).toBe(16);
    expect(rows.at(-1)!.bytes.length).toBe(der.length - (rows.length - 1) * 16);
    expect(printable(0x41)).toBe('A');
    expect(printable(0x0a)).toBe('.');
  });

  it('tells a chosen node\'s tag-and-length bytes from its content bytes', () => {
    const serial = asn1NodeAt(inspection.asn1, '0.0.1')!;
    const highlight = highlightOf(serial);
    const roles = Array.from(der, (_, i) => byteRole(i, highlight));
    expect(roles.filter((r) => r === 'header').length).toBe(serial.headerLength);
    expect(roles.filter((r) => r === 'content').length).toBe(serial.length);
    expect(der[serial.offset]).toBe(0x02);
    expect(roles[serial.offset - 1]).toBeNull();
    expect(roles[serial.offset + serial.headerLength + serial.length]).toBeNull();
    expect(byteRole(0, null)).toBeNull();
    expect(describeNode(serial)).toBe(`INTEGER at offset ${serial.offset} (0x${serial.offset.toString(16).padStart(4, '0')}): header 2 bytes, content ${serial.length} bytes`);
  });

  it('encodes large files to base64 without overflowing the stack', () => {
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    expect(Array.from(base64ToBytes(bytesToBase64(big)).subarray(199_990))).toEqual(Array.from(big.subarray(199_990)));
  });
});
