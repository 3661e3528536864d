// The composition root: one data folder, its database and every service over it. The engine
// host and the CLI both drive a Workbench; nothing else opens the database.
import { createRequire } from 'node:module';
import os from 'node:os';
import type { ApiEvents, ApiEventName } from './api/methods';
import type {
  AboutInfo,
  ClientSessionRequest,
  HostEntry,
  SessionDetail,
  SessionKind,
  SessionSummary,
} from './api/types';
import type { ConnectionKeys, DecryptedConnection } from './api/decryptTypes';
import type { RunningOrigin } from './api/serverTypes';
import { runClientSession } from './sessions/clientSession';
import { BatchWriter } from './sessions/recorder';
import { type DecryptRequest, SessionDecryption } from './sessions/decryption';
import { TicketKeyring } from './sessions/ticketKeyring';
import { RecordPages } from './sessions/recordPages';
import { loadSessionDetail } from './sessions/sessionDetail';
import { importOrigin } from './store/importIdentity';
import { SessionExchange } from './sessions/sessionExchange';
import { ServerManager } from './sessions/serverManager';
import { ProxyManager } from './sessions/proxyManager';
import { ReplayManager } from './replay/replayManager';
import { WorkbenchError } from './errors';
import path from 'node:path';
import { DATABASE_FILE, StoreError, openDatabase, openFailure, type Db } from './store/database';
import { HostTable } from './store/hostTable';
import { SessionStore, toSummary } from './store/sessionStore';
import { probeTlsFeatures, tlsLibraryName } from './tlsFeatures';
import { setLabTrustResolver } from './sessions/trustStore';
import { CertificateWorkshop } from './workshop/workshop';
import { BUNDLED, PROJECT_ROOT } from './paths';

const require = createRequire(import.meta.url);
const packageJson = require(path.join(PROJECT_ROOT, 'package.json')) as { version: string };

export const ENGINE_VERSION: string = packageJson.version;

type Listener = <E extends ApiEventName>(event: E, data: ApiEvents[E]) => void;

export interface WorkbenchOptions {
  dataDir: string;
  /** Per-connection recording cap in bytes each way; 0 for none. */
  recordCapBytes?: number;
  /**
   * Who runs this engine's servers, proxies and replay servers: the data folder's running/ then
   * says so while they listen, for the window and the tlslab commands on the same folder. Absent
   * (the engine as a library, in tests): not written, though a busy port's holder is still named.
   */
  startedFrom?: RunningOrigin;
}


export class Workbench {
  readonly db: Db;
  readonly sessions: SessionStore;
  readonly hosts: HostTable;
  readonly writer: BatchWriter;
  readonly servers: ServerManager;
  readonly proxies: ProxyManager;
  readonly workshop: CertificateWorkshop;
  readonly decryption: SessionDecryption;
  readonly exchange: SessionExchange;
  readonly records: RecordPages;
  readonly replay: ReplayManager;
  private readonly releaseLabTrust: () => void;
  private readonly listeners = new Set<Listener>();

