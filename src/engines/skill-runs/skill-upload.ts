// A skill sent through the API: SKILL.md (with front-matter), RULES.md and resource files, checked
// before anything is stored. Text only (the prompt reads every file), bounded so one skill cannot
// fill a prompt or the database: each file at most 256 KB, the whole skill at most 1 MB (UTF-8).
import { parseSkillSource, SkillFolderError, type SkillFolder, type SkillSource } from './library';

export const SKILL_FILE_MAX_BYTES = 256 * 1024;
export const SKILL_TOTAL_MAX_BYTES = 1024 * 1024;
export const RESOURCE_EXTENSIONS = ['.md', '.txt', '.json', '.csv', '.yaml', '.yml'] as const;
export const MAX_RESOURCE_FILES = 100;
/** Relative posix paths of plain names: no `..`, no leading `/`, no backslashes, no hidden files. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

/** A problem with one field of the upload (a 400). */
export class SkillUploadInvalid extends Error {
  constructor(
    readonly path: Array<string | number>,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SkillUploadInvalid';
  }
}

/** The upload is over a size limit (a 413). */
export class SkillUploadTooLarge extends Error {
  constructor(
    message: string,
    readonly limitBytes: number,
  ) {
    super(message);
    this.name = 'SkillUploadTooLarge';
  }
}

/** Why a resource path is refused, or null when it is fine. */
export function resourcePathProblem(path: string): string | null {
  if (path.length === 0 || path.length > 200) return 'must be 1 to 200 characters';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) return 'must be a relative path with / separators';
  const segments = path.split('/');
  if (segments.length > 5) return 'is nested too deep (at most 5 levels)';
  for (const s of segments) {
    if (s === '..' || s === '.') return 'may not contain . or .. segments';
    if (!SEGMENT.test(s)) return 'may use letters, digits, _ . - only, and no segment may start with . or -';
  }
  if (segments.length === 1 && ['SKILL.md', 'RULES.md'].includes(path)) return 'is sent as skillMd or rules, not as a resource file';
  if (!RESOURCE_EXTENSIONS.some((e) => path.toLowerCase().endsWith(e))) return `must end with ${RESOURCE_EXTENSIONS.join(', ')}`;
  return null;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Checks names, types and sizes, then parses the skill as the folder sync would. Throws
 * SkillUploadInvalid (400) or SkillUploadTooLarge (413).
 */
export function parseSkillUpload(slug: string, source: SkillSource): SkillFolder {
  const entries = Object.entries(source.files);
  if (entries.length > MAX_RESOURCE_FILES) throw new SkillUploadInvalid(['files'], 'too_many_files', `at most ${MAX_RESOURCE_FILES} resource files`);
  for (const [path, text] of entries) {
    const problem = resourcePathProblem(path);
    if (problem) throw new SkillUploadInvalid(['files', path], 'bad_file_name', `resource file ${JSON.stringify(path)} ${problem}`);
    if (text.includes('\0')) throw new SkillUploadInvalid(['files', path], 'not_text', `resource file ${path} is not text`);
  }
  for (const [field, text] of [
    ['skillMd', source.skillMd],
    ['rules', source.rules ?? ''],
  ] as const) {
    if (text.includes('\0')) throw new SkillUploadInvalid([field], 'not_text', `${field} is not text`);
  }
  let total = 0;
  for (const [name, text] of [['SKILL.md', source.skillMd] as const, ['RULES.md', source.rules ?? ''] as const, ...entries]) {
    const size = bytes(text);
    if (size > SKILL_FILE_MAX_BYTES)
      throw new SkillUploadTooLarge(`${name} is ${size} bytes; a file may be at most ${SKILL_FILE_MAX_BYTES}`, SKILL_FILE_MAX_BYTES);
    total += size;
  }
  if (total > SKILL_TOTAL_MAX_BYTES)
    throw new SkillUploadTooLarge(`the skill is ${total} bytes; all its files together may be at most ${SKILL_TOTAL_MAX_BYTES}`, SKILL_TOTAL_MAX_BYTES);
  // Sorted, so the same files sent in another order are the same version.
  const files = Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  try {
    return parseSkillSource(slug, { skillMd: source.skillMd, rules: source.rules, files });
  } catch (err) {
    if (err instanceof SkillFolderError) throw new SkillUploadInvalid(['skillMd'], 'invalid_skill', err.message.replace(/^skill [^:]+: /, ''));
    throw err;
  }
}
