// Playbook runs as the API and the Telegram bot see them: request one (rows + workflow), decide a
// checkpoint, retry a failed step, cancel, read the live progress. Route handlers never touch Temporal.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Db, PlaybookRun } from '../db/client';
import { createPlaybookRun, finishPlaybookRun, type NewPlaybookRun } from '../engines/playbooks/runs';
import { workflowIds } from '../../workflows/ids';
import { ClientIdKey } from '../../workflows/search-attributes';
import {
  checkpointDecisionUpdate,
  playbookRunProgressQuery,
  retryStepUpdate,
  type CheckpointDecisionInput,
  type PlaybookRunInput,
  type PlaybookRunProgress,
  type RetryStepInput,
} from '../../workflows/definitions/playbook-run';
import type { playbookRunWorkflow } from '../../workflows/playbook-run';
import { isWorkflowClosed, queryOrNull } from './temporal';

export interface PlaybookRunDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/** The workflow refused a command (nothing waiting for it, another step's, already decided) or is not running. */
export class PlaybookCommandRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaybookCommandRefused';
  }
}

/** Creates the run (queued, with its steps) and starts `playbook-run:<runId>`; throws UnknownPlaybook, PlaybookSkillsMissing. */
export async function requestPlaybookRun(deps: PlaybookRunDeps, r: NewPlaybookRun): Promise<PlaybookRun> {
  const run = await createPlaybookRun(deps.db, r);
  const input: PlaybookRunInput = { version: 1, runId: run.id, clientId: run.clientId, playbookSlug: run.playbookSlug };
  try {
    await deps.temporal.workflow.start<typeof playbookRunWorkflow>('playbookRunWorkflow', {
      workflowId: workflowIds.playbookRun(run.id),
      taskQueue: deps.taskQueue,
      args: [input],
      typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: run.clientId }]),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      await finishPlaybookRun(deps.db, run.id, 'failed', 'the run could not be started; try again');
      throw err;
    }
  }
  return run;
}

async function runUpdate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new PlaybookCommandRefused(err.cause?.message ?? err.message);
    if (isWorkflowClosed(err)) throw new PlaybookCommandRefused('the run is not running');
    throw err;
  }
}

/** approve / edit / reject the open checkpoint; answers once the decision is stored. Throws PlaybookCommandRefused. */
export function decidePlaybookCheckpoint(temporal: Client, runId: string, d: Omit<CheckpointDecisionInput, 'version'>): Promise<PlaybookRunProgress> {
  return runUpdate(() => temporal.workflow.getHandle(workflowIds.playbookRun(runId)).executeUpdate(checkpointDecisionUpdate, { args: [{ version: 1, ...d }] }));
}

/** Runs a failed step again (the steps before it are not re-run). Throws PlaybookCommandRefused. */
export function retryPlaybookStep(temporal: Client, runId: string, r: Omit<RetryStepInput, 'version'>): Promise<PlaybookRunProgress> {
  return runUpdate(() => temporal.workflow.getHandle(workflowIds.playbookRun(runId)).executeUpdate(retryStepUpdate, { args: [{ version: 1, ...r }] }));
}

/** Asks the run's workflow to cancel (its running skill runs with it); false when there is no workflow to ask. */
export async function cancelPlaybookRun(temporal: Client, runId: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(workflowIds.playbookRun(runId)).cancel();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export async function playbookRunLiveProgress(temporal: Client, runId: string): Promise<PlaybookRunProgress | null> {
  return queryOrNull(() => temporal.workflow.getHandle(workflowIds.playbookRun(runId)).query(playbookRunProgressQuery));
}
