// tlslab hosts: the workbench's host table.
import type { Command } from 'commander';
import { asciiDomain } from '../pki/names';
import { openWorkbench, printJson } from './common';

export function registerHostCommands(program: Command): void {
  const hosts = program.command('hosts').description("the workbench's host table (name -> address)");
  hosts
    .command('list')
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
    .argument('<name>')
    .argument('<address>')
    .action(async (name: string, address: string, _opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        wb.setHost({ name, address });
        // An internationalised name is kept as clients send it: say so.
        const kept = asciiDomain(name.trim().toLowerCase().replace(/\.$/, ''));
        process.stdout.write(`${kept === name.trim().toLowerCase().replace(/\.$/, '') ? name : `${name} (kept as ${kept})`} -> ${address.trim()}\n`);
      } finally {
        await wb.close();
      }
    });
  hosts
    .command('remove')
    .argument('<name>')
    .action(async (name: string, _opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        wb.removeHost(name);
      } finally {
        await wb.close();
      }
    });
}
