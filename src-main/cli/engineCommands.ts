// tlslab engine and tlslab about: the engine process and what it can do.
import type { Command } from 'commander';
import { startEngine } from '../host/engine';
import { resolveDataDir } from '../store/dataDir';
import { listenPort, openWorkbench, printJson, type GlobalOptions } from './common';
import { keysLine } from './pkiCommon';

export function registerEngineCommands(program: Command): void {
  program
    .command('engine')
    .description('run the engine (UI and API) on loopback until interrupted')
    .option('--host <addr>', 'loopback address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free one)', listenPort, 0)
    .option('--json', 'print {"url","port","token"} as one line when ready')
    .action(async (opts, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const engine = await startEngine({ dataDir: resolveDataDir(globals.dataDir), host: opts.host, port: opts.port });
      if (opts.json) process.stdout.write(`${JSON.stringify({ url: engine.url, port: engine.port, token: engine.token })}\n`);
      else process.stdout.write(`TLS Lab Workbench engine ready: ${engine.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        process.stdin.on('end', () => {
          // A parent that hands us a pipe on stdin (the Electron shell) ends it when it exits.
          if (!process.stdin.isTTY && process.env.TLSLAB_EXIT_WITH_PARENT) stop();
        });
        if (process.env.TLSLAB_EXIT_WITH_PARENT) process.stdin.resume();
      });
      await engine.close();
    });

  program
    .command('about')
    .description('versions and available TLS features')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const wb = openWorkbench(command);
      try {
        const about = wb.about();
        if (opts.json) printJson(about);
        else {
          process.stdout.write(
            [
              `TLS Lab Workbench ${about.engineVersion} (${about.engineCode === 'bundle' ? 'from its bundle, dist-engine/' : 'from its TypeScript sources; npm run build makes a bundle that starts faster'})`,
              `Node ${about.nodeVersion}, ${about.tlsLibrary}, ${about.platform}`,
              `Data folder: ${about.dataDir}`,
              ...(about.keyProtection ? [keysLine(about.keyProtection)] : []),
              ...about.features.map((f) => `  [${f.available ? 'x' : ' '}] ${f.name}: ${f.detail}`),
            ].join('\n') + '\n',
          );
        }
      } finally {
        await wb.close();
      }
    });
}
