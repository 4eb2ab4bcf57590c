// Skill-run failures as non-retryable Temporal failures, so the run ends `failed` at once with a
// reason a user can act on instead of retrying something that cannot work.
import { ApplicationFailure } from '@temporalio/common';

export const AI_NOT_CONFIGURED = 'AINotConfigured';
export const SKILL_RUN_INVALID = 'SkillRunInvalid';

export const AI_NOT_CONFIGURED_MESSAGE = 'AI not configured: set ANTHROPIC_API_KEY to run skills';

export function aiNotConfigured(): ApplicationFailure {
  return ApplicationFailure.create({ type: AI_NOT_CONFIGURED, nonRetryable: true, message: AI_NOT_CONFIGURED_MESSAGE });
}

export function runInvalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: SKILL_RUN_INVALID, nonRetryable: true, message });
}
