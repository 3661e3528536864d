// Where an imported session came from, in one line: the same words at the top of
// `tlslab sessions show` and under the session page's header. Each side passes its own way of
// writing a date and time.
import type { SessionImportOrigin } from './exchangeTypes';

/**
 * "Imported from lab3.tlslab on 2026-11-28 15:20:01: a session bundle made by TLS Lab Workbench
 * 0.9.0 on ...", or null for a session recorded here. An import an older workbench made knows only
 * when it happened: "Imported on ...".
 */
export function importOriginWords(origin: SessionImportOrigin | null | undefined, dateTime: (ms: number) => string): string | null {
  if (!origin) return null;
  const head = `Imported ${origin.file ? `from ${origin.file} ` : ''}on ${dateTime(origin.importedAt)}`;
  if (origin.kind === 'bundle') {
    const made = origin.madeBy ? ` made by ${origin.madeBy}${origin.madeAt !== undefined ? ` on ${dateTime(origin.madeAt)}` : ''}` : '';
    return `${head}: a session bundle${made}`;
  }
  if (origin.kind === 'capture') {
    const keys =
      origin.keyLog === 'inside' ? 'with its key log inside it'
        : origin.keyLog === 'separate' ? (origin.keyLogFile ? `with the key log ${origin.keyLogFile}` : 'with a separate key log')
        : 'without a key log';
    return `${head}: a capture, ${keys}`;
  }
  return head;
}
