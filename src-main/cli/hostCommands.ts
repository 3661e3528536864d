// tlslab hosts: the workbench's host table.
import type { Command } from 'commander';
import { asciiDomain } from '../pki/names';
import { CliExit, openWorkbench, printJson } from './common';

/** A name as the host table keys it: lower case, no final dot, an internationalised one in IDNA form. */
function tableName(name: string): string {
  return asciiDomain(name.trim().toLowerCase().replace(/\.$/, ''));
}

export function registerHostCommands(program: Command): void {
  const hosts = program.command('hosts').description("the workbench's host table (name -> address)");
  hosts
    .command('list')
    .description('every name in the table with its address')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const list = wb.listHosts();
        if (opts.json) printJson(list);
        else process.stdout.write(list.length ? `${list.map((h) => `${h.address}\t${h.name}`).join('\n')}\n` : 'The host table is empty.\n');
      } finally {
        await wb.close();
      }
    });
  hosts
    .command('set')
    .description('map NAME to ADDRESS for every session, as a line in /etc/hosts does (replaces an earlier address)')
    .argument('<name>', 'a host name, e.g. www.bank32.com')
    .argument('<address>', 'an IP address, e.g. 127.0.0.1')
    .option('--json', 'print the table as JSON')
    .action(async (name: string, address: string, opts: { json?: boolean }, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const list = wb.setHost({ name, address });
        if (opts.json) printJson(list);
        else {
          // An internationalised name is kept as clients send it: say so.
          const kept = tableName(name);
          process.stdout.write(`${kept === name.trim().toLowerCase().replace(/\.$/, '') ? name : `${name} (kept as ${kept})`} -> ${address.trim()}\n`);
        }
      } finally {
        await wb.close();
      }
    });
  hosts
    .command('remove')
    .description('take NAME out of the table')
    .argument('<name>', 'the host name, as hosts list shows it')
    .option('--json', 'print the table as JSON')
    .action(async (name: string, opts: { json?: boolean }, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const kept = tableName(name);
        // Removing a name that is not there would otherwise look like success: say so, as rm does.
        if (!wb.listHosts().some((h) => h.name === kept)) {
          throw new CliExit(1, `"${name}" is not in the host table; "tlslab hosts list" shows the names in it`);
        }
        const list = wb.removeHost(kept);
        if (opts.json) printJson(list);
        else process.stdout.write(`removed ${kept}\n`);
      } finally {
        await wb.close();
      }
    });
}
