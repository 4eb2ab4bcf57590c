// /api/v1/skills — the marketing skills catalogue and detection: which skill a message asks for, and
// which of the caller's clients it is for. Built-in skills (the skills/ folder, or made here) are read
// by any user and created or changed by platform admins only; every change is a new immutable
// version. A client's own skills are managed under /api/v1/clients/{clientId}/skills (client-skills.ts).
import type { Request } from 'express';
import { z } from 'zod';
import type { Db, MembershipRole } from '../../db/client';
import { aiDepsFromConfig } from '../../engines/ai/setup';
import { detectSkill, type NamedClient } from '../../engines/skill-runs/detect';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import { recordAudit } from '../../engines/audit';
import {
  createSkill,
  findBuiltInSkill,
  findVersion,
  listVersions,
  SkillSlugTaken,
  updateSkill,
  visibleSkillsWhere,
} from '../../engines/skill-runs/skill-store';
import { parseSkillUpload, SkillUploadInvalid, SkillUploadTooLarge } from '../../engines/skill-runs/skill-upload';
import type { Skill, SkillVersion } from '../../db/client';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { roleAtLeast } from '../tenancy';
import { created, dateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';
import { builtInImprovementRoute } from './skill-improvements';

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
  clientId: string | null;
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
    clientId: s.clientId,
    builtIn: s.clientId === null,
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
  clientId: z.string().nullable().describe('The client whose own skill this is; null for a built-in'),
  builtIn: z.boolean(),
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
export const SkillDetailSchema = SkillSummarySchema.extend({
  content: z.string(),
  rules: z.string().nullable(),
  files: z.record(z.string(), z.string()),
  contentHash: z.string(),
});
export const SkillVersionSummarySchema = z
  .object({
    version: z.number().int(),
    source: z.enum(['folder', 'api', 'improvement']).describe('The skills/ folder sync, the API, or an approved skill-improvement run'),
    createdBy: z.string().nullable().describe('The user who made it through the API'),
    contentHash: z.string(),
    name: z.string(),
    createdAt: dateTime,
  })
  .meta({ id: 'SkillVersionSummary' });
export const SkillVersionSchema = SkillVersionSummarySchema.extend({
  slug: z.string(),
  clientId: z.string().nullable(),
  type: z.string(),
  description: z.string(),
  triggers: z.array(z.string()),
  tools: z.array(z.string()),
  runsPerHour: z.number().int().nullable(),
  content: z.string().describe('SKILL.md without its front-matter'),
  rules: z.string().nullable(),
  files: z.record(z.string(), z.string()),
}).meta({ id: 'SkillVersion' });
export const SkillWrittenSchema = SkillDetailSchema.extend({
  changed: z.boolean().describe('False when the text equalled the current version: no version was made'),
});

export function skillDetail(skill: Skill) {
  return {
    ...skillSummary(skill),
    content: skill.content,
    rules: skill.rules,
    files: (skill.files ?? {}) as Record<string, string>,
    contentHash: skill.contentHash,
  };
}
export function versionSummary(v: SkillVersion) {
  return {
    version: v.version,
    source: v.source as 'folder' | 'api' | 'improvement',
    createdBy: v.createdBy,
    contentHash: v.contentHash,
    name: v.name,
    createdAt: v.createdAt.toISOString(),
  };
}
export function versionDetail(skill: Skill, v: SkillVersion) {
  return {
    ...versionSummary(v),
    slug: skill.slug,
    clientId: skill.clientId,
    type: v.type,
    description: v.description,
    triggers: v.triggers,
    tools: v.tools,
    runsPerHour: v.runsPerHour,
    content: v.content,
    rules: v.rules,
    files: (v.files ?? {}) as Record<string, string>,
  };
}

/** A skill's text: SKILL.md with its front-matter, RULES.md, resource files (text, size-limited). The whole skill each time. */
export const skillTextBody = z
  .object({
    skillMd: z.string().min(1).describe('SKILL.md: front-matter (name, type, description, triggers list; optional tools, runsPerHour) then the instructions'),
    rules: z.string().nullable().optional().describe('RULES.md (omitted or null: none)'),
    files: z
      .record(z.string().min(1).max(200), z.string())
      .optional()
      .describe('Resource files by relative path (.md .txt .json .csv .yaml .yml), each at most 256 KB; the whole skill at most 1 MB'),
  })
  .strict();
export const createSkillBody = skillTextBody.extend({ slug: z.string().regex(SKILL_SLUG, 'must be a skill slug') }).strict();
export const versionParams = slugParams.extend({ version: z.coerce.number().int().min(1).max(2_147_483_647) });

const invalidSkill = (err: SkillUploadInvalid) =>
  new HttpError(400, 'VALIDATION_ERROR', 'request is invalid', [{ path: err.path, code: err.code, message: err.message }]);

/** The upload parsed and checked: 400 for bad names, types or front-matter, 413 over the size limits. */
export function parsedUpload(slug: string, b: z.infer<typeof skillTextBody>) {
  try {
    return parseSkillUpload(slug, { skillMd: b.skillMd, rules: b.rules ?? null, files: b.files ?? {} });
  } catch (err) {
    if (err instanceof SkillUploadInvalid) throw invalidSkill(err);
    if (err instanceof SkillUploadTooLarge) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', err.message, { limitBytes: err.limitBytes });
    throw err;
  }
}

/**
 * A new version of `before` from an uploaded body (PUT on a built-in or a client skill), audited when
 * the text changed. Answers what both routes answer: the skill and whether a version was made.
 */
export async function publishSkillVersion(
  deps: ApiDeps,
  req: Request,
  before: Skill,
  b: z.infer<typeof skillTextBody>,
  clientId?: string,
): Promise<ReturnType<typeof skillDetail> & { changed: boolean }> {
  const data = parsedUpload(before.slug, b);
  const { skill, changed } = await updateSkill(deps.db, before.id, { data, createdBy: req.caller?.userId ?? null });
  if (changed)
    await recordAudit(deps.db, {
      ...(clientId ? { clientId } : {}),
      ...actorOf(req),
      action: 'skill.update',
      entityType: 'skill',
      entityId: skill.id,
      before: { version: before.version },
      after: { version: skill.version },
    });
  return { ...skillDetail(skill), changed };
}

export const slugTaken = (err: unknown): never => {
  if (err instanceof SkillSlugTaken) throw new HttpError(409, 'CONFLICT', err.message);
  throw err;
};
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

async function builtIn(deps: ApiDeps, slug: string): Promise<Skill> {
  const skill = await findBuiltInSkill(deps.db, slug);
  if (!skill) throw notFound('skill');
  return skill;
}

export const skillRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: SKILLS,
    summary: 'The marketing skills: built-ins and the own skills of your clients',
    tag: 'skills',
    access: { kind: 'user' },
    responses: { 200: ok(z.object({ data: z.array(SkillSummarySchema) })) },
    handler: async ({ req, res, deps }) => {
      const clients = await callerClients(deps.db, req, 'viewer');
      const skills = await deps.db.skill.findMany({
        where: visibleSkillsWhere(clients.map((c) => c.id)),
        orderBy: [{ slug: 'asc' }, { clientId: { sort: 'asc', nulls: 'first' } }],
      });
      res.json({ data: skills.map(skillSummary) });
    },
  }),
  defineRoute({
    method: 'post',
    path: SKILLS,
    summary: 'Create a built-in skill (version 1)',
    description:
      'Platform admins. The body is the whole skill: `skillMd` (SKILL.md with front-matter), `rules`, `files` (text resources: .md .txt .json .csv .yaml .yml, relative paths, each ≤ 256 KB, all together ≤ 1 MB: 413 past that). ' +
      "A slug already used by a built-in or by a client's skill is a 409.",
    tag: 'skills',
    access: { kind: 'platform-admin' },
    body: createSkillBody,
    responses: { 201: created(SkillWrittenSchema) },
    handler: async ({ body, req, res, deps }) => {
      const b = body();
      const data = parsedUpload(b.slug, b);
      const { skill, version } = await createSkill(deps.db, { clientId: null, slug: b.slug, data, createdBy: req.caller?.userId ?? null }).catch(slugTaken);
      await recordAudit(deps.db, {
        ...actorOf(req),
        action: 'skill.create',
        entityType: 'skill',
        entityId: skill.id,
        after: { slug: skill.slug, version: version.version },
      });
      res
        .status(201)
        .location(`${SKILLS}/${skill.slug}`)
        .json({ ...skillDetail(skill), changed: true });
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
    summary: 'A built-in skill with its instructions, rules and resources',
    description: "A client's own skill is read under /api/v1/clients/{clientId}/skills/{slug}.",
    tag: 'skills',
    access: { kind: 'user' },
    params: slugParams,
    responses: { 200: ok(SkillDetailSchema) },
    handler: async ({ params: { slug }, res, deps }) => {
      res.json(skillDetail(await builtIn(deps, slug)));
    },
  }),
  defineRoute({
    method: 'put',
    path: `${SKILLS}/{slug}`,
    summary: 'A new version of a built-in skill',
    description:
      'Platform admins. The body is the whole skill, as for create. Text equal to the current version makes no version (`changed: false`). ' +
      'A version made here is never replaced by the skills/ folder sync.',
    tag: 'skills',
    access: { kind: 'platform-admin' },
    params: slugParams,
    body: skillTextBody,
    responses: { 200: ok(SkillWrittenSchema) },
    handler: async ({ params: { slug }, body, req, res, deps }) => {
      res.json(await publishSkillVersion(deps, req, await builtIn(deps, slug), body()));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${SKILLS}/{slug}/versions`,
    summary: "A built-in skill's versions, newest first",
    tag: 'skills',
    access: { kind: 'user' },
    params: slugParams,
    responses: { 200: ok(z.object({ data: z.array(SkillVersionSummarySchema) })) },
    handler: async ({ params: { slug }, res, deps }) => {
      const skill = await builtIn(deps, slug);
      res.json({ data: (await listVersions(deps.db, skill.id)).map(versionSummary) });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${SKILLS}/{slug}/versions/{version}`,
    summary: 'One version of a built-in skill, as runs of it read it',
    tag: 'skills',
    access: { kind: 'user' },
    params: versionParams,
    responses: { 200: ok(SkillVersionSchema) },
    handler: async ({ params: { slug, version }, res, deps }) => {
      const skill = await builtIn(deps, slug);
      const v = await findVersion(deps.db, skill.id, version);
      if (!v) throw notFound('skill version');
      res.json(versionDetail(skill, v));
    },
  }),
  builtInImprovementRoute,
];

/** Mounted at /api/v1/skills behind authenticate. */
export const skillsRouter = (deps: ApiDeps) => routerFor(deps, SKILLS, skillRoutes);