  constructor(readonly options: WorkbenchOptions) {
    this.db = openDatabase(options.dataDir);
    this.sessions = new SessionStore(this.db);
    try {
      this.sessions.closeAbandonedSessions(Date.now());
    } catch (err) {
      // The first read of the sessions: damage past the header shows here, not on opening.
      this.db.close();
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
        throw new StoreError(openFailure(options.dataDir, path.join(options.dataDir, DATABASE_FILE), err as Error), 'DATABASE_UNUSABLE');
      }
      throw err;
    }
    this.hosts = new HostTable(this.db);
    this.writer = new BatchWriter(this.sessions, options.dataDir);
    const ticketKeyring = new TicketKeyring(options.dataDir);
    this.decryption = new SessionDecryption(this.sessions, (der) => this.workshop.privateKeyForCertificate(der), () => ticketKeyring.list());
    this.exchange = new SessionExchange({ db: this.db, store: this.sessions, application: { name: 'TLS Lab Workbench', version: ENGINE_VERSION }, events: { created: (s) => this.emit('session.created', s), updated: (s) => this.emit('session.updated', s), deleted: (id) => this.emit('session.deleted', { id }) } });
    this.records = new RecordPages(this.sessions);
    this.workshop = new CertificateWorkshop(this.db, (event, data) => this.emit(event, data));
    this.releaseLabTrust = setLabTrustResolver((name) => this.workshop.trustAnchorsPem(name));
    this.servers = new ServerManager({
      dataDir: options.dataDir,
      startedFrom: options.startedFrom ?? null,
      writer: this.writer,
      lab: () => this.workshop,
      recordCapBytes: options.recordCapBytes,
      ticketKeyring,
      events: {
        changed: (info) => this.emit('server.changed', info),
        connection: (summary) => this.emit('server.connection', summary),
        session: (summary, created) => this.emit(created ? 'session.created' : 'session.updated', summary),
      },
    });
    this.proxies = new ProxyManager({
      dataDir: options.dataDir,
      startedFrom: options.startedFrom ?? null,
      writer: this.writer,
      hosts: this.hosts,
      workshop: this.workshop,
      events: {
        changed: (info) => this.emit('proxy.changed', info),
        connection: (summary) => this.emit('proxy.connection', summary),
        session: (summary, created) => this.emit(created ? 'session.created' : 'session.updated', summary),
      },
    });
    this.replay = new ReplayManager({ dataDir: options.dataDir, startedFrom: options.startedFrom ?? null, store: this.sessions, writer: this.writer, hosts: this.hosts, load: (id) => this.exchange.load(id), forge: (ca, host) => this.workshop.forgeForHost(ca, host), checkCa: (ca) => void this.workshop.trustAnchorsPem(ca), lab: this.workshop, recordCapBytes: options.recordCapBytes, events: { serverChanged: (info) => this.emit('replay.server.changed', info), session: (summary, created) => this.emit(created ? 'session.created' : 'session.updated', summary) } });
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<E extends ApiEventName>(event: E, data: ApiEvents[E]): void {
    if (event === 'session.created' || event === 'session.updated') this.ownSessions.add((data as SessionSummary).id);
    if (event === 'session.deleted') this.ownDeletions.add((data as { id: number }).id);
    for (const listener of this.listeners) listener(event, data);
  }

  /** Sessions this process recorded or imported: their events come from where they happen. */
  private readonly ownSessions = new Set<number>();
  /** Sessions this process deleted (and said so), not to be announced again by the watcher. */
  private readonly ownDeletions = new Set<number>();

