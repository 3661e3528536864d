#!/usr/bin/env node
// The tlslab command. The engine is TypeScript; tsx compiles it on load so a fresh clone runs
// with no build step.
import { register } from 'tsx/esm/api';

if (Number(process.versions.node.split('.')[0]) < 20) {
  console.error(`tlslab needs Node.js 20 or newer; this is Node.js ${process.versions.node}. Install a newer Node.js (nodejs.org, or NodeSource's packages on Debian) and run it again.`);
  process.exit(1);
}

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
