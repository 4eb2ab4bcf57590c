// The Temporal worker: task queue `agency-os` by default, all workflows and activities.
// Run alone with `npm run worker` (needs DATABASE_URL and TEMPORAL_ADDRESS), or from src/main.ts.
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { installTemporalRuntime } from '../temporal/pino-logger';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle, in memory or as a file (tests build one per run); bundled from source when absent. */
  workflowBundle?: WorkflowBundleOption;
  maxCachedWorkflows?: number;
}

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installTemporalRuntime(opts.deps.logger);
  const connection = await NativeConnection.connect({ address: opts.address });
  try {
    const worker = await Worker.create({
      connection,
      namespace: opts.namespace,
      taskQueue: opts.taskQueue,
      activities: createActivities(opts.deps),
      ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
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

export async function buildWorkflowBundle(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
}
