// The campaign lifecycle as the API sees it: start the workflow, move it with the `transition`
// update, tell it about new leads, read its live state. Route handlers never touch Temporal directly.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { campaignStateQuery, leadsAddedSignal, transitionUpdate, type CampaignAction, type CampaignState } from '../../workflows/definitions/campaign';
import { workflowIds } from '../../workflows/ids';
import { CampaignIdKey, ClientIdKey } from '../../workflows/search-attributes';
import type { campaignWorkflow } from '../../workflows/campaign';
import { isWorkflowClosed, queryOrNull } from './temporal';

export class TransitionRefused extends Error {}

/**
 * Starts the campaign's workflow (a repeated start is a no-op). `resumeFrom` restarts a campaign
 * whose workflow was lost in the state the database records.
 */
export async function startCampaignWorkflow(
  temporal: Client,
  taskQueue: string,
  c: { clientId: string; id: string },
  resumeFrom?: { status: 'active' | 'paused' },
): Promise<void> {
  try {
    await temporal.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      workflowId: workflowIds.campaign(c.id),
      taskQueue,
      args: [{ version: 1, clientId: c.clientId, campaignId: c.id, ...(resumeFrom ? { initialStatus: resumeFrom.status } : {}) }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: new TypedSearchAttributes([
        { key: ClientIdKey, value: c.clientId },
        { key: CampaignIdKey, value: c.id },
      ]),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Runs the transition and returns the new state; TransitionRefused when it is not allowed. */
export async function transitionCampaign(temporal: Client, campaignId: string, action: CampaignAction): Promise<CampaignState> {
  const handle = temporal.workflow.getHandle(workflowIds.campaign(campaignId));
  try {
    return await handle.executeUpdate(transitionUpdate, { args: [{ version: 1, action }] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new TransitionRefused(err.cause?.message ?? err.message);
    // A closed campaign workflow (completed or cancelled) accepts no updates.
    if (isWorkflowClosed(err)) throw new TransitionRefused(`cannot ${action} a finished campaign`);
    throw err;
  }
}

export async function notifyLeadsAdded(temporal: Client, campaignId: string, count: number): Promise<void> {
  try {
    await temporal.workflow.getHandle(workflowIds.campaign(campaignId)).signal(leadsAddedSignal, { version: 1, count });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/** The workflow's live state, or null when there is no workflow to ask (the database holds the truth). */
export async function campaignLiveState(temporal: Client, campaignId: string): Promise<CampaignState | null> {
  return queryOrNull(() => temporal.workflow.getHandle(workflowIds.campaign(campaignId)).query(campaignStateQuery));
}
