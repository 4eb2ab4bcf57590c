// /api/v1/playbooks — multi-skill playbooks: any user lists and reads them; platform admins create
// and replace them. /api/v1/playbook-runs — run one for a client (202; the work happens in
// playbookRunWorkflow), read a run with each step's status and output, decide its open checkpoint
// (approve / edit / reject), retry its failed step, cancel it. Roles as for skill runs: viewer reads,
// member acts; another tenant's run is a 404. A skill-improvement run (it publishes a skill version)
// is acted on by the client's admins only, and one improving a built-in is seen by platform admins
// only (it reads every client's feedback): to anyone else it is a 404.
import type { Request } from 'express';
import { z } from 'zod';
import type { Prisma } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { PLAYBOOK_ACTIONS, PLAYBOOK_SLUG, PlaybookDefinition, PlaybookStepDefinition, playbookMarkdown, STEP_KEY } from '../../engines/playbooks/definition';
import { createPlaybook, missingSkills, PlaybookExists, playbookSteps, updatePlaybook } from '../../engines/playbooks/library';
import {
  finishPlaybookRun,
  loadPlaybookRunView,
  PLAYBOOK_RUN_STATUSES,
  PLAYBOOK_RUN_TERMINAL,
  PlaybookSkillsMissing,
  PlaybookTargetMismatch,
  playbookRunView,
  STEP_STATUSES,
  UnknownPlaybook,
  type PlaybookRunStatus,
} from '../../engines/playbooks/runs';
import { cancelPlaybookRun, decidePlaybookCheckpoint, PlaybookCommandRefused, requestPlaybookRun, retryPlaybookStep } from '../../lifecycle/playbook-runs';
import { actorOf } from '../actor';
import { listedClients } from '../cross-client';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { created, dateTime, nullableDateTime, ok, pageOf } from '../openapi/spec';
import { decodeCursor, page, pageQuery } from '../pagination';
import { authorizeClientRole, defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

export const playbookSlugParams = z.object({ slug: z.string().regex(PLAYBOOK_SLUG, 'must be a playbook slug') });
export const playbookRunParams = z.object({ playbookRunId: uuid });
export const playbookBody = PlaybookDefinition;
export const playbookUpdateBody = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().min(1).max(1000),
    steps: z.array(PlaybookStepDefinition).min(1).max(20),
  })
  .strict();
export const playbookRunBody = z
  .object({
    playbook: z.string().regex(PLAYBOOK_SLUG, 'must be a playbook slug'),
    clientId: uuid,
    request: z.string().trim().min(1).max(8000),
  })
  .strict();
