// What a transparent proxy must learn before it can answer: the name in the victim's ClientHello
// (RFC 6066, Section 3), read from the first bytes without consuming them. Or that the bytes are
// not TLS at all (a browser speaking plain HTTP to the TLS port).

export type ClientHelloPeek =
  | { kind: 'incomplete' }
  | { kind: 'client-hello'; serverName: string | null }
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

/** The host_name entry of the server_name extension, or null when the ClientHello has none. */
function serverNameOf(hello: Buffer): string | null {
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
  if (p + 2 > hello.length) return null; // no extensions
  const end = p + 2 + hello.readUInt16BE(p);
  p += 2;
  while (p + 4 <= end && p + 4 <= hello.length) {
    const type = hello.readUInt16BE(p);
    const length = hello.readUInt16BE(p + 2);
    p += 4;
    if (type === 0 && p + length <= hello.length) {
      // server_name_list: length(2) then entries of type(1) length(2) name
      let q = p + 2;
      while (q + 3 <= p + length) {
        const nameType = hello[q];
        const nameLength = hello.readUInt16BE(q + 1);
        if (nameType === 0) return hello.toString('ascii', q + 3, q + 3 + nameLength).toLowerCase();
        q += 3 + nameLength;
      }
      return null;
    }
    p += length;
  }
  return null;
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
    return { kind: 'client-hello', serverName: serverNameOf(hs.bytes) };
  } catch {
    return { kind: 'client-hello', serverName: null };
  }
}
