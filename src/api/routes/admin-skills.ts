// /api/v1/admin/skills — platform admins: the weekly skill feedback digest (the latest stored one,
// or the figures so far before the first weekly run). POST builds and stores one now through the
// digest workflow: 202 with a status URL whose completed result is the stored digest. Each skill
// links to its improvement (the skill-improvement playbook): how to start it, and the run under way.
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { improvementLinks } from '../../engines/playbooks/skill-improvement';
import { computeSkillDigest, digestView, type DigestData } from '../../engines/skill-runs/digest';
import type { Db } from '../../db/client';
import { skillDigestRunWorkflowId, startSkillDigest } from '../../lifecycle/admin-runs';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { dateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { accepted, answerOutcome, answerStarted, outcome } from '../started-runs';
import { uuid } from '../validate';

const counted = z.array(z.object({ text: z.string(), count: z.number().int() }));
const DigestSchema = z.object({
  /** Null (with stored: false) before the first digest is stored: the figures so far. */
  digestId: z.string().nullable(),
  stored: z.boolean(),
  createdAt: dateTime,
  periodStart: dateTime,
  periodEnd: dateTime,
  totalRatings: z.number().int(),
  skills: z.array(
    z.object({
      skill: z.string(),
      ratings: z.number().int(),
      averages: z.object({
        overall: z.number(),
        accuracy: z.number().nullable(),
        quality: z.number().nullable(),
        usefulness: z.number().nullable(),
        ruleCompliance: z.number().nullable(),
      }),
      previousOverall: z.number().nullable(),
      trend: z.enum(['up', 'down', 'flat', 'new']),
      lowShare: z.number(),
      commonIssues: counted,
      suggestedRuleChanges: counted,
      whatWorked: counted,
      improve: z
        .object({ method: z.literal('POST'), path: z.string() })
        .nullable()
        .describe("Starts the built-in skill's improvement (body: clientId); null when there is no built-in of that slug"),
      improvementRunId: z.string().nullable().describe('The improvement run under way (GET /api/v1/playbook-runs/{playbookRunId})'),
    }),
  ),
});

/** Adds each skill's improvement links (live: a run under way changes while the digest stays stored). */
async function withLinks<T extends Pick<DigestData, 'skills'>>(db: Db, digest: T) {
  const links = await improvementLinks(
    db,
    digest.skills.map((s) => s.skill),
  );
  return { ...digest, skills: digest.skills.map((s) => ({ ...s, ...links.get(s.skill)! })) };
}

const DIGEST = '/api/v1/admin/skills/digest';
const BUILDS = `${DIGEST}/builds`;

export const adminSkillRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: DIGEST,
    summary: 'The latest weekly skill feedback digest',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    responses: { 200: ok(DigestSchema) },
    handler: async ({ res, deps }) => {
      const latest = await deps.db.skillDigest.findFirst({ orderBy: [{ periodEnd: 'desc' }, { createdAt: 'desc' }] });
      if (latest) {
        res.json(await withLinks(deps.db, digestView(latest)));
        return;
      }
      // Before the first weekly run: the figures so far, not stored (POST stores one).
      res.json(
        await withLinks(deps.db, { digestId: null, stored: false, createdAt: new Date().toISOString(), ...(await computeSkillDigest(deps.db, new Date())) }),
      );
    },
  }),
  defineRoute({
    method: 'post',
    path: DIGEST,
    summary: 'Build the skill feedback digest now',
    description:
      'Starts the digest workflow and answers 202 at once; `GET /api/v1/admin/skills/digest/builds/{buildId}` reports the outcome, the stored digest once completed. The same period again finds the same digest.',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    responses: { 202: accepted('buildId') },
    handler: async ({ req, res, deps }) => {
      await answerStarted(
        req,
        res,
        'buildId',
        BUILDS,
        () => startSkillDigest(deps.temporal, deps.taskQueue),
        'skill digest',
        (run) => recordAudit(deps.db, { ...actorOf(req), action: 'skill_digest.build', entityType: 'workflow', entityId: run.workflowId }),
      );
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BUILDS}/{buildId}`,
    summary: 'A digest build’s outcome',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    params: z.object({ buildId: uuid }),
    responses: { 200: outcome('buildId', DigestSchema) },
    handler: ({ params: { buildId }, res, deps }) =>
      answerOutcome(deps, res, 'buildId', buildId, skillDigestRunWorkflowId(buildId), 'digest build', async (digestId) =>
        withLinks(deps.db, digestView(await deps.db.skillDigest.findUniqueOrThrow({ where: { id: String(digestId) } }))),
      ),
  }),
];

/** Mounted at /api/v1/admin/skills behind authenticate and requirePlatformAdmin. */
export const adminSkillsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/admin/skills', adminSkillRoutes);
