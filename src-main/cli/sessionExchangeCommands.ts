// tlslab sessions export|import|delete|rename|tag|search: sessions out to files other tools
// open, back in, and found again. Added to the `sessions` group that sessionCommands.ts creates.
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { SessionCatalogEntry, SessionExportFormat, SessionImportedEntry, SessionImportResult } from '../api/exchangeTypes';
import { shellWord } from '../api/tryIt';
import { writeOutput } from '../sessions/sessionExchange';
import { CliExit, integer, messagesFor, openWorkbench, printJson, tlslabFor } from './common';
import { clip, localTimestamp, terminalSafe } from './format';

/** Said of every export that holds a session's secrets (a key log, a pcapng with one, a bundle). */
const SECRET_NOTE = "The file holds the session's secrets: whoever has it can decrypt the recorded traffic, so hand it only to whom you mean to";
/** Said of an export that holds the decrypted traffic itself (HAR). */
const PLAINTEXT_NOTE = 'The file holds the decrypted requests and answers in clear (form fields, passwords and cookies included), so hand it only to whom you mean to';

const FORMATS: SessionExportFormat[] = ['pcapng', 'keylog', 'har', 'pem', 'bundle'];

function formatEntries(list: SessionCatalogEntry[]): string {
  if (list.length === 0) return 'No session matches.';
  const rows = list.map((s) =>
    [
      String(s.id).padStart(5),
      localTimestamp(s.startedAt),
      s.kind.padEnd(6),
      s.status.padEnd(7),
      (s.version ?? '-').padEnd(7),
      (s.cipher?.iana ?? s.cipher?.openssl ?? '-').padEnd(30),
      s.target,
      s.name ? `  "${s.name}"` : '',
      s.tags.length ? `  [${s.tags.join(', ')}]` : '',
    ].join('  '),
  );
  return ['   id  started              kind    status   version  cipher                          target', ...rows].join('\n');
}

/** What a session is, for a student who has just received it: its name, kind, target and outcome. */
function sessionTitle(s: SessionCatalogEntry): string {
  const name = s.name ? ` "${terminalSafe(clip(s.name, 80))}"` : '';
  return `${name} (${s.kind} ${terminalSafe(clip(s.target, 60))}, ${s.status})`;
}

function importLines(file: string, result: SessionImportResult): string[] {
  const name = path.basename(file);
  const connections = `${result.connections} connection${result.connections === 1 ? '' : 's'}`;
  const keys = `${result.keylogLines} key log line${result.keylogLines === 1 ? '' : 's'}`;
  const notes = result.notes.map((n) => `  note: ${n}`);
  const sessions = result.sessions ?? [{ id: result.id, alreadyImportedAs: result.alreadyImportedAs, session: result.session }];
  if (sessions.length > 1) {
    // A hand-out: one line per session, in the file's order.
    const made = sessions.filter((s) => s.alreadyImportedAs === null).length;
    const head =
      made === 0
        ? `${name} (${result.source}, ${sessions.length} sessions) is already imported; nothing was copied:`
        : `Imported ${name} (${result.source}, ${sessions.length} sessions): ${connections}, ${keys}${made < sessions.length ? `; ${sessions.length - made} already here, not copied` : ''}:`;
    return [
      head,
      ...sessions.map((s) =>
        s.alreadyImportedAs !== null ? `  already imported as session ${s.alreadyImportedAs}${sessionTitle(s.session)}` : `  session ${s.id}${sessionTitle(s.session)}`,
      ),
      ...notes,
    ];
  }
  if (result.alreadyImportedAs !== null) {
    return [`${name} (${result.source}) is already imported as session ${result.alreadyImportedAs}${sessionTitle(result.session)}; nothing was copied`];
  }
  return [`Imported ${name} (${result.source}) as session ${result.id}${sessionTitle(result.session)}: ${connections}, ${keys}`, ...notes];
}

/** Session numbers as a student reads them: "13, 14" or, for a longer run, "13 to 20". */
function idList(ids: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    if (j - i >= 2) runs.push(`${ids[i]} to ${ids[j]}`);
    else runs.push(...ids.slice(i, j + 1).map(String));
    i = j + 1;
  }
  return runs.join(', ');
}

/**
 * The last line of an import: how to look at what came in. One session: the command that shows it.
 * Several (a hand-out): the command for the first, the others named beside it, and, when a tag of
 * theirs (the teacher's "lesson-3", not "imported") picks out exactly them, the search that lists them.
 */
function showLine(tlslab: string, made: readonly SessionImportedEntry[], taggedOnly: (tag: string) => number[]): string {
  const [first, ...rest] = made;
  if (rest.length === 0) return `Show it with: ${tlslab} sessions show ${first.id}`;
  const show = `Show them with: ${tlslab} sessions show ${first.id} (and ${idList(rest.map((s) => s.id))})`;
  const ids = made.map((s) => s.id).sort((a, b) => a - b);
  const shared = first.session.tags.filter((t) => t !== 'imported' && rest.every((s) => s.session.tags.includes(t)));
  const tag = shared.find((t) => {
    const tagged = taggedOnly(t).sort((a, b) => a - b);
    return tagged.length === ids.length && tagged.every((id, i) => id === ids[i]);
  });
  return tag === undefined ? show : `${show}; list them with: ${tlslab} sessions search --tag ${shellWord(tag)}`;
}

