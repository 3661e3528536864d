// The sessions list as a catalog: filters to a search query, tags typed by a student, the export
// choices and the files an import accepts. Pure.
import type {
  SessionCatalogEntry,
  SessionExportFormat,
  SessionImportOrigin,
  SessionKind,
  SessionSearchQuery,
  SessionStatus,
  SessionSummary,
} from '../api/contract';
import { importOriginWords } from '../api/contract';
import { formatDateTime } from './format';

export interface SessionFilters {
  /** Anywhere: name, target, SNI, cipher, version, tags. */
  text: string;
  host: string;
  version: string;
  cipher: string;
  outcome: '' | SessionStatus;
  /** Which part of the workbench recorded it: one client run to a lab server makes two sessions, through the proxy three. */
  kind: '' | SessionKind;
  /** One or more tags, separated by spaces or commas: sessions carrying all of them. */
  tags: string;
}

export const SEARCH_LIMIT = 500;
export const MAX_TAG_LENGTH = 64;

export function emptyFilters(): SessionFilters {
  return { text: '', host: '', version: '', cipher: '', outcome: '', kind: '', tags: '' };
}

export const OUTCOME_CHOICES: { value: '' | SessionStatus; label: string }[] = [
  { value: '', label: 'Any outcome' },
  { value: 'ok', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'running', label: 'Running' },
];

export const KIND_CHOICES: { value: '' | SessionKind; label: string }[] = [
  { value: '', label: 'Anyone' },
  { value: 'client', label: 'The client' },
  { value: 'server', label: 'A lab server' },
  { value: 'proxy', label: 'The proxy' },
];

export const VERSION_CHOICES: { value: string; label: string }[] = [
  { value: '', label: 'Any version' },
  { value: 'TLSv1.3', label: 'TLS 1.3' },
  { value: 'TLSv1.2', label: 'TLS 1.2' },
  { value: 'TLSv1.1', label: 'TLS 1.1' },
  { value: 'TLSv1', label: 'TLS 1.0' },
];

