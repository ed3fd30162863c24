import { defineConfig } from 'vitest/config';

/**
 * Two projects. Unit tests sit beside the code they test and run in parallel. Integration
 * tests use the real Docker engine and real OVS; they share one engine on a 2-core machine,
 * so their files run one at a time, after a global setup that makes sure the node image exists.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'renderer/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 300_000,
          // Work that takes a second on an idle machine takes many under load: no test may
          // depend on an idle machine, so a poll waits up to 30 s unless it says otherwise.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
