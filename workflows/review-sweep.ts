// reviewSweepWorkflow (hourly Schedule `schedule:review-sweep`, or on demand): tells each client,
// once per review, about reply reviews still unresolved after REVIEW_STALE_AFTER (an outbound
// reply.needs_review event with stale: true). The activity marks each review as it tells it, so
// overlapping or retried runs tell nobody twice.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { ReplyActivities } from '../activities/replies';
import type { ReviewSweepInput } from './definitions/replies';
import { LONG_ACTIVITY } from './definitions/retry';
import { ClientIdKey, PLATFORM_CLIENT_ID } from './search-attributes';

const acts = proxyActivities<Pick<ReplyActivities, 'notifyStaleReviews'>>(LONG_ACTIVITY);

export async function reviewSweepWorkflow(_input: ReviewSweepInput = { version: 1 }): Promise<{ notified: number }> {
  upsertSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]);
  return acts.notifyStaleReviews({ at: new Date().toISOString() });
}
