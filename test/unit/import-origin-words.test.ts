// The line that says where an imported session came from reads the same at the top of
// `tlslab sessions show` and under the session page's header, for every kind of import, and for
// imports an older workbench made, which know only when they happened.
import { describe, expect, it } from 'vitest';
import type { SessionImportOrigin } from '../../src-main/api/exchangeTypes';
import { importOriginLine, localTimestamp } from '../../src-main/cli/format';
import { importOriginText } from '../../src-renderer/src/lib/sessions-catalog';

const importedAt = new Date(2026, 10, 28, 15, 20, 1).getTime();
const madeAt = new Date(2026, 10, 27, 9, 5, 0).getTime();
const when = localTimestamp(importedAt);

const cases: [string, SessionImportOrigin | null, string | null][] = [
  ['a session recorded here', null, null],
  [
    'a bundle',
    { file: 'lab3.tlslab', importedAt, kind: 'bundle', madeBy: 'TLS Lab Workbench 0.9.0', madeAt },
    `Imported from lab3.tlslab on ${when}: a session bundle made by TLS Lab Workbench 0.9.0 on ${localTimestamp(madeAt)}`,
  ],
  ['a bundle whose manifest date did not read', { file: 'lab3.tlslab', importedAt, kind: 'bundle', madeBy: 'TLS Lab Workbench 0.9.0' }, `Imported from lab3.tlslab on ${when}: a session bundle made by TLS Lab Workbench 0.9.0`],
  ['a capture with its key log inside', { file: 'lab3.pcapng', importedAt, kind: 'capture', keyLog: 'inside' }, `Imported from lab3.pcapng on ${when}: a capture, with its key log inside it`],
  ['a capture with a named key log', { file: 'lab3.pcap', importedAt, kind: 'capture', keyLog: 'separate', keyLogFile: 'keys.log' }, `Imported from lab3.pcap on ${when}: a capture, with the key log keys.log`],
  ['a capture with a key log from the window (no name)', { file: 'lab3.pcap', importedAt, kind: 'capture', keyLog: 'separate' }, `Imported from lab3.pcap on ${when}: a capture, with a separate key log`],
  ['a capture without a key log', { file: 'lab3.pcap', importedAt, kind: 'capture', keyLog: 'none' }, `Imported from lab3.pcap on ${when}: a capture, without a key log`],
  ['an import an older workbench made', { file: null, importedAt, kind: null }, `Imported on ${when}`],
];

describe('where an imported session came from, in words', () => {
  it.each(cases)('%s', (_, origin, words) => {
    expect(importOriginLine(origin)).toBe(words);
    expect(importOriginText(origin)).toBe(words);
  });
});
