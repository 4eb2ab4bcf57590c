// Skill library management (issue 18 item 2): skills created and changed through the API, each change
// an immutable version that runs record and generate with; a client's own skills seen by that client
// only; size, name and type limits that change nothing; the folder sync never replacing an API edit.
// Real Temporal, PostgreSQL and the Anthropic fake (whose recorded prompts show which text was used).
import { cpSync, appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { aiDepsFromConfig } from '../../src/engines/ai/setup';
import { generateRunOutput } from '../../src/engines/skill-runs/generate';
import { syncSkills } from '../../src/engines/skill-runs/library';
import { createRun } from '../../src/engines/skill-runs/runs';
import { updateSkill } from '../../src/engines/skill-runs/skill-store';
import { parseSkillUpload } from '../../src/engines/skill-runs/skill-upload';
import { workflowIds } from '../../workflows/ids';
import { expectConforms } from '../api/conformance';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
let fake: AnthropicFake;
let clientId: string;
let auth: { Authorization: string };
let other: { clientId: string; auth: { Authorization: string } };
const admin = () => ({ Authorization: `Bearer ${stack.adminKey}` });

const OUTPUT = { title: 'Launch email', markdown: '# Launch\n\nOur new plan is here. Reply to book a call.\n' };
const skillMd = (marker: string, extra = '') =>
  `---\nname: Launch Email\ntype: email\ndescription: One launch email in the client's voice.\n${extra}triggers:\n  - launch email\n  - announce the launch\n---\n# Launch email\n\nWrite one launch email. ${marker}\n`;

beforeAll(async () => {
  fake = await startAnthropicFake();
  stack = await startTestStack({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.url } });
  await syncSkills(stack.db);
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
  const o = await createClientWithUser(stack.db);
  other = { clientId: o.client.id, auth: o.auth };
});
afterAll(async () => {
  await stack?.stop();
  await fake?.close();
});
beforeEach(() => fake.reset());

const api = () => request(stack.app);
const base = (id = clientId) => `/api/v1/clients/${id}/skills`;
const settle = (runId: string) =>
  stack.temporal.workflow
    .getHandle(workflowIds.skillRun(runId))
    .result()
    .catch(() => undefined);
const promptOf = (i: number) => JSON.stringify(fake.requests[i].body);

