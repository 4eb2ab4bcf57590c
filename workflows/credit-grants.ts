// creditGrantsWorkflow (monthly Schedule `schedule:credit-grants`, or on demand): expires what is
// left of last month's grants, then grants every live client its plan's monthly credits. The
// activity keys each grant by client and month and each expiry by grant, so an overlapping,
// retried or repeated run grants and expires nothing twice.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { CreditActivities } from '../activities/credits';
import type { CreditGrantsInput, CreditGrantsResult } from './definitions/credits';
import { LONG_ACTIVITY } from './definitions/retry';
import { ClientIdKey, PLATFORM_CLIENT_ID } from './search-attributes';

const acts = proxyActivities<Pick<CreditActivities, 'grantMonthlyCredits'>>(LONG_ACTIVITY);

export async function creditGrantsWorkflow(input: CreditGrantsInput = { version: 1 }): Promise<CreditGrantsResult> {
  upsertSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]);
  return acts.grantMonthlyCredits({ at: input.at ?? new Date().toISOString() });
}
