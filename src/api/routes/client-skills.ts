// /api/v1/clients/{clientId}/skills — the skills a client can run (the built-ins and its own) and its
// own skills' management. Viewers read; client admins (admin, owner) create skills and publish new
// versions; built-ins are changed by platform admins only (PUT /api/v1/skills/{slug}). Another
// client's skills are invisible: a 404 like any object of another tenant. A client skill's slug may
// not be a built-in's (409), so `/slug` in chat and `skill` in POST /runs mean one skill.
import { z } from 'zod';
import type { Skill } from '../../db/client';
import { recordAudit } from '../../engines/audit';
import { createSkill, findRunnableSkill, findVersion, listRunnableSkills, listVersions } from '../../engines/skill-runs/skill-store';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { created, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';
import { clientImprovementRoute } from './skill-improvements';
import {
  createSkillBody,
  parsedUpload,
  publishSkillVersion,
  SkillDetailSchema,
  skillDetail,
  skillSummary,
  skillTextBody,
  SkillVersionSchema,
  SkillVersionSummarySchema,
  SkillWrittenSchema,
  slugParams,
  slugTaken,
  versionDetail,
  versionParams,
  versionSummary,
} from './skills';

const BASE = '/api/v1/clients/{clientId}/skills';
const clientParams = z.object({ clientId: uuid });
const clientSlugParams = slugParams.extend({ clientId: uuid });
const clientVersionParams = versionParams.extend({ clientId: uuid });

/** The skill as the client sees it: its own, else a built-in; anything else (another client's) 404. */
async function visible(deps: ApiDeps, clientId: string, slug: string): Promise<Skill> {
  const skill = await findRunnableSkill(deps.db, clientId, slug);
  if (!skill) throw notFound('skill');
  return skill;
}

export const clientSkillRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: BASE,
    summary: 'The skills this client can run: the built-ins and its own',
    tag: 'skills',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    responses: { 200: ok(z.object({ data: z.array(SkillDetailSchema.omit({ content: true, rules: true, files: true, contentHash: true })) })) },
    handler: async ({ params: { clientId }, res, deps }) => {
      const seen = new Set<string>();
      // One per slug: the client's own before a built-in (a built-in added to skills/ later may share a slug).
      const skills = (await listRunnableSkills(deps.db, [clientId])).filter((s) => !seen.has(s.slug) && seen.add(s.slug));
      res.json({ data: skills.map(skillSummary) });
    },
  }),
  defineRoute({
    method: 'post',
    path: BASE,
    summary: "Create one of the client's own skills (version 1)",
    description:
      'Client admins. The body is the whole skill: `slug`, `skillMd` (SKILL.md with front-matter), `rules`, `files` (text resources: .md .txt .json .csv .yaml .yml, relative paths, each ≤ 256 KB, all together ≤ 1 MB: 413 past that). ' +
      "A built-in's slug, or one of the client's own, is a 409.",
    tag: 'skills',
    access: { kind: 'client', role: 'admin' },
    params: clientParams,
    body: createSkillBody,
    responses: { 201: created(SkillWrittenSchema) },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const b = body();
      const data = parsedUpload(b.slug, b);
      const { skill, version } = await createSkill(deps.db, { clientId, slug: b.slug, data, createdBy: req.caller?.userId ?? null }).catch(slugTaken);
      await recordAudit(deps.db, {
        clientId,
        ...actorOf(req),
        action: 'skill.create',
        entityType: 'skill',
        entityId: skill.id,
        after: { slug: skill.slug, version: version.version },
      });
      res
        .status(201)
        .location(`${req.baseUrl}/${skill.slug}`)
        .json({ ...skillDetail(skill), changed: true });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{slug}`,
    summary: 'A skill as this client runs it (its own, else the built-in)',
    tag: 'skills',
    access: { kind: 'client', role: 'viewer' },
    params: clientSlugParams,
    responses: { 200: ok(SkillDetailSchema) },
    handler: async ({ params: { clientId, slug }, res, deps }) => {
      res.json(skillDetail(await visible(deps, clientId, slug)));
    },
  }),
  defineRoute({
    method: 'put',
    path: `${BASE}/{slug}`,
    summary: "A new version of one of the client's own skills",
    description:
      'Client admins. The body is the whole skill, as for create. Text equal to the current version makes no version (`changed: false`). Runs already requested keep the version they recorded. A built-in is a 403 (platform admins change those).',
    tag: 'skills',
    access: { kind: 'client', role: 'admin' },
    params: clientSlugParams,
    body: skillTextBody,
    responses: { 200: ok(SkillWrittenSchema) },
    handler: async ({ params: { clientId, slug }, body, req, res, deps }) => {
      // Existence before the body, so another tenant's skill is a 404 whatever is sent.
      const before = await visible(deps, clientId, slug);
      if (before.clientId === null)
        throw new HttpError(403, 'FORBIDDEN', `${slug} is a built-in skill: platform admins change it (PUT /api/v1/skills/${slug})`);
      res.json(await publishSkillVersion(deps, req, before, body(), clientId));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{slug}/versions`,
    summary: 'The versions of a skill this client runs, newest first',
    tag: 'skills',
    access: { kind: 'client', role: 'viewer' },
    params: clientSlugParams,
    responses: { 200: ok(z.object({ data: z.array(SkillVersionSummarySchema) })) },
    handler: async ({ params: { clientId, slug }, res, deps }) => {
      const skill = await visible(deps, clientId, slug);
      res.json({ data: (await listVersions(deps.db, skill.id)).map(versionSummary) });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${BASE}/{slug}/versions/{version}`,
    summary: 'One version of a skill this client runs',
    tag: 'skills',
    access: { kind: 'client', role: 'viewer' },
    params: clientVersionParams,
    responses: { 200: ok(SkillVersionSchema) },
    handler: async ({ params: { clientId, slug, version }, res, deps }) => {
      const skill = await visible(deps, clientId, slug);
      const v = await findVersion(deps.db, skill.id, version);
      if (!v) throw notFound('skill version');
      res.json(versionDetail(skill, v));
    },
  }),
  clientImprovementRoute,
];

export const clientSkillsRouter = (deps: ApiDeps) => routerFor(deps, BASE, clientSkillRoutes);
