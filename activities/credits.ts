// Activities of creditGrantsWorkflow: the monthly grant run (src/engines/credits.ts), heartbeating
// its progress so a long run on a dead worker is retried elsewhere; the retry repeats nothing.
import { activityInfo, heartbeat } from '@temporalio/activity';
import { runMonthlyGrants } from '../src/engines/credits';
import type { CreditGrantsResult } from '../workflows/definitions/credits';
import type { ActivityDeps } from './deps';

export function createCreditActivities(deps: ActivityDeps) {
  return {
    /** Expires due grants, then grants the month of `at` (in SCHEDULE_TIME_ZONE) to every live client. */
    async grantMonthlyCredits(a: { at: string }): Promise<CreditGrantsResult> {
      return runMonthlyGrants(deps.db, {
        at: new Date(a.at),
        timeZone: deps.config.SCHEDULE_TIME_ZONE,
        progress: (r) => heartbeat(r),
        // Sequences waiting on credits re-check now rather than at their next 6-hourly re-check. A
        // retried attempt wakes the clients granted before it too (its grants may not have been).
        granted: (clientId) => deps.lifecycle.wakeCreditWaiters(clientId),
        again: activityInfo().attempt > 1,
      });
    },
  };
}

export type CreditActivities = ReturnType<typeof createCreditActivities>;
