// Sessions out to files and back in, and the catalog over them: the glue between the pure
// exporters in export/ and the store. An import lands in one transaction or not at all.
import path from 'node:path';
import type {
  SessionCatalogEntry,
  SessionExportFormat,
  SessionExportRequest,
  SessionExportResult,
  SessionImportedEntry,
  SessionImportRequest,
  SessionImportResult,
  SessionSearchQuery,
} from '../api/exchangeTypes';
import type { SessionSummary } from '../api/types';
import { WorkbenchError } from '../errors';
import { BundleError, looksLikeBundle, readBundles, writeBundle, writeBundles } from '../export/bundle';
import { captureSession, streamsLeftOut } from '../export/captureSession';
import { buildHar, type HarConnectionInput, urlAuthority } from '../export/har';
import { keylogFile, parseKeylogFile, sessionKeylogLines } from '../export/keylog';
import { CaptureError, captureFormat, readCapture } from '../export/pcapImport';
import { readUserFile } from '../userFiles';
import { parseEndpoint, sessionCapture, writePcapng } from '../export/pcapng';
import { sessionCertificatesPem } from '../export/pem';
import { sessionContentId } from '../export/contentIdentity';
import { connectionRoles, incompleteRecording, type RecordedSession } from '../export/recordedSession';
import type { Db } from '../store/database';
import { findImportedSessions, type ImportFacts, rememberImport } from '../store/importIdentity';
import { insertRecordedSession, readRecordedSession } from '../store/sessionArchive';
import { SessionCatalog } from '../store/sessionCatalog';
import { type SessionStore, toSummary } from '../store/sessionStore';
import { decryptConnection } from '../tls/sessionKeys';
import { writeFilesAtomically } from '../workshop/files';
import { captureGapsOf } from './decryption';
import { plural } from '../api/words';

export interface ExchangeContext {
  db: Db;
  store: SessionStore;
  application: { name: string; version: string };
  /** Tells every window: a session appeared, changed or went. */
  events: {
    created: (summary: SessionSummary) => void;
    updated: (summary: SessionSummary) => void;
    deleted: (id: number) => void;
  };
}

export interface ExportedFile {
  bytes: Uint8Array;
  fileName: string;
  mediaType: string;
  summary: string;
  /** Whether the file holds secrets (keys), so it is written readable by its owner only. */
  secret: boolean;
  /**
   * Whether the file holds the decrypted traffic itself (a HAR: requests, form fields, passwords,
   * cookies, in clear). It holds no keys, but it is just as private: written readable by its owner only.
   */
  plaintext: boolean;
  /** Why the file lacks bytes the session once had (a recording file is missing), or null. */
  incomplete: string | null;
  /** A hand-out of several sessions: what it holds besides them ("5 connections, 12 chunks, ..."). */
  contents?: string;
}

const EXTENSIONS: Record<SessionExportFormat, { extension: string; mediaType: string }> = {
  pcapng: { extension: 'pcapng', mediaType: 'application/x-pcapng' },
  keylog: { extension: 'keys.log', mediaType: 'text/plain' },
  har: { extension: 'har', mediaType: 'application/json' },
  pem: { extension: 'pem', mediaType: 'application/x-pem-file' },
  bundle: { extension: 'tlslab', mediaType: 'application/octet-stream' },
};

/** The tag every imported session gets (captures get it from captureSession). */
const IMPORTED_TAG = 'imported';

const MAX_NAME = 200;
const MAX_TAG = 64;

/** A capture's part, or a session's, when the whole is too large to read at once. */
const CUT_CAPTURE = "cut it to the connections you need first, e.g. tshark -r FILE -Y 'tcp.port == 443' -w part.pcapng (or editcap -c to split it)";

export class SessionExchange {
  readonly catalog: SessionCatalog;

  constructor(private readonly ctx: ExchangeContext) {
    this.catalog = new SessionCatalog(ctx.db);
  }

  /** Every row of a session, bytes included: the start of exports and replays. */
  load(id: number): RecordedSession {
    const session = readRecordedSession(this.ctx.db, id);
    if (!session) throw new WorkbenchError('NOT_FOUND', `there is no session ${id}; list the sessions to see their numbers`);
    return session;
  }

