// The playbooks shipped with the project (`playbooks/<slug>.md`), synced into the `playbooks` table
// at start-up like the skills, and playbooks written through the API. A folder playbook whose file
// changed gets a new version; one a platform admin edited through the API (source "api") is left
// alone by the sync from then on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Db, Playbook, Prisma } from '../../db/client';
import { definitionHash, parsePlaybookMarkdown, type PlaybookDefinition, type PlaybookStepDefinition } from './definition';

export const DEFAULT_PLAYBOOKS_DIR = resolve(__dirname, '../../../playbooks');

export function readPlaybookFolder(dir = DEFAULT_PLAYBOOKS_DIR): PlaybookDefinition[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort()
    .map((name) => parsePlaybookMarkdown(name.slice(0, -3), readFileSync(join(dir, name), 'utf8')));
}

export interface PlaybookSyncResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Edited through the API: the file no longer applies. */
  kept: string[];
}

/** Skills the steps name that are not installed. */
export async function missingSkills(db: Db, steps: readonly PlaybookStepDefinition[]): Promise<string[]> {
  // Action steps act on the run's target skill, checked when the run starts.
  const wanted = [...new Set(steps.flatMap((s) => (s.skill ? [s.skill] : [])))];
  const found = new Set((await db.skill.findMany({ where: { slug: { in: wanted } }, select: { slug: true } })).map((s) => s.slug));
  return wanted.filter((s) => !found.has(s));
}

/**
 * Brings the table up to the folder. Safe when several processes start at once: a new playbook is
 * an INSERT … ON CONFLICT DO NOTHING, a changed one a compare-and-set on its hash (one process bumps
 * the version, the others see their update match nothing). Run after syncSkills (steps name skills).
 */
export async function syncPlaybooks(db: Db, dir = DEFAULT_PLAYBOOKS_DIR): Promise<PlaybookSyncResult> {
  const files = readPlaybookFolder(dir);
  const existing = new Map((await db.playbook.findMany({ select: { slug: true, contentHash: true, version: true, source: true } })).map((p) => [p.slug, p]));
  const result: PlaybookSyncResult = { created: [], updated: [], unchanged: [], kept: [] };
  for (const p of files) {
    const data = { name: p.name, description: p.description, steps: p.steps as unknown as Prisma.InputJsonValue, contentHash: definitionHash(p) };
    const row = existing.get(p.slug);
    if (!row) {
      const { count } = await db.playbook.createMany({ data: [{ slug: p.slug, source: 'folder', ...data }], skipDuplicates: true });
      (count === 1 ? result.created : result.unchanged).push(p.slug);
    } else if (row.source !== 'folder') {
      result.kept.push(p.slug);
    } else if (row.contentHash !== data.contentHash) {
      const { count } = await db.playbook.updateMany({
        where: { slug: p.slug, contentHash: row.contentHash, source: 'folder' },
        data: { ...data, version: row.version + 1 },
      });
      (count === 1 ? result.updated : result.unchanged).push(p.slug);
    } else {
      result.unchanged.push(p.slug);
    }
  }
  return result;
}

export class PlaybookExists extends Error {
  constructor(slug: string) {
    super(`a playbook ${slug} already exists`);
    this.name = 'PlaybookExists';
  }
}

/** A new playbook from the API; throws PlaybookExists. */
export async function createPlaybook(db: Db, p: PlaybookDefinition): Promise<Playbook> {
  try {
    return await db.playbook.create({
      data: {
        slug: p.slug,
        name: p.name,
        description: p.description,
        steps: p.steps as unknown as Prisma.InputJsonValue,
        contentHash: definitionHash(p),
        source: 'api',
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new PlaybookExists(p.slug);
    throw err;
  }
}

/** Replaces a playbook's definition (a new version unless nothing changed); null when there is none. */
export async function updatePlaybook(db: Db, p: PlaybookDefinition): Promise<Playbook | null> {
  const row = await db.playbook.findUnique({ where: { slug: p.slug } });
  if (!row) return null;
  const hash = definitionHash(p);
  if (hash === row.contentHash && row.source === 'api') return row;
  return db.playbook.update({
    where: { slug: p.slug },
    data: {
      name: p.name,
      description: p.description,
      steps: p.steps as unknown as Prisma.InputJsonValue,
      contentHash: hash,
      source: 'api',
      version: hash === row.contentHash ? row.version : { increment: 1 },
    },
  });
}

export function playbookSteps(p: Pick<Playbook, 'steps'>): PlaybookStepDefinition[] {
  return p.steps as unknown as PlaybookStepDefinition[];
}
