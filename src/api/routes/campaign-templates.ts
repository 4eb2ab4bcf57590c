// /api/v1/campaigns — campaign generation from a confirmed ICP and the campaign templates it saves:
//   POST /generate {clientId}            → 202 {jobId}     (member)
//   GET  /generate/:jobId                 → progress        (viewer)
//   GET  /templates?clientId=             → templates       (viewer)
//   GET  /templates/:id                   → one template    (viewer)
//   PATCH /templates/:id                  → edited template (member; 409 once launched)
//   POST /templates/:id/launch            → the campaign    (member)
// Launching creates the campaign (draft, the template's sequence and industry, the client's
// permission mode) and starts its campaignWorkflow; launching again returns the same campaign.
import { z } from 'zod';
import type { Prisma } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { SequenceDefinitionSchema, TOUCH_KINDS } from '../../engines/sequence-plan';
import { TouchCopySchema } from '../../engines/sequence-versions';
import { generationLiveProgress, launchCampaignFromTemplate, startCampaignGeneration } from '../../lifecycle/campaign-generation';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { CampaignSchema, CampaignTemplateSchema } from '../openapi/models';
import { dateTime, ok, pageOf } from '../openapi/spec';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { requireLiveClientId } from '../tenancy';
import { uuid } from '../validate';

export const generateBody = z.object({ clientId: uuid }).strict();
export const jobParams = z.object({ jobId: uuid });
export const idParams = z.object({ id: uuid });
export const listQuery = pageQuery.extend({ clientId: uuid });
export const templateEditBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    industry: z.string().trim().max(100).nullable().optional(),
    sequence: SequenceDefinitionSchema.optional(),
    /** Copy per touch kind ({subject?, body} with merge fields); kinds not named keep theirs. */
    templates: z.partialRecord(z.enum(TOUCH_KINDS), TouchCopySchema).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change: give name, industry, sequence or templates' });
export const launchBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    aiPersonalisation: z.boolean().optional(),
  })
  .strict();

/** The template (not deleted, its client not deleted), if the caller may see it. */
async function loadTemplate(db: ApiDeps['db'], id: string, authorize: (clientId: string, what: string) => void) {
  const t = await db.campaignTemplate.findFirst({ where: { id, deletedAt: null, client: { deletedAt: null } } });
  if (!t) throw notFound('campaign template');
  authorize(t.clientId, 'campaign template');
  return t;
}

const CAMPAIGNS = '/api/v1/campaigns';

