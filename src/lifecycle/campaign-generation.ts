// Campaign generation and template launches as the API sees them: start a generation job's
// workflow, read its live progress, launch a saved template as a campaign (row + campaignWorkflow).
// Route handlers never touch Temporal.
import { TypedSearchAttributes } from '@temporalio/common';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Db } from '../db/client';
import { createCampaign } from '../engines/campaigns';
import { SequenceDefinitionSchema } from '../engines/sequence-plan';
import { workflowIds } from '../../workflows/ids';
import { ClientIdKey, SkillSlugKey } from '../../workflows/search-attributes';
import { campaignGenerationProgressQuery, type CampaignGenerationProgress } from '../../workflows/definitions/campaign-generation';
import type { campaignGenerationWorkflow } from '../../workflows/campaign-generation';
import { startCampaignWorkflow } from './campaigns';
import { queryOrNull } from './temporal';

export async function startCampaignGeneration(temporal: TemporalClient, taskQueue: string, job: { clientId: string; jobId: string }): Promise<string> {
  const workflowId = workflowIds.campaignGeneration(job.clientId, job.jobId);
  await temporal.workflow.start<typeof campaignGenerationWorkflow>('campaignGenerationWorkflow', {
    taskQueue,
    workflowId,
    args: [{ version: 1, clientId: job.clientId, jobId: job.jobId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: new TypedSearchAttributes([
      { key: ClientIdKey, value: job.clientId },
      { key: SkillSlugKey, value: 'campaign-generation' },
    ]),
  });
  return workflowId;
}

export async function generationLiveProgress(temporal: TemporalClient, clientId: string, jobId: string): Promise<CampaignGenerationProgress | null> {
  return queryOrNull(() => temporal.workflow.getHandle(workflowIds.campaignGeneration(clientId, jobId)).query(campaignGenerationProgressQuery));
}

export interface LaunchDeps {
  db: Db;
  temporal: TemporalClient;
  taskQueue: string;
}

export interface TemplateRow {
  id: string;
  clientId: string;
  name: string;
  industry: string | null;
  sequence: unknown;
}

/**
 * Creates the template's campaign (draft; sequence, name and industry from the template; permission
 * mode from the client) and starts its campaignWorkflow. Idempotent: a template already launched
 * returns its campaign (and makes sure its workflow is running).
 */
export async function launchCampaignFromTemplate(
  deps: LaunchDeps,
  template: TemplateRow,
  opts: { name?: string; aiPersonalisation?: boolean } = {},
): Promise<{ campaign: Awaited<ReturnType<typeof createCampaign>>; created: boolean; workflowId: string }> {
  const sequence = SequenceDefinitionSchema.parse(template.sequence);
  const { campaign, created } = await deps.db.$transaction(async (tx) => {
    // Row lock: two concurrent launches of one template create one campaign.
    const [locked] = await tx.$queryRaw<Array<{ launchedCampaignId: string | null }>>`
      SELECT "launchedCampaignId" FROM campaign_templates WHERE id = ${template.id} FOR UPDATE`;
    if (locked?.launchedCampaignId) {
      const existing = await tx.campaign.findUnique({ where: { id: locked.launchedCampaignId } });
      if (existing) return { campaign: existing, created: false };
    }
    const c = await createCampaign(tx as unknown as Db, {
      clientId: template.clientId,
      name: opts.name ?? template.name,
      sequence,
      industry: template.industry,
      templateId: template.id,
      aiPersonalisation: opts.aiPersonalisation,
    });
    await tx.campaignTemplate.update({ where: { id: template.id }, data: { launchedCampaignId: c.id } });
    return { campaign: c, created: true };
  });
  await startCampaignWorkflow(deps.temporal, deps.taskQueue, { clientId: campaign.clientId, id: campaign.id });
  return { campaign, created, workflowId: workflowIds.campaign(campaign.id) };
}
