// Starting the skill-improvement playbook for one skill: its feedback since the current version →
// Claude's proposed RULES.md (with reasons) → a human approves, edits or rejects it at the checkpoint
// (POST /api/v1/playbook-runs/{id}/checkpoint) → the next version, source `improvement`.
//   POST /api/v1/skills/{slug}/improvements — a built-in: platform admins; the run belongs to the
//     client named in the body (its AI budget pays for the proposal) but only platform admins see it,
//     since it reads every client's feedback on the skill.
//   POST /api/v1/clients/{clientId}/skills/{slug}/improvements — the client's own skill: its admins.
// Refused (409) when the version has no feedback yet, or an improvement of the skill is under way.
import type { Request } from 'express';
import { z } from 'zod';
import type { Skill } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { PLAYBOOK_RUN_STATUSES, PlaybookSkillsMissing, PlaybookTargetMismatch, UnknownPlaybook, type PlaybookRunStatus } from '../../engines/playbooks/runs';
import { countFeedbackOnVersion, IMPROVEMENT_PLAYBOOK, liveImprovementRun } from '../../engines/playbooks/skill-improvement';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { currentVersion, findBuiltInSkill, findRunnableSkill } from '../../engines/skill-runs/skill-store';
import { requestPlaybookRun } from '../../lifecycle/playbook-runs';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { defineRoute, type Route } from '../route-table';
import { uuid } from '../validate';

// Not skills.ts's (it lists these routes: no import cycle).
const slugParams = z.object({ slug: z.string().regex(SKILL_SLUG, 'must be a skill slug') });
const note = z.string().trim().min(1).max(8000).describe('Guidance for the proposal, e.g. "keep subject lines under 50 characters"');
export const builtInImprovementBody = z
  .object({
    /** The client the run belongs to: its AI budget pays for the proposal. */
    clientId: uuid.describe('The client whose AI budget pays for the proposal (the run belongs to it; only platform admins see it)'),
    request: note.optional(),
  })
  .strict();
export const clientImprovementBody = z.object({ request: note.optional() }).strict();

const StartedSchema = z.object({
  playbookRunId: z.string(),
  status: z.enum(PLAYBOOK_RUN_STATUSES),
  skill: z.string(),
  builtIn: z.boolean(),
  version: z.number().int().describe('The version being improved; an approved proposal becomes the next one'),
  ratings: z.number().int().describe('Ratings on outputs of that version the proposal reads'),
});
const started = { description: 'Accepted: the run proposes, then waits at its checkpoint', schema: StartedSchema };

async function startImprovement(deps: ApiDeps, req: Request, skill: Skill, clientId: string, request: string | undefined) {
  const version = await currentVersion(deps.db, skill);
  const ratings = await countFeedbackOnVersion(deps.db, version.id);
  if (ratings === 0) throw new HttpError(409, 'CONFLICT', `no feedback on outputs of ${skill.slug} version ${version.version} yet: nothing to improve`);
  const live = await liveImprovementRun(deps.db, skill.id);
  if (live) throw new HttpError(409, 'CONFLICT', `an improvement of ${skill.slug} is under way: playbook run ${live.id} (${live.status})`);
  let run;
  try {
    run = await requestPlaybookRun(deps, {
      clientId,
      userId: req.caller?.userId ?? null,
      playbookSlug: IMPROVEMENT_PLAYBOOK,
      request: request ?? `Improve ${skill.slug} from the feedback on version ${version.version}.`,
      source: 'api',
      target: { skill },
    });
  } catch (err) {
    // The shipped playbook is synced at start-up; without it (or with it edited into one that does
    // not act on a skill) there is nothing to run.
    if (err instanceof UnknownPlaybook || err instanceof PlaybookSkillsMissing || err instanceof PlaybookTargetMismatch)
      throw new HttpError(409, 'CONFLICT', err.message);
    throw err;
  }
  await recordAudit(deps.db, {
    clientId,
    ...actorOf(req),
    action: 'skill.improvement.start',
    entityType: 'playbook_run',
    entityId: run.id,
    after: { skill: skill.slug, builtIn: skill.clientId === null, version: version.version },
  });
  return {
    location: `/api/v1/playbook-runs/${run.id}`,
    body: {
      playbookRunId: run.id,
      status: run.status as PlaybookRunStatus,
      skill: skill.slug,
      builtIn: skill.clientId === null,
      version: version.version,
      ratings,
    },
  };
}

const DESCRIPTION =
  'Starts the `skill-improvement` playbook (202): Claude reads the ratings, issues, suggested rule changes and low-rated outputs of the ' +
  "skill's current version and proposes a revised RULES.md with a reason per change; the run then waits at its checkpoint " +
  '(`POST /api/v1/playbook-runs/{playbookRunId}/checkpoint`): approve publishes it as the next version (source `improvement`), ' +
  'edit publishes your text instead (the text between the RULES.md markers, or the whole output when you send the rules alone), reject keeps the current rules. ' +
  '409 when the version has no feedback yet or an improvement of the skill is under way.';

/** Mounted with the built-in skills (/api/v1/skills). */
export const builtInImprovementRoute: Route = defineRoute({
  method: 'post',
  path: '/api/v1/skills/{slug}/improvements',
  summary: 'Improve a built-in skill’s RULES.md from its feedback',
  description: `${DESCRIPTION} Platform admins; the run belongs to \`clientId\` (its AI budget pays) and only platform admins see it.`,
  tag: 'skills',
  access: { kind: 'platform-admin' },
  params: slugParams,
  body: builtInImprovementBody,
  responses: { 202: started },
  handler: async ({ params: { slug }, body, req, res, deps }) => {
    const skill = await findBuiltInSkill(deps.db, slug);
    if (!skill) throw notFound('skill');
    const b = body();
    if (!(await deps.db.client.findFirst({ where: { id: b.clientId, deletedAt: null }, select: { id: true } }))) throw notFound('client');
    const out = await startImprovement(deps, req, skill, b.clientId, b.request);
    res.status(202).location(out.location).json(out.body);
  },
});

/** Mounted with a client's skills (/api/v1/clients/{clientId}/skills). */
export const clientImprovementRoute: Route = defineRoute({
  method: 'post',
  path: '/api/v1/clients/{clientId}/skills/{slug}/improvements',
  summary: 'Improve one of the client’s own skills from its feedback',
  description: `${DESCRIPTION} Client admins (deciding its checkpoint also needs an admin). A built-in is a 403 (platform admins improve those).`,
  tag: 'skills',
  access: { kind: 'client', role: 'admin' },
  params: slugParams.extend({ clientId: uuid }),
  body: clientImprovementBody,
  responses: { 202: started },
  handler: async ({ params: { clientId, slug }, body, req, res, deps }) => {
    const skill = await findRunnableSkill(deps.db, clientId, slug);
    if (!skill) throw notFound('skill');
    if (skill.clientId === null)
      throw new HttpError(403, 'FORBIDDEN', `${slug} is a built-in skill: platform admins improve it (POST /api/v1/skills/${slug}/improvements)`);
    const b = body();
    const out = await startImprovement(deps, req, skill, clientId, b.request);
    res.status(202).location(out.location).json(out.body);
  },
});
