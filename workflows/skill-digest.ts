// skillDigestWorkflow (weekly Schedule `schedule:skill-feedback-digest`, or on demand): aggregates
// the week's skill ratings into a digest row that admins read. The period ends at the workflow's
// start time, taken from Temporal's deterministic clock.
import { proxyActivities } from '@temporalio/workflow';
import type { SkillRunActivities } from '../activities/skill-run';
import type { SkillDigestInput } from './definitions/skill-run';
import { SHORT_ACTIVITY } from './definitions/retry';

const acts = proxyActivities<Pick<SkillRunActivities, 'skillDigestBuild'>>(SHORT_ACTIVITY);

export async function skillDigestWorkflow(_input: SkillDigestInput): Promise<string> {
  const { digestId } = await acts.skillDigestBuild({ at: new Date().toISOString() });
  return digestId;
}
