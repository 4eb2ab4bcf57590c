// Migrate-leads requests as background jobs: the API starts leadMigrationWorkflow (and answers 202)
// and reads where it is; no request waits while thousands of sequences are updated. Route handlers
// never touch Temporal.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { workflowIds } from '../../workflows/ids';
import { CampaignIdKey, ClientIdKey } from '../../workflows/search-attributes';
import { leadMigrationProgressQuery, type LeadMigrationInput, type LeadMigrationResult } from '../../workflows/definitions/lead-migration';
import type { leadMigrationWorkflow } from '../../workflows/lead-migration';
import { queryOrNull } from './temporal';

export const leadMigrationWorkflowId = (campaignId: string, migrationId: string) => workflowIds.leadMigration(campaignId, migrationId);

export interface StartedLeadMigration {
  /** The id the status route takes (a UUID derived from the request, see leadMigrationIdOf). */
  id: string;
  workflowId: string;
  /** False: this request was made before, and `id` is the migration it started then. */
  started: boolean;
  /** The first run's id, when this call started it. */
  runId?: string;
}

/**
 * The migration id of a request: a UUID (version 8, name-based) of the campaign, the target
 * version, the named leads (as a set) and the request id (`X-Request-Id`). A retried request — the
 * same request id and body — names the same workflow, so it starts nothing new; a new request id
 * is a new migration (harmless beside a running one: the update is a no-op for a sequence already
 * on the version, so the second only counts those as done elsewhere).
 */
export function leadMigrationIdOf(a: { campaignId: string; toVersion: number; leadIds?: readonly string[]; requestId: string }): string {
  const leads = a.leadIds ? [...a.leadIds].sort().join(',') : '*';
  const b = createHash('sha256').update(`lead-migration\n${a.campaignId}\n${a.toVersion}\n${leads}\n${a.requestId}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Starts `lead-migration:<campaignId>:<migrationId>`, or finds the one this request started before. */
export async function startLeadMigration(
  temporal: Client,
  taskQueue: string,
  a: Omit<LeadMigrationInput, 'version' | 'carried'> & { requestId: string | null },
): Promise<StartedLeadMigration> {
  const { requestId, ...input } = a;
  const id = leadMigrationIdOf({ ...input, requestId: requestId ?? randomUUID() });
  const workflowId = leadMigrationWorkflowId(a.campaignId, id);
  let handle;
  try {
    handle = await temporal.workflow.start<typeof leadMigrationWorkflow>('leadMigrationWorkflow', {
      taskQueue,
      workflowId,
      args: [{ version: 1, ...input }],
      // A finished migration is not run again by a repeat of its request either.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: new TypedSearchAttributes([
        { key: ClientIdKey, value: a.clientId },
        { key: CampaignIdKey, value: a.campaignId },
      ]),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { id, workflowId, started: false };
    throw err;
  }
  return { id, workflowId, started: true, runId: handle.firstExecutionRunId };
}

export type LeadMigrationStatus =
  { status: 'running'; progress: LeadMigrationResult | null } | { status: 'completed'; result: LeadMigrationResult } | { status: 'failed'; reason: string };

/** Where a campaign's migration is (null: no such migration, or Temporal no longer retains it). */
export async function leadMigrationStatus(temporal: Client, campaignId: string, migrationId: string): Promise<LeadMigrationStatus | null> {
  // Without a run id: the latest run, past every continue-as-new.
  const handle = temporal.workflow.getHandle(leadMigrationWorkflowId(campaignId, migrationId));
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  // CONTINUED_AS_NEW: read between one run closing and the next being described.
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') {
    return { status: 'running', progress: await queryOrNull(() => handle.query(leadMigrationProgressQuery)) };
  }
  if (status === 'COMPLETED') return { status: 'completed', result: (await handle.result()) as LeadMigrationResult };
  return { status: 'failed', reason: status.toLowerCase() };
}
