// The sessions list's pure parts: filters to a search query, tags typed by hand, export choices,
// entries kept current by events.
import { describe, expect, it } from 'vitest';
import type { SessionCatalogEntry } from '../../../src-renderer/src/api/contract';
import { importResultMessage } from '../../../src-renderer/src/lib/exchange';
import {
  EXPORT_CHOICES,
  emptyFilters,
  handoutIds,
  handoutLabel,
  privateDownloadNote,
  exportChoice,
  filtersActive,
  importFileKind,
  keepCatalog,
  mergeEntry,
  parseNewTags,
  searchQuery,
  sessionTitle,
  splitTags,
  withoutSession,
} from '../../../src-renderer/src/lib/sessions-catalog';

function entry(id: number, extra: Partial<SessionCatalogEntry> = {}): SessionCatalogEntry {
  return {
    id,
    kind: 'client',
    status: 'ok',
    startedAt: 1_700_000_000_000 + id,
    endedAt: 1_700_000_000_100 + id,
    target: `www.bank${id}.com:443`,
    address: '127.0.0.1:4433',
    sni: `www.bank${id}.com`,
    version: 'TLSv1.3',
    cipher: null,
    alpn: null,
    verification: null,
    error: null,
    name: null,
    tags: [],
    ...extra,
  };
}

describe('filters', () => {
  it('no filter asks for the newest sessions only', () => {
    expect(searchQuery(emptyFilters())).toEqual({ limit: 500 });
    expect(filtersActive(emptyFilters())).toBe(false);
  });

  it('sends only what was filled in, trimmed, with tags split', () => {
    const query = searchQuery({ text: '  ', host: ' bank32 ', version: 'TLSv1.2', cipher: 'GCM', outcome: 'failed', kind: '', tags: 'lab-1, rsa lab-1' });
    expect(query).toEqual({ limit: 500, host: 'bank32', version: 'TLSv1.2', cipher: 'GCM', outcome: 'failed', tags: ['lab-1', 'rsa'] });
    expect(filtersActive({ ...emptyFilters(), tags: 'x' })).toBe(true);
  });

  it('asks for the sessions one side recorded: a run to a lab server records a client and a server session', () => {
    expect(searchQuery({ ...emptyFilters(), kind: 'client' })).toEqual({ limit: 500, kind: 'client' });
    expect(filtersActive({ ...emptyFilters(), kind: 'proxy' })).toBe(true);
  });
});

describe('tags', () => {
  it('splits on spaces and commas, once each', () => {
    expect(splitTags(' a,b  c,,a ')).toEqual(['a', 'b', 'c']);
    expect(splitTags('')).toEqual([]);
  });

  it('refuses an empty, too long or already present tag with a message that says what to do', () => {
    expect(parseNewTags('  ', [])).toEqual({ ok: false, message: 'Type a tag first: one word, like lab-1.' });
    const long = parseNewTags('x'.repeat(65), []);
    expect(long.ok).toBe(false);
    expect(!long.ok && long.message).toContain('at most 64 characters');
    expect(parseNewTags('lab-1', ['lab-1'])).toEqual({ ok: false, message: 'This session is already tagged "lab-1".' });
    expect(parseNewTags('lab-1 rsa', ['lab-1'])).toEqual({ ok: true, tags: ['rsa'] });
  });
});

describe('entries', () => {
  it('keeps a name and tags when an event carries a plain summary', () => {
    const list = [entry(1, { name: 'first', tags: ['lab'] }), entry(2)];
    const { name: _n, tags: _t, ...summary } = entry(1, { status: 'failed' });
    const merged = mergeEntry(list, summary);
    expect(merged[0]).toMatchObject({ id: 1, status: 'failed', name: 'first', tags: ['lab'] });
    expect(merged[1]).toBe(list[1]);
    // A catalog entry (after a rename or a tag) replaces them, a removed name included.
    expect(mergeEntry(list, entry(1, { name: null, tags: [] }))[0]).toMatchObject({ name: null, tags: [] });
    expect(withoutSession(list, 1).map((e) => e.id)).toEqual([2]);
  });

  it('a detail or a recorder update replacing a list entry keeps its name and tags', () => {
    const list = [entry(1, { name: 'RSA demo', tags: ['lab-1'] }), entry(2)];
    const { name: _n, tags: _t, ...summary } = entry(1, { status: 'failed' });
    expect(keepCatalog(list, summary)).toMatchObject({ id: 1, status: 'failed', name: 'RSA demo', tags: ['lab-1'] });
    const renamed = entry(1, { name: 'other', tags: [] });
    expect(keepCatalog(list, renamed)).toBe(renamed);
    const { name: _m, tags: _u, ...fresh } = entry(3);
    expect(keepCatalog(list, fresh)).toBe(fresh);
  });

  it('reads as its name when it has one', () => {
    expect(sessionTitle(entry(3))).toBe('www.bank3.com:443');
    expect(sessionTitle(entry(3, { name: ' RSA demo ' }))).toBe('RSA demo');
  });
});

