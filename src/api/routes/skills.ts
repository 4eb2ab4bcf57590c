// /api/v1/skills — the marketing skills catalogue (any authenticated user) and detection: which
// skill a message asks for, and which of the caller's clients it is for.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Db, MembershipRole } from '../../db/client';
import { aiDepsFromConfig } from '../../engines/ai/setup';
import { detectSkill, type NamedClient } from '../../engines/skill-runs/detect';
import { SKILL_SLUG } from '../../engines/skill-runs/library';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { roleAtLeast } from '../tenancy';
import { body, params, uuid } from '../validate';

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

export function skillSummary(s: { slug: string; name: string; type: string; description: string; triggers: string[]; version: number; updatedAt: Date; rules: string | null; files: unknown }) {
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

/** Mounted at /api/v1/skills behind authenticate. */
export function skillsRouter(deps: ApiDeps): Router {
  const r = Router();
  const ai = aiDepsFromConfig(deps.db, deps.config);

  r.get('/', async (_req, res) => {
    const skills = await deps.db.skill.findMany({ orderBy: { slug: 'asc' } });
    res.json({ data: skills.map(skillSummary) });
  });

  r.post('/detect', async (req, res) => {
    const b = body(detectBody, req);
    const clients = await callerClients(deps.db, req, 'viewer');
    if (b.clientId && !clients.some((c) => c.id === b.clientId)) {
      // A platform admin may name any live client.
      const named = req.caller?.isPlatformAdmin ? await deps.db.client.findFirst({ where: { id: b.clientId, deletedAt: null }, select: { id: true, name: true } }) : null;
      if (!named) throw notFound('client');
      clients.push(named);
    }
    res.json(await detectSkill({ db: deps.db, ai }, { message: b.message, clients, clientId: b.clientId }));
  });

  r.get('/:slug', async (req, res) => {
    const { slug } = params(slugParams, req);
    const skill = await deps.db.skill.findUnique({ where: { slug } });
    if (!skill) throw notFound('skill');
    res.json({ ...skillSummary(skill), content: skill.content, rules: skill.rules, files: (skill.files ?? {}) as Record<string, string>, contentHash: skill.contentHash });
  });
  return r;
}
