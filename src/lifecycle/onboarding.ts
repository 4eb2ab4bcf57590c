// ICP discovery as the API sees it: start it for a client's website, read its live progress, edit
// or confirm the suggested ICP (workflow updates). Route handlers never touch Temporal.
import { WorkflowUpdateFailedError, type Client as TemporalClient } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { workflowIds } from '../../workflows/ids';
import { ClientIdKey, SkillSlugKey } from '../../workflows/search-attributes';
import { confirmIcpUpdate, editIcpUpdate, icpProgressQuery, type IcpEditsView, type IcpProgress } from '../../workflows/definitions/icp';
import type { icpDiscoveryWorkflow } from '../../workflows/icp-discovery';
import { isWorkflowClosed, queryOrNull } from './temporal';

export async function startIcpDiscovery(
  temporal: TemporalClient,
  taskQueue: string,
  job: { clientId: string; jobId: string; websiteUrl: string },
): Promise<string> {
  const workflowId = workflowIds.icpDiscovery(job.clientId, job.jobId);
  await temporal.workflow.start<typeof icpDiscoveryWorkflow>('icpDiscoveryWorkflow', {
    taskQueue,
    workflowId,
    args: [{ version: 1, clientId: job.clientId, jobId: job.jobId, websiteUrl: job.websiteUrl }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: new TypedSearchAttributes([
      { key: ClientIdKey, value: job.clientId },
      { key: SkillSlugKey, value: 'icp-discovery' },
    ]),
  });
  return workflowId;
}

/** Live progress, or null when there is no workflow to ask (the job row then tells). */
export async function icpLiveProgress(temporal: TemporalClient, clientId: string, jobId: string): Promise<IcpProgress | null> {
  return queryOrNull(() => temporal.workflow.getHandle(workflowIds.icpDiscovery(clientId, jobId)).query(icpProgressQuery));
}

/** The workflow refused the edit or confirmation (its validator's reason), or has finished. */
export class IcpRefused extends Error {}

async function runUpdate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new IcpRefused(err.cause?.message ?? err.message);
    if (isWorkflowClosed(err)) throw new IcpRefused('the ICP discovery has finished');
    throw err;
  }
}

export function confirmIcp(temporal: TemporalClient, clientId: string, jobId: string, edits: IcpEditsView | undefined, by: string | undefined) {
  const handle = temporal.workflow.getHandle(workflowIds.icpDiscovery(clientId, jobId));
  return runUpdate(() => handle.executeUpdate(confirmIcpUpdate, { args: [{ version: 1, edits, by }] }));
}

export function editIcp(temporal: TemporalClient, clientId: string, jobId: string, edits: IcpEditsView, by: string | undefined) {
  const handle = temporal.workflow.getHandle(workflowIds.icpDiscovery(clientId, jobId));
  return runUpdate(() => handle.executeUpdate(editIcpUpdate, { args: [{ version: 1, edits, by }] }));
}
