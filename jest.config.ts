/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Tests run against real servers started once per run in test/global-setup.ts (PostgreSQL and a
// Temporal dev server); each test file gets its own database and task queue.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', {}] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  // No forceExit: every stack, server and pool a test starts is stopped by it, so the run ends by
  // itself. (A worker whose native Temporal or pg handles are still closing 500 ms after its last
  // file is ended by jest-worker; that is jest's own timeout, not a hang.)
};

export default config;