describe('export and import', () => {
  it('offers the six exports, pcapng with and without keys', () => {
    expect(EXPORT_CHOICES.map((c) => c.id)).toEqual(['pcapng', 'pcapng-no-secrets', 'keylog', 'har', 'pem', 'bundle']);
    expect(exportChoice('pcapng-no-secrets')).toMatchObject({ format: 'pcapng', secrets: false });
    expect(exportChoice('nope')).toBeUndefined();
  });

  it('tells a capture from a bundle by its name, for the key log hint', () => {
    expect(importFileKind('lab.PCAPNG')).toBe('capture');
    expect(importFileKind('x.pcap')).toBe('capture');
    expect(importFileKind('session-4.tlslab')).toBe('bundle');
    expect(importFileKind('notes.txt')).toBe('unknown');
  });

  it('says what was imported, or which session a file already imported became', () => {
    expect(importResultMessage({ id: 9, alreadyImportedAs: null, source: 'bundle', connections: 1, keylogLines: 0 }, 'session-4.tlslab')).toBe('Imported session-4.tlslab as session 9 (1 connection).');
    expect(importResultMessage({ id: 10, alreadyImportedAs: null, source: 'pcapng', connections: 2, keylogLines: 1 }, 'lab.pcapng')).toBe('Imported lab.pcapng as session 10 (2 connections, 1 key log line).');
    expect(importResultMessage({ id: 10, alreadyImportedAs: 10, source: 'pcapng', connections: 2, keylogLines: 1 }, 'lab.pcapng')).toBe(
      'lab.pcapng is already imported as session 10; nothing was copied. Use "Import a copy anyway" for a second copy.',
    );
    // A teacher's bundle: the name it was handed out with says what it is.
    const named = { id: 11, alreadyImportedAs: null, source: 'bundle', connections: 1, keylogLines: 5, session: { name: 'Refused certificate' } };
    expect(importResultMessage(named, 'lesson1.tlslab')).toBe('Imported lesson1.tlslab as session 11 "Refused certificate" (1 connection, 5 key log lines).');
    expect(importResultMessage({ ...named, alreadyImportedAs: 11 }, 'lesson1.tlslab')).toBe(
      'lesson1.tlslab is already imported as session 11 "Refused certificate"; nothing was copied. Use "Import a copy anyway" for a second copy.',
    );
    expect(importResultMessage({ ...named, session: { name: null } }, 'lesson1.tlslab')).toBe('Imported lesson1.tlslab as session 11 (1 connection, 5 key log lines).');
  });

  it('a hand-out names every session it brought, and the ones imported before', () => {
    const lab = (id: number, name: string | null) => ({ id, alreadyImportedAs: null as number | null, session: { name, kind: 'client', target: 'www.bank32.com:4433' } });
    const sessions = [lab(4, 'Lab 3: first visit'), lab(5, null), lab(6, 'Lab 3: the last one')];
    const result = { ...sessions[0], source: 'bundle', connections: 3, keylogLines: 12, sessions };
    expect(importResultMessage(result, 'lab3.tlslab')).toBe(
      'Imported 3 sessions from lab3.tlslab: 4 "Lab 3: first visit", 5 (client www.bank32.com:4433), 6 "Lab 3: the last one".',
    );
    const again = sessions.map((s) => ({ ...s, alreadyImportedAs: s.id }));
    expect(importResultMessage({ ...result, alreadyImportedAs: 4, sessions: again }, 'lab3.tlslab')).toBe(
      'lab3.tlslab is already imported (3 sessions): sessions 4 "Lab 3: first visit", 5 (client www.bank32.com:4433), 6 "Lab 3: the last one"; nothing was copied. Use "Import a copy anyway" for second copies.',
    );
    const mixed = [again[0], lab(7, null), lab(8, 'Lab 3: the last one')];
    expect(importResultMessage({ ...result, alreadyImportedAs: 4, sessions: mixed }, 'lab3.tlslab')).toBe(
      'Imported 2 sessions from lab3.tlslab: 7 (client www.bank32.com:4433), 8 "Lab 3: the last one". Already imported before, not copied: session 4 "Lab 3: first visit".',
    );
    // One session in the list: the single-file wording, as before.
    expect(importResultMessage({ ...result, connections: 1, keylogLines: 5, sessions: [sessions[0]] }, 'one.tlslab')).toBe(
      'Imported one.tlslab as session 4 "Lab 3: first visit" (1 connection, 5 key log lines).',
    );
  });

  it('the hand-out export holds the sessions shown, oldest first, and only when there are two or more', () => {
    expect(handoutIds([{ id: 9 }, { id: 3 }, { id: 5 }])).toEqual([3, 5, 9]);
    expect(handoutIds([{ id: 9 }])).toEqual([]);
    expect(handoutIds([])).toEqual([]);
    expect(handoutLabel(3)).toBe('Export the 3 sessions shown as one hand-out bundle');
  });

  it("says whose secrets a download holds: the session's, or the sessions' of a hand-out", () => {
    expect(privateDownloadNote({ secret: true, plaintext: false })).toMatch(/^It holds the session's secrets/);
    expect(privateDownloadNote({ secret: true, plaintext: false }, 3)).toMatch(/^It holds the sessions' secrets/);
    expect(privateDownloadNote({ secret: false, plaintext: true }, 3)).toMatch(/^It holds the decrypted requests/);
    expect(privateDownloadNote({ secret: false, plaintext: false }, 3)).toBeNull();
  });
});
