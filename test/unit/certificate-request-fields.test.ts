// A CertificateRequest names the CAs whose client certificates the server accepts (TLS 1.2 in the
// message, TLS 1.3 in its certificate_authorities extension): the record inspector and the
// decrypted-handshake summary show them as names, not as a count of byte strings.
import { describe, expect, it } from 'vitest';
import type { RecordField } from '../../src-main/api/recordTypes';
import { encodeName } from '../../src-main/pki/names';
import { handshakeMessageTree } from '../../src-main/sessions/recordFields';
import { decodeHandshakeMessage } from '../../src-main/tls/handshake';
import { concat, extension, handshake, u16, vec } from './tls/wire';

const students = encodeName({ O: 'TLS Lab', CN: 'Students CA' });
const staff = encodeName({ CN: 'Staff CA' });

function find(node: RecordField, name: string): RecordField | undefined {
  if (node.name === name) return node;
  for (const child of node.children ?? []) {
    const hit = find(child, name);
    if (hit) return hit;
  }
  return undefined;
}

describe('the CAs a CertificateRequest names', () => {
  it('TLS 1.3: the certificate_authorities extension, decoded and shown by name', () => {
    const body = concat(vec(1, []), vec(2, concat(extension(13, vec(2, u16(0x0403))), extension(47, vec(2, concat(vec(2, students), vec(2, staff)))))));
    const message = decodeHandshakeMessage(handshake(13, body), 0, { version: 0x0304 });
    if (message.body.kind !== 'certificate_request') throw new Error(`decoded as ${message.body.kind}`);
    const ext = message.body.extensions.find((e) => e.type === 47);
    expect(ext?.value).toEqual({ kind: 'certificate_authorities', authorities: [students, staff] });
    const authorities = find(handshakeMessageTree(message), 'authorities');
    expect(authorities?.value).toBe('2 CAs: O=TLS Lab, CN=Students CA; CN=Staff CA');
    expect(authorities?.children?.filter((c) => c.name === 'DistinguishedName').map((c) => c.value)).toEqual(['O=TLS Lab, CN=Students CA', 'CN=Staff CA']);
  });

  it('TLS 1.2: the certificate_authorities field, each name at its bytes', () => {
    const body = concat(vec(1, [1, 64]), vec(2, u16(0x0804)), vec(2, vec(2, students)));
    const message = decodeHandshakeMessage(handshake(13, body), 0, { version: 0x0303 });
    const field = find(handshakeMessageTree(message), 'certificate_authorities');
    expect(field?.value).toBe('O=TLS Lab, CN=Students CA');
    const name = field?.children?.find((c) => c.name === 'DistinguishedName');
    expect(name?.length).toBe(2 + students.length);
  });

  it('an empty list means any CA, and bytes that are no name say so', () => {
    const body = concat(vec(1, [1]), vec(2, u16(0x0804)), vec(2, concat(vec(2, []), vec(2, [1, 2, 3]))));
    const message = decodeHandshakeMessage(handshake(13, body), 0, { version: 0x0303 });
    const field = find(handshakeMessageTree(message), 'certificate_authorities');
    expect(field?.children?.filter((c) => c.name === 'DistinguishedName').map((c) => c.value)).toEqual([
      '(0 bytes that are not a distinguished name)',
      '(3 bytes that are not a distinguished name)',
    ]);
    const none = decodeHandshakeMessage(handshake(13, concat(vec(1, [1]), vec(2, u16(0x0804)), vec(2, []))), 0, { version: 0x0303 });
    expect(find(handshakeMessageTree(none), 'certificate_authorities')?.value).toBe('any CA (none named)');
  });
});
