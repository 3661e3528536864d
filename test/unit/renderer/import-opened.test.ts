// The sessions the Import panel links to after an import: every session a hand-out brought, not
// the first alone; a file imported before links to the sessions it already is.
import { describe, expect, it } from 'vitest';
import { importedSessionIds } from '../../../src-renderer/src/lib/exchange';

const entry = (id: number, alreadyImportedAs: number | null = null) => ({ id, alreadyImportedAs });

describe('the sessions the Import panel opens', () => {
  it('one session: that one, new or imported before', () => {
    expect(importedSessionIds({ ...entry(9), sessions: [entry(9)] })).toEqual([9]);
    expect(importedSessionIds({ ...entry(4, 4), sessions: [entry(4, 4)] })).toEqual([4]);
    // A result without the sessions list (an older engine) is its own one session.
    expect(importedSessionIds(entry(7))).toEqual([7]);
  });

  it('a hand-out: every session it brought, in the file order, leaving out the ones imported before', () => {
    expect(importedSessionIds({ ...entry(12), sessions: [entry(12), entry(13), entry(14)] })).toEqual([12, 13, 14]);
    expect(importedSessionIds({ ...entry(3, 3), sessions: [entry(3, 3), entry(15), entry(16)] })).toEqual([15, 16]);
  });

  it('a hand-out imported before: the sessions it already is', () => {
    expect(importedSessionIds({ ...entry(12, 12), sessions: [entry(12, 12), entry(13, 13)] })).toEqual([12, 13]);
  });
});
