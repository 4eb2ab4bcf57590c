// Skill runs as the API and the Telegram bot see them: request one (row + workflow), read its live
// progress, cancel it. Route handlers never touch Temporal.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Db, SkillRun } from '../db/client';
import { createRetryRun, createRun, finishRun, type NewRun } from '../engines/skill-runs/runs';
import { workflowIds } from '../../workflows/ids';
import { queryOrNull } from './temporal';
import { ClientIdKey, SkillSlugKey } from '../../workflows/search-attributes';
import { skillRunProgressQuery, type SkillRunInput, type SkillRunProgress } from '../../workflows/definitions/skill-run';
import type { skillRunWorkflow } from '../../workflows/skill-run';

export interface SkillRunDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

/**
 * Creates the run (queued) and starts `skill-run:<runId>`; throws UnknownSkill. Without an Anthropic
 * key on the worker the run fails at its first step with "AI not configured" (the worker's
 * configuration decides, not the API's) and the requester is told like for any failed run.
 */
export async function requestSkillRun(deps: SkillRunDeps, r: NewRun): Promise<SkillRun> {
  return startRunWorkflow(deps, await createRun(deps.db, r));
}

/**
 * Retries a failed or cancelled run: a new run (new id, so a new `skill-run:<runId>` workflow) with
 * the same inputs, linked by retryOfId. Throws RunNotRetryable (not failed/cancelled, or already
 * retried) and UnknownSkill (the skill was removed since).
 */
export async function retrySkillRun(deps: SkillRunDeps, original: SkillRun, userId: string | null): Promise<SkillRun> {
  return startRunWorkflow(deps, await createRetryRun(deps.db, original, userId));
}

async function startRunWorkflow(deps: SkillRunDeps, run: SkillRun): Promise<SkillRun> {
  const input: SkillRunInput = { version: 1, runId: run.id, clientId: run.clientId, skillSlug: run.skillSlug };
  try {
    await deps.temporal.workflow.start<typeof skillRunWorkflow>('skillRunWorkflow', {
      workflowId: workflowIds.skillRun(run.id),
      taskQueue: deps.taskQueue,
      args: [input],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: ClientIdKey, value: run.clientId },
        { key: SkillSlugKey, value: run.skillSlug },
      ]),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      // Nothing will ever run it: say so on the row rather than leave it queued forever.
      await finishRun(deps.db, run.id, 'failed', 'the run could not be started; try again');
      throw err;
    }
  }
  return run;
}

/** Live progress while the workflow runs; null when there is no workflow to ask. */
export async function skillRunLiveProgress(temporal: Client, runId: string): Promise<SkillRunProgress | null> {
  return queryOrNull(() => temporal.workflow.getHandle(workflowIds.skillRun(runId)).query(skillRunProgressQuery));
}

/** Asks the run's workflow to cancel; false when there is no workflow to ask (never started, or gone). */
export async function cancelSkillRun(temporal: Client, runId: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(workflowIds.skillRun(runId)).cancel();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
