// /api/v1/runs — run a skill for a client (202; the work happens in skillRunWorkflow), list runs,
// read one with its live step, cancel it, retry a failed or cancelled one. The caller must be a
// member of the run's client (viewer to read); another tenant's run is a 404. Starting a run (and a
// retry) counts against the per-user, per-skill hourly limit (skill-run-limit.ts).
import type { Request } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { findRunnableSkill } from '../../engines/skill-runs/skill-store';
import { finishRun, listRuns, playbookStepRun, RunNotRetryable, runView, TERMINAL, UnknownSkill } from '../../engines/skill-runs/runs';
import { cancelSkillRun, requestSkillRun, retrySkillRun, skillRunLiveProgress } from '../../lifecycle/skill-runs';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { dateTime, nullableDateTime, ok, pageOf } from '../openapi/spec';
import { decodeCursor, page, pageQuery } from '../pagination';
import { defineRoute, routerFor, type Route } from '../route-table';
import { dateWindow, listedClients } from '../cross-client';
import { skillRunLimiterFor } from '../skill-run-limit';
import { dayOrInstant, httpUrl, uuid } from '../validate';

export const runBody = z
  .object({
    skill: z.string().regex(SKILL_SLUG, 'must be a skill slug'),
    clientId: uuid,
    message: z.string().trim().min(1).max(8000),
    /** POSTed (HMAC-signed) when the run ends. */
    callbackUrl: httpUrl.optional(),
  })
  .strict();
export const runParams = z.object({ runId: uuid });
const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const runsQuery = pageQuery
  .extend({
    clientId: uuid.optional(),
    skill: z.string().regex(SKILL_SLUG, 'must be a skill slug').optional(),
    status: z.enum(RUN_STATUSES).optional(),
    source: z.enum(['api', 'telegram', 'playbook']).optional(),
    /** Only the runs the caller started. */
    mine: z.enum(['true', 'false']).optional(),
    /** From this instant or day (inclusive). */
    from: dayOrInstant.optional(),
    /** Before this instant, or up to the end of this day. */
    to: dayOrInstant.optional(),
  })
  .strict();

const runStatus = z.enum(RUN_STATUSES);
const RunSchema = z
  .object({
    runId: z.string(),
    clientId: z.string(),
    skill: z.string(),
    message: z.string(),
    status: runStatus,
    source: z.string(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costUsd: z.number(),
    outputId: z.string().nullable(),
    retryOf: z.string().nullable().describe('The failed or cancelled run this one retries'),
    skillVersion: z.number().int().nullable().describe('The skill version the run generates with, recorded when it was requested'),
    createdAt: dateTime,
    startedAt: nullableDateTime,
    completedAt: nullableDateTime,
  })
  .meta({ id: 'SkillRun' });
const runDetail = RunSchema.extend({
  step: z.string(),
  retriedBy: z.string().nullable().describe('The run that retried this one, if any'),
});
const started = z.object({ runId: z.string(), status: runStatus, retryOf: z.string().nullable() });

const invalid = (path: string, code: string, message: string) =>
  new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [{ path: [path], code, message }]);

// A soft-deleted client's runs are gone like the rest of it.
async function loadRun(deps: ApiDeps, runId: string) {
  const run = await deps.db.skillRun.findFirst({ where: { id: runId, client: { deletedAt: null } } });
  if (!run) throw notFound('run');
  return run;
}
const outputIdOf = async (deps: ApiDeps, runId: string) => (await deps.db.output.findUnique({ where: { runId }, select: { id: true } }))?.id ?? null;
const retriedByOf = async (deps: ApiDeps, runId: string) =>
  (await deps.db.skillRun.findUnique({ where: { retryOfId: runId }, select: { id: true } }))?.id ?? null;

/** The per-user, per-skill hourly limit (429 with Retry-After), counted once the request is valid and allowed. */
async function takeRunSlot(deps: ApiDeps, req: Request, skillSlug: string, clientId: string): Promise<void> {
  await skillRunLimiterFor(deps).take(deps.db, req.caller!.userId, skillSlug, clientId);
}

const RUNS = '/api/v1/runs';

