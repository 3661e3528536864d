// Names in certificates: distinguished names (from fields or an OpenSSL-style "/C=US/O=.../CN=..."
// string) encoded the way `openssl req` does by default, and general names (SANs, name
// constraints) read from "DNS:a,DNS:*.b,IP:127.0.0.1,email:x@y" with a check of each entry.
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { type Asn1Node, compareDerEncodings, concatBytes, decodeOid, encodeTlv, parseDer } from './der.js';
import { PkiError } from './errors.js';
import { describeOid } from './oids.js';

export interface NameAttribute {
  /** Short name ("CN", "O", "emailAddress", ...) or a dotted OID. */
  type: string;
  value: string;
}

/** One RDN: usually one attribute; several make a multi-valued RDN ("OU=Lab+CN=x"). */
export type RelativeName = NameAttribute[];

/** The subject fields the workbench's forms offer. Empty values are left out. */
export interface SubjectFields {
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string | string[];
  CN?: string;
  emailAddress?: string;
}

/** A subject given as an OpenSSL-style string, as form fields, or as RDNs in order. */
export type SubjectInput = string | SubjectFields | RelativeName[];

const ATTRIBUTE_OIDS: Record<string, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  emailAddress: '1.2.840.113549.1.9.1',
  serialNumber: '2.5.4.5',
  street: '2.5.4.9',
  title: '2.5.4.12',
  postalCode: '2.5.4.17',
  SN: '2.5.4.4',
  GN: '2.5.4.42',
  initials: '2.5.4.43',
  pseudonym: '2.5.4.65',
  name: '2.5.4.41',
  description: '2.5.4.13',
  businessCategory: '2.5.4.15',
  jurisdictionC: '1.3.6.1.4.1.311.60.2.1.3',
  jurisdictionST: '1.3.6.1.4.1.311.60.2.1.2',
  jurisdictionL: '1.3.6.1.4.1.311.60.2.1.1',
  organizationIdentifier: '2.5.4.97',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
};

const ATTRIBUTE_ALIASES: Record<string, string> = {
  c: 'C',
  countryname: 'C',
  st: 'ST',
  s: 'ST',
  stateorprovincename: 'ST',
  l: 'L',
  localityname: 'L',
  o: 'O',
  organizationname: 'O',
  ou: 'OU',
  organizationalunitname: 'OU',
  cn: 'CN',
  commonname: 'CN',
  emailaddress: 'emailAddress',
  email: 'emailAddress',
  e: 'emailAddress',
  serialnumber: 'serialNumber',
  street: 'street',
  title: 'title',
  postalcode: 'postalCode',
  sn: 'SN',
  surname: 'SN',
  gn: 'GN',
  givenname: 'GN',
  initials: 'initials',
  pseudonym: 'pseudonym',
  name: 'name',
  description: 'description',
  businesscategory: 'businessCategory',
  jurisdictionc: 'jurisdictionC',
  jurisdictionst: 'jurisdictionST',
  jurisdictionl: 'jurisdictionL',
  organizationidentifier: 'organizationIdentifier',
  dc: 'DC',
  domaincomponent: 'DC',
  uid: 'UID',
  userid: 'UID',
};

const SHORT_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(ATTRIBUTE_OIDS).map(([short, oid]) => [oid, short]),
);

/** "CN" for 2.5.4.3; the dotted OID itself when there is no short name. */
export function attributeShortName(oid: string): string {
  return SHORT_NAMES[oid] ?? oid;
}

function attributeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const short = ATTRIBUTE_ALIASES[type.toLowerCase()];
  if (short) return ATTRIBUTE_OIDS[short];
  throw new PkiError(
    'BAD_SUBJECT',
    `"${type}" is not a name attribute the workbench knows. Use C, ST, L, O, OU, CN or emailAddress ` +
      '(also serialNumber, street, title, DC, UID, ...), or a dotted OID such as 2.5.4.3.',
  );
}

