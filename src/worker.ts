// The Temporal worker: task queue `agency-os` by default, all workflows and activities.
// Run alone with `npm run worker` (needs DATABASE_URL and TEMPORAL_ADDRESS), or from src/main.ts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from './logger';
import { createActivities, type ActivityDeps } from '../activities';
import { BundlerLogger, installTemporalRuntime } from '../temporal/pino-logger';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The bundle `npm run build` writes next to the compiled code (dist/workflow-bundle.js). Only the
 * compiled worker looks for it: run from the TypeScript sources, the workflows are bundled at start.
 */
export const PREBUILT_BUNDLE_PATH = __filename.endsWith('.js') ? resolve(__dirname, '../workflow-bundle.js') : undefined;

/**
 * Where the worker's workflow code comes from: a given bundle, the build's bundle, or the sources,
 * bundled here rather than by Worker.create, whose bundler logs webpack's report at info.
 */
export async function workflowSource(given: WorkflowBundleOption | undefined, logger?: Logger): Promise<WorkflowBundleOption> {
  if (given) return given;
  if (PREBUILT_BUNDLE_PATH && existsSync(PREBUILT_BUNDLE_PATH)) return { codePath: PREBUILT_BUNDLE_PATH };
  return buildWorkflowBundle(logger);
}

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle, in memory or as a file (tests build one per run); see workflowSource. */
  workflowBundle?: WorkflowBundleOption;
  maxCachedWorkflows?: number;
}

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installTemporalRuntime(opts.deps.logger);
  const workflowBundle = await workflowSource(opts.workflowBundle, opts.deps.logger);
  const connection = await NativeConnection.connect({ address: opts.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: opts.namespace,
      taskQueue: opts.taskQueue,
      activities: createActivities(opts.deps),
      workflowBundle,
      maxCachedWorkflows: opts.maxCachedWorkflows,
      // SIGINT/SIGTERM are handled by the process entry points, which shut the worker down in order.
      shutdownGraceTime: '10 seconds',
    });
    return { worker, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/** The workflow bundle; with `logger`, the bundler's report goes to it at debug (errors stay errors). */
export async function buildWorkflowBundle(logger?: Logger): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: logger ? new BundlerLogger(logger.child({ component: 'workflow-bundler' })) : new DefaultLogger('WARN'),
  });
}