/** Session numbers of a variadic argument, each checked as commander reads it (so its error is commander's usage line). */
function sessionIds(value: string, previous: number[] = []): number[] {
  return [...previous, integer('the session id')(value)];
}

function sessionsGroup(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'sessions');
  return existing ?? program.command('sessions').description('recorded sessions');
}

function tagList(value: string, previous: string[] = []): string[] {
  const tags = value.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length === 0) throw new InvalidArgumentError('give at least one tag');
  return [...previous, ...tags];
}

export function registerSessionExchangeCommands(program: Command): void {
  const sessions = sessionsGroup(program);

  sessions
    .command('export')
    .description('a session as a file: pcapng (Wireshark decrypts it with no setup), key log, HAR, PEM or a bundle; several sessions as one hand-out bundle')
    .argument('[id...]', 'session number (several, with --format bundle: one hand-out file holding them all)', sessionIds)
    .addOption(new Option('--format <format>', 'what to write').choices(FORMATS).makeOptionMandatory())
    .requiredOption('-o, --out <file>', 'where to write it ("-" for standard output)')
    .option('--tag <tags>', 'and every session with all of these tags (comma separated; may repeat), oldest first: a lab\'s hand-out in one command', tagList)
    .option('--no-secrets', 'pcapng: leave the key log out (then only an RSA key exchange opens, with the server key)')
    .option('--json', 'print JSON')
    .action(async (given: number[] = [], opts, command: Command) => {
      if (given.length === 0 && !opts.tag) {
        throw new CliExit(2, 'give the session numbers to export, or --tag TAG for the sessions with that tag (tlslab sessions list shows both)');
      }
      const wb = openWorkbench(command);
      try {
        await wb.writer.written();
        const tagged = opts.tag ? wb.exchange.search({ tags: opts.tag, limit: Number.MAX_SAFE_INTEGER }).map((s) => s.id).reverse() : [];
        if (opts.tag && tagged.length === 0) {
          const tags = (opts.tag as string[]).join(',');
          throw new CliExit(1, `no session has the tag${opts.tag.length > 1 ? 's' : ''} ${tags}; tag them first (tlslab sessions tag ID ${opts.tag[0]}), or see which tags there are with tlslab sessions list`);
        }
        const ids = [...new Set([...given, ...tagged])];
        if (ids.length > 1 && opts.format !== 'bundle') {
          throw new CliExit(2, `--format ${opts.format} holds one session and ${ids.length} were given${opts.tag ? ` (with --tag ${(opts.tag as string[]).join(',')})` : ''}: use --format bundle for one hand-out file of them all, or export them one at a time`);
        }
        if (opts.secrets === false && opts.format !== 'pcapng') throw new CliExit(2, '--no-secrets applies to --format pcapng only');
        const exported = wb.exchange.exportFiles(ids, opts.format, { secrets: opts.secrets });
        const which = ids.length === 1 ? `session ${ids[0]}` : `sessions ${ids.join(', ')}`;
        if (opts.out === '-') {
          process.stdout.write(exported.bytes);
          // The summary goes nowhere here; what the file lacks must still be said.
          if (exported.incomplete) process.stderr.write(`tlslab: ${which}: ${exported.incomplete}\n`);
          return;
        }
        const written = writeOutput(opts.out, exported);
        const out = messagesFor(opts.out);
        if (opts.json) {
          printJson({ path: written, fileName: exported.fileName, mediaType: exported.mediaType, size: exported.bytes.length, summary: exported.summary, secret: exported.secret, plaintext: exported.plaintext }, out);
        } else if (ids.length > 1) {
          // A hand-out: what it holds, a line per session, named as `sessions import` will name them.
          out.write(`Wrote ${written} (${exported.bytes.length} bytes): a hand-out of ${ids.length} sessions\n`);
          for (const id of ids) out.write(`  session ${id}${sessionTitle(wb.exchange.entry(id))}\n`);
          out.write(`  in all: ${exported.contents ?? exported.summary}\n`);
          if (exported.secret) out.write(`${SECRET_NOTE.replace("the session's", "the sessions'")}${out === process.stdout ? '; it is readable by you only (mode 0600)' : ''}\n`);
        } else {
          out.write(`Wrote ${written} (${exported.bytes.length} bytes): ${exported.summary}\n`);
          const note = exported.secret ? SECRET_NOTE : exported.plaintext ? PLAINTEXT_NOTE : null;
          if (note) out.write(`${note}${out === process.stdout ? '; it is readable by you only (mode 0600)' : ''}\n`);
        }
      } finally {
        await wb.close();
      }
    });

  sessions
    .command('import')
    .description('session bundles, or pcap/pcapng captures of TLS (with their key log), as new sessions; a file imported before is not copied again')
    .argument('<file...>', '.tlslab bundles, or .pcap/.pcapng captures')
    .option('--keylog <file>', 'an SSLKEYLOGFILE for the captures (a pcapng with a Decryption Secrets Block needs none)')
    .option('--again', 'import a second copy of a file imported before (without it, the import names the session it already is)')
    .option('--json', 'print JSON (an array when several files are given)')
    .action(async (files: string[], opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const results: SessionImportResult[] = [];
        const lines: string[] = [];
        for (const file of files) {
          try {
            const result = wb.exchange.importRequest({ path: file, keylogPath: opts.keylog, again: opts.again === true });
            results.push(result);
            lines.push(...importLines(file, result));
          } catch (error) {
            // The files before this one are in: say so before the error line.
            if (!opts.json && lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
            throw error;
          }
        }
        const earlier = results.filter((r) => r.alreadyImportedAs !== null);
        if (earlier.length > 0) {
          const which = files.filter((_, i) => results[i].alreadyImportedAs !== null);
          const again = [tlslabFor(command), 'sessions import', ...which.map(shellWord), ...(opts.keylog ? ['--keylog', shellWord(opts.keylog)] : []), '--again'].join(' ');
          lines.push(`To import a second copy anyway: ${again}`);
        }
        const made = results.flatMap((r) => r.sessions ?? [{ id: r.id, alreadyImportedAs: r.alreadyImportedAs, session: r.session }]).filter((s) => s.alreadyImportedAs === null);
        if (made.length > 0) {
          lines.push(showLine(tlslabFor(command), made, (tag) => wb.exchange.search({ tags: [tag], limit: made.length + 1 }).map((s) => s.id)));
        }
        if (opts.json) printJson(files.length === 1 ? results[0] : results);
        else process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await wb.close();
      }
    });

  sessions
    .command('delete')
    .description('delete a session with everything recorded under it')
    .argument('<id...>', 'session numbers', sessionIds)
    .option('--json', 'print JSON')
    .action(async (numbers: number[], opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        await wb.writer.written();
        const deleted = numbers.map((id) => wb.exchange.delete(id));
        if (opts.json) printJson(deleted);
        else process.stdout.write(`${numbers.map((id) => `Deleted session ${id}`).join('\n')}\n`);
      } finally {
        await wb.close();
      }
    });

  sessions
    .command('rename')
    .description('name a session ("" removes the name)')
    .argument('<id>', 'session number', integer('the session id'))
    .argument('<name>', 'the name')
    .option('--json', 'print JSON')
    .action(async (id: number, name: string, opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const entry = wb.exchange.rename(id, name);
        if (opts.json) printJson(entry);
        else process.stdout.write(entry.name ? `Session ${id} is now "${entry.name}"\n` : `Session ${id} has no name now\n`);
      } finally {
        await wb.close();
      }
    });

  sessions
    .command('tag')
    .description('add or remove tags: tlslab sessions tag 12 lesson-3 rsa --remove draft')
    .argument('<id>', 'session number', integer('the session id'))
    .argument('[tags...]', 'tags to add')
    .option('--remove <tags>', 'tags to remove (comma separated; may repeat)', tagList)
    .option('--json', 'print JSON')
    .action(async (id: number, tags: string[], opts, command: Command) => {
      if (tags.length === 0 && !opts.remove) throw new CliExit(2, 'give tags to add, or --remove TAGS');
      const wb = openWorkbench(command);
      try {
        const entry = wb.exchange.tag(id, tags.flatMap((t) => t.split(',')), opts.remove ?? []);
        if (opts.json) printJson(entry);
        else process.stdout.write(`Session ${id} tags: ${entry.tags.join(', ') || '(none)'}\n`);
      } finally {
        await wb.close();
      }
    });

  sessions
    .command('search')
    .description('sessions by host, version, cipher, outcome, tag or any text, newest first')
    .argument('[text]', 'anywhere: name, target, SNI, cipher, version, tags')
    .option('--host <name>', 'target, address or SNI contains this')
    .option('--tls-version <version>', 'negotiated version: TLSv1.3, 1.2 ...')
    .option('--cipher <name>', 'cipher suite name contains this (ECDHE, AES128-GCM, CHACHA20 ...)')
    .addOption(new Option('--outcome <outcome>', 'how it ended').choices(['ok', 'failed', 'running']))
    .addOption(new Option('--kind <kind>', 'client, server or proxy sessions').choices(['client', 'server', 'proxy']))
    .option('--tag <tags>', 'has every one of these tags (comma separated; may repeat)', tagList)
    .option('--limit <n>', 'at most this many', integer('--limit', 1), 500)
    .option('--json', 'print JSON')
    .action(async (text: string | undefined, opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const list = wb.exchange.search({
          text,
          host: opts.host,
          version: opts.tlsVersion,
          cipher: opts.cipher,
          outcome: opts.outcome,
          kind: opts.kind,
          tags: opts.tag,
          limit: opts.limit,
        });
        if (opts.json) printJson(list);
        else process.stdout.write(`${formatEntries(list)}\n`);
      } finally {
        await wb.close();
      }
    });
}

