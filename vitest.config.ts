import { defineConfig } from 'vitest/config';
import { OWN_MODULE_FILES } from './test/support/ownModules';

// Three layers: unit (pure code), integration (real sockets, real peers), e2e (Chromium). Files
// share a module graph per worker (isolate: false); the few that mock a module get one of their
// own (test/support/ownModules.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: OWN_MODULE_FILES,
          testTimeout: 60_000,
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: OWN_MODULE_FILES,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'own modules',
          include: OWN_MODULE_FILES,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: OWN_MODULE_FILES,
          // Each file starts its own engine; the engine's modules are imported once per worker
          // (about 3 s a file when each file imported them again).
          isolate: false,
          globalSetup: ['test/support/e2eBuild.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file has its own engine, data folder and contexts in the run's Chromium: two at a time.
          fileParallelism: true,
          maxWorkers: 2,
          // A poll waits for what the window shows after an engine round trip: seconds on a busy
          // classroom machine (key generation, a handshake), not the default 1 s.
          expect: { poll: { timeout: 30_000 } },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
