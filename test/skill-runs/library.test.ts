// The skills shipped in skills/: every folder parses into a real skill, and syncing them into the
// `skills` table creates rows once, leaves them alone when nothing changed and bumps the version of
// a changed skill.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFrontMatter, readSkillFolder, readSkillLibrary, SkillFolderError, syncSkills } from '../../src/engines/skill-runs/library';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { createDb } from '../../src/db/client';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('the shipped library', () => {
  const skills = readSkillLibrary();
  const bySlug = new Map(skills.map((s) => [s.slug, s]));

  it('has the skills the issue asks for, each with real instructions', () => {
    for (const slug of ['copywriting', 'email-sequence', 'page-cro', 'social-content', 'ad-copy', 'idea-to-spec']) expect(bySlug.has(slug)).toBe(true);
    for (const s of skills) {
      expect(s.name.length).toBeGreaterThan(2);
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.triggers.length).toBeGreaterThanOrEqual(4);
      expect(s.content.split('\n').length).toBeGreaterThan(40);
      // [PLACEHOLDER: …] is an instruction to the model, not an unfinished skill.
      expect(s.content).not.toMatch(/\bTODO\b|\bTBD\b|lorem ipsum/i);
    }
    for (const slug of ['copywriting', 'email-sequence', 'page-cro', 'ad-copy', 'social-content']) expect(bySlug.get(slug)!.rules).toMatch(/^# Rules/);
  });

  it('reads idea-to-spec with its sub-folders', () => {
    const files = Object.keys(bySlug.get('idea-to-spec')!.files);
    for (const dir of ['document-templates/', 'expert-modes/', 'research-prompts/']) expect(files.some((f) => f.startsWith(dir))).toBe(true);
    for (const text of Object.values(bySlug.get('idea-to-spec')!.files)) expect(text.length).toBeGreaterThan(200);
  });

  it('no trigger phrase points at two skills', () => {
    const seen = new Map<string, string>();
    for (const s of skills) {
      for (const t of s.triggers) {
        expect([t, seen.get(t) ?? s.slug]).toEqual([t, s.slug]);
        seen.set(t, s.slug);
      }
    }
  });
});

describe('front-matter', () => {
  it('reads key: value lines and the triggers list', () => {
    const fm = parseFrontMatter(
      '---\nname: Ad Copy\ntype: ads\ndescription: Ads: search and social.\ntriggers:\n  - Google Ads\n  - "facebook ad"\n---\n# Body\ntext\n',
    );
    expect(fm).toEqual({
      fields: { name: 'Ad Copy', type: 'ads', description: 'Ads: search and social.' },
      triggers: ['google ads', 'facebook ad'],
      body: '# Body\ntext',
    });
  });
  it('is required', () => {
    expect(parseFrontMatter('# no front matter')).toBeNull();
  });
});

