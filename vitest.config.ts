import { defineConfig } from 'vitest/config';
import LongestFirst from './test/integration/sequencer';

/**
 * Two projects, run together, three files at a time, longest first (the sequencer). Unit tests
 * sit beside the code they test. Integration tests use the real Docker engine and real OVS,
 * after a global setup that makes sure the node image exists; every file names its own
 * sessions, so files run side by side. Most of their time is spent waiting on nodes (a quarter
 * of the CPU idle with two lab files beside each other on 2 cores), so three run at once. The
 * unit files come last, to fill the gaps while the last long files finish.
 */
const WORKERS = 3;

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['main/**/*.test.ts', 'renderer/**/*.test.ts'],
          environment: 'node',
          // Pure code: one module graph per worker serves every unit file (81 s of CPU to 28 s).
          isolate: false,
          maxWorkers: WORKERS,
          // Beside two lab files, a unit test that takes a second alone can take ten.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // One module graph per worker for these too: each file imported the whole back end
          // anew (about 1.7 s of CPU, 38 files). Files share no state but the engine client; a
          // file that changes the environment puts it back (pinned.test.ts).
          isolate: false,
          maxWorkers: WORKERS,
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
