#!/usr/bin/env node
// The tlslab command. The engine is TypeScript; tsx compiles it on load so a fresh clone runs
// with no build step.
import { register } from 'tsx/esm/api';

register();
// Output piped into a command that stops reading early (tlslab sessions show 3 --decrypt | head):
// the reader is gone, so there is no one left to tell; stop quietly, as other commands do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
const { runCli } = await import('../src-main/cli/main.ts');
const status = await runCli(process.argv.slice(2));
process.exitCode = status;
