// /api/v1/admin/skills — platform admins: the weekly skill feedback digest (the latest stored one,
// or the figures so far before the first weekly run; POST builds and stores it now).
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { computeSkillDigest, digestView } from '../../engines/skill-runs/digest';
import { runSkillDigestNow } from '../../lifecycle/skill-runs';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { created, dateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

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
    }),
  ),
});

const DIGEST = '/api/v1/admin/skills/digest';

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
        res.json(digestView(latest));
        return;
      }
      // Before the first weekly run: the figures so far, not stored (POST stores one).
      res.json({ digestId: null, stored: false, createdAt: new Date().toISOString(), ...(await computeSkillDigest(deps.db, new Date())) });
    },
  }),
  defineRoute({
    method: 'post',
    path: DIGEST,
    summary: 'Build the skill feedback digest now',
    description: 'Runs the digest workflow and answers with the stored digest (a few aggregate queries: seconds, not minutes).',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    responses: { 201: created(DigestSchema) },
    handler: async ({ req, res, deps }) => {
      const digestId = await runSkillDigestNow(deps.temporal, deps.taskQueue);
      const digest = await deps.db.skillDigest.findUniqueOrThrow({ where: { id: digestId } });
      await recordAudit(deps.db, { ...actorOf(req), action: 'skill_digest.build', entityType: 'skill_digest', entityId: digest.id });
      res.status(201).json(digestView(digest));
    },
  }),
];

/** Mounted at /api/v1/admin/skills behind authenticate and requirePlatformAdmin. */
export const adminSkillsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/admin/skills', adminSkillRoutes);
