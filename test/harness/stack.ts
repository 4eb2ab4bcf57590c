// The whole service for one test file: its own database, a worker on its own task queue (against
// the run's dev server, or a time-skipping server of its own), the Temporal client and the API.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Client, Connection } from '@temporalio/client';
import { connectTemporal, temporalClient } from '../../src/lifecycle/temporal';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig, type Config } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { createActivities, type ActivityDeps } from '../../activities';
import { buildActivityDeps } from '../../src/composition';
import { createApp } from '../../src/api/app';
import { createSqlPool } from '../../src/db/sql';
import type { Tracing } from '../../src/observability/tracing';
import { buildWorkflowBundle } from '../../src/worker';
import { createApiKey } from '../../src/engines/api-keys';
import { installTemporalRuntime } from '../../temporal/pino-logger';
import { findTestServer } from '../../temporal/cli';
import { registerSearchAttributes } from '../../temporal/search-attributes';
import { startWebhookDispatcher, type Dispatcher } from '../../src/lifecycle/webhook-dispatcher';
import { startInboxProcessing, type InboxProcessing } from '../../src/lifecycle/inbox-processing';
import type { InboxProcessorOptions } from '../../src/lifecycle/inbox-processor';
import { pinDefaultCalendar, SYDNEY_BUSINESS_HOURS } from './clock';
import { createTestDatabase, type TestDatabase } from './database';
import { harnessValue } from './env';
import { configuredSecrets, secretsInLogs } from './log-secrets';

export interface TestStack {
  database: TestDatabase;
  db: TestDatabase['db'];
  config: Config;
  logger: Logger;
  logLines: string[];
  temporal: Client;
  taskQueue: string;
  worker: Worker;
  app: Express;
  /** Only for time-skipping stacks. */
  env?: TestWorkflowEnvironment;
  adminKey: string;
  activityDeps: ActivityDeps;
  /** The worker's outbound-webhook dispatcher (null when `webhookDispatcher: false`). */
  dispatcher: Dispatcher | null;
  /** Webhook processing, as the worker role runs it (null when `inboxProcessing: false`). */
  inbox: InboxProcessing | null;
  stop(): Promise<void>;
}

export interface StackOptions {
  timeSkipping?: boolean;
  /** Time-skipping only: the server's clock starts at this instant (ISO). */
  startAt?: string;
  env?: Record<string, string>;
  /** A Temporal server of the test's own (e.g. one it stops and restarts) instead of the run's. */
  temporalAddress?: string;
  /** Replace parts of the activities' dependencies (e.g. fault injection). */
  activityDeps?: Partial<ActivityDeps>;
  /** Run the outbound-webhook dispatcher as the worker process does (default true). */
  webhookDispatcher?: boolean;
  /** Options of the webhook processor (src/lifecycle/inbox-processor.ts), e.g. a shorter signal retry. */
  inboxProcessor?: InboxProcessorOptions;
  /** false: no webhook processing beside the worker (a test that drives an InboxProcessor itself). */
  inboxProcessing?: boolean;
  /** Tracing on (startTracing's result): the client's and the worker's interceptors, the traced bundle, server spans. */
  tracing?: Tracing;
}

let tracedBundle: Promise<WorkflowBundleOption> | undefined;

/** The workflow bundle with the tracing interceptors, built once per test file that asks for it. */
export function tracedWorkflowBundle(): Promise<WorkflowBundleOption> {
  tracedBundle ??= buildWorkflowBundle(undefined, { tracing: true });
  return tracedBundle;
}

/** Captures log lines so tests can assert on what was (and was not) logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

/**
 * The SDK gives the Java test server 5 s to listen, which a busy machine's JVM start can miss
 * ("did not start within 5s"); that one failure is retried (the second start finds its classes
 * in the page cache). Any other error is the test's.
 */
