// tlslab sessions: the recorded sessions.
import type { Command } from 'commander';
import { integer, openWorkbench, printJson } from './common';
import { formatSessionDetail, formatSessionList } from './format';

export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('recorded sessions');
  sessions
    .command('list')
    .description('every recorded session, newest first')
    .option('--limit <n>', 'at most this many', integer('--limit'), 500)
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const list = wb.listSessions(opts.limit);
        if (opts.json) printJson(list);
        else process.stdout.write(`${formatSessionList(list)}\n`);
      } finally {
        await wb.close();
      }
    });
  sessions
    .command('show')
    .description('one session: records, key log lines, certificates')
    .argument('<id>', 'session number', integer('the session id'))
    .option('--json', 'print JSON')
    .action(async (id: number, opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const detail = await wb.session(id);
        if (opts.json) printJson(detail);
        else process.stdout.write(`${formatSessionDetail(detail)}\n`);
      } finally {
        await wb.close();
      }
    });
}
