#!/usr/bin/env node
// The tlslab command. The engine is TypeScript; tsx compiles it on load so a fresh clone runs
// with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src-main/cli/main.ts');
const status = await runCli(process.argv.slice(2));
process.exitCode = status;