async function startTimeSkippingServer(startAt: string | undefined): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: {
          executable: { type: 'existing-path', path: findTestServer() },
          extraArgs: startAt ? [`--start-time=${startAt}`] : [],
        },
      });
    } catch (err) {
      // Not `instanceof Error`: the native bridge's errors come from another realm than jest's.
      const message = String((err as { message?: unknown } | null)?.message ?? err);
      if (attempt >= 8 || !/did not start within/.test(message)) throw err;
      // A busy machine: give the JVM a moment before the next start (its classes are cached by then).
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

export async function startTestStack(opts: StackOptions = {}): Promise<TestStack> {
  // A time-skipping server started at a fixed instant fixes the moment: Sydney's business hours then.
  pinDefaultCalendar(opts.timeSkipping && opts.startAt ? SYDNEY_BUSINESS_HOURS : undefined);
  const database = await createTestDatabase();
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    TEMPORAL_TASK_QUEUE: taskQueue,
    SIGNING_SECRET: 'test-signing-secret-0123456789abcdef0123456789',
    PUBLIC_URL: 'http://agency-os.test',
    ...opts.env,
  });
  const { logger, lines } = captureLogger();
  installTemporalRuntime(logger);

  let env: TestWorkflowEnvironment | undefined;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  if (opts.timeSkipping) {
    env = await startTimeSkippingServer(opts.startAt);
    connection = env.connection;
    nativeConnection = env.nativeConnection;
    await registerSearchAttributes(connection, 'default');
  } else {
    const address = opts.temporalAddress ?? harnessValue('temporalAddress');
    connection = await connectTemporal(address);
    nativeConnection = await NativeConnection.connect({ address });
    if (opts.temporalAddress) await registerSearchAttributes(connection, 'default');
  }
  const temporal = env ? env.client : temporalClient(connection, 'default', opts.tracing);

  const activityDeps = {
    ...buildActivityDeps({ config, db: database.db, logger, temporal, taskQueue, signingSecret: config.SIGNING_SECRET! }),
    ...opts.activityDeps,
  };
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: opts.tracing ? await tracedWorkflowBundle() : { codePath: harnessValue('bundlePath') },
    activities: createActivities(activityDeps),
    interceptors: opts.tracing?.workerInterceptors,
    sinks: opts.tracing?.sinks,
  });
  const running = worker.run();

  const dispatcher =
    opts.webhookDispatcher === false
      ? null
      : startWebhookDispatcher({
          databaseUrl: database.url,
          db: database.db,
          temporal,
          taskQueue,
          windowSeconds: config.WEBHOOK_RETRY_WINDOW_SECONDS,
          logger,
          pollMs: 500,
        });

  // Webhook processing runs beside the worker, as in the worker role (woken by the inbox's NOTIFY).
  const inbox =
    opts.inboxProcessing === false
      ? null
      : startInboxProcessing({ databaseUrl: database.url, db: database.db, temporal, taskQueue, config, logger, processor: opts.inboxProcessor });

  const admin = await database.db.user.create({
    data: { email: `admin-${taskQueue}@test.example`, isPlatformAdmin: true },
  });
  const { key: adminKey } = await createApiKey(database.db, { userId: admin.id, name: 'test admin' });

  // The inbox writer's own pool, as the API role has (src/composition.ts startApiRole).
  const inboxSql = createSqlPool(database.url);
  const app = createApp({
    config,
    logger,
    db: database.db,
    inboxSql: inboxSql.query,
    temporal,
    taskQueue,
    version: 'test',
    tracing: opts.tracing !== undefined,
  });

  return {
    database,
    db: database.db,
    config,
    logger,
    logLines: lines,
    temporal,
    taskQueue,
    worker,
    app,
    env,
    adminKey,
    activityDeps,
    dispatcher,
    inbox,
    stop: async () => {
      await inbox?.stop(10_000);
      await dispatcher?.stop();
      await inboxSql.end();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      if (env) {
        await env.teardown();
      } else {
        await connection.close();
        await nativeConnection.close();
      }
      await database.drop();
      // Last, so a leak fails the file without leaving the stack running.
      const leaks = secretsInLogs(lines, configuredSecrets(config, [adminKey]));
      if (leaks.length > 0) throw new Error(`secrets in this test file's logs:\n${leaks.slice(0, 20).join('\n')}`);
    },
  };
}
