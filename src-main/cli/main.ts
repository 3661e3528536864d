// tlslab: the workbench from the command line. It drives the same Workbench in-process that the
// engine serves to the UI, on the same data folder. Each command group lives in its own file.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { toErrorInfo } from '../errors';
import { ENGINE_VERSION } from '../workbench';
import { registerClientCommand } from './clientCommand';
import { CliExit } from './common';
import { usageErrorLine } from './usageErrors';
import { registerEngineCommands } from './engineCommands';
import { registerHostCommands } from './hostCommands';
import { registerSessionCommands } from './sessionCommands';
import { registerSessionExchangeCommands } from './sessionExchangeCommands';
import { registerServerCommand } from './serverCommand';
import { registerProxyCommand } from './proxyCommand';
import { registerCaCommands } from './caCommands';
import { registerCertCommands } from './certCommands';
import { registerCsrCommands } from './csrCommands';
import { registerPkiMiscCommands } from './pkiMiscCommands';
import { registerReplayCommands } from './replayCommands';
import { relaunchedWithEngineMalloc } from '../engineMalloc';

export { CliExit, parseTarget } from './common';

/**
 * A command whose usage errors (a typo, a missing or extra argument, a bad value) are one line
 * that names the command's own help, as the workbench's other failures are. Subcommands are made
 * by createCommand, so every one of them is a TlslabCommand too.
 */
class TlslabCommand extends Command {
  override createCommand(name?: string): Command {
    return new TlslabCommand(name);
  }

  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    return super.error(usageErrorLine(this, message, errorOptions?.code), errorOptions);
  }
}

export function buildProgram(): Command {
  const program = new TlslabCommand('tlslab')
    .description('TLS Lab Workbench: run, record and inspect real TLS sessions')
    .version(ENGINE_VERSION)
    .option('--data-dir <dir>', 'where sessions are kept (default: $TLSLAB_HOME, else the user data folder)', dataDirArgument)
    .exitOverride();

  // Listed in the order of the lab: certificates, a server, a client, the proxy, then what was recorded.
  registerCaCommands(program);
  registerCertCommands(program);
  registerCsrCommands(program);
  registerServerCommand(program);
  registerClientCommand(program);
  registerProxyCommand(program);
  registerSessionCommands(program);
  registerSessionExchangeCommands(program);
  registerReplayCommands(program);
  registerHostCommands(program);
  registerPkiMiscCommands(program);
  registerEngineCommands(program);
  program.addHelpText('after', START_HERE);

  return program;
}

const START_HERE = `
Start here (the lab's first tasks; add --data-dir DIR to keep a class's work apart):
  tlslab ca create "Lab Root"                                  a CA of your own
  tlslab cert issue --ca "Lab Root" --cn www.bank32.com        a server certificate from it
  tlslab server --identity lab:www.bank32.com                  an HTTPS server on 127.0.0.1:4433
  tlslab client www.bank32.com:4433 --connect-to 127.0.0.1 --ca "lab:Lab Root" --get /
                                                               (in a second terminal) connect, verify, fetch
  tlslab sessions list                                         what was recorded; then: tlslab sessions show ID --keys
  tlslab engine                                                the workbench's window: it prints the address to open
`;

// An empty --data-dir (often an unset variable: --data-dir "$LAB") would otherwise mean "none given"
// and quietly open the default folder instead.
function dataDirArgument(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('the folder name is empty; give a folder, e.g. --data-dir ./lab-data');
  return value;
}

/** The commands that run until interrupted, serving and recording: they run with the engine's malloc settings. */
const LONG_RUNNING = new Set(['server', 'proxy', 'replay-server', 'engine']);

/**
 * Runs the CLI; returns the exit status instead of exiting so tests can call it. `relaunch` (the
 * tlslab command itself, never a test calling this in its own process) lets a long-running command
 * start again with the engine's malloc settings (engineMalloc.ts) and wait for that process.
 */
export async function runCli(argv: string[], options: { relaunch?: boolean } = {}): Promise<number> {
  const program = buildProgram();
  if (options.relaunch) {
    program.hook('preAction', async (_program, action) => {
      if (!LONG_RUNNING.has(action.name())) return;
      const status = await relaunchedWithEngineMalloc();
      if (status !== null) throw new CliExit(status, '');
    });
  }
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliExit) {
      if (err.message) process.stderr.write(`tlslab: ${err.message}\n`);
      return err.status;
    }
    const info = toErrorInfo(err);
    process.stderr.write(`tlslab: ${info.message}\n`);
    return 1;
  }
}
