// What a transparent proxy must learn before it can answer: the name in the victim's ClientHello
// (RFC 6066, Section 3), and the protocols it offers by ALPN (RFC 7301, to explain a refusal),
// read from the first bytes without consuming them. Or that the bytes are
// not TLS at all (a browser speaking plain HTTP to the TLS port).

export type ClientHelloPeek =
  | { kind: 'incomplete' }
  | { kind: 'client-hello'; serverName: string | null; /** The ALPN protocols offered (RFC 7301), or null without the extension. */ alpn: string[] | null }
  | { kind: 'not-tls'; looksLikeHttp: boolean };

const MAX_PEEK_BYTES = 64 * 1024;

/** Reads the handshake bytes carried by the leading handshake records of `data`. */
function handshakeBytes(data: Buffer): { bytes: Buffer; complete: boolean } | null {
  const parts: Buffer[] = [];
  let offset = 0;
  let total = 0;
  let needed = -1;
  while (offset + 5 <= data.length) {
    if (data[offset] !== 22) return parts.length ? { bytes: Buffer.concat(parts), complete: false } : null;
    const length = data.readUInt16BE(offset + 3);
    if (offset + 5 + length > data.length) break;
    const fragment = data.subarray(offset + 5, offset + 5 + length);
    parts.push(fragment);
    total += fragment.length;
    offset += 5 + length;
    if (needed < 0 && total >= 4) {
      const first = Buffer.concat(parts);
      needed = 4 + first.readUIntBE(1, 3);
    }
    if (needed >= 0 && total >= needed) return { bytes: Buffer.concat(parts).subarray(0, needed), complete: true };
  }
  return { bytes: Buffer.concat(parts), complete: false };
}

/** The protocol names of an application_layer_protocol_negotiation extension's body. */
function alpnOf(body: Buffer): string[] {
  const names: string[] = [];
  if (body.length < 2) return names;
  const end = Math.min(body.length, 2 + body.readUInt16BE(0));
  let q = 2;
  while (q < end) {
    const n = body[q];
    if (q + 1 + n > end) break;
    names.push(body.toString('latin1', q + 1, q + 1 + n));
    q += 1 + n;
  }
  return names;
}

/** The host_name entry of the server_name extension and the ALPN list, each null when the ClientHello has none. */
function extensionsOf(hello: Buffer): { serverName: string | null; alpn: string[] | null } {
  let serverName: string | null = null;
  let alpn: string[] | null = null;
  // msg_type(1) length(3) version(2) random(32)
  let p = 4 + 2 + 32;
  const need = (n: number) => {
    if (p + n > hello.length) throw new RangeError('truncated ClientHello');
  };
  need(1);
  p += 1 + hello[p]; // session_id
  need(2);
  p += 2 + hello.readUInt16BE(p); // cipher_suites
  need(1);
  p += 1 + hello[p]; // compression_methods
  if (p + 2 > hello.length) return { serverName, alpn }; // no extensions
  const end = p + 2 + hello.readUInt16BE(p);
  p += 2;
  while (p + 4 <= end && p + 4 <= hello.length) {
    const type = hello.readUInt16BE(p);
    const length = hello.readUInt16BE(p + 2);
    p += 4;
    if (type === 0 && p + length <= hello.length && serverName === null) {
      // server_name_list: length(2) then entries of type(1) length(2) name
      let q = p + 2;
      while (q + 3 <= p + length) {
        const nameType = hello[q];
        const nameLength = hello.readUInt16BE(q + 1);
        if (nameType === 0) {
          serverName = hello.toString('ascii', q + 3, q + 3 + nameLength).toLowerCase();
          break;
        }
        q += 3 + nameLength;
      }
    } else if (type === 16 && p + length <= hello.length) {
      alpn = alpnOf(hello.subarray(p, p + length));
    }
    p += length;
  }
  return { serverName, alpn };
}

export function peekClientHello(data: Buffer): ClientHelloPeek {
  if (data.length === 0) return { kind: 'incomplete' };
  if (data[0] !== 22) {
    const text = data.toString('latin1', 0, Math.min(16, data.length));
    return { kind: 'not-tls', looksLikeHttp: /^[A-Z]{3,10} /.test(text) };
  }
  if (data.length >= 3 && data[1] !== 3) return { kind: 'not-tls', looksLikeHttp: false };
  const hs = handshakeBytes(data);
  if (!hs) return { kind: 'not-tls', looksLikeHttp: false };
  if (!hs.complete) {
    return data.length > MAX_PEEK_BYTES ? { kind: 'not-tls', looksLikeHttp: false } : { kind: 'incomplete' };
  }
  if (hs.bytes[0] !== 1) return { kind: 'not-tls', looksLikeHttp: false };
  try {
    return { kind: 'client-hello', ...extensionsOf(hs.bytes) };
  } catch {
    return { kind: 'client-hello', serverName: null, alpn: null };
  }
}