/**
 * Reads "/C=US/O=Model CA LTD./CN=www.modelCA.com" (as `openssl req -subj`), where "\" escapes
 * the next character, or "C=US, O=Model CA LTD., CN=www.modelCA.com" (as OpenSSL prints names).
 * With `multiValue`, "+" joins attributes into one RDN, as `-multivalue-rdn` does.
 */
export function parseSubjectString(text: string, options: { multiValue?: boolean } = {}): RelativeName[] {
  const trimmed = text.trim();
  const slashForm = trimmed.startsWith('/');
  const separator = slashForm ? '/' : ',';
  const body = slashForm ? trimmed.slice(1) : trimmed;
  const rdns: RelativeName[] = [];
  for (const part of splitUnescaped(body, separator)) {
    if (!slashForm && part.trim() === '') continue;
    if (slashForm && part === '') continue;
    const members = options.multiValue ? splitUnescaped(part, '+') : [part];
    const rdn: RelativeName = [];
    for (const member of members) {
      const eq = indexOfUnescaped(member, '=');
      if (eq < 0) {
        throw new PkiError(
          'BAD_SUBJECT',
          `"${member.trim()}" in the subject has no "=": write each part as TYPE=value, ` +
            'for example /C=US/O=Model CA LTD./CN=www.modelCA.com.',
        );
      }
      const type = unescape(member.slice(0, eq)).trim();
      const value = unescape(slashForm ? member.slice(eq + 1) : member.slice(eq + 1).trim());
      attributeOid(type);
      if (value === '') continue; // as openssl: an empty value is skipped
      rdn.push({ type: canonicalType(type), value });
    }
    if (rdn.length > 0) rdns.push(rdn);
  }
  return rdns;
}

function canonicalType(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return attributeShortName(type);
  return ATTRIBUTE_ALIASES[type.toLowerCase()] ?? type;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function indexOfUnescaped(text: string, target: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === target) return i;
  }
  return -1;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

const FIELD_ORDER: Array<keyof SubjectFields> = ['C', 'ST', 'L', 'O', 'OU', 'CN', 'emailAddress'];

/** The RDNs of a subject given in any accepted form. */
export function subjectToRdns(subject: SubjectInput): RelativeName[] {
  if (typeof subject === 'string') return parseSubjectString(subject);
  if (Array.isArray(subject)) {
    return subject
      .map((rdn) => rdn.filter((attribute) => attribute.value !== '').map((a) => ({ type: canonicalType(a.type), value: a.value })))
      .filter((rdn) => rdn.length > 0);
  }
  const rdns: RelativeName[] = [];
  for (const field of FIELD_ORDER) {
    const value = subject[field];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    for (const one of values) {
      if (one.trim() !== '') rdns.push([{ type: field, value: one.trim() }]);
    }
  }
  return rdns;
}

/** "/C=US/O=Model CA LTD./CN=www.modelCA.com": the form `openssl req -subj` takes. */
export function formatSubjectString(rdns: RelativeName[]): string {
  if (rdns.length === 0) return '/';
  const escapeValue = (value: string) => value.replace(/([\\/+])/g, '\\$1');
  return rdns.map((rdn) => '/' + rdn.map((a) => `${a.type}=${escapeValue(a.value)}`).join('+')).join('');
}

