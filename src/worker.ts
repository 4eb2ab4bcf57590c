// The Temporal worker: task queue `agency-os` by default, all workflows and activities.
// Run alone with `npm run worker` (needs DATABASE_URL and TEMPORAL_ADDRESS), or from src/main.ts.
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Logger } from './logger';
import { createActivities, type ActivityDeps } from '../activities';
import { BundlerLogger, installTemporalRuntime } from '../temporal/pino-logger';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (tests build one per run); bundled from source when absent. */
  workflowBundle?: WorkflowBundle;
  maxCachedWorkflows?: number;
}

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installTemporalRuntime(opts.deps.logger);
  // Bundled here rather than by Worker.create, whose bundler logs webpack's report at info.
  const workflowBundle = opts.workflowBundle ?? (await buildWorkflowBundle(opts.deps.logger));
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