/** Words of a tag field: "lab-1, rsa  demo" → ["lab-1", "rsa", "demo"], each once. */
export function splitTags(text: string): string[] {
  const out: string[] = [];
  for (const word of text.split(/[\s,]+/)) {
    const tag = word.trim();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

/** The query 'sessions.search' takes for these filters: empty fields left out. */
export function searchQuery(filters: SessionFilters): SessionSearchQuery {
  const query: SessionSearchQuery = { limit: SEARCH_LIMIT };
  const text = filters.text.trim();
  const host = filters.host.trim();
  const version = filters.version.trim();
  const cipher = filters.cipher.trim();
  const tags = splitTags(filters.tags);
  if (text) query.text = text;
  if (host) query.host = host;
  if (version) query.version = version;
  if (cipher) query.cipher = cipher;
  if (filters.outcome) query.outcome = filters.outcome;
  if (filters.kind) query.kind = filters.kind;
  if (tags.length > 0) query.tags = tags;
  return query;
}

export function filtersActive(filters: SessionFilters): boolean {
  return Object.keys(searchQuery(filters)).length > 1;
}

/** What a tag field holds, or why it cannot be a tag (before anything reaches the engine). */
export function parseNewTags(text: string, existing: readonly string[]): { ok: true; tags: string[] } | { ok: false; message: string } {
  const tags = splitTags(text);
  if (tags.length === 0) return { ok: false, message: 'Type a tag first: one word, like lab-1.' };
  const long = tags.find((t) => t.length > MAX_TAG_LENGTH);
  if (long) return { ok: false, message: `"${long.slice(0, 20)}…" is too long: a tag has at most ${MAX_TAG_LENGTH} characters.` };
  const fresh = tags.filter((t) => !existing.includes(t));
  if (fresh.length === 0) return { ok: false, message: tags.length === 1 ? `This session is already tagged "${tags[0]}".` : 'This session already has these tags.' };
  return { ok: true, tags: fresh };
}

/** A catalog entry updated from an event: a plain summary keeps the name and tags already known. */
export function mergeEntry(list: readonly SessionCatalogEntry[], update: SessionSummary | SessionCatalogEntry): SessionCatalogEntry[] {
  return list.map((entry) => (entry.id === update.id ? asCatalogEntry(update, entry) : entry));
}

/**
 * A summary about to replace a list entry (a detail just fetched, a recorder's update), carrying
 * over the name and tags the list already knows when the summary has none of its own.
 */
export function keepCatalog<T extends SessionSummary>(list: readonly SessionSummary[], update: T): T {
  return withCatalogOf(update, list.find((s) => s.id === update.id));
}

/** keepCatalog for one entry: `update` with the name and tags of `known` when it has none of its own. */
export function withCatalogOf<T extends SessionSummary>(update: T, known: SessionSummary | undefined): T {
  if ('name' in update && 'tags' in update) return update;
  const catalog = known as Partial<SessionCatalogEntry> | undefined;
  if (!catalog || catalog.name === undefined) return update;
  return { ...update, name: catalog.name, tags: catalog.tags ?? [] };
}

/** A summary as an entry of the catalog list: the known entry's name and tags, or none yet. */
export function asCatalogEntry(update: SessionSummary | SessionCatalogEntry, known: SessionCatalogEntry | undefined): SessionCatalogEntry {
  const named = update as Partial<SessionCatalogEntry>;
  if (known) return { ...known, ...update, name: named.name !== undefined ? named.name : known.name, tags: named.tags ?? known.tags };
  return { ...update, name: named.name ?? null, tags: named.tags ?? [] };
}

export function withoutSession<T extends { id: number }>(list: readonly T[], id: number): T[] {
  return list.filter((s) => s.id !== id);
}

/**
 * Said under a download that holds the session's key log lines (the engine's `secret`). A file the
 * engine writes is mode 0600; a download gets whatever the browser gives it.
 */
export const SECRET_DOWNLOAD_NOTE =
  "It holds the session's secrets: whoever has the file can decrypt the recorded traffic. Your browser decides who may read a download: on a shared machine make it private (chmod 600) or delete it when you are done.";

/** Said under a download that holds the decrypted traffic itself (the engine's `plaintext`: a HAR). */
export const PLAINTEXT_DOWNLOAD_NOTE =
  'It holds the decrypted requests and answers in clear: form fields, passwords and cookies included. Your browser decides who may read a download: on a shared machine make it private (chmod 600) or delete it when you are done.';

/** What to say under a download about who should read it, or null for a file that holds nothing private. */
export function privateDownloadNote(file: { secret: boolean; plaintext: boolean }, sessions = 1): string | null {
  if (file.secret) return sessions > 1 ? SECRET_DOWNLOAD_NOTE.replace("the session's", "the sessions'") : SECRET_DOWNLOAD_NOTE;
  return file.plaintext ? PLAINTEXT_DOWNLOAD_NOTE : null;
}

export interface ExportChoice {
  id: string;
  label: string;
  format: SessionExportFormat;
  /** Asks for the key log inside (pcapng only; the other formats ignore it). */
  secrets: boolean;
  /** What the file is for, in one line. */
  hint: string;
  /** Sessions this export makes sense for; HAR needs HTTP. */
  needsHttp?: boolean;
}

export const EXPORT_CHOICES: ExportChoice[] = [
  { id: 'pcapng', label: 'pcapng with keys', format: 'pcapng', secrets: true, hint: 'Wireshark and tshark decrypt it with no setup' },
  { id: 'pcapng-no-secrets', label: 'pcapng without keys', format: 'pcapng', secrets: false, hint: 'the traffic only: decrypt it with a server key, or not at all' },
  { id: 'keylog', label: 'Key log (SSLKEYLOGFILE)', format: 'keylog', secrets: true, hint: "the session's secrets, for a capture made elsewhere" },
  { id: 'har', label: 'HAR', format: 'har', secrets: true, hint: 'the HTTP requests and responses, for browser tools', needsHttp: true },
  { id: 'pem', label: 'Certificates (PEM)', format: 'pem', secrets: true, hint: 'every certificate the session saw, for openssl' },
  { id: 'bundle', label: 'Session bundle', format: 'bundle', secrets: true, hint: 'everything, to open in another workbench' },
];

export function exportChoice(id: string): ExportChoice | undefined {
  return EXPORT_CHOICES.find((c) => c.id === id);
}

/** What kind of file the import picker was given, by its name; the engine looks at the bytes. */
export function importFileKind(fileName: string): 'bundle' | 'capture' | 'unknown' {
  const name = fileName.toLowerCase();
  if (/\.(pcapng|pcap|cap)$/.test(name)) return 'capture';
  if (/\.(tlslab|bundle|json|gz)$/.test(name) || name.includes('bundle')) return 'bundle';
  return 'unknown';
}

/** How a session reads in the list: its name when it has one, else its target. */
export function sessionTitle(entry: Pick<SessionCatalogEntry, 'name' | 'target'>): string {
  return entry.name?.trim() || entry.target;
}

/** Where an imported session came from, in the words `tlslab sessions show` uses, or null for one recorded here. */
export const importOriginText = (origin: SessionImportOrigin | null | undefined): string | null => importOriginWords(origin, formatDateTime);

/**
 * The sessions a hand-out bundle of the list holds, oldest first (the order a lab was recorded in),
 * or none when fewer than two are shown: one session is the row's own Export.
 */
export function handoutIds(shown: readonly { id: number }[]): number[] {
  if (shown.length < 2) return [];
  return shown.map((s) => s.id).sort((a, b) => a - b);
}

/** The hand-out button's text: it says how many sessions the file will hold. */
export function handoutLabel(count: number): string {
  return `Export the ${count} sessions shown as one hand-out bundle`;
}
