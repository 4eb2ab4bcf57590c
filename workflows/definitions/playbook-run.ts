// Messages of playbookRunWorkflow, shared by the workflow and the API: its input, the progress
// query and the two updates a caller waits on (a checkpoint decision, a failed step's retry). A run
// is cancelled through Temporal's own cancellation (handle.cancel()), which cancels its children.
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export interface PlaybookRunInput {
  version: 1;
  runId: string;
  clientId: string;
  playbookSlug: string;
}

export type PlaybookRunPhase = 'starting' | 'running' | 'awaiting_approval' | 'step_failed' | 'completed' | 'rejected' | 'failed' | 'cancelled';

export interface PlaybookRunProgress {
  status: PlaybookRunPhase;
  /** Steps by key: pending → running → completed (→ awaiting_approval → approved/rejected), or failed. */
  steps: Record<string, string>;
  /** The checkpoint a decision is awaited for. */
  checkpoint: string | null;
  /** Failed steps a retry is awaited for. */
  failed: string[];
  error: string | null;
}

/** approve: go on; edit: replace the step's output text with `output`, then go on; reject: end the run `rejected`. */
export interface CheckpointDecisionInput {
  version: 1;
  decision: 'approve' | 'edit' | 'reject';
  /** The step the caller saw waiting (refused if another one is); default: the one waiting. */
  step?: string;
  /** The replacement text (edit only). */
  output?: string;
  note?: string;
  userId?: string | null;
}

export interface RetryStepInput {
  version: 1;
  /** The failed step to run again; default: the first failed one. */
  step?: string;
  userId?: string | null;
}

export const playbookRunProgressQuery = defineQuery<PlaybookRunProgress>('playbookRunProgress');
export const checkpointDecisionUpdate = defineUpdate<PlaybookRunProgress, [CheckpointDecisionInput]>('checkpointDecision');
export const retryStepUpdate = defineUpdate<PlaybookRunProgress, [RetryStepInput]>('retryStep');