  exportFile(id: number, format: SessionExportFormat, options: { secrets?: boolean } = {}): ExportedFile {
    const session = this.load(id);
    const { extension, mediaType } = EXTENSIONS[format];
    const fileName = `session-${id}.${extension}`;
    const incomplete = incompleteRecording(session);
    const file = (bytes: Uint8Array, summary: string, secret: boolean, plaintext = false): ExportedFile => ({
      bytes,
      fileName,
      mediaType,
      summary: incomplete ? `${summary}; ${incomplete}` : summary,
      secret,
      plaintext,
      incomplete,
    });
    switch (format) {
      case 'pcapng': {
        const input = sessionCapture(session, { secrets: options.secrets !== false });
        const keys = input.keylog?.length ?? 0;
        const secrets = options.secrets === false ? 'no key log (--no-secrets)' : keys ? `${plural(keys, 'key log line')} embedded` : 'no key log was recorded';
        return file(writePcapng(input), `${plural(input.connections.length, 'TCP stream')}, ${secrets}`, keys > 0);
      }
      case 'keylog': {
        const lines = sessionKeylogLines(session);
        if (lines.length === 0) {
          throw new WorkbenchError('NOTHING_TO_EXPORT', `session ${id} has no key log lines (no handshake finished, or it was imported without keys)`);
        }
        return file(new TextEncoder().encode(keylogFile(session)), plural(lines.length, 'key log line'), true);
      }
      case 'pem': {
        const pem = sessionCertificatesPem(session);
        if (pem.count === 0) throw new WorkbenchError('NOTHING_TO_EXPORT', `session ${id} has no certificates (no handshake got that far)`);
        return file(new TextEncoder().encode(pem.text), plural(pem.count, 'certificate'), false);
      }
      case 'har': {
        const { har, notes } = this.har(id, session);
        if (har.log.entries.length === 0) {
          throw new WorkbenchError(
            'NOTHING_TO_EXPORT',
            `session ${id} has no HTTP exchange the workbench could read${notes.length ? `: ${notes.join('; ')}` : ''}`,
          );
        }
        return file(new TextEncoder().encode(`${JSON.stringify(har, null, 2)}\n`), plural(har.log.entries.length, 'HTTP exchange'), false, true);
      }
      case 'bundle': {
        const bytes = writeBundle(session, { application: this.ctx.application.name, version: this.ctx.application.version });
        const chunks = session.connections.reduce((n, c) => n + c.chunks.length, 0);
        // Its secrets are the key log lines: without any (a failed handshake, an import without
        // keys) it holds nothing that opens traffic.
        const keys = sessionKeylogLines(session).length;
        const held = keys ? `${plural(keys, 'key log line')} and the certificates` : 'the certificates, and no key log';
        return file(bytes, `${plural(session.connections.length, 'connection')}, ${plural(chunks, 'chunk')}, ${held}`, keys > 0);
      }
    }
  }

