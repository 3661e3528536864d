// The workbench's replay service: client replays (run and compared) and the running replay servers.
import type { ClientReplayRequest, ClientReplayResult, ReplayServerInfo, ReplayServerRequest } from '../api/replayTypes';
import type { RunningOrigin } from '../api/serverTypes';
import type { SessionSummary } from '../api/types';
import { WorkbenchError } from '../errors';
import type { RecordedSession } from '../export/recordedSession';
import { runClientSession } from '../sessions/clientSession';
import type { BatchWriter } from '../sessions/recorder';
import type { LabIdentitySource } from '../sessions/serverIdentity';
import type { HostTable } from '../store/hostTable';
import { RunningRecords } from '../store/runningElsewhere';
import { toSummary, type SessionStore } from '../store/sessionStore';
import type { ForgedIdentity } from '../workshop/workshop';
import { compareReplay, replayPayload, replayRequest, replaySource } from './clientReplay';
import { REPLAY_TAG, ReplayServer } from './serverReplay';


export interface ReplayManagerDeps {
  /** The data folder the replay servers record into: its running/ names who holds a busy port. */
  dataDir: string;
  /** Who runs these replay servers, written to running/ for other processes; null: not written. */
  startedFrom: RunningOrigin | null;
  store: SessionStore;
  writer: BatchWriter;
  hosts: HostTable;
  load(id: number): RecordedSession;
  forge(caName: string, hostname: string): Promise<ForgedIdentity>;
  /** Throws a clear error when the workshop has no CA by this name. */
  checkCa(caName: string): void;
  /** The certificate workshop, for a replayed session's client certificate (lab:NAME). */
  lab?: LabIdentitySource;
  recordCapBytes?: number;
  events: {
    serverChanged(info: ReplayServerInfo): void;
    session(summary: SessionSummary, created: boolean): void;
  };
}

export class ReplayManager {
  private readonly servers = new Map<number, ReplayServer>();
  private nextId = 1;
  /** What the data folder's running/ says of the replay servers while they listen. */
  private readonly running: RunningRecords;

  constructor(private readonly deps: ReplayManagerDeps) {
    this.running = new RunningRecords(deps.dataDir, deps.startedFrom);
  }

  /** Sends the recorded client's application data again as a new client session, and compares the answers. */
  async replayClient(request: ClientReplayRequest): Promise<ClientReplayResult> {
    await this.deps.writer.written();
    const original = this.deps.load(request.id);
    const { traffic: source, notes } = replaySource(original, request.id, request.connection);
    const sessionRequest = replayRequest(original, request.id, request, source);
    if (sessionRequest.trust.kind === 'lab') this.deps.checkCa(sessionRequest.trust.name);
    const replayId = await runClientSession(sessionRequest, {
      writer: this.deps.writer,
      hosts: this.deps.hosts,
      recordCapBytes: this.deps.recordCapBytes,
      payload: replayPayload(source),
      lab: this.deps.lab,
      label: { name: `replay of #${request.id}`, tags: [REPLAY_TAG] },
      onUpdate: (summary, created) => this.deps.events.session(summary, created),
    });
    await this.deps.writer.written();
    const outcome = compareReplay(request.id, source, replayId, this.deps.load(replayId), sessionRequest);
    const row = this.deps.store.getSession(replayId);
    if (!row) throw new WorkbenchError('NOT_FOUND', `the replay session ${replayId} was deleted while it ran`);
    return { ...outcome, notes: [...notes, ...outcome.notes], replay: toSummary(row) };
  }

  async startServer(request: ReplayServerRequest): Promise<ReplayServerInfo> {
    this.deps.checkCa(request.ca);
    await this.deps.writer.written();
    const id = this.nextId++;
    let server: ReplayServer | null = null;
    server = new ReplayServer(id, request, {
      writer: this.deps.writer,
      load: this.deps.load,
      forge: this.deps.forge,
      recordCapBytes: this.deps.recordCapBytes,
      onSessionUpdate: (summary, created) => this.deps.events.session(summary, created),
      onChange: () => {
        if (server && this.servers.has(id)) this.deps.events.serverChanged(server.info());
      },
    });
    let info: ReplayServerInfo;
    try {
      info = await server.start();
    } catch (err) {
      // A port a terminal's tlslab command or the window holds: the message says which.
      throw this.running.named(err);
    }
    this.running.listening(id, { kind: 'replay-server', address: info.address, addresses: [info.address], label: info.label, names: info.hostnames });
    this.servers.set(id, server);
    this.deps.events.serverChanged(info);
    return info;
  }

  async stopServer(id: number): Promise<ReplayServerInfo> {
    const server = this.servers.get(id);
    if (!server) {
      const running = [...this.servers.keys()].join(', ') || 'none';
      throw new WorkbenchError('NOT_FOUND', `there is no replay server ${id}; the running ones are: ${running}`);
    }
    this.servers.delete(id);
    let info: ReplayServerInfo;
    try {
      info = await server.stop();
    } finally {
      this.running.stopped(id);
    }
    this.deps.events.serverChanged(info);
    return info;
  }

  list(): ReplayServerInfo[] {
    return [...this.servers.values()].map((s) => s.info());
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stopServer(id)));
  }
}
