// Starts, once per test run: PostgreSQL (embedded, or TEST_DATABASE_URL's server) with a migrated
// template database, a Temporal dev server on a free loopback port, and the workflow bundle.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { buildWorkflowBundle } from '../src/worker';
import { findTemporalCli } from '../temporal/cli';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { HARNESS_ENV } from './harness/env';
import { freePort } from './harness/ports';

export interface HarnessGlobals {
  pg?: EmbeddedPostgresHandle;
  temporal?: TestWorkflowEnvironment;
  dir: string;
}

declare global {
  var __AOS_HARNESS__: HarnessGlobals | undefined;
}

const TEMPLATE_DB = 'aos_test_template';

export default async function globalSetup(): Promise<void> {
  // Pure unit tests (engines, parsers) can skip the servers: AOS_UNIT_ONLY=1 npx jest test/engines
  if (process.env.AOS_UNIT_ONLY === '1') return;
  const dir = mkdtempSync(join(tmpdir(), 'agency-os-test-'));
  chmodSync(dir, 0o755); // embedded PostgreSQL's `postgres` user must traverse it
  const globals: HarnessGlobals = { dir };
  globalThis.__AOS_HARNESS__ = globals;

  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    globals.pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), throwaway: true });
    adminUrl = globals.pg.url('postgres');
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  await applyMigrations(templateUrl.toString());

  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error('Temporal CLI not found: run bash temporal/setup-tools.sh');
  globals.temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', port: await freePort(), ui: false },
  });
  await registerSearchAttributes(globals.temporal.connection, 'default');
  const address = globals.temporal.connection.options.address;

  const bundle = await buildWorkflowBundle();
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  process.env[HARNESS_ENV.adminUrl] = adminUrl;
  process.env[HARNESS_ENV.templateDb] = TEMPLATE_DB;
  process.env[HARNESS_ENV.temporalAddress] = address;
  process.env[HARNESS_ENV.bundlePath] = bundlePath;
}
