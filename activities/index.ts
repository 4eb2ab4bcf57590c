// All activities, built from their dependencies (createActivities(deps)) so tests pass real
// parts configured for the test rather than mocking activities.
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import { createSelfTestActivities } from './self-test';

export interface ActivityDeps {
  db: Db;
  logger: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createSelfTestActivities(deps.db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