/** "C=US, O=Model CA LTD., CN=www.modelCA.com": one line, in certificate order. */
export function formatDistinguishedName(rdns: RelativeName[]): string {
  return rdns.map((rdn) => rdn.map((a) => `${a.type}=${a.value}`).join(' + ')).join(', ');
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * DER Name as `openssl req` writes it by default (string_mask utf8only): UTF8String values,
 * except PrintableString for the country (RFC 5280) and IA5String for email and DC; a
 * multi-valued RDN is sorted into DER order.
 */
export function encodeName(subject: SubjectInput): Uint8Array {
  const rdns = subjectToRdns(subject);
  const encodedRdns = rdns.map((rdn) => {
    const members = rdn.map((attribute) => encodeAttribute(attribute));
    members.sort(compareDerEncodings);
    return encodeTlv(0x31, concatBytes(members));
  });
  return encodeTlv(0x30, concatBytes(encodedRdns));
}

function encodeAttribute(attribute: NameAttribute): Uint8Array {
  const oid = attributeOid(attribute.type);
  const short = attributeShortName(oid);
  const value = attribute.value;
  let tag = 0x0c;
  if (short === 'C' || short === 'jurisdictionC') {
    if (!/^[A-Za-z]{2}$/.test(value)) {
      throw new PkiError(
        'BAD_SUBJECT',
        `The country (C) must be a two-letter ISO 3166 code such as US, DE or FR, not "${value}".`,
      );
    }
    tag = 0x13;
  } else if (short === 'emailAddress' || short === 'DC') {
    if (!/^[\x00-\x7f]*$/.test(value)) {
      throw new PkiError('BAD_SUBJECT', `${short} must be plain ASCII (an IA5String); "${value}" is not.`);
    }
    tag = 0x16;
  } else if (short === 'serialNumber' && PRINTABLE.test(value)) {
    tag = 0x13;
  }
  if (value.length > 64 && ['CN', 'O', 'OU', 'L', 'ST'].includes(short)) {
    throw new PkiError(
      'BAD_SUBJECT',
      `The ${short} "${value.slice(0, 20)}…" is ${value.length} characters long; X.509 allows at most 64. ` +
        'Put long host names in the subject alternative names instead.',
    );
  }
  const bytes = new TextEncoder().encode(value);
  return encodeTlv(0x30, concatBytes([encodeOid(oid), encodeTlv(tag, bytes)]));
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const body: number[] = [];
  const pushArc = (arc: number) => {
    const septets: number[] = [];
    let rest = arc;
    do {
      septets.unshift(rest & 0x7f);
      rest = Math.floor(rest / 128);
    } while (rest > 0);
    for (let i = 0; i < septets.length - 1; i++) septets[i] |= 0x80;
    body.push(...septets);
  };
  pushArc(arcs[0] * 40 + arcs[1]);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return encodeTlv(0x06, Uint8Array.from(body));
}

export { decodeOid };

// --- general names (SANs, name constraints) ---------------------------------------------

export type GeneralNameEntry =
  | { type: 'dns'; value: string }
  | { type: 'ip'; value: string }
  | { type: 'email'; value: string }
  | { type: 'uri'; value: string };

/**
 * A DNS name in the form certificates, SNI and the Host header carry: an internationalised name
 * (bücher.example) in its IDNA ASCII form (xn--bcher-kva.example), as browsers convert it; a
 * leading "*." is kept. ASCII names and addresses come back as they are.
 */
export function asciiDomain(name: string): string {
  if (!/[^\x00-\x7f]/.test(name)) return name;
  const wildcard = name.startsWith('*.');
  return (wildcard ? '*.' : '') + (domainToASCII(wildcard ? name.slice(2) : name) || name);
}

/** "DNS:a.example" for display and for the CLI. */
export function formatGeneralName(entry: GeneralNameEntry): string {
  const prefix = { dns: 'DNS', ip: 'IP', email: 'email', uri: 'URI' }[entry.type];
  return `${prefix}:${entry.value}`;
}

/**
 * Reads SANs written as `openssl` and the CLI do: "DNS:a,DNS:*.b,IP:127.0.0.1,email:x@y".
 * An entry with no prefix is an IP when it looks like one, else a DNS name.
 */
export function parseSubjectAltNames(input: string | readonly string[]): GeneralNameEntry[] {
  const parts = typeof input === 'string' ? input.split(',') : input.flatMap((entry) => entry.split(','));
  return parts
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => parseGeneralName(part, 'san'));
}

