import { defineConfig } from 'vitest/config';
import LongestFirst from './test/integration/sequencer';

/**
 * Two projects, run one after the other. Unit tests sit beside the code they test. Integration
 * tests use the real Docker engine and real OVS, after a global setup that makes sure the node
 * image exists; every file names its own sessions, so files run side by side. Most of their
 * time is spent waiting on nodes (an idle CPU, measured at a quarter with two lab files beside
 * each other on 2 cores), so three run at once; the lab files (one per lab, each booting its lab
 * once) start first, as they are the long ones.
 */
export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'renderer/**/*.test.ts'],
          environment: 'node',
          // Vitest's default on 2 cores is one worker; the unit files are short and many.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
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
