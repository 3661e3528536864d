// The record inspector's command (issue 6): a connection's records, paged, decoded on demand. Types only.
import type { RecordPage, RecordPageRequest } from './recordTypes';

export interface RecordMethods {
  /** A page of a connection's records; with `detail`, each record's bytes and decoded field tree. */
  'sessions.records': { params: RecordPageRequest; result: RecordPage };
}