export const runRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: RUNS,
    summary: "Runs of your clients' skills, newest first",
    description: 'Filters: `clientId`, `skill`, `status`, `source`, `mine=true` (runs you started), `from`/`to` (day or instant). Cursor pages.',
    tag: 'runs',
    access: { kind: 'user' },
    query: runsQuery,
    responses: { 200: ok(pageOf(RunSchema)) },
    handler: async ({ query: q, req, res, deps }) => {
      const clientIds = await listedClients(req, deps.db, q.clientId);
      const { from, to } = dateWindow(q);
      const rows = await listRuns(deps.db, {
        clientIds,
        skill: q.skill,
        status: q.status,
        source: q.source,
        userId: q.mine === 'true' ? req.caller!.userId : undefined,
        from,
        to,
        after: decodeCursor(q.cursor),
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map((r) => runView(r, r.outputId)), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'post',
    path: RUNS,
    summary: 'Run a skill for a client',
    description:
      'Answers 202 at once; the run proceeds in `skillRunWorkflow`. With `callbackUrl`, the end of the run is POSTed there, signed (X-AgencyOS-Signature: sha256=HMAC of `<X-AgencyOS-Timestamp>.<body>`). ' +
      'Runs per user per skill per hour are limited (429 with `Retry-After`; expensive skills have lower limits).',
    tag: 'runs',
    access: { kind: 'client', role: 'member' },
    body: runBody,
    responses: { 202: { description: 'Accepted', schema: started } },
    handler: async ({ body, authorizeClient, req, res, deps }) => {
      const b = body();
      authorizeClient(b.clientId);
      const client = await deps.db.client.findFirst({ where: { id: b.clientId, deletedAt: null }, select: { id: true } });
      if (!client) throw notFound('client');
      // Another client's own skill is as unknown as no skill.
      if (!(await findRunnableSkill(deps.db, b.clientId, b.skill))) throw invalid('skill', 'unknown_skill', `no skill ${b.skill}`);
      await takeRunSlot(deps, req, b.skill, b.clientId);
      let run;
      try {
        run = await requestSkillRun(deps, {
          clientId: b.clientId,
          userId: req.caller?.userId ?? null,
          skillSlug: b.skill,
          message: b.message,
          source: 'api',
          notify: b.callbackUrl ? { kind: 'callback', url: b.callbackUrl } : null,
        });
      } catch (err) {
        if (err instanceof UnknownSkill) throw invalid('skill', 'unknown_skill', err.message);
        throw err;
      }
      await recordAudit(deps.db, {
        clientId: run.clientId,
        ...actorOf(req),
        action: 'skill_run.start',
        entityType: 'skill_run',
        entityId: run.id,
        after: { skill: run.skillSlug },
      });
      res.status(202).location(`${RUNS}/${run.id}`).json({ runId: run.id, status: run.status, retryOf: null });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${RUNS}/{runId}`,
    summary: 'A run with its live step',
    tag: 'runs',
    access: { kind: 'client', role: 'viewer' },
    params: runParams,
    responses: { 200: ok(runDetail) },
    handler: async ({ params: { runId }, authorizeClient, res, deps }) => {
      const run = await loadRun(deps, runId);
      authorizeClient(run.clientId, 'run');
      const terminal = TERMINAL.includes(run.status);
      const live = terminal ? null : await skillRunLiveProgress(deps.temporal, runId);
      // The workflow's word while it runs (it is ahead of the row); the row once it has ended.
      const view = runView(run, live?.outputId ?? (await outputIdOf(deps, runId)));
      res.json({
        ...view,
        status: live?.status ?? view.status,
        step: live?.step ?? (terminal ? 'done' : 'starting'),
        retriedBy: await retriedByOf(deps, runId),
      });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${RUNS}/{runId}/cancel`,
    summary: 'Cancel a run',
    description: 'A cancelled run answers 200 again; a completed or failed one 409.',
    tag: 'runs',
    access: { kind: 'client', role: 'member' },
    params: runParams,
    responses: { 200: ok(runDetail), 202: { description: 'Cancellation requested', schema: runDetail } },
    handler: async ({ params: { runId }, authorizeClient, req, res, deps }) => {
      let run = await loadRun(deps, runId);
      authorizeClient(run.clientId, 'run');
      if (run.status === 'cancelled') {
        res.json({ ...runView(run, await outputIdOf(deps, runId)), step: 'done', retriedBy: await retriedByOf(deps, runId) });
        return;
      }
      if (TERMINAL.includes(run.status)) throw new HttpError(409, 'CONFLICT', `the run has already ${run.status === 'completed' ? 'completed' : 'failed'}`);
      if (!(await cancelSkillRun(deps.temporal, runId))) {
        // No workflow to ask (never started, or gone): end the row here.
        run = (await finishRun(deps.db, runId, 'cancelled', 'cancelled on request')) ?? run;
      }
      await recordAudit(deps.db, { clientId: run.clientId, ...actorOf(req), action: 'skill_run.cancel', entityType: 'skill_run', entityId: run.id });
      res.status(202).json({ ...runView(run, await outputIdOf(deps, runId)), step: run.status === 'cancelled' ? 'done' : 'cancelling', retriedBy: null });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${RUNS}/{runId}/retry`,
    summary: 'Retry a failed or cancelled run',
    description:
      'Starts a new run (its own id and workflow) with the same skill, client, message and callback, linked by `retryOf`. ' +
      'A queued, running or completed run is a 409, and so is a run already retried (`details.retryRunId`); retry the retry instead. Counts against the skill’s hourly limit.',
    tag: 'runs',
    access: { kind: 'client', role: 'member' },
    params: runParams,
    responses: { 202: { description: 'The new run, accepted', schema: started } },
    handler: async ({ params: { runId }, authorizeClient, req, res, deps }) => {
      const original = await loadRun(deps, runId);
      authorizeClient(original.clientId, 'run');
      const conflict = (err: RunNotRetryable) => new HttpError(409, 'CONFLICT', err.message, err.retryRunId ? { retryRunId: err.retryRunId } : undefined);
      // Checked before the limit is counted: a request that cannot succeed takes no slot.
      if (!['failed', 'cancelled'].includes(original.status))
        throw conflict(new RunNotRetryable('status', `only a failed or cancelled run can be retried; this one is ${original.status}`));
      if (original.source === 'playbook') throw conflict(playbookStepRun());
      await takeRunSlot(deps, req, original.skillSlug, original.clientId);
      let run;
      try {
        run = await retrySkillRun(deps, original, req.caller?.userId ?? null);
      } catch (err) {
        if (err instanceof RunNotRetryable) throw conflict(err);
        if (err instanceof UnknownSkill) throw new HttpError(409, 'CONFLICT', `the skill ${original.skillSlug} no longer exists`);
        throw err;
      }
      await recordAudit(deps.db, {
        clientId: run.clientId,
        ...actorOf(req),
        action: 'skill_run.retry',
        entityType: 'skill_run',
        entityId: run.id,
        after: { skill: run.skillSlug, retryOf: original.id },
      });
      res.status(202).location(`${RUNS}/${run.id}`).json({ runId: run.id, status: run.status, retryOf: original.id });
    },
  }),
];

export const runsRouter = (deps: ApiDeps) => routerFor(deps, RUNS, runRoutes);
