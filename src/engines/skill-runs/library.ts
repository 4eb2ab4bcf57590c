// The marketing skills shipped with the project (`skills/<slug>/SKILL.md`, optional RULES.md and
// sub-folders of markdown such as templates or expert modes), read from disk and synced into the
// `skills` table at start-up as built-in skills. A skill whose files changed gets a new content hash
// and version, unless its current version was edited through the API (see syncSkills).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Db } from '../../db/client';
import { syncBuiltIn } from './skill-store';

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

/** A skill's text as written: SKILL.md (with front-matter), RULES.md, resource files by relative path. */
export interface SkillSource {
  skillMd: string;
  rules: string | null;
  files: Record<string, string>;
}

/**
 * Parses and checks a skill's text, from the folder or the API alike (so the same text has the same
 * content hash wherever it came from). Throws SkillFolderError naming the problem.
 */
export function parseSkillSource(slug: string, source: SkillSource): SkillFolder {
  if (!SKILL_SLUG.test(slug)) throw new SkillFolderError(slug, 'the folder name is not a valid slug');
  const raw = source.skillMd;
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
  const rules = source.rules?.trim() || null;
  const files: Record<string, string> = {};
  for (const [path, text] of Object.entries(source.files)) files[path] = text.trim();

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

export function readSkillFolder(dir: string): SkillFolder {
  const slug = dir.split(sep).pop() ?? '';
  if (!SKILL_SLUG.test(slug)) throw new SkillFolderError(slug, 'the folder name is not a valid slug');
  const skillPath = join(dir, 'SKILL.md');
  if (!existsSync(skillPath)) throw new SkillFolderError(slug, 'SKILL.md is missing');
  const rulesPath = join(dir, 'RULES.md');
  const files: Record<string, string> = {};
  for (const file of markdownFilesUnder(dir, dir)) files[relative(dir, file).split(sep).join('/')] = readFileSync(file, 'utf8');
  return parseSkillSource(slug, {
    skillMd: readFileSync(skillPath, 'utf8'),
    rules: existsSync(rulesPath) ? readFileSync(rulesPath, 'utf8') : null,
    files,
  });
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
  /** Built-ins whose folder changed but whose current version was made through the API: the edit stays. */
  kept: string[];
}

/**
 * Brings the built-in skills up to the folders: a new skill gets version 1, a changed folder the
 * next version, identical text nothing. A skill whose current version came from the API is never
 * replaced by the folder (a user's edit wins; it is reported as kept). Safe when several processes
 * sync at once: each skill is written under its advisory lock (see skill-store.ts).
 */
export async function syncSkills(db: Db, dir = DEFAULT_SKILLS_DIR): Promise<SyncResult> {
  const folders = readSkillLibrary(dir);
  const result: SyncResult = { created: [], updated: [], unchanged: [], kept: [] };
  for (const f of folders) result[await syncBuiltIn(db, f)].push(f.slug);
  return result;
}
