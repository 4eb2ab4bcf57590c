// /api/v1/campaigns — campaign generation from a confirmed ICP and the campaign templates it saves:
//   POST /generate {clientId}            → 202 {jobId}     (member)
//   GET  /generate/:jobId                 → progress        (viewer)
//   GET  /templates?clientId=             → templates       (viewer)
//   GET  /templates/:id                   → one template    (viewer)
//   POST /templates/:id/launch            → the campaign    (member)
// Launching creates the campaign (draft, the template's sequence and industry, the client's
// permission mode) and starts its campaignWorkflow; launching again returns the same campaign.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { queryOrNull } from '../../lifecycle/temporal';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Client as TemporalClient } from '@temporalio/client';
import type { Db, MembershipRole } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { createCampaign } from '../../engines/campaigns';
import { SequenceDefinitionSchema } from '../../engines/sequence-plan';
import { startCampaignWorkflow } from '../../lifecycle/campaigns';
import { workflowIds } from '../../../workflows/ids';
import { ClientIdKey, SkillSlugKey } from '../../../workflows/search-attributes';
import { campaignGenerationProgressQuery, type CampaignGenerationProgress } from '../../../workflows/definitions/campaign-generation';
import type { campaignGenerationWorkflow } from '../../../workflows/campaign-generation';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { body, params, query, uuid } from '../validate';
import { requireLiveClientId } from '../tenancy';
import { authorizeClient } from './onboarding';

export const generateBody = z.object({ clientId: uuid }).strict();
export const jobParams = z.object({ jobId: uuid });
export const idParams = z.object({ id: uuid });
export const listQuery = pageQuery.extend({ clientId: uuid });
export const launchBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    aiPersonalisation: z.boolean().optional(),
  })
  .strict();

// ---- lifecycle -------------------------------------------------------------------------------

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

// ---- routes ----------------------------------------------------------------------------------

export function campaignTemplatesRouter(deps: ApiDeps): Router {
  const r = Router();
  const { db } = deps;

  const loadTemplate = async (req: Request, id: string, min: MembershipRole) => {
    const t = await db.campaignTemplate.findFirst({ where: { id, deletedAt: null, client: { deletedAt: null } } });
    if (!t) throw notFound('campaign template');
    authorizeClient(req, t.clientId, min, 'campaign template');
    return t;
  };

  r.post('/generate', async (req, res) => {
    const input = body(generateBody, req);
    authorizeClient(req, input.clientId, 'member');
    const client = await db.client.findFirst({ where: { id: input.clientId, deletedAt: null } });
    if (!client) throw notFound('client');
    if (!client.icpConfirmedAt || client.icpIndustries.length === 0) {
      throw new HttpError(409, 'ICP_NOT_CONFIRMED', 'confirm an ICP first (POST /api/v1/onboarding/analyze, then /confirm)');
    }
    const onboarding = await db.onboardingJob.findFirst({ where: { clientId: client.id, status: 'confirmed' }, orderBy: { confirmedAt: 'desc' } });
    const job = await db.campaignGenerationJob.create({ data: { clientId: client.id, onboardingJobId: onboarding?.id ?? null } });
    let workflowId: string;
    try {
      workflowId = await startCampaignGeneration(deps.temporal, deps.taskQueue, { clientId: client.id, jobId: job.id });
    } catch (err) {
      req.log.warn({ err }, 'campaign generation could not start');
      await db.campaignGenerationJob.update({ where: { id: job.id }, data: { status: 'failed', error: 'could not start the workflow' } });
      throw new HttpError(503, 'TEMPORAL_UNAVAILABLE', 'could not start campaign generation; try again');
    }
    await recordAudit(db, { clientId: client.id, ...actorOf(req), action: 'campaign.generate', entityType: 'campaign_generation_job', entityId: job.id });
    res.status(202).json({ jobId: job.id, workflowId, status: 'pending', statusUrl: `/api/v1/campaigns/generate/${job.id}` });
  });

  r.get('/generate/:jobId', async (req, res) => {
    const { jobId } = params(jobParams, req);
    const job = await db.campaignGenerationJob.findUnique({ where: { id: jobId } });
    if (job && (await db.client.count({ where: { id: job.clientId, deletedAt: null } })) === 0) throw notFound('campaign generation job');
    if (!job) throw notFound('campaign generation job');
    authorizeClient(req, job.clientId, 'viewer', 'campaign generation job');
    const live = ['pending', 'running'].includes(job.status) ? await generationLiveProgress(deps.temporal, job.clientId, job.id) : null;
    const stored = (job.result ?? {}) as { templateIds?: string[]; skills?: Record<string, unknown> };
    res.json({
      jobId: job.id,
      clientId: job.clientId,
      status: live?.status ?? job.status,
      step: live?.step ?? null,
      percent: live?.percent ?? (job.status === 'completed' ? 100 : null),
      completedSteps: live?.completedSteps ?? Object.keys(stored.skills ?? {}),
      templateIds: live?.templateIds.length ? live.templateIds : (stored.templateIds ?? []),
      error: live?.error ?? job.error,
      updatedAt: job.updatedAt,
    });
  });

  r.get('/templates', async (req, res) => {
    const q = query(listQuery, req);
    authorizeClient(req, q.clientId, 'viewer');
    await requireLiveClientId(db, q.clientId);
    const rows = await db.campaignTemplate.findMany({
      where: { clientId: q.clientId, deletedAt: null, ...cursorWhere(decodeCursor(q.cursor)) },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    res.json(page(rows, q.limit));
  });

  r.get('/templates/:id', async (req, res) => {
    const { id } = params(idParams, req);
    res.json({ template: await loadTemplate(req, id, 'viewer') });
  });

  r.post('/templates/:id/launch', async (req, res) => {
    const { id } = params(idParams, req);
    const opts = body(launchBody, req);
    const template = await loadTemplate(req, id, 'member');
    const out = await launchCampaignFromTemplate(deps, template, opts);
    if (out.created) {
      await recordAudit(db, { clientId: template.clientId, ...actorOf(req), action: 'campaign.launch_template', entityType: 'campaign', entityId: out.campaign.id, after: { templateId: template.id } });
    }
    res.status(out.created ? 201 : 200).json({ campaign: out.campaign, workflowId: out.workflowId, created: out.created });
  });

  return r;
}
