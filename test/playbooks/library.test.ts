// Playbook definitions and the playbooks/ folder: the file format round-trips, the structure rules
// (unique keys, inputs from earlier stages, one run per parallel group) hold, and the start-up sync
// is idempotent, versions changed files, leaves API-edited playbooks alone and is safe when several
// processes run it at once.
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../src/db/client';
import { parsePlaybookMarkdown, PlaybookDefinition, PlaybookFileError, playbookMarkdown, stages } from '../../src/engines/playbooks/definition';
import { DEFAULT_PLAYBOOKS_DIR, readPlaybookFolder, syncPlaybooks, updatePlaybook } from '../../src/engines/playbooks/library';
import { composeStepMessage } from '../../src/engines/playbooks/runs';
import { readSkillLibrary } from '../../src/engines/skill-runs/library';
import { createTestDatabase, type TestDatabase } from '../harness/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const step = (key: string, extra: Record<string, unknown> = {}) => ({ key, skill: 'copywriting', instruction: `Do ${key}.`, ...extra });
const problems = (steps: unknown[]) => {
  const r = PlaybookDefinition.safeParse({ slug: 'x', name: 'X', description: 'X.', steps });
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe('the shipped playbooks', () => {
  it('parse, name installed skills only, and round-trip through their file form', () => {
    const playbooks = readPlaybookFolder();
    expect(playbooks.map((p) => p.slug)).toEqual(['email-campaign', 'landing-page-launch', 'skill-improvement']);
    const skills = new Set(readSkillLibrary().map((s) => s.slug));
    for (const p of playbooks) {
      // Action steps act on the run's target skill; the others name an installed one.
      for (const s of p.steps.filter((x) => !x.action)) expect([p.slug, s.skill, skills.has(s.skill!)]).toEqual([p.slug, s.skill, true]);
      expect(parsePlaybookMarkdown(p.slug, playbookMarkdown(p))).toEqual(p);
    }
    const email = playbooks[0];
    expect(email.steps.map((s) => [s.key, s.skill, s.inputs, Boolean(s.checkpoint)])).toEqual([
      ['brief', 'idea-to-spec', [], true],
      ['copy', 'copywriting', ['brief'], true],
      ['emails', 'email-sequence', ['brief', 'copy'], false],
    ]);
  });
});

describe('structure rules', () => {
  it('groups neighbouring steps of one parallel group into a stage', () => {
    expect(stages([{ parallel: null }, { parallel: 'a' }, { parallel: 'a' }, { parallel: null }, { parallel: 'b' }])).toEqual([[0], [1, 2], [3], [4]]);
  });

  it('refuses duplicate keys, inputs that do not finish first, and a split parallel group', () => {
    expect(problems([step('a'), step('b', { inputs: ['a'] })])).toEqual([]);
    expect(problems([step('a'), step('a')])).toEqual(['step key a is used twice']);
    expect(problems([step('a', { inputs: ['b'] }), step('b')])).toEqual(['step b does not finish before a starts']);
    expect(problems([step('a', { parallel: 'p' }), step('b', { parallel: 'p', inputs: ['a'] })])).toEqual(['step a does not finish before b starts']);
    expect(problems([step('a', { inputs: ['nope'] })])).toEqual(['no step nope']);
    expect(problems([step('a', { parallel: 'p' }), step('b'), step('c', { parallel: 'p' })])).toEqual([
      'parallel group p must be one run of neighbouring steps',
    ]);
    expect(problems([])).not.toEqual([]);
  });

  it('takes action steps instead of skills; publishing reads exactly one proposal that has a checkpoint', () => {
    const propose = { key: 'propose', action: 'propose-rules', instruction: 'Propose.', checkpoint: 'Approve?' };
    const publish = { key: 'publish', action: 'publish-rules', instruction: 'Publish.', inputs: ['propose'] };
    expect(problems([propose, publish])).toEqual([]);
    expect(problems([{ ...propose, skill: 'copywriting' }, publish])).toEqual(['a step names either a skill or an action']);
    expect(problems([{ key: 'a', instruction: 'Nothing.' }])).toEqual(['a step names either a skill or an action']);
    expect(problems([{ ...propose, checkpoint: null }, publish])).toEqual(['publish-rules reads exactly one propose-rules step that has a checkpoint']);
    expect(problems([step('draft', { checkpoint: 'OK?' }), { ...publish, inputs: ['draft'] }])).toEqual([
      'publish-rules reads exactly one propose-rules step that has a checkpoint',
    ]);
    expect(problems([{ ...propose, action: 'delete-skill' }])).toHaveLength(1);
    const improvement = readPlaybookFolder().find((p) => p.slug === 'skill-improvement')!;
    expect(improvement.steps.map((s) => [s.key, s.action, s.skill, s.inputs, Boolean(s.checkpoint)])).toEqual([
      ['propose', 'propose-rules', undefined, [], true],
      ['publish', 'publish-rules', undefined, ['propose'], false],
    ]);
    expect(playbookMarkdown(improvement)).toContain('## publish\naction: publish-rules\ninputs: [propose]');
  });

  it('names the file and the problem of a broken playbook file', () => {
    expect(() => parsePlaybookMarkdown('broken', '# no front-matter')).toThrow(PlaybookFileError);
    expect(() => parsePlaybookMarkdown('broken', '---\nname: B\ndescription: B.\n---\n\n## a\nskill: copywriting\nwhen: later\n\nDo it.')).toThrow(
      /playbook broken: step a: unknown fields when/,
    );
    expect(() => parsePlaybookMarkdown('broken', '---\nname: B\ndescription: B.\n---\n\n## a\nskill: copywriting\ninputs: [z]\n\nDo it.')).toThrow(
      /playbook broken: steps.0.inputs.0: no step z/,
    );
  });

  it("composes a step's request from its instruction, the run's request and the outputs it reads", () => {
    expect(composeStepMessage({ key: 'copy', instruction: 'Write the copy.' }, 'A campaign.', [{ key: 'brief', output: 'The brief.' }])).toBe(
      'Write the copy.\n\n## The request\n\nA campaign.\n\n## Output of the "brief" step\n\nThe brief.',
    );
  });
});

describe('syncing into the playbooks table', () => {
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'playbooks-'));
    cpSync(DEFAULT_PLAYBOOKS_DIR, dir, { recursive: true });
    await database.db.playbook.deleteMany({});
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, keeps and versions rows; leaves a playbook edited through the API alone', async () => {
    const db = database.db;
    const all = ['email-campaign', 'landing-page-launch', 'skill-improvement'];
    expect(await syncPlaybooks(db, dir)).toEqual({ created: all, updated: [], unchanged: [], kept: [] });
    expect(await syncPlaybooks(db, dir)).toEqual({ created: [], updated: [], unchanged: all, kept: [] });
    appendFileSync(join(dir, 'email-campaign.md'), '\nAlways include an unsubscribe reminder.\n');
    expect(await syncPlaybooks(db, dir)).toEqual({
      created: [],
      updated: ['email-campaign'],
      unchanged: ['landing-page-launch', 'skill-improvement'],
      kept: [],
    });
    const changed = await db.playbook.findUniqueOrThrow({ where: { slug: 'email-campaign' } });
    expect(changed).toMatchObject({ version: 2, source: 'folder' });

    const landing = readPlaybookFolder(dir)[1];
    await updatePlaybook(db, { ...landing, name: 'Landing page launch (ours)' });
    writeFileSync(join(dir, 'landing-page-launch.md'), playbookMarkdown({ ...landing, description: 'Changed in the file.' }));
    expect(await syncPlaybooks(db, dir)).toEqual({
      created: [],
      updated: [],
      unchanged: ['email-campaign', 'skill-improvement'],
      kept: ['landing-page-launch'],
    });
    expect(await db.playbook.findUniqueOrThrow({ where: { slug: 'landing-page-launch' } })).toMatchObject({
      name: 'Landing page launch (ours)',
      source: 'api',
      version: 2,
    });
  });

  it('is safe when several processes sync at once: each playbook created once, each change applied once', async () => {
    const db = database.db;
    const others = [createDb(database.url, { max: 2 }), createDb(database.url, { max: 2 })];
    try {
      const runs = await Promise.all([db, ...others].map((d) => syncPlaybooks(d, dir)));
      expect(runs.flatMap((r) => r.created).sort()).toEqual(['email-campaign', 'landing-page-launch', 'skill-improvement']);
      appendFileSync(join(dir, 'email-campaign.md'), '\nOne more line.\n');
      const again = await Promise.all([db, ...others].map((d) => syncPlaybooks(d, dir)));
      expect(again.flatMap((r) => r.updated)).toEqual(['email-campaign']);
      expect(await db.playbook.findMany({ select: { slug: true, version: true }, orderBy: { slug: 'asc' } })).toEqual([
        { slug: 'email-campaign', version: 2 },
        { slug: 'landing-page-launch', version: 1 },
        { slug: 'skill-improvement', version: 1 },
      ]);
    } finally {
      await Promise.all(others.map((d) => d.$disconnect()));
    }
  });
});
