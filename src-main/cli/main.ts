// tlslab: the workbench from the command line. It drives the same Workbench in-process that the
// engine serves to the UI, on the same data folder. Each command group lives in its own file.
import { Command, CommanderError } from 'commander';
import { toErrorInfo } from '../errors';
import { ENGINE_VERSION } from '../workbench';
import { registerClientCommand } from './clientCommand';
import { CliExit } from './common';
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

export { CliExit, parseTarget } from './common';

export function buildProgram(): Command {
  const program = new Command('tlslab')
    .description('TLS Lab Workbench: run, record and inspect real TLS sessions')
    .version(ENGINE_VERSION)
    .option('--data-dir <dir>', 'where sessions are kept (default: $TLSLAB_HOME, else the user data folder)')
    .showHelpAfterError('(run "tlslab --help" for the commands)')
    .exitOverride();

  registerClientCommand(program);
  registerSessionCommands(program);
  registerSessionExchangeCommands(program);
  registerHostCommands(program);
  registerEngineCommands(program);
  registerServerCommand(program);
  registerProxyCommand(program);
  registerCaCommands(program);
  registerCertCommands(program);
  registerCsrCommands(program);
  registerPkiMiscCommands(program);
  registerReplayCommands(program);

  return program;
}

/** Runs the CLI; returns the exit status instead of exiting so tests can call it. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
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
