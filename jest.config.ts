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
  // Workers hold gRPC and pg handles that close asynchronously after the last test.
  forceExit: true,
};

export default config;
