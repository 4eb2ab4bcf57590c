/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Tests run against real servers started once per run in test/global-setup.ts (PostgreSQL and a
// Temporal dev server); each test file gets its own database and task queue.
const config: Config = {
  // JEST_LEAK_REPORT=<file>: the node environment plus a per-file list of resources left open.
  testEnvironment: process.env.JEST_LEAK_REPORT ? '<rootDir>/test/harness/leak-report-environment.ts' : 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', {}] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  // No forceExit: every stack, server and pool a test starts is stopped by it, so the run ends by
  // itself (JEST_LEAK_REPORT lists, per file, what was left open: nothing, when last measured). A
  // worker whose native Temporal runtime is still shutting down 500 ms after its last file may be
  // ended by jest-worker ("failed to exit gracefully"): jest's own timeout, not a leaked handle.
};

export default config;
