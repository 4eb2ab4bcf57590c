// The Temporal worker: task queue `agency-os` by default, all workflows and activities.
// Run alone with `npm run worker` (needs DATABASE_URL and TEMPORAL_ADDRESS), or from src/main.ts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption, type WorkerOptions as SdkWorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { installTemporalRuntime } from '../temporal/pino-logger';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The bundle `npm run build` writes next to the compiled code (dist/workflow-bundle.js). Only the
 * compiled worker looks for it: run from the TypeScript sources, the workflows are bundled at start.
 */
export const PREBUILT_BUNDLE_PATH = __filename.endsWith('.js') ? resolve(__dirname, '../workflow-bundle.js') : undefined;

/** Where the worker's workflow code comes from: a given bundle, the build's bundle, or the sources. */
export function workflowSource(given?: WorkflowBundleOption): Pick<SdkWorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (given) return { workflowBundle: given };
  if (PREBUILT_BUNDLE_PATH && existsSync(PREBUILT_BUNDLE_PATH)) return { workflowBundle: { codePath: PREBUILT_BUNDLE_PATH } };
  return { workflowsPath: WORKFLOWS_PATH };
}

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
      ...workflowSource(opts.workflowBundle),
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
