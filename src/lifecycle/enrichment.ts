// Starting enrichment + scoring for imported leads (leadEnrichmentWorkflow), and reading progress.
// (Interim version written by the leads API; the enrichment work may extend it.)
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { ClientIdKey } from '../../workflows/search-attributes';

export async function startEnrichment(
  temporal: Client,
  taskQueue: string,
  a: { clientId: string; leadIds: string[] },
): Promise<{ workflowId: string; batchId: string }> {
  const batchId = randomUUID();
  const workflowId = `enrich:${a.clientId}:${batchId}`;
  await temporal.workflow.start('leadEnrichmentWorkflow', {
    workflowId,
    taskQueue,
    args: [{ version: 1, clientId: a.clientId, batchId, leadIds: a.leadIds }],
    typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: a.clientId }]),
  });
  return { workflowId, batchId };
}
