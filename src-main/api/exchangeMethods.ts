// Exchange and catalog commands (issue 7). Types only.
import type {
  SessionCatalogEntry,
  SessionExportRequest,
  SessionExportResult,
  SessionImportRequest,
  SessionImportResult,
  SessionSearchQuery,
} from './exchangeTypes';

export interface ExchangeMethods {
  /** A session as a file: returned as base64 with a suggested name, or written to `path`. */
  'sessions.export': { params: SessionExportRequest; result: SessionExportResult };
  /** A session bundle, or a pcap/pcapng capture (with an optional key log), as a new session. */
  'sessions.import': { params: SessionImportRequest; result: SessionImportResult };
  /** Deletes a session with everything recorded under it. */
  'sessions.delete': { params: { id: number }; result: { id: number; deleted: true } };
  /** Names a session; null or "" removes the name. */
  'sessions.rename': { params: { id: number; name: string | null }; result: SessionCatalogEntry };
  /** Adds and removes tags. */
  'sessions.tag': { params: { id: number; add?: string[]; remove?: string[] }; result: SessionCatalogEntry };
  /** Sessions matching every criterion given, newest first. */
  'sessions.search': { params: SessionSearchQuery; result: SessionCatalogEntry[] };
}

export interface ExchangeEvents {
  'session.deleted': { id: number };
}