describe("a client's own skill through the API", () => {
  it('is created as version 1, changed to version 2, and a run records and generates with version 2', async () => {
    const made = await api()
      .post(base())
      .set(auth)
      .send({ slug: 'launch-email', skillMd: skillMd('MARKER-V1'), rules: '# Rules\n1. Under 120 words.', files: { 'examples/good.md': 'A good example.' } });
    expect(made.status).toBe(201);
    expectConforms('post', `${base()}`, made);
    expect(made.body).toMatchObject({ slug: 'launch-email', clientId, builtIn: false, version: 1, changed: true, resources: ['examples/good.md'] });

    const changed = await api()
      .put(`${base()}/launch-email`)
      .set(auth)
      .send({ skillMd: skillMd('MARKER-V2'), rules: '# Rules\n1. Under 100 words.' });
    expect(changed.status).toBe(200);
    expectConforms('put', `${base()}/launch-email`, changed);
    expect(changed.body).toMatchObject({ version: 2, changed: true, resources: [] });
    // The same text again is no new version.
    const same = await api()
      .put(`${base()}/launch-email`)
      .set(auth)
      .send({ skillMd: skillMd('MARKER-V2'), rules: '# Rules\n1. Under 100 words.' });
    expect(same.body).toMatchObject({ version: 2, changed: false });

    const versions = await api().get(`${base()}/launch-email/versions`).set(auth);
    expect(versions.status).toBe(200);
    expectConforms('get', `${base()}/launch-email/versions`, versions);
    expect(versions.body.data.map((v: { version: number; source: string }) => [v.version, v.source])).toEqual([
      [2, 'api'],
      [1, 'api'],
    ]);
    const v1 = await api().get(`${base()}/launch-email/versions/1`).set(auth);
    expect(v1.status).toBe(200);
    expectConforms('get', `${base()}/launch-email/versions/1`, v1);
    expect(v1.body).toMatchObject({ version: 1, rules: '# Rules\n1. Under 120 words.', files: { 'examples/good.md': 'A good example.' } });
    expect(v1.body.content).toContain('MARKER-V1');
    expect((await api().get(`${base()}/launch-email/versions/3`).set(auth)).status).toBe(404);

    fake.enqueue(toolReply(OUTPUT));
    const started = await api().post('/api/v1/runs').set(auth).send({ skill: 'launch-email', clientId, message: 'Announce the spring plan' });
    expect(started.status).toBe(202);
    await settle(started.body.runId);
    const run = await api().get(`/api/v1/runs/${started.body.runId}`).set(auth);
    expectConforms('get', `/api/v1/runs/${started.body.runId}`, run);
    expect(run.body).toMatchObject({ status: 'completed', skill: 'launch-email', skillVersion: 2 });
    expect(fake.requests).toHaveLength(1);
    expect(promptOf(0)).toContain('MARKER-V2');
    expect(promptOf(0)).toContain('Under 100 words');
    expect(promptOf(0)).not.toContain('MARKER-V1');
  });

  it('a run generates with the version it recorded, even when the skill changes before it generates', async () => {
    await api()
      .post(base())
      .set(auth)
      .send({ slug: 'pinned-skill', skillMd: skillMd('PINNED-V1') })
      .expect(201);
    const run = await createRun(stack.db, { clientId, userId: null, skillSlug: 'pinned-skill', message: 'Write it', source: 'api' });
    expect(run.skillVersion).toBe(1);
    const skill = await stack.db.skill.findUniqueOrThrow({ where: { clientId_slug: { clientId, slug: 'pinned-skill' } } });
    const { changed } = await updateSkill(stack.db, skill.id, {
      data: parseSkillUpload('pinned-skill', { skillMd: skillMd('PINNED-V2'), rules: null, files: {} }),
      createdBy: null,
    });
    expect(changed).toBe(true);

    fake.enqueue(toolReply(OUTPUT));
    await generateRunOutput(stack.db, aiDepsFromConfig(stack.db, stack.config), run.id);
    expect(promptOf(0)).toContain('PINNED-V1');
    expect(promptOf(0)).not.toContain('PINNED-V2');
    // A new run takes the new version.
    expect((await createRun(stack.db, { clientId, userId: null, skillSlug: 'pinned-skill', message: 'Again', source: 'api' })).skillVersion).toBe(2);
  });

  it('is visible to its client only: listed with the built-ins for it, 404 and unknown to another client', async () => {
    await api()
      .post(base())
      .set(auth)
      .send({ slug: 'secret-sauce', skillMd: skillMd('SECRET') })
      .expect(201);
    const mine = await api().get(base()).set(auth);
    expect(mine.status).toBe(200);
    expectConforms('get', base(), mine);
    const slugs = mine.body.data.map((s: { slug: string }) => s.slug);
    expect(slugs).toEqual(expect.arrayContaining(['secret-sauce', 'copywriting', 'page-cro']));

    const theirs = await api().get(base(other.clientId)).set(other.auth);
    expect(theirs.body.data.map((s: { slug: string }) => s.slug)).not.toContain('secret-sauce');
    expect(theirs.body.data.map((s: { slug: string }) => s.slug)).toContain('copywriting');
    const global = await api().get('/api/v1/skills').set(other.auth);
    expect(global.body.data.map((s: { slug: string }) => s.slug)).not.toContain('secret-sauce');
    expect((await api().get('/api/v1/skills').set(auth)).body.data.map((s: { slug: string }) => s.slug)).toContain('secret-sauce');

    // Their own client in the path, this client's skill: 404; this client in the path: 404.
    for (const path of [`${base(other.clientId)}/secret-sauce`, `${base(other.clientId)}/secret-sauce/versions`, `${base()}/secret-sauce`]) {
      expect([path, (await api().get(path).set(other.auth)).status]).toEqual([path, 404]);
    }
    expect(
      (
        await api()
          .put(`${base(other.clientId)}/secret-sauce`)
          .set(other.auth)
          .send({ skillMd: skillMd('STOLEN') })
      ).status,
    ).toBe(404);
    expect((await api().get('/api/v1/skills/secret-sauce').set(auth)).status).toBe(404);
    const run = await api().post('/api/v1/runs').set(other.auth).send({ skill: 'secret-sauce', clientId: other.clientId, message: 'Use it' });
    expect([run.status, run.body.error.details[0].code]).toEqual([400, 'unknown_skill']);
    // Another client may use the same slug for its own skill.
    expect(
      (
        await api()
          .post(base(other.clientId))
          .set(other.auth)
          .send({ slug: 'secret-sauce', skillMd: skillMd('THEIRS') })
      ).status,
    ).toBe(201);
    expect((await api().get(`${base()}/secret-sauce`).set(auth)).body.content).toContain('SECRET');
  });

  it('roles: viewers and members read, admins write; a built-in is not a client admin’s to change or shadow', async () => {
    const viewer = await addUser(stack.db, clientId, 'viewer');
    const member = await addUser(stack.db, clientId, 'member');
    const clientAdmin = await addUser(stack.db, clientId, 'admin');
    expect((await api().get(base()).set(viewer.auth)).status).toBe(200);
    expect(
      (
        await api()
          .post(base())
          .set(member.auth)
          .send({ slug: 'by-member', skillMd: skillMd('M') })
      ).status,
    ).toBe(403);
    expect(
      (
        await api()
          .post(base())
          .set(clientAdmin.auth)
          .send({ slug: 'by-admin', skillMd: skillMd('A') })
      ).status,
    ).toBe(201);
    const shadow = await api()
      .post(base())
      .set(clientAdmin.auth)
      .send({ slug: 'copywriting', skillMd: skillMd('SHADOW') });
    expect([shadow.status, shadow.body.error.code]).toEqual([409, 'CONFLICT']);
    expect(
      (
        await api()
          .put(`${base()}/copywriting`)
          .set(clientAdmin.auth)
          .send({ skillMd: skillMd('X') })
      ).status,
    ).toBe(403);
    expect(
      (
        await api()
          .put('/api/v1/skills/copywriting')
          .set(clientAdmin.auth)
          .send({ skillMd: skillMd('X') })
      ).status,
    ).toBe(403);
    expect(
      (
        await api()
          .post('/api/v1/skills')
          .set(clientAdmin.auth)
          .send({ slug: 'new-global', skillMd: skillMd('X') })
      ).status,
    ).toBe(403);
    // The built-in as the client sees it.
    const seen = await api().get(`${base()}/copywriting`).set(viewer.auth);
    expect(seen.body).toMatchObject({ slug: 'copywriting', builtIn: true, clientId: null });
  });
});