function parseGeneralName(text: string, purpose: 'san' | 'constraint'): GeneralNameEntry {
  const colon = text.indexOf(':');
  const prefix = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  const known = ['dns', 'ip', 'ip address', 'email', 'uri'];
  let type: GeneralNameEntry['type'];
  let value: string;
  if (known.includes(prefix)) {
    type = prefix === 'ip address' ? 'ip' : (prefix as GeneralNameEntry['type']);
    value = text.slice(colon + 1).trim();
  } else if (isIP(text) || (purpose === 'constraint' && isIP(text.split('/')[0]))) {
    type = 'ip';
    value = text;
  } else if (colon > 0 && !/^[\d.]+$/.test(prefix) && !text.includes('::')) {
    throw new PkiError(
      'BAD_SAN',
      `"${prefix}:" is not a kind of alternative name the workbench makes. Use DNS:, IP:, email: or URI:, ` +
        'for example DNS:www.bank32.com,DNS:*.bank32.com,IP:127.0.0.1.',
    );
  } else {
    type = 'dns';
    value = text;
  }
  if (type === 'dns') value = asciiDomain(value);
  if (purpose === 'san') validateSan(type, value);
  else validateConstraint(type, value);
  return { type, value };
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

function validateSan(type: GeneralNameEntry['type'], value: string): void {
  if (type === 'dns') {
    const labels = value.split('.');
    const ok =
      value.length <= 253 &&
      labels.length > 0 &&
      labels.every((label, index) => (index === 0 && label === '*' && labels.length > 1) || DNS_LABEL.test(label));
    if (!ok) {
      const hint = value.includes('*')
        ? 'A wildcard must be the whole leftmost label, as in *.bank32.com (not www*.bank32.com or a.*.com).'
        : 'A DNS name is labels of letters, digits and hyphens separated by dots, such as www.bank32.com.';
      throw new PkiError('BAD_SAN', `"${value}" is not a valid DNS name for a certificate. ${hint}`);
    }
  } else if (type === 'ip') {
    if (!isIP(value)) {
      throw new PkiError('BAD_SAN', `"${value}" is not an IP address: write IP:127.0.0.1 or IP:::1.`);
    }
  } else if (type === 'email') {
    if (!/^[^\s@]+@[^\s@]+$/.test(value)) {
      throw new PkiError('BAD_SAN', `"${value}" is not an email address (name@domain).`);
    }
  } else if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(value)) {
    throw new PkiError('BAD_SAN', `"${value}" is not a URI (scheme:rest, such as https://www.bank32.com/).`);
  }
}

function validateConstraint(type: GeneralNameEntry['type'], value: string): void {
  if (type === 'ip') {
    const [address, prefix] = value.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = Number(prefix);
    if (!family || prefix === undefined || !Number.isInteger(bits) || bits < 0 || bits > max) {
      throw new PkiError(
        'BAD_SAN',
        `"${value}" is not an address range for a name constraint: write it as IP:10.0.0.0/8 or IP:fd00::/8.`,
      );
    }
  } else if (type === 'dns') {
    const name = value.startsWith('.') ? value.slice(1) : value;
    if (!name.split('.').every((label) => DNS_LABEL.test(label))) {
      throw new PkiError('BAD_SAN', `"${value}" is not a DNS name for a name constraint (such as lab or .lab.test).`);
    }
  }
}

