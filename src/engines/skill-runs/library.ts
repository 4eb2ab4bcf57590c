// The marketing skills shipped with the project (`skills/<slug>/SKILL.md`, optional RULES.md and
// sub-folders of markdown such as templates or expert modes), read from disk and synced into the
// `skills` table at start-up. A skill whose files changed gets a new content hash and version.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Db } from '../../db/client';

export const DEFAULT_SKILLS_DIR = resolve(__dirname, '../../../skills');

export const SKILL_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Tools a skill may declare in its front-matter (`tools: [fetch_page]`); see web-tools.ts. */
export const SKILL_TOOLS = ['fetch_page'] as const;
export type SkillTool = (typeof SKILL_TOOLS)[number];

export interface SkillFolder {
  slug: string;
  name: string;
  type: string;
  description: string;
  triggers: string[];
  /** Tools its Claude calls may use (front-matter `tools: [fetch_page]`). */
  tools: SkillTool[];
  /** Runs per user per hour (front-matter `runsPerHour`), lower for expensive skills; null: the default. */
  runsPerHour: number | null;
  /** SKILL.md without its front-matter. */
  content: string;
  rules: string | null;
  /** Sub-folder files by relative path (posix separators), e.g. `expert-modes/product-manager.md`. */
  files: Record<string, string>;
  contentHash: string;
}

export class SkillFolderError extends Error {
  constructor(slug: string, problem: string) {
    super(`skill ${slug}: ${problem}`);
    this.name = 'SkillFolderError';
  }
}

interface FrontMatter {
  fields: Record<string, string>;
  triggers: string[];
  body: string;
}

/** The front-matter subset skills use: `key: value` lines and a `triggers:` list of `- phrase`. */
export function parseFrontMatter(text: string): FrontMatter | null {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!m) return null;
  const fields: Record<string, string> = {};
  const triggers: string[] = [];
  let inTriggers = false;
  for (const raw of m[1].split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    const item = /^\s+-\s+(.+)$/.exec(line);
    if (item && inTriggers) {
      triggers.push(
        item[1]
          .trim()
          .replace(/^["']|["']$/g, '')
          .toLowerCase(),
      );
      continue;
    }
    const kv = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (!kv) continue;
    inTriggers = kv[1] === 'triggers' && kv[2] === '';
    if (!inTriggers) fields[kv[1]] = kv[2].trim().replace(/^["']|["']$/g, '');
  }
  return { fields, triggers, body: text.slice(m[0].length).trim() };
}

/** `[a, b]` or `a, b` (front-matter inline list) → ['a', 'b']. */
function parseInlineList(value: string): string[] {
  return value
    .replace(/^\[|\]$/g, '')
    .split(',')
    .map((t) => t.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);
}

function markdownFilesUnder(dir: string, root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...markdownFilesUnder(full, root));
    else if (name.endsWith('.md') && dir !== root) out.push(full);
  }
  return out;
}

export function readSkillFolder(dir: string): SkillFolder {
  const slug = dir.split(sep).pop() ?? '';
  if (!SKILL_SLUG.test(slug)) throw new SkillFolderError(slug, 'the folder name is not a valid slug');
  const skillPath = join(dir, 'SKILL.md');
  if (!existsSync(skillPath)) throw new SkillFolderError(slug, 'SKILL.md is missing');
  const raw = readFileSync(skillPath, 'utf8');
  const fm = parseFrontMatter(raw);
  if (!fm) throw new SkillFolderError(slug, 'SKILL.md has no front-matter');
  const { name, type, description } = fm.fields;
  if (!name || !type || !description) throw new SkillFolderError(slug, 'front-matter needs name, type and description');
  if (fm.triggers.length === 0) throw new SkillFolderError(slug, 'front-matter lists no triggers');
  const tools = parseInlineList(fm.fields.tools ?? '');
  const unknown = tools.filter((t) => !(SKILL_TOOLS as readonly string[]).includes(t));
  if (unknown.length) throw new SkillFolderError(slug, `unknown tools ${unknown.join(', ')} (known: ${SKILL_TOOLS.join(', ')})`);
  let runsPerHour: number | null = null;
  if (fm.fields.runsPerHour !== undefined) {
    runsPerHour = Number(fm.fields.runsPerHour);
    if (!Number.isInteger(runsPerHour) || runsPerHour < 1) throw new SkillFolderError(slug, 'runsPerHour must be a positive whole number');
  }
  if (!fm.body) throw new SkillFolderError(slug, 'SKILL.md has no instructions');
  const rulesPath = join(dir, 'RULES.md');
  const rules = existsSync(rulesPath) ? readFileSync(rulesPath, 'utf8').trim() : null;
  const files: Record<string, string> = {};
  for (const file of markdownFilesUnder(dir, dir)) files[relative(dir, file).split(sep).join('/')] = readFileSync(file, 'utf8').trim();

  const hash = createHash('sha256');
  hash
    .update(raw)
    .update('\0')
    .update(rules ?? '');
  for (const [path, text] of Object.entries(files)) hash.update('\0').update(path).update('\0').update(text);
  return {
    slug,
    name,
    type,
    description,
    triggers: [...new Set(fm.triggers)],
    tools: [...new Set(tools)] as SkillTool[],
    runsPerHour,
    content: fm.body,
    rules,
    files,
    contentHash: hash.digest('hex'),
  };
}

export function readSkillLibrary(dir = DEFAULT_SKILLS_DIR): SkillFolder[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort()
    .map((name) => readSkillFolder(join(dir, name)));
}

export interface SyncResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Brings the `skills` table up to the folders: new rows, new versions of changed skills. */
export async function syncSkills(db: Db, dir = DEFAULT_SKILLS_DIR): Promise<SyncResult> {
  const folders = readSkillLibrary(dir);
  const existing = new Map((await db.skill.findMany({ select: { slug: true, contentHash: true, version: true } })).map((s) => [s.slug, s]));
  const result: SyncResult = { created: [], updated: [], unchanged: [] };
  for (const f of folders) {
    const data = {
      name: f.name,
      type: f.type,
      description: f.description,
      triggers: f.triggers,
      tools: f.tools,
      runsPerHour: f.runsPerHour,
      content: f.content,
      rules: f.rules,
      files: f.files,
      contentHash: f.contentHash,
    };
    const row = existing.get(f.slug);
    if (!row) {
      // Several processes starting at once on an empty database all get here: INSERT … ON CONFLICT
      // DO NOTHING lets one create the row and the others move on (Prisma's upsert is a read then
      // a write, and the loser failed on skills_slug_key).
      const { count } = await db.skill.createMany({ data: [{ slug: f.slug, ...data }], skipDuplicates: true });
      (count === 1 ? result.created : result.unchanged).push(f.slug);
    } else if (row.contentHash !== f.contentHash) {
      // Compare-and-set on the hash: of several processes seeing the same old row, one bumps the version.
      const { count } = await db.skill.updateMany({ where: { slug: f.slug, contentHash: row.contentHash }, data: { ...data, version: row.version + 1 } });
      (count === 1 ? result.updated : result.unchanged).push(f.slug);
    } else {
      result.unchanged.push(f.slug);
    }
  }
  return result;
}
