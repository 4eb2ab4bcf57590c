// The Temporal worker: task queue `agency-os` by default, all workflows and activities.
// Run alone with `npm run worker` (needs DATABASE_URL and TEMPORAL_ADDRESS), or from src/main.ts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from './logger';
import { createActivities, type ActivityDeps } from '../activities';
import { BundlerLogger, installTemporalRuntime } from '../temporal/pino-logger';
import { WORKFLOW_TRACING_MODULES, type Tracing } from './observability/tracing';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The bundles `npm run build` writes next to the compiled code: dist/workflow-bundle.js, and
 * dist/workflow-bundle.traced.js with the tracing interceptors in it. Only the compiled worker looks
 * for them: run from the TypeScript sources, the workflows are bundled at start.
 */
export const PREBUILT_BUNDLE_PATH = __filename.endsWith('.js') ? resolve(__dirname, '../workflow-bundle.js') : undefined;
export const PREBUILT_TRACED_BUNDLE_PATH = __filename.endsWith('.js') ? resolve(__dirname, '../workflow-bundle.traced.js') : undefined;

/**
 * Where the worker's workflow code comes from: a given bundle, the build's bundle, or the sources,
 * bundled here rather than by Worker.create, whose bundler logs webpack's report at info.
 */
export async function workflowSource(given: WorkflowBundleOption | undefined, logger?: Logger, opts: BundleOptions = {}): Promise<WorkflowBundleOption> {
  if (given) return given;
  const prebuilt = opts.tracing ? PREBUILT_TRACED_BUNDLE_PATH : PREBUILT_BUNDLE_PATH;
  if (prebuilt && existsSync(prebuilt)) return { codePath: prebuilt };
  return buildWorkflowBundle(logger, opts);
}

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle, in memory or as a file (tests build one per run); see workflowSource. */
  workflowBundle?: WorkflowBundleOption;
  maxCachedWorkflows?: number;
  /** Tracing on (src/observability/tracing.ts): activity spans, workflow spans through the sink, the traced bundle. */
  tracing?: Tracing | null;
}

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installTemporalRuntime(opts.deps.logger);
  const tracing = opts.tracing ?? undefined;
  const workflowBundle = await workflowSource(opts.workflowBundle, opts.deps.logger, { tracing: !!tracing });
  const connection = await NativeConnection.connect({ address: opts.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: opts.namespace,
      taskQueue: opts.taskQueue,
      activities: createActivities(opts.deps),
      workflowBundle,
      maxCachedWorkflows: opts.maxCachedWorkflows,
      interceptors: tracing?.workerInterceptors,
      sinks: tracing?.sinks,
      // SIGINT/SIGTERM are handled by the process entry points, which shut the worker down in order.
      shutdownGraceTime: '10 seconds',
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

export interface BundleOptions {
  /**
   * With the SDK's OpenTelemetry workflow interceptors. A worker with tracing off runs the bundle
   * without them: they would build and serialise spans for every workflow activation only for
   * nothing to export them. Either bundle replays the other's histories: the interceptors add trace
   * headers to commands, never commands (test/temporal/replay.test.ts replays every committed
   * history with both; test/observability/tracing.test.ts replays a traced run without them).
   */
  tracing?: boolean;
}

/** The workflow bundle; with `logger`, the bundler's report goes to it at debug (errors stay errors). */
export async function buildWorkflowBundle(logger?: Logger, opts: BundleOptions = {}): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: opts.tracing ? [...WORKFLOW_TRACING_MODULES] : [],
    logger: logger ? new BundlerLogger(logger.child({ component: 'workflow-bundler' })) : new DefaultLogger('WARN'),
  });
}
