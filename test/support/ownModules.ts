// Test files that swap a module for a mock of their own (vi.mock). The unit, integration and e2e layers
// share one module graph per worker (isolate: false: a new process and a fresh import of the
// engine for each of 200 files cost more than a minute of this 2-core machine's CPU per run);
// a mock in such a graph would reach only the modules not loaded yet. These files run in a
// project where each gets its own (vitest.config.ts), and a unit test keeps this list complete.
export const OWN_MODULE_FILES = [
  'test/unit/answer-watcher-chunked.test.ts',
  'test/unit/recording-files.test.ts',
  'test/integration/recording-unsent.test.ts',
  'test/integration/replay-hardening.test.ts',
];
