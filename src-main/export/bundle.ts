// The session bundle: one file with everything of a session, or of several (a teacher's hand-out),
// to hand to another workbench.
//
// Layout (all integers big-endian):
//   magic      14 bytes  "TLSLAB-BUNDLE\n"
//   format      2 bytes  1, or 2 for a session of more than 65,535 connections, or 3 for several
//                         sessions; a reader refuses a newer one
//   manifest    4 bytes length + UTF-8 JSON (BundleManifest: the session's rows, certificates
//                         as base64, and how many chunk records follow; format 3: `sessions`, a
//                         list of what formats 1 and 2 hold in `session`)
//   chunks      per chunk: in format 3 first a u32 session index; then the connection index (u16
//                         in format 1, u32 in formats 2 and 3), u8 direction (0 = client to server),
//                         f64 time (ms since the session started), u32 length, the bytes
//   checksum   32 bytes  SHA-256 of everything before it, so a truncated or damaged copy is caught
//
// The manifest stays right after the format number in every format, so even a reader that refuses
// a newer bundle can say which workbench wrote it.
import { X509Certificate, createHash } from 'node:crypto';
import { z } from 'zod';
import type { RecordedSession } from './recordedSession';

export const BUNDLE_MAGIC = 'TLSLAB-BUNDLE\n';
/** The newest format this workbench reads and writes. */
export const BUNDLE_FORMAT = 3;
/** The format of a bundle of several sessions; one session is written in format 1 or 2 as before. */
const SEVERAL_FORMAT = 3;
/** A session of more connections than format 1's index holds. */
const WIDE_FORMAT = 2;
/**
 * Bundles are written in format 1 whenever the session fits it, so that workbenches that read only
 * format 1 still take them; format 2 only widens the connection index past 65,535.
 */
const NARROW_FORMAT = 1;
const NARROW_CONNECTIONS = 0xffff + 1;
export const BUNDLE_EXTENSION = '.tlslab';

const MAGIC = new TextEncoder().encode(BUNDLE_MAGIC);
const HEADER = MAGIC.length + 2 + 4;
/** Bytes of the session and connection indexes before each chunk's direction, time and length (1 + 8 + 4). */
const indexBytes = (format: number) => (format >= SEVERAL_FORMAT ? 8 : format >= WIDE_FORMAT ? 4 : 2);
const chunkHeader = (format: number) => indexBytes(format) + 1 + 8 + 4;
const CHECKSUM = 32;