describe('limits: bad names, types, front-matter (400) and sizes (413) change nothing', () => {
  it('refuses each and leaves the skill at its version', async () => {
    await api()
      .post(base())
      .set(auth)
      .send({ slug: 'limited', skillMd: skillMd('LIMITED') })
      .expect(201);
    const countVersions = () => stack.db.skillVersion.count({ where: { skill: { clientId, slug: 'limited' } } });
    const countSkills = () => stack.db.skill.count({ where: { clientId } });
    const [versionsBefore, skillsBefore] = [await countVersions(), await countSkills()];
    const bad: Array<[string, object]> = [
      ['dot-dot', { skillMd: skillMd('X'), files: { '../escape.md': 'x' } }],
      ['absolute', { skillMd: skillMd('X'), files: { '/etc/passwd.md': 'x' } }],
      ['backslash', { skillMd: skillMd('X'), files: { 'a\\b.md': 'x' } }],
      ['binary type', { skillMd: skillMd('X'), files: { 'logo.png': 'x' } }],
      ['script type', { skillMd: skillMd('X'), files: { 'run.sh': 'x' } }],
      ['hidden', { skillMd: skillMd('X'), files: { '.env.md': 'x' } }],
      ['SKILL.md as a file', { skillMd: skillMd('X'), files: { 'SKILL.md': 'x' } }],
      ['no front-matter', { skillMd: '# Just text' }],
      ['no triggers', { skillMd: '---\nname: A\ntype: b\ndescription: Something long enough.\n---\nBody\n' }],
      ['unknown tool', { skillMd: skillMd('X', 'tools: [run_shell]\n') }],
      ['not text', { skillMd: skillMd('X'), files: { 'a.md': 'nul\0byte' } }],
      ['unknown field', { skillMd: skillMd('X'), owner: 'me' }],
    ];
    for (const [name, body] of bad) {
      const res = await api().put(`${base()}/limited`).set(auth).send(body);
      expect([name, res.status, res.body.error?.code]).toEqual([name, 400, 'VALIDATION_ERROR']);
    }
    const badSlug = await api()
      .post(base())
      .set(auth)
      .send({ slug: 'Bad Slug', skillMd: skillMd('X') });
    expect(badSlug.status).toBe(400);

    const big = 'x'.repeat(256 * 1024 + 1);
    const quarter = 'y'.repeat(250 * 1024);
    const tooLarge: Array<[string, object]> = [
      ['one file over 256 KB', { skillMd: skillMd('X'), files: { 'big.md': big } }],
      ['rules over 256 KB', { skillMd: skillMd('X'), rules: big }],
      ['all over 1 MB', { skillMd: skillMd('X'), files: { 'a.md': quarter, 'b.md': quarter, 'c.md': quarter, 'd.md': quarter, 'e.txt': quarter } }],
    ];
    for (const [name, body] of tooLarge) {
      const res = await api().put(`${base()}/limited`).set(auth).send(body);
      expect([name, res.status, res.body.error?.code]).toEqual([name, 413, 'PAYLOAD_TOO_LARGE']);
      expectConforms('put', `${base()}/limited`, res);
    }
    const created = await api()
      .post(base())
      .set(auth)
      .send({ slug: 'too-big', skillMd: skillMd('X'), files: { 'big.md': big } });
    expect(created.status).toBe(413);
    expect([await countVersions(), await countSkills()]).toEqual([versionsBefore, skillsBefore]);
    // A resource of each allowed type is fine.
    const ok = await api()
      .put(`${base()}/limited`)
      .set(auth)
      .send({ skillMd: skillMd('X'), files: { 'a.md': 'a', 'b.txt': 'b', 'c.json': '{}', 'd.csv': 'x,y', 'e/f.yaml': 'k: v' } });
    expect(ok.status).toBe(200);
    expect(ok.body.resources).toEqual(['a.md', 'b.txt', 'c.json', 'd.csv', 'e/f.yaml']);
  });
});

