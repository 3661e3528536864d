import { describe, expect, it } from 'vitest';
import { parseDer } from '../../../src-main/pki/der.js';
import { PkiError } from '../../../src-main/pki/errors.js';
import {
  bytesToIp,
  decodeGeneralNames,
  decodeName,
  encodeGeneralNames,
  encodeName,
  formatSubjectString,
  ipToBytes,
  asciiDomain,
  parseSubjectAltNames,
  parseSubjectString,
} from '../../../src-main/pki/names.js';

function pkiError(action: () => unknown): PkiError {
  try {
    action();
  } catch (error) {
    if (error instanceof PkiError) return error;
    throw error;
  }
  throw new Error('expected a PkiError');
}

describe('subject strings', () => {
  it('reads the OpenSSL -subj form in order', () => {
    expect(parseSubjectString('/C=US/O=Model CA LTD./CN=www.modelCA.com')).toEqual([
      [{ type: 'C', value: 'US' }],
      [{ type: 'O', value: 'Model CA LTD.' }],
      [{ type: 'CN', value: 'www.modelCA.com' }],
    ]);
  });

  it('honours backslash escapes and keeps "+" literal unless multi-valued RDNs are asked for', () => {
    expect(parseSubjectString('/O=A\\/B/CN=x+y')).toEqual([[{ type: 'O', value: 'A/B' }], [{ type: 'CN', value: 'x+y' }]]);
    expect(parseSubjectString('/OU=Lab+CN=x', { multiValue: true })).toEqual([
      [
        { type: 'OU', value: 'Lab' },
        { type: 'CN', value: 'x' },
      ],
    ]);
  });

  it('reads the comma form OpenSSL prints and long attribute names', () => {
    expect(parseSubjectString('C = US, organizationName = Lab, CN = www.bank32.com')).toEqual([
      [{ type: 'C', value: 'US' }],
      [{ type: 'O', value: 'Lab' }],
      [{ type: 'CN', value: 'www.bank32.com' }],
    ]);
  });

  it('round-trips through formatSubjectString', () => {
    const text = '/C=DE/O=Slash\\/Org/CN=Plus\\+Name';
    expect(formatSubjectString(parseSubjectString(text))).toBe(text);
  });

  it('explains a part without "=" and an unknown attribute', () => {
    expect(pkiError(() => parseSubjectString('/CN')).message).toMatch(/has no "="/);
    expect(pkiError(() => parseSubjectString('/XX=1')).message).toMatch(/"XX" is not a name attribute/);
  });

  it('encodes C as PrintableString, email as IA5String, the rest as UTF8String', () => {
    const der = encodeName('/C=US/CN=Grüße/emailAddress=a@b.c');
    const name = parseDer(der);
    const tags = name.children.map((rdn) => rdn.children[0].children[1].typeName);
    expect(tags).toEqual(['PrintableString', 'UTF8String', 'IA5String']);
    expect(decodeName(name)).toEqual([[{ type: 'C', value: 'US' }], [{ type: 'CN', value: 'Grüße' }], [{ type: 'emailAddress', value: 'a@b.c' }]]);
  });

  it('refuses a country that is not two letters', () => {
    expect(pkiError(() => encodeName({ C: 'USA' })).message).toMatch(/two-letter/);
  });
});

describe('subject alternative names', () => {
  it('reads DNS names with wildcards, IPv4, IPv6 and emails', () => {
    expect(parseSubjectAltNames('DNS:www.bank32.com,DNS:*.bank32.com, IP:127.0.0.1,IP:::1,email:s@lab.test')).toEqual([
      { type: 'dns', value: 'www.bank32.com' },
      { type: 'dns', value: '*.bank32.com' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
      { type: 'email', value: 's@lab.test' },
    ]);
  });

  it('guesses the kind of an unprefixed entry', () => {
    expect(parseSubjectAltNames(['localhost', '10.0.0.1'])).toEqual([
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '10.0.0.1' },
    ]);
  });

  it('refuses a wildcard that is not the whole leftmost label', () => {
    const error = pkiError(() => parseSubjectAltNames('DNS:www*.bank32.com'));
    expect(error.code).toBe('BAD_SAN');
    expect(error.message).toMatch(/whole leftmost label/);
    expect(pkiError(() => parseSubjectAltNames('DNS:a.*.com')).code).toBe('BAD_SAN');
  });

  it('refuses a bad IP and an unknown prefix', () => {
    expect(pkiError(() => parseSubjectAltNames('IP:300.1.1.1')).message).toMatch(/not an IP address/);
    expect(pkiError(() => parseSubjectAltNames('RID:1.2.3')).message).toMatch(/DNS:, IP:, email: or URI:/);
  });

  it('encodes and decodes GeneralNames', () => {
    const entries = parseSubjectAltNames('DNS:a.test,IP:192.168.1.2,IP:2001:db8::1,email:x@y.z,URI:https://a.test/');
    expect(decodeGeneralNames(parseDer(encodeGeneralNames(entries)))).toEqual(entries);
  });

  it('writes IPv6 addresses in RFC 5952 short form', () => {
    expect(bytesToIp(ipToBytes('2001:db8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(bytesToIp(ipToBytes('::1'))).toBe('::1');
    expect(bytesToIp(ipToBytes('fe80::'))).toBe('fe80::');
    expect(bytesToIp(ipToBytes('::ffff:10.0.0.1'))).toBe('::ffff:a00:1');
  });
});

describe('internationalised DNS names', () => {
  it('go into certificates in their IDNA ASCII form, wildcards too; ASCII names are left alone', () => {
    expect(parseSubjectAltNames('DNS:bücher.example,DNS:*.bücher.example,DNS:www.bank32.com')).toEqual([
      { type: 'dns', value: 'xn--bcher-kva.example' },
      { type: 'dns', value: '*.xn--bcher-kva.example' },
      { type: 'dns', value: 'www.bank32.com' },
    ]);
    expect(asciiDomain('www.b\u0430nk32.com')).toBe('www.xn--bnk32-4ve.com');
    expect(asciiDomain('127.0.0.1')).toBe('127.0.0.1');
  });
});
