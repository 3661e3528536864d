// Exchange (issue 7): sessions out to files other tools open and back in, and the catalog
// (name, tags, search, delete). Types only.
import type { SessionKind, SessionStatus, SessionSummary } from './types';

/**
 * pcapng: synthesized Ethernet/IP/TCP with the key log embedded (Wireshark decrypts with no setup);
 * keylog: SSLKEYLOGFILE; har: HAR 1.2 of the decrypted HTTP; pem: every certificate;
 * bundle: one versioned file with everything, for another workbench.
 */
export type SessionExportFormat = 'pcapng' | 'keylog' | 'har' | 'pem' | 'bundle';

export interface SessionExportRequest {
  /** The session to export; give this or `ids`. */
  id?: number;
  /**
   * Several sessions in one file, in this order: a hand-out. Only format `bundle` holds more than one
   * session; one id here is the same as `id`.
   */
  ids?: number[];
  format: SessionExportFormat;
  /** pcapng only: false leaves the Decryption Secrets Block out. Default true. */
  secrets?: boolean;
  /** Write the file here (on the engine's machine) instead of returning its bytes. */
  path?: string;
}

export interface SessionExportResult {
  /** A suggested file name, e.g. "session-12.pcapng", or "sessions-3-5-9.tlslab" for a hand-out. */
  fileName: string;
  mediaType: string;
  /** Size of the file in bytes. */
  size: number;
  /** Whether the file holds the session's secrets (its key log lines): whoever has it can decrypt the traffic. */
  secret: boolean;
  /**
   * Whether the file holds the decrypted traffic in clear (HAR: requests, form fields, passwords,
   * cookies): no keys, but as private as they are. A file written by the engine is mode 0600.
   */
  plaintext: boolean;
  /** The file's bytes, base64, when no path was given. */
  base64?: string;
  /** Where it was written, when a path was given. */
  path?: string;
  /**
   * One line: what is in the file ("2 TCP streams, 4 key log lines embedded"); for several sessions
   * it starts with how many ("3 sessions: ...").
   */
  summary: string;
}

export interface SessionImportRequest {
  /** The file's bytes, base64 (from the renderer's file picker) ... */
  base64?: string;
  /** ... or a path on the engine's machine. */
  path?: string;
  /** The file's name, for the imported session's note. */
  fileName?: string;
  /** A key log (SSLKEYLOGFILE text) to go with a capture ... */
  keylogText?: string;
  /** The name of the file keylogText came from, for messages and where the session came from. */
  keylogFileName?: string;
  /** ... or its path. */
  keylogPath?: string;
  /**
   * Import a second copy even when this content was imported before. Without it, a file already
   * imported (same bundle, same capture and key log) is not copied: the result names its session.
   */
  again?: boolean;
}

export interface SessionImportResult {
  /**
   * The new session, or the one it was imported as before (see alreadyImportedAs). A hand-out of
   * several sessions: the first of them (`sessions` lists them all); so are alreadyImportedAs and session.
   */
  id: number;
  /**
   * The session this same content was imported as earlier, when nothing was copied this time
   * (ask with `again: true` for a copy anyway); null when this import made session `id`.
   */
  alreadyImportedAs: number | null;
  /** What the file was. */
  source: 'bundle' | 'pcap' | 'pcapng';
  /** Connections and key log lines in the file (all its sessions together). */
  connections: number;
  keylogLines: number;
  /** What the importer could not use, and why. */
  notes: string[];
  session: SessionCatalogEntry;
  /**
   * Every session the file holds, in its order: one for a capture or a single-session bundle, several
   * for a hand-out. Each is new (alreadyImportedAs null) or names the session it was imported as before.
   */
  sessions: SessionImportedEntry[];
}

export interface SessionImportedEntry {
  id: number;
  alreadyImportedAs: number | null;
  session: SessionCatalogEntry;
}

export interface SessionCatalogEntry extends SessionSummary {
  name: string | null;
  tags: string[];
}

export interface SessionSearchQuery {
  /** Substring of the target, address or SNI. */
  host?: string;
  /** "TLSv1.3", "1.2" ... */
  version?: string;
  /** Substring of the cipher suite name. */
  cipher?: string;
  outcome?: SessionStatus;
  kind?: SessionKind;
  /** Every one of these tags. */
  tags?: string[];
  /** Anywhere: name, target, SNI, cipher, version, tags. */
  text?: string;
  limit?: number;
}

/**
 * Where an imported session came from, as `sessions show` and the session page say it. Imports
 * made by an older workbench know only when they were imported: file and kind are null then.
 */
export interface SessionImportOrigin {
  /** The imported file's base name ("lab3-handout.tlslab"), or null when not known. */
  file: string | null;
  /** When it was imported here (ms since the epoch). */
  importedAt: number;
  kind: 'bundle' | 'capture' | null;
  /** A bundle: the workbench that wrote it, "TLS Lab Workbench 0.9.0". */
  madeBy?: string;
  /** A bundle: when it was written (ms since the epoch). */
  madeAt?: number;
  /** A capture: where its key log came from: inside the pcapng, a separate file, or none came with it. */
  keyLog?: 'inside' | 'separate' | 'none';
  /** A capture with a separate key log: that file's base name, when known. */
  keyLogFile?: string;
}
