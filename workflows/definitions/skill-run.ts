// Messages of skillRunWorkflow, shared by the workflow and the API: its input, the status query
// and the result. A run is cancelled through Temporal's own cancellation (handle.cancel()).
import { defineQuery } from '@temporalio/workflow';

export interface SkillRunInput {
  version: 1;
  runId: string;
  clientId: string;
  skillSlug: string;
}

export type SkillRunStep = 'starting' | 'generating' | 'saving' | 'notifying' | 'done';
export type SkillRunState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface SkillRunProgress {
  status: SkillRunState;
  step: SkillRunStep;
  outputId: string | null;
  error: string | null;
}

export const skillRunProgressQuery = defineQuery<SkillRunProgress>('skillRunProgress');

export interface SkillDigestInput {
  version: 1;
}
