// /api/v1/onboarding — ICP discovery: start it for a client's website, watch its progress, read the
// suggested ICP, edit it, confirm it. Every route is authenticated; the caller must be a member of
// the job's client (member to start/edit/confirm, viewer to read); another tenant's job is a 404.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { queryOrNull } from '../../lifecycle/temporal';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client as TemporalClient } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { MembershipRole } from '../../db/client';
import { IcpDraft, IcpEdits, applyIcpEdits } from '../../engines/skills/icp/pipeline';
import { recordAudit } from '../../engines/audit';
import { workflowIds } from '../../../workflows/ids';
import { ClientIdKey, SkillSlugKey } from '../../../workflows/search-attributes';
import {
  confirmIcpUpdate,
  editIcpUpdate,
  icpProgressQuery,
  type IcpDraftView,
  type IcpEditsView,
  type IcpProgress,
} from '../../../workflows/definitions/icp';
import type { icpDiscoveryWorkflow } from '../../../workflows/icp-discovery';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { roleAtLeast } from '../tenancy';
import { body, httpUrl, params, uuid } from '../validate';

export const analyzeBody = z.object({ clientId: uuid, websiteUrl: httpUrl }).strict();
export const jobParams = z.object({ jobId: uuid });
export const confirmBody = z.object({ jobId: uuid, edits: IcpEdits.optional() }).strict();
export const editBody = z.object({ jobId: uuid, edits: IcpEdits }).strict();

/** The caller's access to a client: 404 when it is not theirs, 403 when the role is too low. */
export function authorizeClient(req: Request, clientId: string, min: MembershipRole, what = 'client'): void {
  const caller = req.caller;
  if (!caller) throw new HttpError(401, 'UNAUTHENTICATED', 'missing bearer API key');
  if (caller.isPlatformAdmin) return;
  const role = caller.roles.get(clientId);
  if (!role) throw notFound(what);
  if (!roleAtLeast(role, min)) throw new HttpError(403, 'FORBIDDEN', `requires the ${min} role`);
}

// ---- lifecycle (the only code here that talks to Temporal) --------------------------------------

export async function startIcpDiscovery(temporal: TemporalClient, taskQueue: string, job: { clientId: string; jobId: string; websiteUrl: string }): Promise<string> {
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

export class IcpRefused extends Error {}

async function runUpdate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new IcpRefused(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError || /workflow execution already completed/i.test(String((err as Error).message))) {
      throw new IcpRefused('the ICP discovery has finished');
    }
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

// ---- routes --------------------------------------------------------------------------------------

interface JobResultShape {
  scrape?: unknown;
  skills?: Record<string, unknown>;
  runs?: Record<string, unknown>;
  draft?: unknown;
  final?: unknown;
}

export function onboardingRouter(deps: ApiDeps): Router {
  const r = Router();
  const { db } = deps;

  const loadJob = async (req: Request, jobId: string, min: MembershipRole) => {
    // A soft-deleted client's jobs are as invisible as the client.
    const job = await db.onboardingJob.findFirst({ where: { id: jobId, client: { deletedAt: null } } });
    if (!job) throw notFound('onboarding job');
    authorizeClient(req, job.clientId, min, 'onboarding job');
    return job;
  };

  r.post('/analyze', async (req, res) => {
    const input = body(analyzeBody, req);
    authorizeClient(req, input.clientId, 'member');
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
    await recordAudit(db, { clientId: client.id, ...actorOf(req), action: 'icp.analyze', entityType: 'onboarding_job', entityId: job.id, after: { websiteUrl: input.websiteUrl } });
    res.status(202).json({ jobId: job.id, workflowId, status: 'pending', statusUrl: `/api/v1/onboarding/status/${job.id}` });
  });

  r.get('/status/:jobId', async (req, res) => {
    const { jobId } = params(jobParams, req);
    const job = await loadJob(req, jobId, 'viewer');
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
  });

  r.get('/result/:jobId', async (req, res) => {
    const { jobId } = params(jobParams, req);
    const job = await loadJob(req, jobId, 'viewer');
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
  });

  r.post('/edit', async (req, res) => {
    const input = body(editBody, req);
    const job = await loadJob(req, input.jobId, 'member');
    if (job.status !== 'awaiting_confirmation') throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', `the ICP cannot be edited: the job is ${job.status}`);
    let icp: IcpDraftView;
    try {
      icp = await editIcp(deps.temporal, job.clientId, job.id, input.edits, req.caller?.userId);
    } catch (err) {
      if (err instanceof IcpRefused) throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', err.message);
      throw err;
    }
    await recordAudit(db, { clientId: job.clientId, ...actorOf(req), action: 'icp.edit', entityType: 'onboarding_job', entityId: job.id, after: { edits: input.edits } });
    res.json({ jobId: job.id, status: 'awaiting_confirmation', icp });
  });

  r.post('/confirm', async (req, res) => {
    const input = body(confirmBody, req);
    const job = await loadJob(req, input.jobId, 'member');
    if (job.status !== 'awaiting_confirmation') throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', `the ICP cannot be confirmed: the job is ${job.status}`);
    let result;
    try {
      result = await confirmIcp(deps.temporal, job.clientId, job.id, input.edits, req.caller?.userId);
    } catch (err) {
      if (err instanceof IcpRefused) throw new HttpError(409, 'NOT_AWAITING_CONFIRMATION', err.message);
      throw err;
    }
    await recordAudit(db, { clientId: job.clientId, ...actorOf(req), action: 'icp.confirm', entityType: 'onboarding_job', entityId: job.id, after: { status: result.status, edits: input.edits ?? null } });
    res.json({ jobId: job.id, status: result.status, icp: result.icp });
  });

  return r;
}