describe('syncing into the skills table', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'skills-'));
    cpSync(join(__dirname, '..', '..', 'skills', 'copywriting'), join(dir, 'copywriting'), { recursive: true });
    cpSync(join(__dirname, '..', '..', 'skills', 'idea-to-spec'), join(dir, 'idea-to-spec'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, keeps and versions rows', async () => {
    const db = database.db;
    await db.skill.deleteMany({});
    expect(await syncSkills(db, dir)).toEqual({ created: ['copywriting', 'idea-to-spec'], updated: [], unchanged: [], kept: [] });
    const row = await db.skill.findFirstOrThrow({ where: { clientId: null, slug: 'idea-to-spec' } });
    expect(row.version).toBe(1);
    expect(Object.keys(row.files as object).length).toBeGreaterThanOrEqual(3);
    expect(row.contentHash).toMatch(/^[0-9a-f]{64}$/);

    expect(await syncSkills(db, dir)).toEqual({ created: [], updated: [], unchanged: ['copywriting', 'idea-to-spec'], kept: [] });

    // A change in a sub-folder file is a new version of the skill.
    appendFileSync(join(dir, 'idea-to-spec', 'expert-modes', 'product-manager.md'), '\nAlways name the riskiest assumption.\n');
    expect(await syncSkills(db, dir)).toEqual({ created: [], updated: ['idea-to-spec'], unchanged: ['copywriting'], kept: [] });
    const changed = await db.skill.findFirstOrThrow({ where: { clientId: null, slug: 'idea-to-spec' } });
    expect(changed.version).toBe(2);
    expect((changed.files as Record<string, string>)['expert-modes/product-manager.md']).toContain('riskiest assumption');
  });

  it('is safe when several processes sync at once: each skill created once, each change applied once', async () => {
    const db = database.db;
    await db.skill.deleteMany({});
    // Separate clients, as separate processes would have (one pool would serialise less than reality).
    const others = [createDb(database.url, { max: 2 }), createDb(database.url, { max: 2 })];
    try {
      const runs = await Promise.all([db, ...others].map((d) => syncSkills(d, dir)));
      expect(runs.flatMap((r) => r.created).sort()).toEqual(['copywriting', 'idea-to-spec']);
      expect(await db.skill.findMany({ select: { slug: true, version: true }, orderBy: { slug: 'asc' } })).toEqual([
        { slug: 'copywriting', version: 1 },
        { slug: 'idea-to-spec', version: 1 },
      ]);
      expect(await db.skillVersion.count()).toBe(2);
      appendFileSync(join(dir, 'copywriting', 'SKILL.md'), '\nOne more line.\n');
      const again = await Promise.all([db, ...others].map((d) => syncSkills(d, dir)));
      expect(again.flatMap((r) => r.updated)).toEqual(['copywriting']);
      expect((await db.skill.findFirstOrThrow({ where: { clientId: null, slug: 'copywriting' } })).version).toBe(2);
      expect(await db.skillVersion.count()).toBe(3);
    } finally {
      await Promise.all(others.map((d) => d.$disconnect()));
    }
  });

  it('refuses a folder without front-matter or triggers, naming the skill', () => {
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'SKILL.md'), '---\nname: Broken\ntype: content\ndescription: Something long enough to pass.\n---\nBody\n');
    expect(() => readSkillFolder(join(dir, 'broken'))).toThrow(SkillFolderError);
    expect(() => readSkillFolder(join(dir, 'broken'))).toThrow(/skill broken: front-matter lists no triggers/);
  });

  it('reads the tools and runsPerHour a skill declares, stores them, and refuses unknown tools', async () => {
    const head = '---\nname: Web\ntype: content\ndescription: Something long enough to pass.\n';
    const body = 'triggers:\n  - read the web\n---\nBody\n';
    mkdirSync(join(dir, 'web'));
    writeFileSync(join(dir, 'web', 'SKILL.md'), `${head}tools: [fetch_page]\nrunsPerHour: 4\n${body}`);
    expect(readSkillFolder(join(dir, 'web'))).toMatchObject({ tools: ['fetch_page'], runsPerHour: 4 });
    expect(readSkillFolder(join(dir, 'copywriting'))).toMatchObject({ tools: [], runsPerHour: null });
    await database.db.skill.deleteMany({});
    await syncSkills(database.db, dir);
    expect(await database.db.skill.findFirstOrThrow({ where: { clientId: null, slug: 'web' }, select: { tools: true, runsPerHour: true } })).toEqual({
      tools: ['fetch_page'],
      runsPerHour: 4,
    });

    writeFileSync(join(dir, 'web', 'SKILL.md'), `${head}tools: [fetch_page, run_shell]\n${body}`);
    expect(() => readSkillFolder(join(dir, 'web'))).toThrow(/skill web: unknown tools run_shell/);
    writeFileSync(join(dir, 'web', 'SKILL.md'), `${head}runsPerHour: 0\n${body}`);
    expect(() => readSkillFolder(join(dir, 'web'))).toThrow(/runsPerHour must be a positive whole number/);
  });
});

describe('skill versions', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'skills-'));
    cpSync(join(__dirname, '..', '..', 'skills', 'copywriting'), join(dir, 'copywriting'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the sync writes a folder version for each new or changed skill, and none for unchanged text', async () => {
    const db = database.db;
    await db.skill.deleteMany({});
    await syncSkills(db, dir);
    await syncSkills(db, dir);
    appendFileSync(join(dir, 'copywriting', 'RULES.md'), '\n9. One more rule.\n');
    await syncSkills(db, dir);
    const skill = await db.skill.findFirstOrThrow({ where: { clientId: null, slug: 'copywriting' }, include: { versions: { orderBy: { version: 'asc' } } } });
    expect(skill.versions.map((v) => [v.version, v.source, v.contentHash === skill.contentHash])).toEqual([
      [1, 'folder', false],
      [2, 'folder', true],
    ]);
    expect(skill.versions[1].rules).toContain('One more rule');
  });

  it("the migration's backfill gives every existing skill its current version", async () => {
    const db = database.db;
    await db.skill.deleteMany({});
    await syncSkills(db, dir);
    await db.skill.updateMany({ data: { version: 4 } });
    await db.skillVersion.deleteMany({});
    const sql = readFileSync(join(__dirname, '..', '..', 'prisma', 'migrations', '20261221000100_skill_versions', 'migration.sql'), 'utf8');
    const backfill = sql.slice(sql.indexOf('INSERT INTO "skill_versions"'));
    await db.$executeRawUnsafe(backfill);
    const skill = await db.skill.findFirstOrThrow({ where: { slug: 'copywriting' }, include: { versions: true } });
    expect(skill.versions.map((v) => ({ version: v.version, source: v.source, contentHash: v.contentHash, content: v.content }))).toEqual([
      { version: 4, source: 'folder', contentHash: skill.contentHash, content: skill.content },
    ]);
  });
});