  /**
   * Several sessions as one file, in the order given: a hand-out bundle (format 3). One id is
   * exportFile's export; only a bundle holds more than one session.
   */
  exportFiles(ids: readonly number[], format: SessionExportFormat, options: { secrets?: boolean } = {}): ExportedFile {
    if (ids.length === 0) throw new WorkbenchError('BAD_INPUT', 'give at least one session to export');
    if (ids.length === 1) return this.exportFile(ids[0], format, options);
    if (format !== 'bundle') {
      throw new WorkbenchError(
        'BAD_INPUT',
        `a ${format} file holds one session, and ${ids.length} were given; export several as one hand-out with format bundle, or export them one at a time`,
      );
    }
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) throw new WorkbenchError('BAD_INPUT', `session ${twice} is given twice; give each session once`);
    const sessions = ids.map((id) => this.load(id));
    const bytes = writeBundles(sessions, { application: this.ctx.application.name, version: this.ctx.application.version });
    const connections = sessions.reduce((n, s) => n + s.connections.length, 0);
    const chunks = sessions.reduce((n, s) => n + s.connections.reduce((k, c) => k + c.chunks.length, 0), 0);
    const keys = sessions.reduce((n, s) => n + sessionKeylogLines(s).length, 0);
    const held = keys ? `${plural(keys, 'key log line')} and the certificates` : 'the certificates, and no key log';
    const which = ids.map((id, i) => `${id}${sessions[i].name ? ` "${sessions[i].name}"` : ''} (${sessions[i].kind} ${sessions[i].target})`).join(', ');
    const incomplete = ids.flatMap((id, i) => (incompleteRecording(sessions[i]) ? [id] : []));
    const lacking = incomplete.length
      ? `incomplete: session${incomplete.length === 1 ? '' : 's'} ${incomplete.join(', ')} lack${incomplete.length === 1 ? 's' : ''} recorded bytes (a recording file is missing or cut short; export ${incomplete.length === 1 ? 'it' : 'each'} alone to read why)`
      : null;
    const contents = `${plural(connections, 'connection')}, ${plural(chunks, 'chunk')}, ${held}`;
    const summary = `${ids.length} sessions: ${which}; ${contents}`;
    return {
      bytes,
      // A few ids name the file; a long list makes the name say how many.
      fileName: ids.length <= 5 ? `sessions-${ids.join('-')}.tlslab` : `handout-${ids.length}-sessions.tlslab`,
      mediaType: EXTENSIONS.bundle.mediaType,
      summary: lacking ? `${summary}; ${lacking}` : summary,
      secret: keys > 0,
      plaintext: false,
      incomplete: lacking,
      contents: lacking ? `${contents}; ${lacking}` : contents,
    };
  }

  private har(id: number, session: RecordedSession): { har: ReturnType<typeof buildHar>; notes: string[] } {
    const notes: string[] = [];
    if (session.alpn === 'h2') notes.push('the session spoke HTTP/2 (ALPN h2), which the HAR export does not read');
    const connections: HarConnectionInput[] = session.connections.map((c, i) => {
      const opened = decryptConnection({ chunks: c.chunks, keylog: c.keylog.map((k) => k.line), gaps: captureGapsOf(c.events) });
      const segments = opened.records
        .filter((r) => r.status === 'decrypted' && r.contentType === 23 && r.plaintextHex)
        .map((r) => ({ direction: r.direction, time: session.startedAt + r.t, data: Buffer.from(r.plaintextHex as string, 'hex') }));
      if (opened.records.length && segments.length === 0) notes.push(`connection ${i + 1} (${c.leg}): ${opened.keys.notes[0] ?? 'no record could be decrypted'}`);
      const server = parseEndpoint(connectionRoles(c).server);
      const target = parseEndpoint(session.target);
      const name = opened.decoded.clientHello?.serverName ?? session.sni ?? target?.address ?? session.target.replace(/:\d+$/, '');
      return {
        connection: String(i + 1),
        leg: c.leg,
        serverAddress: server?.address ?? null,
        host: urlAuthority(name, server?.port ?? target?.port ?? null),
        segments,
      };
    });
    const har = buildHar(connections, { name: this.ctx.application.name, version: this.ctx.application.version }, `session ${id}: ${session.kind} ${session.target}`);
    return { har, notes };
  }

  exportRequest(request: SessionExportRequest): SessionExportResult {
    if ((request.id === undefined) === (request.ids === undefined)) {
      throw new WorkbenchError('BAD_INPUT', 'give the session to export as id, or several as ids, one of the two');
    }
    const exported = this.exportFiles(request.ids ?? [request.id as number], request.format, { secrets: request.secrets });
    const result: SessionExportResult = {
      fileName: exported.fileName,
      mediaType: exported.mediaType,
      size: exported.bytes.length,
      summary: exported.summary,
      secret: exported.secret,
      plaintext: exported.plaintext,
    };
    if (request.path === undefined) return { ...result, base64: Buffer.from(exported.bytes).toString('base64') };
    return { ...result, path: writeOutput(request.path, exported) };
  }

  /**
   * A bundle or a capture, told apart by their first bytes, as one new session. `source` names the
   * file in messages; `fileName` is what the session keeps as where it came from (default: source).
   */
  importBytes(
    bytes: Uint8Array,
    options: { source: string; fileName?: string | null; keylogText?: string; keylogSource?: string; keylogFileName?: string | null; again?: boolean },
  ): SessionImportResult {
    let sessions: RecordedSession[];
    let source: SessionImportResult['source'];
    let facts: ImportFacts;
    const file = options.fileName !== undefined ? options.fileName : options.source;
    const notes: string[] = [];
    try {
      if (looksLikeBundle(bytes)) {
        if (options.keylogText !== undefined) notes.push('a bundle carries its own keys: the key log given was not needed and was not used');
        // Every session of a hand-out is read (and its checksum checked) before any is stored.
        const read = readBundles(bytes);
        source = 'bundle';
        // The bundle's own maker, not where an imported session in it once came from: a session
        // exported again is the exporter's hand-out (its import facts stay on that machine).
        facts = { file, kind: 'bundle', madeBy: read.origin.madeBy, ...(read.origin.madeAt !== null ? { madeAt: read.origin.madeAt } : {}) };
        sessions = read.sessions.map((session) => {
          // Marked as a capture import is, so a student tells the teacher's sessions from their own
          // (after the content identity below, which leaves names and tags out anyway).
          if (!session.tags.includes(IMPORTED_TAG)) session = { ...session, tags: [...session.tags, IMPORTED_TAG] };
          if (session.status === 'running') {
            session = { ...session, status: 'failed', error: { code: 'INTERRUPTED', message: 'the session was still running when it was exported; what was recorded up to then is kept' } };
          }
          return session;
        });
      } else {
        const format = captureFormat(bytes);
        let keylog: string[] = [];
        if (options.keylogText !== undefined) {
          const parsed = parseKeylogFile(options.keylogText, options.keylogSource ?? 'the key log');
          if ('problem' in parsed) throw new WorkbenchError('BAD_INPUT', `${parsed.problem}; give an SSLKEYLOGFILE written by the TLS library`);
          keylog = parsed.lines;
        }
        const capture = readCapture(bytes);
        notes.push(...capture.notes);
        const session = captureSession(capture, { source: options.source, keylog });
        sessions = [session];
        const leftOut = streamsLeftOut(capture);
        if (leftOut) notes.push(leftOut);
        source = format ?? capture.format;
        const given = options.keylogText !== undefined;
        facts = {
          file,
          kind: 'capture',
          keyLog: given ? 'separate' : capture.keylog.length > 0 ? 'inside' : 'none',
          ...(given && options.keylogFileName ? { keyLogFile: options.keylogFileName } : {}),
        };
        const keyed = session.connections.filter((c) => c.keylog.length).length;
        if (keyed < session.connections.length) {
          notes.push(
            `${plural(session.connections.length - keyed, 'connection')} of ${session.connections.length} ha${session.connections.length - keyed === 1 ? 's' : 've'} no key log lines: ${capture.keylog.length + keylog.length ? 'none of the lines matches its ClientHello' : 'give the key log with --keylog'}`,
          );
        }
      }
    } catch (error) {
      if (error instanceof BundleError || error instanceof CaptureError) throw new WorkbenchError(error.code, `${options.source}: ${error.message}`);
      throw error;
    }
    const contentIds = sessions.map((session) => sessionContentId(session));
    const connections = sessions.reduce((n, session) => n + session.connections.length, 0);
    const keylogLines = sessions.reduce((n, session) => n + session.connections.reduce((k, c) => k + c.keylog.length, 0), 0);
    // Looked up and inserted under one write lock, every session of the file or none: two imports
    // of one file at once (the window and a script) still make one copy, and a failure halfway
    // leaves nothing of the file behind.
    const stored = this.ctx.db
      .transaction(() => {
        const earlier = options.again ? contentIds.map(() => null) : findImportedSessions(this.ctx.db, contentIds);
        return sessions.map((session, i) => {
          const found = earlier[i];
          if (found !== null) return { id: found, earlier: found };
          const inserted = insertRecordedSession(this.ctx.db, session);
          rememberImport(this.ctx.db, inserted, contentIds[i], facts);
          return { id: inserted, earlier: null };
        });
      })
      .immediate();
    const entries: SessionImportedEntry[] = stored.map(({ id, earlier }) => {
      const entry = this.entry(id);
      if (earlier === null) this.ctx.events.created(entry);
      return { id, alreadyImportedAs: earlier, session: entry };
    });
    const [first] = entries;
    return {
      id: first.id,
      alreadyImportedAs: first.alreadyImportedAs,
      source,
      connections,
      keylogLines,
      // Notes are about what was imported now; a file imported before says nothing new.
      notes: entries.every((e) => e.alreadyImportedAs !== null) ? [] : notes,
      session: first.session,
      sessions: entries,
    };
  }

  importRequest(request: SessionImportRequest): SessionImportResult {
    if ((request.base64 === undefined) === (request.path === undefined)) {
      throw new WorkbenchError('BAD_INPUT', 'give the file to import either as base64 or as a path, one of the two');
    }
    const bytes = request.path !== undefined ? readUserFile(request.path, 'file', { tooLargeHint: CUT_CAPTURE }) : Buffer.from(request.base64 as string, 'base64');
    let keylogText = request.keylogText;
    if (request.keylogPath !== undefined) keylogText = readUserFile(request.keylogPath, 'key log', {}, 'utf8');
    const fileName = request.fileName ? path.basename(request.fileName) : request.path !== undefined ? path.basename(request.path) : null;
    const source = request.fileName ?? (request.path ? path.basename(request.path) : 'the uploaded file');
    return this.importBytes(bytes, {
      source,
      fileName,
      keylogText,
      keylogSource: request.keylogPath ? path.basename(request.keylogPath) : request.keylogFileName ? path.basename(request.keylogFileName) : 'the key log',
      keylogFileName: request.keylogPath ? path.basename(request.keylogPath) : request.keylogFileName ? path.basename(request.keylogFileName) : null,
      again: request.again === true,
    });
  }

  private require(id: number): void {
    if (!this.catalog.exists(id)) throw new WorkbenchError('NOT_FOUND', `there is no session ${id}; list the sessions to see their numbers`);
  }

  entry(id: number): SessionCatalogEntry {
    const row = this.ctx.store.getSession(id);
    if (!row) throw new WorkbenchError('NOT_FOUND', `there is no session ${id}; list the sessions to see their numbers`);
    const { name, tags } = this.catalog.entry(id);
    return { ...toSummary(row), name, tags };
  }

  delete(id: number): { id: number; deleted: true } {
    this.require(id);
    if (this.catalog.status(id) === 'running') {
      throw new WorkbenchError('SESSION_RUNNING', `session ${id} is still running; stop its server or proxy (or wait for it to end), then delete it`);
    }
    this.catalog.delete(id);
    this.ctx.events.deleted(id);
    return { id, deleted: true };
  }

  rename(id: number, name: string | null): SessionCatalogEntry {
    this.require(id);
    const clean = name?.trim() || null;
    if (clean && clean.length > MAX_NAME) throw new WorkbenchError('BAD_INPUT', `a session name has at most ${MAX_NAME} characters; this one has ${clean.length}`);
    this.catalog.rename(id, clean);
    const entry = this.entry(id);
    this.ctx.events.updated(entry);
    return entry;
  }

  tag(id: number, add: readonly string[] = [], remove: readonly string[] = []): SessionCatalogEntry {
    this.require(id);
    const clean = (tags: readonly string[]) => tags.map((t) => t.trim()).filter(Boolean);
    for (const t of clean(add)) {
      if (t.length > MAX_TAG || /[\s,]/.test(t)) {
        throw new WorkbenchError('BAD_INPUT', `"${t.slice(0, 80)}" is not a tag: a tag is one word of at most ${MAX_TAG} characters, no spaces or commas`);
      }
    }
    this.catalog.tag(id, clean(add), clean(remove));
    const entry = this.entry(id);
    this.ctx.events.updated(entry);
    return entry;
  }

  search(query: SessionSearchQuery): SessionCatalogEntry[] {
    return this.catalog.search(query).map((id) => this.entry(id));
  }
}

/** Writes an export; files that hold keys are readable by their owner only. */
/** Writes an export whole or not at all (a key log or bundle with secrets gets mode 0600). */
export function writeOutput(file: string, exported: ExportedFile): string {
  return writeFilesAtomically([{ path: file, data: exported.bytes, secret: exported.secret || exported.plaintext }])[0];
}
