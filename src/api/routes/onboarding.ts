// /api/v1/onboarding — ICP discovery: start it for a client's website, watch its progress, read the
// suggested ICP, edit it, confirm it. Every route is authenticated; the caller must be a member of
// the job's client (member to start/edit/confirm, viewer to read); another tenant's job is a 404.
import { z } from 'zod';
import { IcpDraft, IcpEdits, applyIcpEdits } from '../../engines/skills/icp/pipeline';
import { recordAudit } from '../../engines/audit';
import { confirmIcp, editIcp, icpLiveProgress, IcpRefused, startIcpDiscovery } from '../../lifecycle/onboarding';
import type { IcpDraftView } from '../../../workflows/definitions/icp';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { JobStatusSchema } from '../openapi/models';
import { anyJson, dateTime, nullableDateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { httpUrl, uuid } from '../validate';

export const analyzeBody = z.object({ clientId: uuid, websiteUrl: httpUrl }).strict();
export const jobParams = z.object({ jobId: uuid });
export const confirmBody = z.object({ jobId: uuid, edits: IcpEdits.optional() }).strict();
export const editBody = z.object({ jobId: uuid, edits: IcpEdits }).strict();

interface JobResultShape {
  scrape?: unknown;
  skills?: Record<string, unknown>;
  runs?: Record<string, unknown>;
  draft?: unknown;
  final?: unknown;
}

/** The job (a soft-deleted client's jobs are as invisible as the client), if the caller may see it. */
async function loadJob(db: ApiDeps['db'], jobId: string, authorize: (clientId: string, what: string) => void) {
  const job = await db.onboardingJob.findFirst({ where: { id: jobId, client: { deletedAt: null } } });
  if (!job) throw notFound('onboarding job');
  authorize(job.clientId, 'onboarding job');
  return job;
}

const started = z.object({ jobId: z.string(), workflowId: z.string(), status: z.string(), statusUrl: z.string() });
const icpResult = z.object({ jobId: z.string(), status: z.string(), icp: anyJson });
const ONBOARDING = '/api/v1/onboarding';

export const onboardingRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: `${ONBOARDING}/analyze`,
    summary: "Start ICP discovery for a client's website",
    tag: 'onboarding',
    access: { kind: 'client', role: 'member' },
    body: analyzeBody,
    responses: { 202: { description: 'Started', schema: started } },
    handler: async ({ body, authorizeClient, req, res, deps }) => {
      const { db } = deps;
      const input = body();
      authorizeClient(input.clientId);
      const client = await db.client.findFirst({ where: { id: input.clientId, deletedAt: null } });
      if (!client) throw notFound('client');
      const job = await db.onboardingJob.create({ data: { clientId: client.id, websiteUrl: input.websiteUrl } });
      let workflowId: string;
      try {
        workflowId = await startIcpDiscovery(deps.temporal, deps.taskQueue, { clientId: client.id, jobId: job.id, websiteUrl: input.websiteUrl });
      } catch (err) {
        req.log.warn({ err }, 'ICP discovery could not start');
        await db.onboardingJob.update({ where: { id: job.id }, data: { status: 'failed', error: 'could not start the workflow' } });
        throw new HttpError(503, 'TEMPORAL_UNAVAILABLE', 'could not start ICP discovery; try again');
      }
      await recordAudit(db, {
        clientId: client.id,
        ...actorOf(req),
        action: 'icp.analyze',
        entityType: 'onboarding_job',
        entityId: job.id,
        after: { websiteUrl: input.websiteUrl },
      });
      res.status(202).json({ jobId: job.id, workflowId, status: 'pending', statusUrl: `/api/v1/onboarding/status/${job.id}` });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${ONBOARDING}/status/{jobId}`,
    summary: 'Progress of an ICP discovery job',
    tag: 'onboarding',
    access: { kind: 'client', role: 'viewer' },
    params: jobParams,
    responses: {
      200: ok(
        z.object({
          jobId: z.string(),
          clientId: z.string(),
          websiteUrl: z.string(),
          status: z.string(),
          step: z.string().nullable(),
          percent: z.number().nullable(),
          completedSteps: z.array(z.string()),
          partial: anyJson,
          expiresAt: z.string().nullable(),
          error: z.string().nullable(),
          confirmedAt: nullableDateTime,
          updatedAt: dateTime,
          source: z.enum(['workflow', 'database']),
        }),
      ),
    },
    handler: async ({ params: { jobId }, authorizeClient, res, deps }) => {
      const job = await loadJob(deps.db, jobId, authorizeClient);
      const live = ['pending', 'running', 'awaiting_confirmation'].includes(job.status) ? await icpLiveProgress(deps.temporal, job.clientId, job.id) : null;
      const stored = (job.result ?? {}) as JobResultShape;
      res.json({
        jobId: job.id,
        clientId: job.clientId,
        websiteUrl: job.websiteUrl,
        status: live ? live.status : job.status,
        step: live ? live.step : job.step,
        percent: live ? live.percent : job.progress,
        completedSteps: live?.completedSteps ?? [...(stored.scrape ? ['scrape'] : []), ...Object.keys(stored.skills ?? {})],
        partial: live?.partial ?? null,
        expiresAt: live?.expiresAt ?? job.expiresAt?.toISOString() ?? null,
        error: live?.error ?? job.error,
        confirmedAt: job.confirmedAt,
        updatedAt: job.updatedAt,
        source: live ? 'workflow' : 'database',
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${ONBOARDING}/result/{jobId}`,
    summary: 'The suggested (or confirmed) ICP of a job',
    tag: 'onboarding',
    access: { kind: 'client', role: 'viewer' },
    params: jobParams,
    responses: {
      200: ok(
        z.object({
          jobId: z.string(),
          clientId: z.string(),
          status: JobStatusSchema,
          icp: anyJson,
          suggested: anyJson,
          edits: anyJson,
          expiresAt: nullableDateTime,
          confirmedAt: nullableDateTime,
          analysis: anyJson,
          runs: anyJson,
          scrape: anyJson,
          pages: z.array(z.object({ id: z.string(), url: z.string(), title: z.string().nullable() })),
        }),
      ),
    },
    handler: async ({ params: { jobId }, authorizeClient, res, deps: { db } }) => {
      const job = await loadJob(db, jobId, authorizeClient);
      const stored = (job.result ?? {}) as JobResultShape;
      if (!stored.draft) {
        throw new HttpError(409, 'NOT_READY', `the ICP is not ready (job is ${job.status})`, { status: job.status, step: job.step, error: job.error });
      }
      const draft = IcpDraft.parse(stored.draft);
      const edits = job.edits ? IcpEdits.parse(job.edits) : null;
      const icp = stored.final ? IcpDraft.parse(stored.final) : applyIcpEdits(draft, edits);
      const pages = await db.scrapedPage.findMany({ where: { jobId }, select: { id: true, url: true, title: true }, orderBy: { fetchedAt: 'asc' } });
      res.json({
        jobId: job.id,
        clientId: job.clientId,
        status: job.status,
        icp,
        suggested: draft,
        edits,
        expiresAt: job.expiresAt,
        confirmedAt: job.confirmedAt,
        analysis: stored.skills ?? {},
        runs: stored.runs ?? {},
        scrape: stored.scrape ?? null,
        pages,
      });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${ONBOARDING}/edit`,
    summary: 'Edit the ICP awaiting confirmation',
    tag: 'onboarding',
    access: { kind: 'client', role: 'member' },
    body: editBody,
    responses: { 200: ok(icpResult) },
    handler: async ({ body, authorizeClient, req, res, deps }) => {
      const input = body();
      const job = await loadJob(deps.db, input.jobId, authorizeClient);
      if (job.status !== 'awaiting_confirmation') throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', `the ICP cannot be edited: the job is ${job.status}`);
      let icp: IcpDraftView;
      try {
        icp = await editIcp(deps.temporal, job.clientId, job.id, input.edits, req.caller?.userId);
      } catch (err) {
        if (err instanceof IcpRefused) throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', err.message);
        throw err;
      }
      await recordAudit(deps.db, {
        clientId: job.clientId,
        ...actorOf(req),
        action: 'icp.edit',
        entityType: 'onboarding_job',
        entityId: job.id,
        after: { edits: input.edits },
      });
      res.json({ jobId: job.id, status: 'awaiting_confirmation', icp });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${ONBOARDING}/confirm`,
    summary: 'Confirm the ICP (optionally with last edits)',
    tag: 'onboarding',
    access: { kind: 'client', role: 'member' },
    body: confirmBody,
    responses: { 200: ok(icpResult) },
    handler: async ({ body, authorizeClient, req, res, deps }) => {
      const input = body();
      const job = await loadJob(deps.db, input.jobId, authorizeClient);
      if (job.status !== 'awaiting_confirmation')
        throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', `the ICP cannot be confirmed: the job is ${job.status}`);
      let result;
      try {
        result = await confirmIcp(deps.temporal, job.clientId, job.id, input.edits, req.caller?.userId);
      } catch (err) {
        if (err instanceof IcpRefused) throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', err.message);
        throw err;
      }
      await recordAudit(deps.db, {
        clientId: job.clientId,
        ...actorOf(req),
        action: 'icp.confirm',
        entityType: 'onboarding_job',
        entityId: job.id,
        after: { status: result.status, edits: input.edits ?? null },
      });
      res.json({ jobId: job.id, status: result.status, icp: result.icp });
    },
  }),
];

export const onboardingRouter = (deps: ApiDeps) => routerFor(deps, ONBOARDING, onboardingRoutes);