/** Contents octets of an iPAddress GeneralName: 4 or 16 bytes. */
export function ipToBytes(address: string): Uint8Array {
  if (isIP(address) === 4) return Uint8Array.from(address.split('.').map(Number));
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const expand = (part: string | undefined): number[] => {
    if (!part) return [];
    const groups = part.split(':');
    const last = groups[groups.length - 1];
    if (last.includes('.')) {
      const v4 = last.split('.').map(Number);
      groups.splice(-1, 1, ((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16));
    }
    return groups.map((group) => parseInt(group, 16));
  };
  const left = expand(head);
  const right = expand(tail);
  const groups = tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  groups.forEach((group, i) => {
    out[i * 2] = group >> 8;
    out[i * 2 + 1] = group & 0xff;
  });
  return out;
}

/** Printable form of iPAddress contents: 4 or 16 bytes, or address/prefix for 8 or 32 (constraints). */
export function bytesToIp(bytes: Uint8Array): string {
  const v4 = (b: Uint8Array) => Array.from(b).join('.');
  const v6 = (b: Uint8Array) => {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
    // RFC 5952: the longest run of two or more zero groups becomes "::".
    let bestStart = -1;
    let bestLength = 1;
    for (let i = 0; i < 8; ) {
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j === i ? i + 1 : j;
    }
    const hex = groups.map((group) => group.toString(16));
    if (bestStart < 0) return hex.join(':');
    return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
  };
  // A mask is a prefix length only when its one bits are contiguous; any other mask (which
  // RFC 5280 does not forbid, and openssl writes) is shown whole, as openssl x509 -text does.
  const maskText = (mask: Uint8Array, show: (b: Uint8Array) => string) => {
    const bits = Array.from(mask, (byte) => byte.toString(2).padStart(8, '0')).join('');
    return /^1*0*$/.test(bits) ? String(bits.indexOf('0') < 0 ? bits.length : bits.indexOf('0')) : show(mask);
  };
  if (bytes.length === 4) return v4(bytes);
  if (bytes.length === 16) return v6(bytes);
  if (bytes.length === 8) return `${v4(bytes.subarray(0, 4))}/${maskText(bytes.subarray(4), v4)}`;
  if (bytes.length === 32) return `${v6(bytes.subarray(0, 16))}/${maskText(bytes.subarray(16), v6)}`;
  return Buffer.from(bytes).toString('hex');
}

/** DER GeneralName for a SAN or a name-constraint base. */
export function encodeGeneralName(entry: GeneralNameEntry, forConstraint = false): Uint8Array {
  const ascii = (text: string) => new TextEncoder().encode(text);
  switch (entry.type) {
    case 'email':
      return encodeTlv(0x81, ascii(entry.value));
    case 'dns':
      return encodeTlv(0x82, ascii(entry.value));
    case 'uri':
      return encodeTlv(0x86, ascii(entry.value));
    case 'ip': {
      if (!forConstraint) return encodeTlv(0x87, ipToBytes(entry.value));
      const [address, prefix] = entry.value.split('/');
      const addressBytes = ipToBytes(address);
      const mask = new Uint8Array(addressBytes.length);
      for (let bit = 0; bit < Number(prefix); bit++) mask[bit >> 3] |= 0x80 >> (bit & 7);
      return encodeTlv(0x87, concatBytes([addressBytes.map((byte, i) => byte & mask[i]), mask]));
    }
  }
}

/** GeneralNames DER: the value of a subjectAltName extension. */
export function encodeGeneralNames(entries: readonly GeneralNameEntry[]): Uint8Array {
  return encodeTlv(0x30, concatBytes(entries.map((entry) => encodeGeneralName(entry))));
}

export interface NameConstraintsInput {
  /** "DNS:.lab", "IP:10.0.0.0/8", "email:@lab.test"; names outside every permitted tree are refused. */
  permitted?: readonly string[];
  excluded?: readonly string[];
}

/** DER of a NameConstraints extension value (RFC 5280, Section 4.2.1.10). */
export function encodeNameConstraints(input: NameConstraintsInput): Uint8Array {
  const subtrees = (entries: readonly string[] | undefined, tag: number): Uint8Array[] => {
    if (!entries || entries.length === 0) return [];
    const encoded = entries
      .flatMap((entry) => entry.split(','))
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => encodeTlv(0x30, encodeGeneralName(parseGeneralName(entry, 'constraint'), true)));
    return [encodeTlv(tag, concatBytes(encoded))];
  };
  const parts = [...subtrees(input.permitted, 0xa0), ...subtrees(input.excluded, 0xa1)];
  if (parts.length === 0) {
    throw new PkiError('BAD_OPTION', 'Name constraints need at least one permitted or excluded name (such as DNS:.lab).');
  }
  return encodeTlv(0x30, concatBytes(parts));
}