export class BundleError extends Error {
  constructor(
    readonly code: 'NOT_A_BUNDLE' | 'BUNDLE_TOO_NEW' | 'BUNDLE_DAMAGED',
    message: string,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

export interface BundleWriter {
  application: string;
  version: string;
}

const leg = z.enum(['client', 'server', 'proxy-client', 'proxy-upstream']);
const looseObject = z.record(z.string(), z.unknown());

const manifestConnection = z.object({
  leg,
  local: z.string().nullable(),
  remote: z.string().nullable(),
  openedAt: z.number().nullable(),
  closedAt: z.number().nullable(),
  bytesClientToServer: z.number(),
  bytesServerToClient: z.number(),
  recordedClientToServer: z.number(),
  recordedServerToClient: z.number(),
  events: z.array(z.object({ t: z.number(), kind: z.string(), data: looseObject })),
  keylog: z.array(z.object({ t: z.number(), line: z.string() })),
  certificates: z.array(z.object({ role: z.enum(['peer', 'local']), position: z.number().int(), der: z.string() })),
});

const manifestSession = z.object({
  kind: z.enum(['client', 'server', 'proxy']),
  status: z.enum(['running', 'ok', 'failed']),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  target: z.string(),
  address: z.string().nullable(),
  sni: z.string().nullable(),
  version: z.string().nullable(),
  cipher: looseObject.nullable(),
  alpn: z.string().nullable(),
  verification: looseObject.nullable(),
  error: looseObject.nullable(),
  request: looseObject.nullable(),
  response: looseObject.nullable(),
  name: z.string().nullable(),
  tags: z.array(z.string()),
  connections: z.array(manifestConnection),
});

const manifestHead = {
  format: z.number().int(),
  writer: z.object({ application: z.string(), version: z.string() }),
  createdAt: z.string(),
  chunkCount: z.number().int().nonnegative(),
  chunkBytes: z.number().int().nonnegative(),
};

const manifestSchema = z.object({ ...manifestHead, session: manifestSession });
/** Format 3: several sessions, each as formats 1 and 2 hold one. */
const severalManifestSchema = z.object({ ...manifestHead, sessions: z.array(manifestSession).min(1) });

export type BundleManifest = z.infer<typeof manifestSchema>;
export type SeveralBundleManifest = z.infer<typeof severalManifestSchema>;
type ManifestSession = z.infer<typeof manifestSession>;

function toManifest(session: RecordedSession): ManifestSession {
  const { connections, ...rest } = session;
  return {
    ...(rest as unknown as Omit<ManifestSession, 'connections'>),
    connections: connections.map(({ chunks: _chunks, certificates, ...c }) => ({
      ...c,
      certificates: certificates.map((cert) => ({ role: cert.role, position: cert.position, der: Buffer.from(cert.der).toString('base64') })),
    })),
  };
}

/** One session: format 1, or 2 when its connections outgrow format 1's index. */
export function writeBundle(session: RecordedSession, writer: BundleWriter, now = new Date()): Uint8Array {
  return writeBundles([session], writer, now);
}

/**
 * Several sessions in one file (format 3). One session is written as writeBundle writes it, so that
 * workbenches that read only formats 1 and 2 still take it.
 */
export function writeBundles(sessions: readonly RecordedSession[], writer: BundleWriter, now = new Date()): Uint8Array {
  if (sessions.length === 0) throw new Error('a bundle holds at least one session');
  let chunkCount = 0;
  let chunkBytes = 0;
  for (const session of sessions) {
    for (const c of session.connections) {
      for (const chunk of c.chunks) {
        chunkCount++;
        chunkBytes += chunk.data.length;
      }
    }
  }
  const several = sessions.length > 1;
  const format = several ? SEVERAL_FORMAT : sessions[0].connections.length > NARROW_CONNECTIONS ? WIDE_FORMAT : NARROW_FORMAT;
  const head = { format, writer, createdAt: now.toISOString(), chunkCount, chunkBytes };
  const manifest: BundleManifest | SeveralBundleManifest = several
    ? { ...head, sessions: sessions.map(toManifest) }
    : { ...head, session: toManifest(sessions[0]) };
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const index = indexBytes(format);
  const header = chunkHeader(format);
  const total = HEADER + json.length + chunkCount * header + chunkBytes + CHECKSUM;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(MAGIC.length, format);
  view.setUint32(MAGIC.length + 2, json.length);
  out.set(json, HEADER);
  let at = HEADER + json.length;
  sessions.forEach((session, s) =>
    session.connections.forEach((c, connection) => {
      for (const chunk of c.chunks) {
        if (index === 8) {
          view.setUint32(at, s);
          view.setUint32(at + 4, connection);
        } else if (index === 4) view.setUint32(at, connection);
        else view.setUint16(at, connection);
        out[at + index] = chunk.direction === 'client-to-server' ? 0 : 1;
        view.setFloat64(at + index + 1, chunk.t);
        view.setUint32(at + index + 9, chunk.data.length);
        out.set(chunk.data, at + header);
        at += header + chunk.data.length;
      }
    }),
  );
  out.set(createHash('sha256').update(out.subarray(0, at)).digest(), at);
  return out;
}

/** Whether the bytes start like a bundle (to tell bundles from captures). */
export function looksLikeBundle(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

function damaged(why: string): BundleError {
  return new BundleError('BUNDLE_DAMAGED', `the session bundle is damaged or incomplete (${why}); copy the file again from where it came from`);
}

/** The one session of a bundle of formats 1 and 2 (readBundles reads a hand-out of several). */
export function readBundle(bytes: Uint8Array): RecordedSession {
  return readBundleWithOrigin(bytes).session;
}

/** Who wrote a bundle and when, from its manifest: what an imported session says it came from. */
export interface BundleOrigin {
  /** "TLS Lab Workbench 0.9.0". */
  madeBy: string;
  /** When it was written (ms since the epoch), or null when the manifest's date does not read. */
  madeAt: number | null;
}

/** readBundle, with the writer and date the manifest names. */
export function readBundleWithOrigin(bytes: Uint8Array): { session: RecordedSession; origin: BundleOrigin } {
  const { sessions, origin } = readBundles(bytes);
  if (sessions.length !== 1) throw new Error(`the bundle holds ${sessions.length} sessions; read it with readBundles`);
  return { session: sessions[0], origin };
}

/** Every session of a bundle of any format, in the file's order, with the writer and date its manifest names. */
export function readBundles(bytes: Uint8Array): { sessions: RecordedSession[]; origin: BundleOrigin } {
  if (!looksLikeBundle(bytes)) {
    throw new BundleError('NOT_A_BUNDLE', `this is not a TLS Lab session bundle (it does not start with "TLSLAB-BUNDLE"); export one with "tlslab sessions export ID --format bundle"`);
  }
  if (bytes.length < HEADER) throw damaged(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint16(MAGIC.length);
  const manifestLength = view.getUint32(MAGIC.length + 2);
  if (format > BUNDLE_FORMAT || format < 1) {
    let writer = 'an unknown workbench';
    try {
      const m = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER, HEADER + manifestLength))) as BundleManifest;
      if (m.writer?.version) writer = `${m.writer.application ?? 'TLS Lab Workbench'} ${m.writer.version}`;
    } catch {
      // The version number alone makes the point.
    }
    throw new BundleError(
      'BUNDLE_TOO_NEW',
      format < 1
        ? `this session bundle has format ${format}, which no workbench writes; it is not a bundle this workbench can read`
        : `this session bundle has format ${format}, written by ${writer}; this workbench reads bundle formats up to ${BUNDLE_FORMAT}: update the workbench to import it`,
    );
  }
  if (bytes.length < HEADER + manifestLength + CHECKSUM) throw damaged(`it ends after ${bytes.length} bytes, inside its manifest`);
  const body = bytes.length - CHECKSUM;
  const expected = bytes.subarray(body);
  const actual = createHash('sha256').update(bytes.subarray(0, body)).digest();
  if (!actual.equals(expected)) throw damaged(`its SHA-256 checksum does not match; ${bytes.length} bytes`);

  let manifest: BundleManifest | SeveralBundleManifest;
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER, HEADER + manifestLength)));
    manifest = format >= SEVERAL_FORMAT ? severalManifestSchema.parse(json) : manifestSchema.parse(json);
  } catch (error) {
    // zod's and JSON.parse's own wording names types and tokens; the field is what helps.
    const issue =
      error instanceof z.ZodError
        ? `the field ${error.issues[0].path.join('.') || '(the whole manifest)'} is missing or holds a value no workbench writes there`
        : 'it is not JSON';
    throw damaged(`its manifest does not read: ${issue}`);
  }
  const several = 'sessions' in manifest;
  const sessions: RecordedSession[] = ('sessions' in manifest ? manifest.sessions : [manifest.session]).map(({ connections, ...rest }) => ({
    ...(rest as unknown as Omit<RecordedSession, 'connections'>),
    connections: connections.map((c) => ({
      ...(c as Omit<typeof c, 'certificates'>),
      chunks: [],
      certificates: c.certificates.map((cert) => ({ role: cert.role, position: cert.position, der: new Uint8Array(Buffer.from(cert.der, 'base64')) })),
    })),
  }));
  // Messages name the session only when the file holds several.
  const ofSession = (s: number) => (several ? ` of session ${s + 1}` : '');
  sessions.forEach((session, s) =>
    session.connections.forEach((c, i) =>
      c.certificates.forEach((cert, k) => {
        // Every certificate a session recorded was read by OpenSSL off the wire; one it cannot read
        // was damaged or made up after the export, and the session's views would fail on it.
        try {
          new X509Certificate(cert.der);
        } catch {
          throw damaged(`certificate ${k + 1} of connection ${i + 1}${ofSession(s)} is not an X.509 certificate`);
        }
      }),
    ),
  );
  const width = indexBytes(format);
  const header = chunkHeader(format);
  let at = HEADER + manifestLength;
  for (let i = 0; i < manifest.chunkCount; i++) {
    if (at + header > body) throw damaged(`chunk ${i + 1} of ${manifest.chunkCount} is missing`);
    const s = width === 8 ? view.getUint32(at) : 0;
    const index = width === 8 ? view.getUint32(at + 4) : width === 4 ? view.getUint32(at) : view.getUint16(at);
    const dir = bytes[at + width];
    const t = view.getFloat64(at + width + 1);
    const length = view.getUint32(at + width + 9);
    if (s >= sessions.length || index >= sessions[s].connections.length || dir > 1 || at + header + length > body) {
      throw damaged(`chunk ${i + 1} of ${manifest.chunkCount} does not fit`);
    }
    // NaN or an infinity: JSON turns it into null and every view of the timeline into nonsense.
    if (!Number.isFinite(t)) throw damaged(`the time of chunk ${i + 1} is not a number`);
    // Copy out of the file buffer so the session does not pin it.
    sessions[s].connections[index].chunks.push({
      direction: dir === 0 ? 'client-to-server' : 'server-to-client',
      t,
      data: bytes.slice(at + header, at + header + length),
    });
    at += header + length;
  }
  if (at !== body) throw damaged(`${body - at} bytes after the last chunk`);
  const madeAt = Date.parse(manifest.createdAt);
  const origin: BundleOrigin = {
    madeBy: `${manifest.writer.application || 'an unknown workbench'}${manifest.writer.version ? ` ${manifest.writer.version}` : ''}`,
    madeAt: Number.isFinite(madeAt) ? madeAt : null,
  };
  return { sessions, origin };
}
