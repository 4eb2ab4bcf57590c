// All activities, built from their dependencies (createActivities(deps)) so tests pass real
// parts configured for the test rather than mocking activities.
import type { ActivityDeps } from './deps';
import { createCampaignActivities } from './campaign';
import { createSelfTestActivities } from './self-test';
import { createSequenceActivities } from './sequence';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSelfTestActivities(deps.db),
    ...createSequenceActivities(deps),
    ...createCampaignActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
