// /api/v1/skills — the marketing skills catalogue (any authenticated user) and detection: which
// skill a message asks for, and which of the caller's clients it is for.
import type { Request } from 'express';
import { z } from 'zod';
import type { Db, MembershipRole } from '../../db/client';
import { aiDepsFromConfig } from '../../engines/ai/setup';
import { detectSkill, type NamedClient } from '../../engines/skill-runs/detect';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { roleAtLeast } from '../tenancy';
import { dateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

export const slugParams = z.object({ slug: z.string().regex(SKILL_SLUG, 'must be a skill slug') });
export const detectBody = z
  .object({
    message: z.string().trim().min(1).max(8000),
    /** The client the caller means, when already known. */
    clientId: uuid.optional(),
  })
  .strict();

/** The live clients the caller may act for with at least `min` (platform admins: their memberships). */
export async function callerClients(db: Db, req: Request, min: MembershipRole): Promise<NamedClient[]> {
  const caller = req.caller;
  if (!caller) throw new HttpError(401, 'UNAUTHENTICATED', 'missing bearer API key');
  const ids = [...caller.roles].filter(([, role]) => roleAtLeast(role, min)).map(([id]) => id);
  if (ids.length === 0) return [];
  return db.client.findMany({ where: { id: { in: ids }, deletedAt: null }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
}

export function skillSummary(s: {
  slug: string;
  name: string;
  type: string;
  description: string;
  triggers: string[];
  version: number;
  updatedAt: Date;
  rules: string | null;
  files: unknown;
}) {
  return {
    slug: s.slug,
    name: s.name,
    type: s.type,
    description: s.description,
    triggers: s.triggers,
    version: s.version,
    hasRules: s.rules !== null,
    resources: Object.keys((s.files ?? {}) as Record<string, string>).sort(),
    command: `/${s.slug}`,
    updatedAt: s.updatedAt.toISOString(),
  };
}

const SkillSummarySchema = z.object({
  slug: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  triggers: z.array(z.string()),
  version: z.number().int(),
  hasRules: z.boolean(),
  resources: z.array(z.string()),
  command: z.string(),
  updatedAt: dateTime,
});
const SkillDetailSchema = SkillSummarySchema.extend({
  content: z.string(),
  rules: z.string().nullable(),
  files: z.record(z.string(), z.string()),
  contentHash: z.string(),
});
const namedClient = z.object({ id: z.string(), name: z.string() });
const detection = z.object({
  skill: z.string().nullable(),
  confidence: z.number(),
  method: z.enum(['command', 'keyword', 'llm', 'none']),
  request: z.string(),
  candidates: z.array(z.object({ slug: z.string(), name: z.string(), confidence: z.number(), matched: z.array(z.string()) })),
  client: namedClient.nullable(),
  clientCandidates: z.array(namedClient),
  note: z.string().nullable(),
});

/** The AI dependencies of detection's Claude fallback, made once per app. */
type DetectionAi = ReturnType<typeof aiDepsFromConfig>;
const aiOf = new WeakMap<ApiDeps, DetectionAi>();
function detectionAi(deps: ApiDeps): DetectionAi {
  if (!aiOf.has(deps)) aiOf.set(deps, aiDepsFromConfig(deps.db, deps.config));
  return aiOf.get(deps) ?? null;
}

const SKILLS = '/api/v1/skills';

export const skillRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: SKILLS,
    summary: 'The marketing skills',
    tag: 'skills',
    access: { kind: 'user' },
    responses: { 200: ok(z.object({ data: z.array(SkillSummarySchema) })) },
    handler: async ({ res, deps }) => {
      const skills = await deps.db.skill.findMany({ orderBy: { slug: 'asc' } });
      res.json({ data: skills.map(skillSummary) });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${SKILLS}/detect`,
    summary: 'Which skill (and which of your clients) a message asks for',
    description:
      'A leading `/slug` command wins; else trigger phrases are matched; below 0.7 confidence a small Claude model chooses (when configured and the client is known).',
    tag: 'skills',
    access: { kind: 'user' },
    body: detectBody,
    responses: { 200: ok(detection) },
    handler: async ({ body, req, res, deps }) => {
      const b = body();
      const clients = await callerClients(deps.db, req, 'viewer');
      if (b.clientId && !clients.some((c) => c.id === b.clientId)) {
        // A platform admin may name any live client.
        const named = req.caller?.isPlatformAdmin
          ? await deps.db.client.findFirst({ where: { id: b.clientId, deletedAt: null }, select: { id: true, name: true } })
          : null;
        if (!named) throw notFound('client');
        clients.push(named);
      }
      res.json(await detectSkill({ db: deps.db, ai: detectionAi(deps) }, { message: b.message, clients, clientId: b.clientId }));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${SKILLS}/{slug}`,
    summary: 'A skill with its instructions, rules and resources',
    tag: 'skills',
    access: { kind: 'user' },
    params: slugParams,
    responses: { 200: ok(SkillDetailSchema) },
    handler: async ({ params: { slug }, res, deps }) => {
      const skill = await deps.db.skill.findUnique({ where: { slug } });
      if (!skill) throw notFound('skill');
      res.json({
        ...skillSummary(skill),
        content: skill.content,
        rules: skill.rules,
        files: (skill.files ?? {}) as Record<string, string>,
        contentHash: skill.contentHash,
      });
    },
  }),
];

/** Mounted at /api/v1/skills behind authenticate. */
export const skillsRouter = (deps: ApiDeps) => routerFor(deps, SKILLS, skillRoutes);
