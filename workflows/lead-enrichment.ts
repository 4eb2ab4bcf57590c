// leadEnrichmentWorkflow (`enrich:<clientId>:<batchId>`): enriches then scores a batch of leads
// (≤ 10,000) in chunks, so progress is visible chunk by chunk through `enrichmentProgressQuery` and a
// failing chunk costs only its own leads. Activities are idempotent, so a repeated batch re-uses
// what is already written. Continues as new, carrying the remaining ids and the progress, before
// the history grows large.
import { ActivityFailure, ApplicationFailure, continueAsNew, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { EnrichmentActivities } from '../activities/enrichment';
import {
  DEFAULT_ENRICHMENT_CHUNK,
  enrichmentProgressQuery,
  MAX_ENRICHMENT_LEADS,
  type EnrichmentProgress,
  type LeadEnrichmentInput,
} from './definitions/enrichment';
import { LONG_ACTIVITY } from './definitions/retry';
import { ClientIdKey } from './search-attributes';

const DEFAULT_HISTORY_LIMIT = 2_000;

// Lookups wait on providers (an Apify run can take minutes); the activity heartbeats meanwhile.
// Provider failures are retried by the activity's own attempts (see PROVIDER_RETRY_ATTEMPTS).
const { enrichLeads } = proxyActivities<EnrichmentActivities>(LONG_ACTIVITY);

const { scoreLeads } = proxyActivities<EnrichmentActivities>({ ...LONG_ACTIVITY, startToCloseTimeout: '5 minutes' });

function percentOf(p: EnrichmentProgress): number {
  if (p.total === 0) return 100;
  return Math.floor(((p.scored + p.failed + p.skipped) * 100) / p.total);
}

export async function leadEnrichmentWorkflow(input: LeadEnrichmentInput): Promise<EnrichmentProgress> {
  if (input.leadIds.length > MAX_ENRICHMENT_LEADS) {
    throw ApplicationFailure.nonRetryable(`at most ${MAX_ENRICHMENT_LEADS} leads per batch, got ${input.leadIds.length}`, 'TooManyLeads');
  }
  upsertSearchAttributes([{ key: ClientIdKey, value: input.clientId }]);
  const chunkSize = Math.max(1, Math.min(input.chunkSize ?? DEFAULT_ENRICHMENT_CHUNK, 500));
  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  let remaining = input.carried ? input.leadIds : [...new Set(input.leadIds)];
  const progress: EnrichmentProgress = input.carried
    ? { ...input.carried, runs: input.carried.runs + 1 }
    : {
        batchId: input.batchId,
        total: remaining.length,
        enriched: 0,
        scored: 0,
        failed: 0,
        skipped: 0,
        percent: 0,
        step: 'starting',
        chunk: 0,
        chunks: Math.ceil(remaining.length / chunkSize),
        runs: 1,
      };
  setHandler(enrichmentProgressQuery, () => progress);

  while (remaining.length > 0) {
    const chunk = remaining.slice(0, chunkSize);
    progress.chunk++;
    progress.step = 'enriching';
    let enriched: string[] = [];
    try {
      const r = await enrichLeads({ clientId: input.clientId, leadIds: chunk, ...(input.refresh ? { refresh: true } : {}) });
      enriched = r.enriched;
      progress.enriched += r.enriched.length;
      progress.failed += r.failed.length;
      progress.skipped += r.skipped.length;
    } catch (err) {
      // Retries exhausted (e.g. the database was down): this chunk fails, the batch goes on.
      if (!(err instanceof ActivityFailure)) throw err;
      progress.failed += chunk.length;
    }
    if (enriched.length > 0) {
      progress.step = 'scoring';
      try {
        const s = await scoreLeads({ clientId: input.clientId, leadIds: enriched, now: new Date().toISOString() });
        progress.scored += s.scored.length;
        progress.skipped += s.skipped.length;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        progress.failed += enriched.length;
      }
    }
    remaining = remaining.slice(chunk.length);
    progress.percent = percentOf(progress);
    if (remaining.length > 0 && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit)) {
      await continueAsNew<typeof leadEnrichmentWorkflow>({ ...input, leadIds: remaining, carried: progress });
    }
  }
  progress.step = 'done';
  progress.percent = 100;
  return progress;
}
