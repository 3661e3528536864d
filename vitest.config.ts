import { defineConfig } from 'vitest/config';

// Three layers: unit (pure code), integration (real sockets, real peers), e2e (Chromium).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000, sequence: { groupOrder: 0 } } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
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
          globalSetup: ['test/support/e2eBuild.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file has its own engine, data folder and Chromium on free ports: two at a time.
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
