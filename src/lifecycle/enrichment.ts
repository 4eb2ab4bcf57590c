// Lead enrichment as the API (after an import) and the nightly sweep see it: start a batch, read
// its progress. Route handlers never touch Temporal directly.
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { enrichmentProgressQuery, MAX_ENRICHMENT_LEADS, type EnrichmentProgress, type LeadEnrichmentInput } from '../../workflows/definitions/enrichment';
import { workflowIds } from '../../workflows/ids';
import { ClientIdKey } from '../../workflows/search-attributes';
import type { leadEnrichmentWorkflow } from '../../workflows/lead-enrichment';

export class TooManyLeadsError extends RangeError {
  constructor(count: number) {
    super(`an enrichment batch takes at most ${MAX_ENRICHMENT_LEADS} leads, got ${count}`);
    this.name = 'TooManyLeadsError';
  }
}

/**
 * Starts enrichment + scoring of these leads (`enrich:<clientId>:<batchId>`). Starting the same
 * batch again while it runs is a no-op that returns the same ids; `batchId` defaults to a new UUID.
 */
export async function startEnrichment(
  temporal: Client,
  taskQueue: string,
  a: { clientId: string; leadIds: readonly string[]; batchId?: string; refresh?: boolean },
): Promise<{ workflowId: string; batchId: string }> {
  const leadIds = [...new Set(a.leadIds)];
  if (leadIds.length > MAX_ENRICHMENT_LEADS) throw new TooManyLeadsError(leadIds.length);
  const batchId = a.batchId ?? randomUUID();
  const workflowId = workflowIds.enrichment(a.clientId, batchId);
  const input: LeadEnrichmentInput = { version: 1, clientId: a.clientId, batchId, leadIds, ...(a.refresh ? { refresh: true } : {}) };
  try {
    await temporal.workflow.start<typeof leadEnrichmentWorkflow>('leadEnrichmentWorkflow', {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: a.clientId }]),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { workflowId, batchId };
}

/**
 * The batch's progress: live while it runs, the final figures once it has completed; null when
 * there is no such workflow (or it failed or was terminated before reporting).
 */
export async function enrichmentProgress(temporal: Client, workflowId: string): Promise<EnrichmentProgress | null> {
  const handle = temporal.workflow.getHandle<typeof leadEnrichmentWorkflow>(workflowId);
  try {
    const { status } = await handle.describe();
    if (status.name === 'COMPLETED') return await handle.result();
    if (status.name === 'RUNNING') return await handle.query(enrichmentProgressQuery);
    return null;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