  /**
   * What another process writes to the same data folder (`tlslab client` beside an open engine)
   * reaches this one's listeners: every `intervalMs` it asks SQLite's data_version, which changes
   * when another connection commits, and only then reads the newest sessions and the host table,
   * sending 'session.created' / 'session.updated' for sessions it did not record itself,
   * 'session.deleted' for any session another process deleted, and 'hosts.changed' when the table
   * differs. Returns the function that stops watching.
   */
  watchOtherWriters(intervalMs = 1000): () => void {
    const NEWEST = 50;
    const seen = new Map<number, string>();
    const read = () => {
      const rows = this.sessions.listSessions(NEWEST);
      // Sessions older than the newest are not looked at again: this process's own ids below them go.
      if (rows.length === NEWEST) {
        const oldest = Math.min(...rows.map((row) => row.id));
        for (const id of this.ownSessions) if (id < oldest) this.ownSessions.delete(id);
      }
      return rows.filter((row) => !this.ownSessions.has(row.id)).map(toSummary);
    };
    for (const summary of read()) seen.set(summary.id, JSON.stringify(summary));
    const deletionsSince = this.db.prepare('SELECT seq, session_id AS id FROM session_deletions WHERE seq > ? ORDER BY seq');
    let lastDeletion = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM session_deletions').get() as { seq: number }).seq;
    let hostsText = JSON.stringify(this.hosts.list());
    let version = this.db.pragma('data_version', { simple: true });
    const timer = setInterval(() => {
      try {
        const now = this.db.pragma('data_version', { simple: true });
        if (now === version) return;
        version = now;
        for (const { seq, id } of deletionsSince.all(lastDeletion) as { seq: number; id: number }[]) {
          lastDeletion = seq;
          seen.delete(id);
          this.ownSessions.delete(id);
          if (this.ownDeletions.delete(id)) continue;
          for (const listener of this.listeners) listener('session.deleted', { id });
        }
        const newest = read();
        // Only the newest are watched: what falls out of them is forgotten (memory stays bounded).
        for (const id of seen.keys()) if (!newest.some((summary) => summary.id === id)) seen.delete(id);
        for (const summary of newest.reverse()) {
          const text = JSON.stringify(summary);
          const before = seen.get(summary.id);
          if (before === text) continue;
          seen.set(summary.id, text);
          for (const listener of this.listeners) listener(before === undefined ? 'session.created' : 'session.updated', summary);
        }
        const hosts = this.hosts.list();
        const text = JSON.stringify(hosts);
        if (text !== hostsText) {
          hostsText = text;
          for (const listener of this.listeners) listener('hosts.changed', hosts);
        }
      } catch {
        // A busy or closing database: the next tick asks again.
      }
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  about(): AboutInfo {
    return {
      engineVersion: ENGINE_VERSION,
      engineCode: BUNDLED ? 'bundle' : 'sources',
      nodeVersion: process.versions.node,
      tlsLibrary: tlsLibraryName(),
      platform: `${os.type()} ${os.release()} (${process.arch})`,
      dataDir: this.dataDir,
      features: probeTlsFeatures(),
      keyProtection: this.workshop.keyProtection(),
    };
  }

  async runClient(request: ClientSessionRequest): Promise<SessionDetail> {
    return this.session(await this.recordClient(request));
  }

  /**
   * Runs a client session and returns its id once everything it recorded is stored; with
   * `stored: false`, as soon as the session ends (its rows still on their way to the database).
   */
  async recordClient(request: ClientSessionRequest, { stored = true }: { stored?: boolean } = {}): Promise<number> {
    const id = await runClientSession(request, {
      writer: this.writer,
      hosts: this.hosts,
      recordCapBytes: this.options.recordCapBytes,
      lab: this.workshop,
      onUpdate: (summary, created) => this.emit(created ? 'session.created' : 'session.updated', summary),
    });
    if (stored) await this.writer.written();
    return id;
  }

  /** The newest sessions, including what the recorder has not written yet. */
  listSessions(limit?: number, kind?: SessionKind): SessionSummary[] {
    return this.writer.listSessions(limit, kind).map(toSummary);
  }

  /** The sessions that recorded the other end of this one's connections (see SessionStore.otherEnds). */
  async otherEnds(id: number): Promise<SessionSummary[]> {
    await this.writer.written();
    if (!this.sessions.getSession(id)) throw new WorkbenchError('NOT_FOUND', `there is no session ${id}; list the sessions to see their numbers`);
    return this.sessions.otherEnds(id).map(toSummary);
  }

  async session(id: number): Promise<SessionDetail> {
    await this.writer.written();
    try {
      return loadSessionDetail(this.sessions, id, (session) => importOrigin(this.db, session));
    } catch (err) {
      // A session this engine recorded whose rows could not be written (a full disk, a damaged
      // database): say that, not "there is no session".
      const failure = this.writer.unstored(id);
      if (err instanceof WorkbenchError && err.code === 'NOT_FOUND' && failure) {
        throw new WorkbenchError('RECORDING_FAILED', `session ${id} ran, but its recording could not be stored: ${failure.message}`);
      }
      throw err;
    }
  }

  /** Key material and derivation steps of a session's connections (issue 6). */
  async sessionKeys(request: { id: number; connectionId?: number; serverKeyPath?: string; ticketKey?: boolean }): Promise<ConnectionKeys[]> {
    await this.writer.written();
    return this.decryption.keys(request);
  }

  /** A session's protected records, decrypted, per connection (issue 6). */
  async decryptSession(request: DecryptRequest): Promise<DecryptedConnection[]> {
    await this.writer.written();
    return this.decryption.decrypt(request);
  }

  listHosts(): HostEntry[] {
    return this.hosts.list();
  }

  setHost(entry: HostEntry): HostEntry[] {
    const list = this.hosts.set(entry);
    this.emit('hosts.changed', list);
    return list;
  }

  removeHost(name: string): HostEntry[] {
    const list = this.hosts.remove(name);
    this.emit('hosts.changed', list);
    return list;
  }

  async close(): Promise<void> {
    await this.servers.stopAll();
    await this.proxies.stopAll();
    await this.replay.stopAll();
    await this.writer.close();
    this.releaseLabTrust();
    this.db.close();
  }
}
