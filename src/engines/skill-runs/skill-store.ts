// The skill library as stored: skills (built-in, clientId null, or a client's own) and their
// immutable versions. Every change is a new skill_versions row and the skills row is moved to it in
// the same transaction, so a run that recorded a version reads exactly that text later.
//
// Slugs: unique per client (skills_clientId_slug_key) and among built-ins. PostgreSQL treats NULL
// client ids as distinct, so built-in uniqueness (and "a client skill may not take a built-in's
// slug") is kept by writing every skill under a transaction-scoped advisory lock on its slug: the
// folder sync of several processes starting at once and API writes queue behind each other.
// A folder skill added later with a slug a client already uses does not take that client's skill
// away: for that client its own skill wins (findRunnableSkill).
import { createHash } from 'node:crypto';
import type { Db, Prisma, Skill, SkillVersion } from '../../db/client';

/** A skill version's content (a parsed folder or API upload; library.ts's SkillFolder fits). */
export interface SkillVersionData {
  name: string;
  type: string;
  description: string;
  triggers: string[];
  tools: string[];
  runsPerHour: number | null;
  content: string;
  rules: string | null;
  files: Record<string, string>;
  contentHash: string;
}

/** 'improvement': RULES.md published by a skill-improvement playbook run. */
export type VersionSource = 'folder' | 'api' | 'improvement';

export class SkillSlugTaken extends Error {
  constructor(slug: string, reason: string) {
    super(`skill ${slug} already exists${reason}`);
    this.name = 'SkillSlugTaken';
  }
}

type Tx = Prisma.TransactionClient;

// Waiting for the lock counts toward the transaction's time: several processes syncing at once queue.
const TX_OPTIONS = { timeout: 30_000, maxWait: 10_000 } as const;

