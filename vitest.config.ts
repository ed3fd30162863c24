import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three projects. Unit tests sit beside the code they test and run in parallel. Integration
 * tests use the real Docker engine and real OVS; they share one engine on a 2-core machine,
 * so their files run one at a time, after a global setup that makes sure the node image exists.
 * The lab tests (one file per lab, each booting its lab once) spend most of their time waiting
 * on nodes, so two run side by side; they run after the other integration files (a later
 * group), never beside them, so the machine holds at most two labs' nodes at once.
 */
const integration = {
  globalSetup: ['test/integration/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 300_000,
  // Work that takes a second on an idle machine takes many under load: no test may depend on
  // an idle machine, so a poll waits up to 30 s unless it says otherwise.
  expect: { poll: { timeout: 30_000, interval: 100 } },
};

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
          ...integration,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/integration/labs/**'],
          fileParallelism: false,
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-labs',
          include: ['test/integration/labs/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