describe('built-in skills', () => {
  it('a platform admin creates and versions them; the folder sync never replaces an API edit', async () => {
    const made = await api()
      .post('/api/v1/skills')
      .set(admin())
      .send({ slug: 'house-style', skillMd: skillMd('HOUSE-V1') });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ builtIn: true, version: 1 });
    // A client may not take a built-in's slug; a built-in may not take a client's.
    expect(
      (
        await api()
          .post(base())
          .set(auth)
          .send({ slug: 'house-style', skillMd: skillMd('X') })
      ).status,
    ).toBe(409);
    await api()
      .post(base())
      .set(auth)
      .send({ slug: 'client-first', skillMd: skillMd('X') })
      .expect(201);
    expect(
      (
        await api()
          .post('/api/v1/skills')
          .set(admin())
          .send({ slug: 'client-first', skillMd: skillMd('X') })
      ).status,
    ).toBe(409);

    // A folder of two built-ins; copywriting edited through the API.
    const dir = mkdtempSync(join(tmpdir(), 'skills-'));
    try {
      for (const slug of ['copywriting', 'ad-copy']) cpSync(join(__dirname, '..', '..', 'skills', slug), join(dir, slug), { recursive: true });
      expect(await syncSkills(stack.db, dir)).toMatchObject({ created: [], updated: [], unchanged: ['ad-copy', 'copywriting'], kept: [] });
      const before = await api().get('/api/v1/skills/copywriting').set(auth);
      const edited = await api()
        .put('/api/v1/skills/copywriting')
        .set(admin())
        .send({ skillMd: skillMd('OUR-EDIT'), rules: '# Rules\n1. Ours.' });
      expect(edited.body).toMatchObject({ version: before.body.version + 1, changed: true });

      // The folder changes: copywriting keeps the API edit (no version), ad-copy gets a folder version.
      appendFileSync(join(dir, 'copywriting', 'SKILL.md'), '\nA folder change.\n');
      appendFileSync(join(dir, 'ad-copy', 'SKILL.md'), '\nA folder change.\n');
      expect(await syncSkills(stack.db, dir)).toEqual({ created: [], updated: ['ad-copy'], unchanged: [], kept: ['copywriting'] });
      expect(await syncSkills(stack.db, dir)).toEqual({ created: [], updated: [], unchanged: ['ad-copy'], kept: ['copywriting'] });
      const after = await api().get('/api/v1/skills/copywriting').set(auth);
      expect(after.body.version).toBe(before.body.version + 1);
      expect(after.body.content).toContain('OUR-EDIT');
      const versions = await api().get('/api/v1/skills/ad-copy/versions').set(auth);
      expectConforms('get', '/api/v1/skills/ad-copy/versions', versions);
      expect(versions.body.data[0]).toMatchObject({ source: 'folder', createdBy: null });
      const v = await api().get(`/api/v1/skills/copywriting/versions/${after.body.version}`).set(auth);
      expect(v.body).toMatchObject({ source: 'api', rules: '# Rules\n1. Ours.' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