export const campaignTemplateRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: `${CAMPAIGNS}/generate`,
    summary: 'Generate campaign templates from the confirmed ICP',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'member' },
    body: generateBody,
    responses: { 202: { description: 'Started', schema: z.object({ jobId: z.string(), workflowId: z.string(), status: z.string(), statusUrl: z.string() }) } },
    handler: async ({ body, authorizeClient, req, res, deps }) => {
      const { db } = deps;
      const input = body();
      authorizeClient(input.clientId);
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
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CAMPAIGNS}/generate/{jobId}`,
    summary: 'Progress of a generation job',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'viewer' },
    params: jobParams,
    responses: {
      200: ok(
        z.object({
          jobId: z.string(),
          clientId: z.string(),
          status: z.string(),
          step: z.string().nullable(),
          percent: z.number().nullable(),
          completedSteps: z.array(z.string()),
          templateIds: z.array(z.string()),
          error: z.string().nullable(),
          updatedAt: dateTime,
        }),
      ),
    },
    handler: async ({ params: { jobId }, authorizeClient, res, deps }) => {
      const { db } = deps;
      const job = await db.campaignGenerationJob.findUnique({ where: { id: jobId } });
      if (job && (await db.client.count({ where: { id: job.clientId, deletedAt: null } })) === 0) throw notFound('campaign generation job');
      if (!job) throw notFound('campaign generation job');
      authorizeClient(job.clientId, 'campaign generation job');
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
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CAMPAIGNS}/templates`,
    summary: "A client's campaign templates",
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'viewer' },
    query: listQuery,
    responses: { 200: ok(pageOf(CampaignTemplateSchema)) },
    handler: async ({ query: q, authorizeClient, res, deps: { db } }) => {
      authorizeClient(q.clientId);
      await requireLiveClientId(db, q.clientId);
      const rows = await db.campaignTemplate.findMany({
        where: { clientId: q.clientId, deletedAt: null, ...cursorWhere(decodeCursor(q.cursor)) },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      res.json(page(rows, q.limit));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CAMPAIGNS}/templates/{id}`,
    summary: 'One campaign template',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ template: CampaignTemplateSchema })) },
    handler: async ({ params: { id }, authorizeClient, res, deps: { db } }) => {
      res.json({ template: await loadTemplate(db, id, authorizeClient) });
    },
  }),
  // Before launch only: a launched template's campaign has its own versions (PATCH the campaign).
  defineRoute({
    method: 'patch',
    path: `${CAMPAIGNS}/templates/{id}`,
    summary: 'Edit a campaign template before it is launched (409 after)',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: templateEditBody,
    responses: { 200: ok(z.object({ template: CampaignTemplateSchema })) },
    handler: async ({ params: { id }, body, authorizeClient, req, res, deps: { db } }) => {
      await loadTemplate(db, id, authorizeClient);
      const edit = body();
      const out = await db.$transaction(async (tx) => {
        // The launch takes the same row lock: an edit never slips in after the campaign copied the template.
        await tx.$queryRaw`SELECT id FROM campaign_templates WHERE id = ${id} FOR UPDATE`;
        const before = await tx.campaignTemplate.findUniqueOrThrow({ where: { id } });
        if (before.launchedCampaignId) {
          throw new HttpError(409, 'TEMPLATE_LAUNCHED', 'the template has been launched: edit its campaign instead', { campaignId: before.launchedCampaignId });
        }
        const messaging = (before.messaging ?? {}) as { templates?: Record<string, unknown> };
        const after = await tx.campaignTemplate.update({
          where: { id },
          data: {
            ...(edit.name !== undefined ? { name: edit.name } : {}),
            ...(edit.industry !== undefined ? { industry: edit.industry } : {}),
            ...(edit.sequence ? { sequence: edit.sequence as unknown as Prisma.InputJsonValue } : {}),
            ...(edit.templates
              ? { messaging: { ...messaging, templates: { ...(messaging.templates ?? {}), ...edit.templates } } as unknown as Prisma.InputJsonValue }
              : {}),
          },
        });
        return { before, after };
      });
      await recordAudit(db, {
        clientId: out.before.clientId,
        ...actorOf(req),
        action: 'campaign_template.edit',
        entityType: 'campaign_template',
        entityId: id,
        before: out.before,
        after: out.after,
      });
      res.json({ template: out.after });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${CAMPAIGNS}/templates/{id}/launch`,
    summary: 'Launch a template as a campaign (again: the same campaign)',
    tag: 'campaign-templates',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: launchBody,
    responses: {
      200: ok(z.object({ campaign: CampaignSchema, workflowId: z.string(), created: z.literal(false) }), 'Already launched'),
      201: { description: 'Launched', schema: z.object({ campaign: CampaignSchema, workflowId: z.string(), created: z.literal(true) }) },
    },
    handler: async ({ params: { id }, body, authorizeClient, req, res, deps }) => {
      const opts = body();
      const template = await loadTemplate(deps.db, id, authorizeClient);
      const out = await launchCampaignFromTemplate(deps, template, opts);
      if (out.created) {
        await recordAudit(deps.db, {
          clientId: template.clientId,
          ...actorOf(req),
          action: 'campaign.launch_template',
          entityType: 'campaign',
          entityId: out.campaign.id,
          after: { templateId: template.id },
        });
      }
      res.status(out.created ? 201 : 200).json({ campaign: out.campaign, workflowId: out.workflowId, created: out.created });
    },
  }),
];

export const campaignTemplatesRouter = (deps: ApiDeps) => routerFor(deps, CAMPAIGNS, campaignTemplateRoutes);
