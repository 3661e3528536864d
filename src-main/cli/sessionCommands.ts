// tlslab sessions: the recorded sessions.
import { Option, type Command } from 'commander';
import type { SessionKind } from '../api/types';
import { CliExit, integer, openWorkbench, printJson, tlslabFor } from './common';
import { formatConnectionKeys, formatDecryptedConnection } from './decryptFormat';
import { clip, formatSessionDetail, formatSessionList, terminalSafe } from './format';

/**
 * The list's rows with each session's name and tags after them: a teacher's "Good handshake" and
 * the "imported" tag are how a student finds the hand-out among their own sessions.
 */
function withNamesAndTags(text: string, entries: { name: string | null; tags: string[] }[]): string {
  if (entries.length === 0) return text;
  const [header, ...rows] = text.split('\n');
  const marked = rows.map((row, i) => {
    const { name, tags } = entries[i];
    return `${row}${name ? `  "${terminalSafe(clip(name, 60))}"` : ''}${tags.length ? `  [${terminalSafe(tags.join(', '))}]` : ''}`;
  });
  return [header, ...marked].join('\n');
}

export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('recorded sessions');
  sessions
    .command('list')
    .description('every recorded session, newest first')
    .option('--limit <n>', 'at most this many', integer('--limit', 1), 500)
    .addOption(
      new Option('--kind <kind>', "only this kind: client, server or proxy (a client run against the workbench's own server is recorded on both sides)").choices(['client', 'server', 'proxy']),
    )
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const list = wb.listSessions(opts.limit, opts.kind as SessionKind | undefined);
        if (opts.json) printJson(list);
        else if (list.length === 0 && opts.kind) process.stdout.write(`No ${opts.kind} sessions. "tlslab sessions list" shows every kind.\n`);
        else process.stdout.write(`${withNamesAndTags(formatSessionList(list), list.map((s) => wb.exchange.catalog.entry(s.id)))}\n`);
      } finally {
        await wb.close();
      }
    });
  sessions
    .command('show')
    .description('one session: records, key log lines, certificates')
    .argument('<id>', 'session number', integer('the session id'))
    .option('--json', 'print JSON')
    .option('--keys', 'key material and every derivation step, per connection')
    .option('--decrypt', 'the decrypted records, per connection (application data as text, hex for binary)')
    .option('--server-key <file>', "the server's PEM private key: opens an RSA key exchange without a key log")
    .option('--ticket-key', "open each connection from its session ticket, with the ticket key the workbench's server kept, as a thief of that key would (also when a key log could)")
    .option('--connection <id>', 'only this connection', integer('--connection'))
    .option('--from <n>', 'with --decrypt: start at this record number', integer('--from', 1))
    .option('--limit <n>', 'with --decrypt: at most this many records per connection', integer('--limit', 1))
    .action(async (id: number, opts, command: Command) => {
      const keyFlag = opts.ticketKey ? '--ticket-key' : opts.serverKey !== undefined ? '--server-key' : null;
      if (keyFlag && !opts.keys && !opts.decrypt) throw new CliExit(2, `${keyFlag} chooses the keys that open the session: add --keys or --decrypt`);
      const wb = openWorkbench(command);
      try {
        if (opts.keys || opts.decrypt) {
          const base = { id, connectionId: opts.connection, serverKeyPath: opts.serverKey, ticketKey: opts.ticketKey === true ? true : undefined };
          const keys = opts.keys ? await wb.sessionKeys(base) : undefined;
          const decrypted = opts.decrypt ? await wb.decryptSession({ ...base, fromRecord: opts.from, limit: opts.limit }) : undefined;
          if (opts.json) printJson(keys && decrypted ? { keys, decrypted } : (keys ?? decrypted));
          else {
            const parts = [...(keys ?? []).map(formatConnectionKeys), ...(decrypted ?? []).map(formatDecryptedConnection)];
            process.stdout.write(`${terminalSafe(parts.join('\n\n')) || `session ${id} has no connections`}\n`);
          }
          return;
        }
        const detail = await wb.session(id);
        if (opts.json) printJson(detail);
        else process.stdout.write(`${formatSessionDetail(detail, { tlslab: tlslabFor(command), otherEnds: await wb.otherEnds(id) })}\n`);
      } finally {
        await wb.close();
      }
    });
}
