// /api/v1/runs — run a skill for a client (202; the work happens in skillRunWorkflow), read a run
// with its live step, cancel it. The caller must be a member of the run's client (viewer to read);
// another tenant's run is a 404.
import { Router } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { finishRun, runView, TERMINAL, UnknownSkill } from '../../engines/skill-runs/runs';
import { cancelSkillRun, requestSkillRun, skillRunLiveProgress } from '../../lifecycle/skill-runs';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { body, httpUrl, params, uuid } from '../validate';
import { authorizeClientRole as authorizeClient } from '../route-table';

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

export function runsRouter(deps: ApiDeps): Router {
  const r = Router();

  // A soft-deleted client's runs are gone like the rest of it.
  const loadRun = async (runId: string) => {
    const run = await deps.db.skillRun.findFirst({ where: { id: runId, client: { deletedAt: null } } });
    if (!run) throw notFound('run');
    return run;
  };
  const outputIdOf = async (runId: string) => (await deps.db.output.findUnique({ where: { runId }, select: { id: true } }))?.id ?? null;

  r.post('/', async (req, res) => {
    const b = body(runBody, req);
    authorizeClient(req, b.clientId, 'member');
    const client = await deps.db.client.findFirst({ where: { id: b.clientId, deletedAt: null }, select: { id: true } });
    if (!client) throw notFound('client');
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
      if (err instanceof UnknownSkill) {
        throw new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [{ path: ['skill'], code: 'unknown_skill', message: err.message }]);
      }
      throw err;
    }
    await recordAudit(deps.db, { clientId: run.clientId, ...actorOf(req), action: 'skill_run.start', entityType: 'skill_run', entityId: run.id, after: { skill: run.skillSlug } });
    res.status(202).location(`/api/v1/runs/${run.id}`).json({ runId: run.id, status: run.status });
  });

  r.get('/:runId', async (req, res) => {
    const { runId } = params(runParams, req);
    const run = await loadRun(runId);
    authorizeClient(req, run.clientId, 'viewer', 'run');
    const terminal = TERMINAL.includes(run.status);
    const live = terminal ? null : await skillRunLiveProgress(deps.temporal, runId);
    // The workflow's word while it runs (it is ahead of the row); the row once it has ended.
    const view = runView(run, live?.outputId ?? (await outputIdOf(runId)));
    res.json({ ...view, status: live?.status ?? view.status, step: live?.step ?? (terminal ? 'done' : 'starting') });
  });

  r.post('/:runId/cancel', async (req, res) => {
    const { runId } = params(runParams, req);
    let run = await loadRun(runId);
    authorizeClient(req, run.clientId, 'member', 'run');
    if (run.status === 'cancelled') {
      res.json({ ...runView(run, await outputIdOf(runId)), step: 'done' });
      return;
    }
    if (TERMINAL.includes(run.status)) throw new HttpError(409, 'CONFLICT', `the run has already ${run.status === 'completed' ? 'completed' : 'failed'}`);
    if (!(await cancelSkillRun(deps.temporal, runId))) {
      // No workflow to ask (never started, or gone): end the row here.
      run = (await finishRun(deps.db, runId, 'cancelled', 'cancelled on request')) ?? run;
    }
    await recordAudit(deps.db, { clientId: run.clientId, ...actorOf(req), action: 'skill_run.cancel', entityType: 'skill_run', entityId: run.id });
    res.status(202).json({ ...runView(run, await outputIdOf(runId)), step: run.status === 'cancelled' ? 'done' : 'cancelling' });
  });
  return r;
}