export const checkpointBody = z
  .object({
    decision: z.enum(['approve', 'edit', 'reject']),
    /** The step whose checkpoint the caller is deciding (refused if another is open). */
    step: z.string().regex(STEP_KEY).optional(),
    /** edit: the text that replaces the step's output for the steps after it. */
    output: z.string().trim().min(1).max(100_000).optional(),
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((b) => b.decision !== 'edit' || b.output !== undefined, { path: ['output'], message: 'an edit needs the replacement output' })
  .refine((b) => b.decision === 'edit' || b.output === undefined, { path: ['output'], message: 'output is only for an edit' });
export const retryStepBody = z.object({ step: z.string().regex(STEP_KEY).optional() }).strict();
export const playbookRunsQuery = pageQuery
  .extend({
    clientId: uuid.optional(),
    playbook: z.string().regex(PLAYBOOK_SLUG, 'must be a playbook slug').optional(),
    status: z.enum(PLAYBOOK_RUN_STATUSES).optional(),
  })
  .strict();

const StepDefinitionSchema = z.object({
  key: z.string(),
  skill: z.string().optional().describe('The skill that runs the step (absent for an action step)'),
  action: z.enum(PLAYBOOK_ACTIONS).optional().describe("A built-in action on the run's target skill (skill-improvement)"),
  instruction: z.string(),
  inputs: z.array(z.string()),
  parallel: z.string().nullable(),
  checkpoint: z.string().nullable(),
});
const PlaybookSummarySchema = z
  .object({
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    version: z.number().int(),
    source: z.enum(['folder', 'api']).describe('folder: synced from playbooks/<slug>.md; api: written through the API (the folder sync leaves it alone)'),
    steps: z.array(StepDefinitionSchema),
    updatedAt: dateTime,
  })
  .meta({ id: 'Playbook' });
const PlaybookDetailSchema = PlaybookSummarySchema.extend({ markdown: z.string().describe('The playbook in its file form') });
const StepSchema = z.object({
  key: z.string(),
  position: z.number().int(),
  skill: z.string().describe('The skill the step runs, or for an action step the skill it acts on'),
  action: z.enum(PLAYBOOK_ACTIONS).nullable().describe('propose-rules / publish-rules (skill-improvement); null: a skill run'),
  parallel: z.string().nullable(),
  inputs: z.array(z.string()),
  checkpoint: z.string().nullable(),
  status: z.enum(STEP_STATUSES),
  attempts: z.number().int(),
  skillRunId: z.string().nullable().describe('The skill run of the latest attempt (GET /runs/{runId})'),
  outputId: z.string().nullable(),
  output: z.string().nullable().describe('What later steps read: the output, or the text a reviewer replaced it with'),
  edited: z.boolean(),
  error: z.string().nullable(),
  decisionNote: z.string().nullable(),
  startedAt: nullableDateTime,
  completedAt: nullableDateTime,
});
const PlaybookRunSchema = z
  .object({
    playbookRunId: z.string(),
    clientId: z.string(),
    playbook: z.string(),
    playbookVersion: z.number().int(),
    request: z.string(),
    target: z
      .object({ skillId: z.string().nullable(), skill: z.string(), builtIn: z.boolean(), version: z.number().int() })
      .nullable()
      .describe('skill-improvement: the skill the run works on and the version it improves'),
    status: z.enum(PLAYBOOK_RUN_STATUSES),
    source: z.string(),
    error: z.string().nullable(),
    waitingFor: z.object({ step: z.string(), kind: z.enum(['checkpoint', 'retry']) }).nullable(),
    steps: z.array(StepSchema),
    createdAt: dateTime,
    startedAt: nullableDateTime,
    completedAt: nullableDateTime,
  })
  .meta({ id: 'PlaybookRun' });
const started = z.object({ playbookRunId: z.string(), status: z.enum(PLAYBOOK_RUN_STATUSES) });

const invalid = (path: string, code: string, message: string) =>
  new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [{ path: [path], code, message }]);

function playbookView(p: { slug: string; name: string; description: string; version: number; source: string; steps: Prisma.JsonValue; updatedAt: Date }) {
  return {
    slug: p.slug,
    name: p.name,
    description: p.description,
    version: p.version,
    source: p.source === 'api' ? ('api' as const) : ('folder' as const),
    steps: playbookSteps(p),
    updatedAt: p.updatedAt.toISOString(),
  };
}

async function requireSkills(deps: ApiDeps, steps: PlaybookStepDefinition[]): Promise<void> {
  const missing = await missingSkills(deps.db, steps);
  if (missing.length) throw invalid('steps', 'unknown_skill', `no skill ${missing.join(', ')}`);
}

// A soft-deleted client's runs are gone like the rest of it.
async function loadRun(deps: ApiDeps, playbookRunId: string) {
  const run = await deps.db.playbookRun.findFirst({ where: { id: playbookRunId, client: { deletedAt: null } }, include: { steps: true } });
  if (!run) throw notFound('playbook run');
  return run;
}

/**
 * After the route's own check (authorizeClient): a built-in's improvement run is a 404 to all but
 * platform admins; acting on any improvement run (it publishes a skill version) needs a client admin.
 */
function authorizeImprovement(req: Request, run: { clientId: string; platformOnly: boolean; targetVersion: number | null }, acting: boolean): void {
  if (run.platformOnly && !req.caller?.isPlatformAdmin) throw notFound('playbook run');
  if (acting && run.targetVersion !== null) authorizeClientRole(req, run.clientId, 'admin', 'playbook run');
}

async function currentView(deps: ApiDeps, playbookRunId: string) {
  return (await loadPlaybookRunView(deps.db, playbookRunId))!;
}

const refused = (err: PlaybookCommandRefused) => new HttpError(409, 'CONFLICT', err.message);

const audit = (deps: ApiDeps, req: Request, clientId: string, action: string, entityId: string, after?: Record<string, unknown>) =>
  recordAudit(deps.db, { clientId, ...actorOf(req), action, entityType: 'playbook_run', entityId, after });

const PLAYBOOKS = '/api/v1/playbooks';
const RUNS = '/api/v1/playbook-runs';

export const playbookRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: PLAYBOOKS,
    summary: 'The playbooks (multi-skill workflows)',
    tag: 'playbooks',
    access: { kind: 'user' },
    responses: { 200: ok(z.object({ data: z.array(PlaybookSummarySchema) })) },
    handler: async ({ res, deps }) => {
      const rows = await deps.db.playbook.findMany({ orderBy: { slug: 'asc' } });
      res.json({ data: rows.map(playbookView) });
    },
  }),
  defineRoute({
    method: 'post',
    path: PLAYBOOKS,
    summary: 'Create a playbook',
    description:
      'Steps run in order; neighbouring steps with the same `parallel` group run at once; `inputs` name earlier steps whose outputs the step reads; ' +
      '`checkpoint` makes the run wait for a human decision after the step. Every step names an installed skill.',
    tag: 'playbooks',
    access: { kind: 'platform-admin' },
    body: playbookBody,
    responses: { 201: created(PlaybookDetailSchema) },
    handler: async ({ body, req, res, deps }) => {
      const b = body();
      await requireSkills(deps, b.steps);
      let row;
      try {
        row = await createPlaybook(deps.db, b);
      } catch (err) {
        if (err instanceof PlaybookExists) throw new HttpError(409, 'CONFLICT', err.message);
        throw err;
      }
      await recordAudit(deps.db, { ...actorOf(req), action: 'playbook.create', entityType: 'playbook', entityId: row.id, after: { slug: row.slug } });
      res
        .status(201)
        .location(`${PLAYBOOKS}/${row.slug}`)
        .json({ ...playbookView(row), markdown: playbookMarkdown(b) });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${PLAYBOOKS}/{slug}`,
    summary: 'A playbook with its steps',
    tag: 'playbooks',
    access: { kind: 'user' },
    params: playbookSlugParams,
    responses: { 200: ok(PlaybookDetailSchema) },
    handler: async ({ params: { slug }, res, deps }) => {
      const row = await deps.db.playbook.findUnique({ where: { slug } });
      if (!row) throw notFound('playbook');
      const view = playbookView(row);
      res.json({ ...view, markdown: playbookMarkdown({ slug, name: view.name, description: view.description, steps: view.steps }) });
    },
  }),
  defineRoute({
    method: 'put',
    path: `${PLAYBOOKS}/{slug}`,
    summary: 'Replace a playbook',
    description:
      'A new version when anything changed. Runs already started keep the steps they started with. A playbook edited here is no longer updated from its file.',
    tag: 'playbooks',
    access: { kind: 'platform-admin' },
    params: playbookSlugParams,
    body: playbookUpdateBody,
    responses: { 200: ok(PlaybookDetailSchema) },
    handler: async ({ params: { slug }, body, req, res, deps }) => {
      if (!(await deps.db.playbook.findUnique({ where: { slug }, select: { id: true } }))) throw notFound('playbook');
      const parsed = PlaybookDefinition.parse({ slug, ...body() });
      await requireSkills(deps, parsed.steps);
      const row = await updatePlaybook(deps.db, parsed);
      if (!row) throw notFound('playbook');
      await recordAudit(deps.db, {
        ...actorOf(req),
        action: 'playbook.update',
        entityType: 'playbook',
        entityId: row.id,
        after: { slug: row.slug, version: row.version },
      });
      res.json({ ...playbookView(row), markdown: playbookMarkdown(parsed) });
    },
  }),
];

export const playbookRunRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: RUNS,
    summary: 'Playbook runs of your clients, newest first',
    description: 'Filters: `clientId`, `playbook`, `status`. Cursor pages.',
    tag: 'playbooks',
    access: { kind: 'user' },
    query: playbookRunsQuery,
    responses: { 200: ok(pageOf(PlaybookRunSchema)) },
    handler: async ({ query: q, req, res, deps }) => {
      const clientIds = await listedClients(req, deps.db, q.clientId);
      const after = decodeCursor(q.cursor);
      const and: Prisma.PlaybookRunWhereInput[] = [{ clientId: clientIds }, { client: { deletedAt: null } }];
      if (!req.caller?.isPlatformAdmin) and.push({ platformOnly: false });
      if (q.playbook) and.push({ playbookSlug: q.playbook });
      if (q.status) and.push({ status: q.status });
      if (after) and.push({ OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] });
      const rows = await deps.db.playbookRun.findMany({
        where: { AND: and },
        include: { steps: true },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map((r) => playbookRunView(r, r.steps)), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'post',
    path: RUNS,
    summary: 'Run a playbook for a client',
    description:
      'Answers 202 at once; the run proceeds in `playbookRunWorkflow`, one skill run per step, and waits at each checkpoint for `POST /playbook-runs/{playbookRunId}/checkpoint`.',
    tag: 'playbooks',
    access: { kind: 'client', role: 'member' },
    body: playbookRunBody,
    responses: { 202: { description: 'Accepted', schema: started } },
    handler: async ({ body, authorizeClient, req, res, deps }) => {
      const b = body();
      authorizeClient(b.clientId);
      const client = await deps.db.client.findFirst({ where: { id: b.clientId, deletedAt: null }, select: { id: true } });
      if (!client) throw notFound('client');
      let run;
      try {
        run = await requestPlaybookRun(deps, {
          clientId: b.clientId,
          userId: req.caller?.userId ?? null,
          playbookSlug: b.playbook,
          request: b.request,
          source: 'api',
        });
      } catch (err) {
        if (err instanceof UnknownPlaybook) throw invalid('playbook', 'unknown_playbook', err.message);
        if (err instanceof PlaybookSkillsMissing) throw new HttpError(409, 'CONFLICT', err.message);
        if (err instanceof PlaybookTargetMismatch) throw invalid('playbook', 'needs_target_skill', err.message);
        throw err;
      }
      await audit(deps, req, run.clientId, 'playbook_run.start', run.id, { playbook: run.playbookSlug });
      res
        .status(202)
        .location(`${RUNS}/${run.id}`)
        .json({ playbookRunId: run.id, status: run.status as PlaybookRunStatus });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${RUNS}/{playbookRunId}`,
    summary: 'A playbook run with each step’s status and output',
    tag: 'playbooks',
    access: { kind: 'client', role: 'viewer' },
    params: playbookRunParams,
    responses: { 200: ok(PlaybookRunSchema) },
    handler: async ({ params: { playbookRunId }, authorizeClient, req, res, deps }) => {
      const run = await loadRun(deps, playbookRunId);
      authorizeClient(run.clientId, 'playbook run');
      authorizeImprovement(req, run, false);
      res.json(playbookRunView(run, run.steps));
    },
  }),
  defineRoute({
    method: 'post',
    path: `${RUNS}/{playbookRunId}/checkpoint`,
    summary: 'Decide the open checkpoint: approve, edit or reject',
    description:
      '`approve` goes on to the next step; `edit` replaces the step’s output (what later steps read) with `output`, then goes on; `reject` ends the run `rejected` ' +
      '(start a new run to try again). Answers once the decision is stored. 409 when no checkpoint is open, another step’s is (`step`), or it was already decided.',
    tag: 'playbooks',
    access: { kind: 'client', role: 'member' },
    params: playbookRunParams,
    body: checkpointBody,
    responses: { 200: ok(PlaybookRunSchema) },
    handler: async ({ params: { playbookRunId }, body, authorizeClient, req, res, deps }) => {
      const run = await loadRun(deps, playbookRunId);
      authorizeClient(run.clientId, 'playbook run');
      authorizeImprovement(req, run, true);
      const b = body();
      if (PLAYBOOK_RUN_TERMINAL.includes(run.status as PlaybookRunStatus)) throw new HttpError(409, 'CONFLICT', `the run is ${run.status}`);
      try {
        await decidePlaybookCheckpoint(deps.temporal, playbookRunId, { ...b, userId: req.caller?.userId ?? null });
      } catch (err) {
        if (err instanceof PlaybookCommandRefused) throw refused(err);
        throw err;
      }
      await audit(deps, req, run.clientId, `playbook_run.checkpoint.${b.decision}`, run.id, { step: b.step ?? null, note: b.note ?? null });
      res.json(await currentView(deps, playbookRunId));
    },
  }),
  defineRoute({
    method: 'post',
    path: `${RUNS}/{playbookRunId}/retry`,
    summary: 'Retry the failed step',
    description:
      'Runs the failed step again (a new skill run) without re-running the steps before it; `step` names it when several parallel steps failed. 409 when no step has failed.',
    tag: 'playbooks',
    access: { kind: 'client', role: 'member' },
    params: playbookRunParams,
    body: retryStepBody,
    responses: { 202: { description: 'Retry started', schema: PlaybookRunSchema } },
    handler: async ({ params: { playbookRunId }, body, authorizeClient, req, res, deps }) => {
      const run = await loadRun(deps, playbookRunId);
      authorizeClient(run.clientId, 'playbook run');
      authorizeImprovement(req, run, true);
      const b = body();
      if (PLAYBOOK_RUN_TERMINAL.includes(run.status as PlaybookRunStatus)) throw new HttpError(409, 'CONFLICT', `the run is ${run.status}`);
      try {
        await retryPlaybookStep(deps.temporal, playbookRunId, { step: b.step, userId: req.caller?.userId ?? null });
      } catch (err) {
        if (err instanceof PlaybookCommandRefused) throw refused(err);
        throw err;
      }
      await audit(deps, req, run.clientId, 'playbook_run.retry_step', run.id, { step: b.step ?? null });
      res.status(202).json(await currentView(deps, playbookRunId));
    },
  }),
  defineRoute({
    method: 'post',
    path: `${RUNS}/{playbookRunId}/cancel`,
    summary: 'Cancel a playbook run',
    description: 'Cancels the run and its running skill runs. A cancelled run answers 200 again; a finished one 409.',
    tag: 'playbooks',
    access: { kind: 'client', role: 'member' },
    params: playbookRunParams,
    responses: { 200: ok(PlaybookRunSchema), 202: { description: 'Cancellation requested', schema: PlaybookRunSchema } },
    handler: async ({ params: { playbookRunId }, authorizeClient, req, res, deps }) => {
      const run = await loadRun(deps, playbookRunId);
      authorizeClient(run.clientId, 'playbook run');
      authorizeImprovement(req, run, true);
      if (run.status === 'cancelled') {
        res.json(playbookRunView(run, run.steps));
        return;
      }
      if (PLAYBOOK_RUN_TERMINAL.includes(run.status as PlaybookRunStatus)) throw new HttpError(409, 'CONFLICT', `the run is already ${run.status}`);
      // No workflow to ask (never started, or gone): end the row here.
      if (!(await cancelPlaybookRun(deps.temporal, playbookRunId))) await finishPlaybookRun(deps.db, playbookRunId, 'cancelled', 'cancelled on request');
      await audit(deps, req, run.clientId, 'playbook_run.cancel', run.id);
      res.status(202).json(await currentView(deps, playbookRunId));
    },
  }),
];

export const playbooksRouter = (deps: ApiDeps) => routerFor(deps, PLAYBOOKS, playbookRoutes);
export const playbookRunsRouter = (deps: ApiDeps) => routerFor(deps, RUNS, playbookRunRoutes);
