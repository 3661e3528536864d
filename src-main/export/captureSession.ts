// A capture's TLS connections as one recorded session: each TCP stream that carries TLS becomes a
// connection, the key log lines go to the connection whose ClientHello they belong to, and what
// the handshake says (SNI, version, cipher, ALPN, the server's certificates) fills the session.
import type { CipherInfo } from '../api/types';
import { decodeConnection, type DecodedConnection } from '../tls/records';
import { decryptConnection } from '../tls/sessionKeys';
import { isTls13 } from '../tls/registry';
import { opensslSuiteName } from '../tls/opensslNames';
import { type CaptureGap, realignAtGaps } from './captureGaps';
import { keylogClientRandom } from './keylog';
import { CaptureError, type CapturedStream, type ParsedCapture, type StreamChunk } from './pcapImport';
import type { RecordedCertificate, RecordedConnection, RecordedSession } from './recordedSession';

type StreamDirection = StreamChunk['direction'];

/** The handshake lives at the start: decode this much of each direction to read it. */
const HANDSHAKE_WINDOW = 256 * 1024;

function endpointText(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function looksLikeTls(stream: CapturedStream): boolean {
  // The client opens a TLS connection with a handshake record (22), major version 3: a ClientHello.
  const first = stream.chunks.find((c) => c.direction === 'client-to-server');
  return first !== undefined && first.data.length >= 6 && first.data[0] === 0x16 && first.data[1] === 0x03 && first.data[5] === 0x01;
}

/**
 * The ClientHello's random, read from the stream's first bytes where the decoder cannot read the
 * whole message (a snap length cut it): record header (5), handshake header (4), legacy_version (2),
 * then the 32-byte random (RFC 8446, Section 4.1.2).
 */
function clientRandomAtStart(stream: CapturedStream): string | undefined {
  const first = stream.chunks.find((c) => c.direction === 'client-to-server');
  if (!first || first.data.length < 43) return undefined;
  return Buffer.from(first.data.subarray(11, 43)).toString('hex');
}

/**
 * The capture's TCP connections whose client sent bytes but no TLS ClientHello, which the import
 * leaves out, named for the user. A bare connect the server answered alone (s_server's alert to a
 * port probe) is not worth a note.
 */
export function streamsLeftOut(capture: ParsedCapture): string | null {
  const spoke = (s: CapturedStream, direction: StreamDirection) => s.chunks.some((c) => c.direction === direction);
  // Without the SYN the client is a guess: ask for bytes both ways then, and draw no arrow.
  const left = capture.streams.filter(
    (s) => !looksLikeTls(s) && spoke(s, 'client-to-server') && (s.sawHandshake || spoke(s, 'server-to-client')),
  );
  if (left.length === 0) return null;
  const shown = left.slice(0, 5).map((s) => `${endpointText(s.client)} ${s.sawHandshake ? '→' : '↔'} ${endpointText(s.server)}`);
  const more = left.length > shown.length ? ` and ${left.length - shown.length} more` : '';
  return (
    `${left.length} TCP connection${left.length === 1 ? '' : 's'} with data from the client but no TLS ClientHello ${left.length === 1 ? 'was' : 'were'} left out ` +
    `(${shown.join(', ')}${more}): ${left.length === 1 ? 'it is' : 'they are'} not TLS, or the capture began after the handshake; start the capture before the client connects`
  );
}

/** The first bytes of each direction, for reading the handshake without decoding a whole download. */
function handshakeWindow(chunks: RecordedConnection['chunks']): RecordedConnection['chunks'] {
  const taken = { 'client-to-server': 0, 'server-to-client': 0 };
  const out: RecordedConnection['chunks'] = [];
  for (const c of chunks) {
    if (taken[c.direction] >= HANDSHAKE_WINDOW) continue;
    out.push(c);
    taken[c.direction] += c.data.length;
  }
  return out;
}

function nodeVersionName(code: number): string {
  if (isTls13(code)) return 'TLSv1.3';
  return { 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2' }[code] ?? `0x${code.toString(16)}`;
}

/**
 * The protocol the server chose: in the ServerHello up to TLS 1.2, in the EncryptedExtensions in
 * TLS 1.3, which the capture shows once its key log opens the handshake.
 */
export function negotiatedAlpn(decoded: Pick<DecodedConnection, 'serverHello' | 'handshakeMessages'>): string | null {
  if (decoded.serverHello?.alpn) return decoded.serverHello.alpn;
  for (const m of decoded.handshakeMessages) {
    if (m.direction !== 'server-to-client' || m.body.kind !== 'encrypted_extensions') continue;
    for (const e of m.body.extensions) {
      if (e.value.kind === 'application_layer_protocol_negotiation' && e.value.protocols.length > 0) return e.value.protocols[0];
    }
  }
  return null;
}

/**
 * The server's chain as the capture shows it: its Certificate message, or the one inside a
 * CompressedCertificate (RFC 8879: Chromium offers brotli, and large sites take it up).
 */
export function serverCertificates(decoded: Pick<DecodedConnection, 'handshakeMessages'>): RecordedCertificate[] {
  for (const m of decoded.handshakeMessages) {
    if (m.direction !== 'server-to-client') continue;
    const list = m.body.kind === 'certificate' ? m.body.certificateList : m.body.kind === 'compressed_certificate' ? m.body.certificate?.certificateList : undefined;
    if (list) return list.map((entry, position) => ({ role: 'peer', position, der: entry.certData.slice() }));
  }
  return [];
}

/** Why no connection of the capture got a ServerHello, with the alert that ended the first one if it had one. */
function noHandshakeMessage(decoded: DecodedConnection | undefined): string {
  const record = decoded?.records.find((r) => r.alert);
  if (!record?.alert) return 'the capture holds no ServerHello: the handshake did not finish, or the capture missed it';
  const from = record.direction === 'server-to-client' ? 'the server' : 'the client';
  return `no handshake in the capture got a ServerHello: ${from} ended the first one with alert ${record.alert.descriptionName} (${record.alert.levelName})`;
}

/**
 * Whether the client started a second handshake inside the encrypted connection (TLS 1.2
 * renegotiation): more than one handshake record (its Finished is the first) after its
 * ChangeCipherSpec. Record headers stay in the clear, so no key is needed to tell.
 */
function renegotiates(chunks: RecordedConnection['chunks']): boolean {
  const bytes = Buffer.concat(chunks.filter((c) => c.direction === 'client-to-server').map((c) => c.data));
  let changedCipher = false;
  let handshakeRecords = 0;
  for (let at = 0; at + 5 <= bytes.length; at += 5 + bytes.readUInt16BE(at + 3)) {
    const type = bytes[at];
    if (type === 20) changedCipher = true;
    else if (type === 22 && changedCipher && ++handshakeRecords > 1) return true;
  }
  return false;
}

/** The timeline's mark for a gap: what is missing, what was kept undecoded, where decoding picks up. */
function gapNote(gap: CaptureGap): Record<string, unknown> {
  const way = gap.direction === 'client-to-server' ? 'client → server' : 'server → client';
  const holes = gap.holes === 1 ? 'a gap' : `${gap.holes} gaps, with no record boundary between them,`;
  const parts = [`${way}: ${gap.notCaptured} bytes not captured here (${holes} in the TCP sequence numbers: a lost packet, or one the capture missed or cut short)`];
  if (gap.undecoded.length > 0) {
    parts.push(`${gap.undecoded.length} captured bytes next to it belong to records the gap cut and are not decoded (they are kept in this note)`);
  }
  if (!gap.resumed) parts.push('no record header was found after it, so the bytes up to the next gap or the end are not decoded');
  else parts.push(gap.exact ? 'decoding resumes with the next record, where the cut record\'s length says it starts' : 'decoding resumes at the first record header found after it');
  if (gap.resumed && gap.protectedBefore) {
    // How many records the gap held is not known; the decryptor finds out by trying numbers.
    parts.push('encrypted records after the gap are decrypted from the first sequence number whose tag verifies; the key material notes say how many records the gap took');
  }
  return {
    text: parts.join('; '),
    code: 'CAPTURE_GAP',
    direction: gap.direction,
    notCaptured: gap.notCaptured,
    streamOffset: gap.streamOffset,
    undecoded: Buffer.from(gap.undecoded).toString('base64'),
    // For an export to put the gap back (pcapng.ts, sessionCapture).
    layout: gap.layout.map((part) => ('captured' in part ? { captured: Buffer.from(part.captured).toString('base64') } : part)),
  };
}

export interface CaptureSessionOptions {
  /** Where the capture came from, for the session's note. */
  source: string;
  /** Key log lines given with the capture (added to any Decryption Secrets Block). */
  keylog?: readonly string[];
}

export function captureSession(capture: ParsedCapture, options: CaptureSessionOptions): RecordedSession {
  const tlsStreams = capture.streams.filter(looksLikeTls);
  if (tlsStreams.length === 0) {
    const tcp = capture.streams.length;
    throw new CaptureError(
      tcp === 0
        ? `the capture holds no TCP connections (${capture.packets} packets); capture the TLS traffic itself, e.g. tshark -i lo -f "tcp port 4433" -w cap.pcapng`
        : `none of the capture's ${tcp} TCP connections carries TLS; import a capture of TLS traffic`,
    );
  }
  const keylog = [...new Set([...capture.keylog, ...(options.keylog ?? [])])];
  // The lines by the client random they name, looked up once per connection (filtering the whole
  // key log for each connection made a capture of many connections quadratic).
  const linesByRandom = new Map<string, string[]>();
  for (const line of keylog) {
    const random = keylogClientRandom(line);
    if (random === undefined) continue;
    const list = linesByRandom.get(random);
    if (list) list.push(line);
    else linesByRandom.set(random, [line]);
  }
  const startedAt = tlsStreams[0].openedAt;
  // The session shows the first connection whose handshake got a ServerHello (an earlier attempt
  // may have failed), else the first connection.
  let first: { decoded: DecodedConnection; stream: CapturedStream } | null = null;
  const seenRandoms = new Set<string>();
  /** TLS 1.0-1.2 connections: one may have renegotiated (TLS 1.3 has no renegotiation). */
  const beforeTls13: { index: number; chunks: RecordedConnection['chunks'] }[] = [];
  const connections = tlsStreams.map((stream, index): RecordedConnection => {
    const { chunks, gaps } = realignAtGaps(
      stream.chunks.map((c) => ({ direction: c.direction, t: c.time - startedAt, data: c.data, ...(c.gapBefore ? { gapBefore: c.gapBefore } : {}) })),
    );
    const window = handshakeWindow(chunks);
    let decoded = decodeConnection(window);
    const random = decoded.clientHello ? Buffer.from(decoded.clientHello.random).toString('hex') : clientRandomAtStart(stream);
    // Lines that name no client random this import can see belong to no connection in particular:
    // they go to a lone connection, never to every one of several.
    const lines = random ? (linesByRandom.get(random) ?? []) : tlsStreams.length === 1 ? keylog : [];
    if (random) seenRandoms.add(random);
    if (decoded.version && !isTls13(decoded.version.code)) beforeTls13.push({ index, chunks });
    let certificates = serverCertificates(decoded);
    if (certificates.length === 0 && lines.length && decoded.version && isTls13(decoded.version.code)) {
      // TLS 1.3 encrypts the certificates: open the handshake with the key log to read them.
      decoded = decryptConnection({ chunks: window, keylog: lines }).decoded;
      certificates = serverCertificates(decoded);
    }
    if (!first || (!first.decoded.serverHello && decoded.serverHello)) first = { decoded, stream };
    let bytesClientToServer = 0;
    let bytesServerToClient = 0;
    for (const c of chunks) {
      if (c.direction === 'client-to-server') bytesClientToServer += c.data.length;
      else bytesServerToClient += c.data.length;
    }
    const client = endpointText(stream.client);
    const server = endpointText(stream.server);
    const events: RecordedConnection['events'] = [
      { t: stream.openedAt - startedAt, kind: 'tcp-open', data: { local: client, remote: server } },
      {
        t: stream.openedAt - startedAt,
        kind: 'note',
        data: {
          text: `imported from ${options.source}${stream.sawHandshake ? '' : ' (the capture starts after the TCP handshake)'}${stream.missingBytes ? `; ${stream.missingBytes} bytes were not captured (${stream.gaps === 1 ? 'one gap' : `${stream.gaps} gaps`}), each marked where it falls` : ''}`,
        },
      },
      ...gaps.map((gap) => ({ t: gap.t, kind: 'note', data: gapNote(gap) })),
    ];
    if (stream.closedAt !== null) {
      events.push({
        t: stream.closedAt - startedAt,
        kind: 'tcp-close',
        data: { initiator: stream.closedBy === 'client' ? 'local' : stream.closedBy === 'server' ? 'peer' : 'unknown', error: null },
      });
    }
    // The timeline merges events by time: a gap's mark goes where its bytes would have been.
    events.sort((a, b) => a.t - b.t);
    return {
      leg: 'client',
      local: client,
      remote: server,
      openedAt: stream.openedAt,
      closedAt: stream.closedAt,
      bytesClientToServer,
      bytesServerToClient,
      recordedClientToServer: bytesClientToServer,
      recordedServerToClient: bytesServerToClient,
      chunks,
      events,
      keylog: lines.map((line) => ({ t: 0, line })),
      certificates,
    };
  });

  // A TLS 1.2 renegotiation's ClientHello travels encrypted, so its key log line names a client
  // random no connection showed in the clear: open the renegotiating connections with such lines
  // and give each the lines of the ClientHellos found inside.
  const unclaimed = keylog.filter((line) => {
    const random = keylogClientRandom(line);
    return random !== undefined && !seenRandoms.has(random);
  });
  if (unclaimed.length > 0) {
    for (const { index, chunks } of beforeTls13) {
      if (!renegotiates(chunks)) continue;
      const own = connections[index].keylog.map((entry) => entry.line);
      const { decoded } = decryptConnection({ chunks, keylog: [...own, ...unclaimed] });
      const inside = new Set(decoded.handshakeMessages.flatMap((m) => (m.body.kind === 'client_hello' ? [Buffer.from(m.body.random).toString('hex')] : [])));
      for (const line of unclaimed) if (inside.has(keylogClientRandom(line)!)) connections[index].keylog.push({ t: 0, line });
    }
  }

  const head = first as { decoded: DecodedConnection; stream: CapturedStream } | null;
  const hello = head?.decoded.clientHello;
  const serverHello = head?.decoded.serverHello;
  const version = head?.decoded.version ? nodeVersionName(head.decoded.version.code) : null;
  const cipher: CipherInfo | null =
    head?.decoded.cipherSuite && version
      ? { openssl: opensslSuiteName(head.decoded.cipherSuite.code) ?? head.decoded.cipherSuite.name, iana: head.decoded.cipherSuite.name, version }
      : null;
  const server = head?.stream.server ?? tlsStreams[0].server;
  // A loop, not Math.max(...): spreading 130,000 connections into one call overflows the stack.
  let ended = Number.NEGATIVE_INFINITY;
  for (const s of tlsStreams) ended = Math.max(ended, s.closedAt ?? s.chunks[s.chunks.length - 1]?.time ?? s.openedAt);
  // A handshake that got its ServerHello can still end in a fatal alert (a client refusing the
  // certificate, say): the session failed, as a recorded one would.
  const fatal = serverHello ? head?.decoded.records.find((r) => r.alert?.levelName === 'fatal') : undefined;
  const error = !serverHello
    ? { code: 'IMPORTED_NO_HANDSHAKE', message: noHandshakeMessage(head?.decoded) }
    : fatal?.alert
      ? { code: 'IMPORTED_ALERT', message: `${fatal.direction === 'server-to-client' ? 'the server' : 'the client'} ended the connection with alert ${fatal.alert.descriptionName} (fatal)` }
      : null;
  return {
    kind: 'client',
    status: error ? 'failed' : 'ok',
    startedAt,
    endedAt: ended,
    target: hello?.serverName ? `${hello.serverName}:${server.port}` : endpointText(server),
    address: endpointText(server),
    sni: hello?.serverName ?? null,
    version,
    cipher,
    alpn: head ? negotiatedAlpn(head.decoded) : null,
    verification: null,
    error,
    request: null,
    response: null,
    name: null,
    tags: ['imported'],
    connections,
  };
}
