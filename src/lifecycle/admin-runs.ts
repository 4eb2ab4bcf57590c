// Platform-admin workflows the API starts and then reports on: the self-test, reply recovery and the
// skill feedback digest on demand. Any may take minutes (recovery is bounded by 30), so the API starts
// them (202) and a status route reads their outcome here; no HTTP request waits for a workflow. Route
// handlers never touch Temporal.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { workflowIds } from '../../workflows/ids';
import { ClientIdKey, PLATFORM_CLIENT_ID } from '../../workflows/search-attributes';
import type { selfTestWorkflow } from '../../workflows/self-test';
import { replyRecoveryWorkflowId, type ReplyRecoveryInput } from '../../workflows/definitions/replies';
import type { replyRecoveryWorkflow } from '../../workflows/reply-recovery';
import type { skillDigestWorkflow } from '../../workflows/skill-digest';

export interface StartedRun {
  /** The id the status route takes (a UUID). */
  id: string;
  workflowId: string;
  runId: string;
}

export type RunOutcome =
  { status: 'running' } | { status: 'completed'; result: unknown; durationMs: number } | { status: 'failed'; reason: string; durationMs: number };

const platform = () => new TypedSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]);

/** Starts `self-test:<id>`: an activity writes a row and reads it back. */
export async function startSelfTest(temporal: Client, taskQueue: string, note: string): Promise<StartedRun> {
  const probeId = randomUUID();
  const handle = await temporal.workflow.start<typeof selfTestWorkflow>('selfTestWorkflow', {
    taskQueue,
    workflowId: workflowIds.selfTest(probeId),
    args: [{ version: 1, probeId, note }],
    workflowExecutionTimeout: '1 minute',
    typedSearchAttributes: platform(),
  });
  return { id: probeId, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

/** Starts a reply-recovery run, the same workflow the six-hourly schedule runs. */
export async function startReplyRecovery(temporal: Client, taskQueue: string, options: Omit<ReplyRecoveryInput, 'version'>): Promise<StartedRun> {
  const id = randomUUID();
  const handle = await temporal.workflow.start<typeof replyRecoveryWorkflow>('replyRecoveryWorkflow', {
    taskQueue,
    workflowId: replyRecoveryWorkflowId(`manual-${id}`),
    args: [{ version: 1, ...options }],
    workflowExecutionTimeout: '30 minutes',
    typedSearchAttributes: platform(),
  });
  return { id, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

/** Builds this week's skill feedback digest now (the weekly schedule runs the same workflow). */
export async function startSkillDigest(temporal: Client, taskQueue: string): Promise<StartedRun> {
  const id = randomUUID();
  const handle = await temporal.workflow.start<typeof skillDigestWorkflow>('skillDigestWorkflow', {
    taskQueue,
    workflowId: skillDigestRunWorkflowId(id),
    args: [{ version: 1 }],
    workflowExecutionTimeout: '30 minutes',
    typedSearchAttributes: platform(),
  });
  return { id, workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

export const selfTestWorkflowId = (id: string) => workflowIds.selfTest(id);
export const skillDigestRunWorkflowId = (id: string) => `skill-digest:manual:${id}`;
export const replyRecoveryRunWorkflowId = (id: string) => replyRecoveryWorkflowId(`manual-${id}`);

/** Where a started run is (null: no such workflow). A completed run's result is its return value. */
export async function runOutcome(temporal: Client, workflowId: string): Promise<RunOutcome | null> {
  const handle = temporal.workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const status = description.status.name;
  if (status === 'RUNNING') return { status: 'running' };
  const durationMs = Math.max(0, (description.closeTime ?? new Date()).getTime() - description.startTime.getTime());
  if (status === 'COMPLETED') return { status: 'completed', result: await handle.result(), durationMs };
  return { status: 'failed', reason: status.toLowerCase(), durationMs };
}
