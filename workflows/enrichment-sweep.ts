// enrichmentSweepWorkflow: the nightly safety net (Temporal Schedule `0 2 * * *`). Leads left
// `new` (a batch that failed or never started) or enriched but never scored get an enrichment
// workflow per client; expired cache entries are purged. The work is one activity, whose starts are
// idempotent, so a retried sweep never starts a batch twice.
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { EnrichmentActivities, FindUnenrichedResult } from '../activities/enrichment';
import type { EnrichmentSweepInput } from './definitions/enrichment';
import { LONG_ACTIVITY } from './definitions/retry';
import { ClientIdKey, PLATFORM_CLIENT_ID } from './search-attributes';

const { findUnenrichedLeads } = proxyActivities<EnrichmentActivities>(LONG_ACTIVITY);

export async function enrichmentSweepWorkflow(input: EnrichmentSweepInput = { version: 1 }): Promise<FindUnenrichedResult> {
  upsertSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]);
  return findUnenrichedLeads({ limit: input.limit });
}