async function lockSlug(tx: Tx, slug: string): Promise<void> {
  // ::text: Prisma cannot read PostgreSQL's void.
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`skill:${slug}`}))::text`;
}

function rowData(v: SkillVersionData) {
  return {
    name: v.name,
    type: v.type,
    description: v.description,
    triggers: v.triggers,
    tools: v.tools,
    runsPerHour: v.runsPerHour,
    content: v.content,
    rules: v.rules,
    files: v.files,
    contentHash: v.contentHash,
  };
}

async function insertSkill(tx: Tx, clientId: string | null, slug: string, v: SkillVersionData, source: VersionSource, createdBy: string | null) {
  const skill = await tx.skill.create({ data: { clientId, slug, ...rowData(v), version: 1 } });
  const version = await tx.skillVersion.create({ data: { skillId: skill.id, version: 1, ...rowData(v), source, createdBy } });
  return { skill, version };
}

async function appendVersion(tx: Tx, skill: Skill, v: SkillVersionData, source: VersionSource, createdBy: string | null) {
  const next = skill.version + 1;
  const version = await tx.skillVersion.create({ data: { skillId: skill.id, version: next, ...rowData(v), source, createdBy } });
  const updated = await tx.skill.update({ where: { id: skill.id }, data: { ...rowData(v), version: next } });
  return { skill: updated, version };
}

/**
 * A new skill at version 1: a built-in (clientId null; refused when a client already uses the slug,
 * so no client's skill is shadowed by a new API built-in) or a client's own (refused when a built-in
 * or that client's skill has the slug). Throws SkillSlugTaken.
 */
export async function createSkill(
  db: Db,
  s: { clientId: string | null; slug: string; data: SkillVersionData; createdBy: string | null },
): Promise<{ skill: Skill; version: SkillVersion }> {
  return db.$transaction(async (tx) => {
    await lockSlug(tx, s.slug);
    const same = await tx.skill.findMany({ where: { slug: s.slug }, select: { clientId: true } });
    if (same.some((r) => r.clientId === null)) throw new SkillSlugTaken(s.slug, ' as a built-in skill');
    if (s.clientId !== null && same.some((r) => r.clientId === s.clientId)) throw new SkillSlugTaken(s.slug, '');
    if (s.clientId === null && same.length > 0) throw new SkillSlugTaken(s.slug, " as a client's skill");
    return insertSkill(tx, s.clientId, s.slug, s.data, 'api', s.createdBy);
  }, TX_OPTIONS);
}

/**
 * The next version of a skill made through the API. Text identical to the current version makes no
 * version (changed: false) and answers the current one.
 */
export async function updateSkill(
  db: Db,
  skillId: string,
  s: { data: SkillVersionData; createdBy: string | null },
): Promise<{ skill: Skill; version: SkillVersion; changed: boolean }> {
  return db.$transaction(async (tx) => {
    const found = await tx.skill.findUniqueOrThrow({ where: { id: skillId }, select: { slug: true } });
    await lockSlug(tx, found.slug);
    const skill = await tx.skill.findUniqueOrThrow({ where: { id: skillId } });
    if (skill.contentHash === s.data.contentHash) {
      const version = await tx.skillVersion.findUniqueOrThrow({ where: { skillId_version: { skillId, version: skill.version } } });
      return { skill, version, changed: false };
    }
    return { ...(await appendVersion(tx, skill, s.data, 'api', s.createdBy)), changed: true };
  }, TX_OPTIONS);
}

/**
 * One folder skill into the built-ins: created, updated (a new folder version), unchanged, or kept
 * (the folder changed but the current version came from the API: the user's edit stays).
 */
export async function syncBuiltIn(db: Db, f: SkillVersionData & { slug: string }): Promise<'created' | 'updated' | 'unchanged' | 'kept'> {
  return db.$transaction(async (tx) => {
    await lockSlug(tx, f.slug);
    const skill = await tx.skill.findFirst({ where: { slug: f.slug, clientId: null } });
    if (!skill) {
      await insertSkill(tx, null, f.slug, f, 'folder', null);
      return 'created';
    }
    if (skill.contentHash === f.contentHash) return 'unchanged';
    const current = await tx.skillVersion.findUnique({ where: { skillId_version: { skillId: skill.id, version: skill.version } }, select: { source: true } });
    // A user's edit (through the API or an approved improvement) stays.
    if (current?.source !== 'folder') return 'kept';
    await appendVersion(tx, skill, f, 'folder', null);
    return 'updated';
  }, TX_OPTIONS);
}

export class SkillChangedSince extends Error {
  constructor(
    readonly slug: string,
    readonly expected: number,
    readonly current: number,
  ) {
    super(`skill ${slug} is at version ${current} now, not ${expected}: the proposal was made for version ${expected}; start a new improvement`);
    this.name = 'SkillChangedSince';
  }
}

/**
 * The next version of a skill with a new RULES.md (everything else as the current version), made by
 * a skill-improvement run that improved `baseVersion`. Idempotent: when the current version already
 * has these rules (a retried publish, or an unchanged proposal) no version is made (changed: false).
 * Refused (SkillChangedSince) when the skill moved past `baseVersion` with other text meanwhile, so
 * nobody's later edit is overwritten by a proposal made before it.
 */
export async function publishRules(
  db: Db,
  skillId: string,
  p: { baseVersion: number; rules: string; createdBy: string | null },
): Promise<{ skill: Skill; version: SkillVersion; changed: boolean }> {
  const rules = p.rules.trim() || null;
  return db.$transaction(async (tx) => {
    const found = await tx.skill.findUniqueOrThrow({ where: { id: skillId }, select: { slug: true } });
    await lockSlug(tx, found.slug);
    const skill = await tx.skill.findUniqueOrThrow({ where: { id: skillId } });
    if (skill.rules === rules) {
      const version = await tx.skillVersion.findUniqueOrThrow({ where: { skillId_version: { skillId, version: skill.version } } });
      return { skill, version, changed: false };
    }
    if (skill.version !== p.baseVersion) throw new SkillChangedSince(skill.slug, p.baseVersion, skill.version);
    // SKILL.md's raw text is not stored, so the hash chains the previous one with the new rules.
    const contentHash = createHash('sha256')
      .update(`improvement\0${skill.contentHash}\0${rules ?? ''}`)
      .digest('hex');
    const data: SkillVersionData = {
      name: skill.name,
      type: skill.type,
      description: skill.description,
      triggers: skill.triggers,
      tools: skill.tools,
      runsPerHour: skill.runsPerHour,
      content: skill.content,
      rules,
      files: (skill.files ?? {}) as Record<string, string>,
      contentHash,
    };
    return { ...(await appendVersion(tx, skill, data, 'improvement', p.createdBy)), changed: true };
  }, TX_OPTIONS);
}

/** Built-ins and the skills of these clients. */
export function visibleSkillsWhere(clientIds: readonly string[]): Prisma.SkillWhereInput {
  return { OR: [{ clientId: null }, { clientId: { in: [...clientIds] } }] };
}

/** The skills a client may run, by slug: its own first, then the built-ins. */
export async function listRunnableSkills(db: Db, clientIds: readonly string[]): Promise<Skill[]> {
  return db.skill.findMany({ where: visibleSkillsWhere(clientIds), orderBy: [{ slug: 'asc' }, { clientId: { sort: 'asc', nulls: 'last' } }] });
}

/** The skill `slug` as this client sees it: its own, else the built-in; null when neither exists. */
export async function findRunnableSkill(db: Db, clientId: string, slug: string): Promise<Skill | null> {
  const rows = await db.skill.findMany({ where: { slug, ...visibleSkillsWhere([clientId]) } });
  return rows.find((r) => r.clientId === clientId) ?? rows.find((r) => r.clientId === null) ?? null;
}

/** The built-in skill `slug`. */
export function findBuiltInSkill(db: Db, slug: string): Promise<Skill | null> {
  return db.skill.findFirst({ where: { slug, clientId: null } });
}

/** The client's own skill `slug` (not a built-in). */
export function findClientSkill(db: Db, clientId: string, slug: string): Promise<Skill | null> {
  return db.skill.findUnique({ where: { clientId_slug: { clientId, slug } } });
}

/** The version a run of `skill` would record now: its current one. */
export async function currentVersion(db: Db, skill: Pick<Skill, 'id' | 'version'>): Promise<SkillVersion> {
  return db.skillVersion.findUniqueOrThrow({ where: { skillId_version: { skillId: skill.id, version: skill.version } } });
}

export function listVersions(db: Db, skillId: string): Promise<SkillVersion[]> {
  return db.skillVersion.findMany({ where: { skillId }, orderBy: { version: 'desc' } });
}

export function findVersion(db: Db, skillId: string, version: number): Promise<SkillVersion | null> {
  return db.skillVersion.findUnique({ where: { skillId_version: { skillId, version } } });
}