// --- reading names back ---------------------------------------------------------------------


/** The text of a DirectoryString (or other string) node, decoded by its type. */
export function decodeStringValue(node: Asn1Node): string {
  const bytes = node.contents;
  if (node.tagClass !== 'universal') return Buffer.from(node.encoded).toString('hex');
  switch (node.tagNumber) {
    case 12: // UTF8String
      return new TextDecoder('utf-8').decode(bytes);
    case 30: {
      // BMPString: UCS-2 big-endian
      let text = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      return text;
    }
    case 28: {
      // UniversalString: UCS-4 big-endian
      let text = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        text += String.fromCodePoint(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
      }
      return text;
    }
    case 19: // PrintableString
    case 22: // IA5String
    case 26: // VisibleString
    case 18: // NumericString
    case 20: // T61String, read as Latin-1 as OpenSSL does
      return Buffer.from(bytes).toString('latin1');
    default:
      return `#${Buffer.from(node.encoded).toString('hex')}`;
  }
}

/** The RDNs of a DER Name node, attribute types by short name. */
export function decodeName(name: Asn1Node): RelativeName[] {
  return name.children.map((rdn) =>
    rdn.children.map((atv) => ({
      type: attributeShortName(decodeOid(atv.children[0].contents)),
      value: decodeStringValue(atv.children[1]),
    })),
  );
}

/** The entries of a GeneralNames node that the workbench knows; others become "othername" text. */
export function decodeGeneralNames(generalNames: Asn1Node): Array<GeneralNameEntry | { type: 'other'; value: string }> {
  return generalNames.children.map((node) => {
    const text = () => Buffer.from(node.contents).toString('latin1');
    if (node.tagClass === 'context') {
      switch (node.tagNumber) {
        case 1:
          return { type: 'email', value: text() } as const;
        case 2:
          return { type: 'dns', value: text() } as const;
        case 6:
          return { type: 'uri', value: text() } as const;
        case 7:
          return { type: 'ip', value: bytesToIp(node.contents) } as const;
        case 4:
          return { type: 'other', value: `DirName:${formatDistinguishedName(decodeName(node.children[0]))}` } as const;
        case 0:
          return { type: 'other', value: otherNameText(node) } as const;
        case 8:
          return { type: 'other', value: `RID:${decodeOid(node.contents)}` } as const;
      }
    }
    return { type: 'other', value: `${node.typeName}:${Buffer.from(node.contents).toString('hex')}` } as const;
  });
}

/** otherName (RFC 5280): type-id OID and an [0] EXPLICIT value; a string value is shown as text, anything else as hex. */
function otherNameText(node: Asn1Node): string {
  const oid = decodeOid(node.children[0]?.contents ?? new Uint8Array());
  const value = node.children[1]?.children[0];
  if (!value) return `othername:${describeOid(oid)}`;
  const isString = value.tagClass === 'universal' && [12, 18, 19, 20, 22, 26, 28, 30].includes(value.tagNumber);
  return `othername:${describeOid(oid)}:${isString ? decodeStringValue(value) : Buffer.from(value.encoded).toString('hex')}`;
}

/** A DER Name as one line ("O=TLS Lab, CN=Students CA"); bytes that are no Name say so. */
export function distinguishedNameText(der: Uint8Array): string {
  try {
    return formatDistinguishedName(decodeName(parseDer(der, 'a distinguished name'))) || '(an empty name)';
  } catch {
    return `(${der.length} bytes that are not a distinguished name)`;
  }
}
