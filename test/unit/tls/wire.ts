// Builds TLS wire bytes for tests, field by field as the RFCs lay them out.
export type Bytes = Uint8Array | number[];

export function concat(...parts: Bytes[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const u8 = (n: number): number[] => [n & 0xff];
export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

/** A vector with a 1-, 2- or 3-byte length prefix (RFC 8446, Section 3.4). */
export function vec(prefix: 1 | 2 | 3, ...parts: Bytes[]): Uint8Array {
  const body = concat(...parts);
  const length = prefix === 1 ? u8(body.length) : prefix === 2 ? u16(body.length) : u24(body.length);
  return concat(length, body);
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** TLSPlaintext: type, legacy_record_version, length, fragment (RFC 8446, Section 5.1). */
export function record(contentType: number, body: Bytes, version = 0x0303): Uint8Array {
  return concat([contentType], u16(version), u16(body.length), body);
}

/** Handshake: msg_type, uint24 length, body (RFC 8446, Section 4). */
export function handshake(msgType: number, body: Bytes): Uint8Array {
  return concat([msgType], u24(body.length), body);
}

export function extension(type: number, data: Bytes): Uint8Array {
  return concat(u16(type), vec(2, data));
}

export interface ClientHelloSpec {
  serverName?: string;
  versions?: number[];
  cipherSuites?: number[];
  alpn?: string[];
}

export function clientHelloBody(spec: ClientHelloSpec = {}): Uint8Array {
  const extensions: Uint8Array[] = [];
  if (spec.serverName !== undefined) {
    extensions.push(extension(0, vec(2, [0], vec(2, ascii(spec.serverName)))));
  }
  if (spec.alpn) extensions.push(extension(16, vec(2, ...spec.alpn.map((p) => vec(1, ascii(p))))));
  if (spec.versions) extensions.push(extension(43, vec(1, ...spec.versions.map(u16))));
  extensions.push(extension(10, vec(2, u16(29), u16(23))));
  if (spec.versions?.includes(0x0304)) extensions.push(extension(51, vec(2, u16(29), vec(2, new Uint8Array(32).fill(7)))));
  return concat(
    u16(0x0303),
    new Uint8Array(32).fill(1),
    vec(1, new Uint8Array(32).fill(2)),
    vec(2, ...(spec.cipherSuites ?? [0x1301, 0xc02f]).map(u16)),
    vec(1, [0]),
    vec(2, ...extensions),
  );
}

export function serverHelloBody(spec: { version?: number; cipherSuite?: number; random?: Bytes } = {}): Uint8Array {
  const extensions: Uint8Array[] = [];
  if (spec.version === 0x0304) {
    extensions.push(extension(43, u16(0x0304)));
    extensions.push(extension(51, concat(u16(29), vec(2, new Uint8Array(32).fill(8)))));
  }
  return concat(
    u16(0x0303),
    spec.random ?? new Uint8Array(32).fill(3),
    vec(1, new Uint8Array(32).fill(2)),
    u16(spec.cipherSuite ?? (spec.version === 0x0304 ? 0x1301 : 0xc02f)),
    [0],
    vec(2, ...extensions),
  );
}

/** A deterministic pseudo-random source (mulberry32), so a failing fuzz case can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
