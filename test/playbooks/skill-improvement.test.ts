// The skill-improvement playbook end to end on a real Temporal server and PostgreSQL, Claude played by
// the local fake Messages API: a skill whose version-1 outputs were rated (issues, suggested rule
// changes) → POST …/improvements → the propose-rules step's Claude call reads that feedback and the
// current RULES.md → the proposal waits at its checkpoint → approved (or edited, then published) →
// the skill is at version 2 (source improvement) → a new run records version 2 and its prompt
// carries the new rules. A rejection publishes nothing; access follows the skill's owner.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { syncPlaybooks } from '../../src/engines/playbooks/library';
import { extractProposedRules, RULES_BEGIN, RULES_END } from '../../src/engines/playbooks/skill-improvement';
import { parseSkillSource, syncSkills } from '../../src/engines/skill-runs/library';
import { createSkill, publishRules, SkillChangedSince, syncBuiltIn } from '../../src/engines/skill-runs/skill-store';
import { requestPlaybookRun } from '../../src/lifecycle/playbook-runs';
import { workflowIds } from '../../workflows/ids';
import { startAnthropicFake, toolReply, type AnthropicFake, type FakeMessagesRequest } from '../fakes/anthropic-fake';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';
import { expectConforms } from '../api/conformance';

let claude: AnthropicFake;
let stack: TestStack;
let clientId: string;
let auth: { Authorization: string };
let userId: string;
let admin: { Authorization: string };
/** The next propose_rules answers, by skill slug (default: a proposal with NEW-RULE-<slug>). */
const proposals = new Map<string, unknown>();

const text = (r: FakeMessagesRequest) => JSON.stringify(r.body.messages);
const proposeCalls = (slug: string) => claude.requests.filter((r) => r.tool === 'propose_rules' && text(r).includes(`(${slug})`));
const runCalls = (marker: string) => claude.requests.filter((r) => r.tool === 'save_output' && text(r).includes(marker));

beforeAll(async () => {
  claude = await startAnthropicFake();
  claude.setResponder((req) => {
    if (req.tool === 'save_output')
      return toolReply({ title: 'Homepage copy', markdown: '# Homepage\n\nLOOK-NO-FURTHER: the best automation audit in the world, guaranteed.' });
    if (req.tool === 'propose_rules') {
      const slug = /\(([a-z0-9-]+)\), version/.exec(text(req))?.[1] ?? 'unknown';
      return toolReply(
        proposals.get(slug) ?? {
          summary: 'Raters found the copy full of superlatives and the calls to action vague.',
          changes: [
            { change: 'Add rule 2: no superlatives or guarantees', reason: 'Three ratings flagged "too many superlatives"' },
            { change: 'Add rule 3: one specific call to action', reason: 'Suggested by raters: "name the next step"' },
          ],
          rules: `# Rules\n\n1. RULE-V1: write for operations managers.\n2. NEW-RULE-${slug}: no superlatives or guarantees.\n3. One specific call to action.`,
        },
      );
    }
    return { kind: 'error', status: 400, message: `fake: unexpected request ${req.tool}` };
  });
  stack = await startTestStack({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: claude.url } });
  await syncSkills(stack.db);
  await syncPlaybooks(stack.db);
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
  userId = c.user.id;
  admin = { Authorization: `Bearer ${stack.adminKey}` };
});
afterAll(async () => {
  await stack?.stop();
  await claude?.close();
});

const api = () => request(stack.app);

async function waitFor<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface RunView {
  status: string;
  target: { skill: string; builtIn: boolean; version: number } | null;
  waitingFor: { step: string; kind: string } | null;
  steps: Array<{ key: string; action: string | null; skill: string; status: string; output: string | null; error: string | null }>;
}

async function view(runId: string, as = auth): Promise<RunView> {
  const res = await api().get(`/api/v1/playbook-runs/${runId}`).set(as);
  expect(res.status).toBe(200);
  expectConforms('get', `/api/v1/playbook-runs/${runId}`, res);
  return res.body as RunView;
}

const waitForStatus = (runId: string, status: string, as = auth) =>
  waitFor(`run ${runId} ${status}`, async () => {
    const v = await view(runId, as);
    return v.status === status ? v : null;
  });

const skillMd = (name: string) =>
  `---\nname: ${name}\ntype: content\ndescription: Homepage copy.\ntriggers:\n  - homepage\n---\nWrite homepage copy for the client.\n`;
const RULES_V1 = '# Rules\n\n1. RULE-V1: write for operations managers.';

/** A skill at version 1 (the client's own, or a built-in), two runs of it through the API, and their ratings. */
async function ratedSkill(owner: string | null) {
  const slug = `improve-${randomBytes(3).toString('hex')}`;
  await createSkill(stack.db, {
    clientId: owner,
    slug,
    data: parseSkillSource(slug, { skillMd: skillMd(`Homepage ${slug}`), rules: RULES_V1, files: {} }),
    createdBy: null,
  });
  const outputs: string[] = [];
  for (const message of ['Homepage copy for the audit service', 'Homepage copy for the ops workshop']) {
    const res = await api().post('/api/v1/runs').set(auth).send({ skill: slug, clientId, message });
    expect(res.status).toBe(202);
    const run = await waitFor('the run', async () => {
      const r = await stack.db.skillRun.findUniqueOrThrow({ where: { id: res.body.runId } });
      return r.status === 'completed' ? r : null;
    });
    expect(run.skillVersion).toBe(1);
    outputs.push((await stack.db.output.findUniqueOrThrow({ where: { runId: run.id } })).id);
  }
  const ratings = [
    {
      outputId: outputs[0],
      overall: 2,
      ruleCompliance: 2,
      issues: ['Too many superlatives', 'Vague call to action'],
      suggestedRuleChanges: 'Ban superlatives and guarantees',
    },
    {
      outputId: outputs[1],
      overall: 3,
      issues: ['too many superlatives.'],
      suggestedRuleChanges: 'Name the next step in the call to action',
      whatWorked: 'Clear audience',
    },
  ];
  for (const r of ratings) expect((await api().post('/api/v1/feedback').set(auth).send(r)).status).toBe(201);
  return slug;
}

describe('improving a client skill', () => {
  it("proposes rules from the version's feedback, publishes the edited proposal as version 2, and the next run uses it", async () => {
    const slug = await ratedSkill(clientId);
    const path = `/api/v1/clients/${clientId}/skills/${slug}/improvements`;
    const member = await addUser(stack.db, clientId, 'member');
    expect((await api().post(path).set(member.auth).send({})).status).toBe(403);
    const start = await api().post(path).set(auth).send({ request: 'Keep it short.' });
    expect(start.status).toBe(202);
    expectConforms('post', path, start);
    expect(start.body).toMatchObject({ skill: slug, builtIn: false, version: 1, ratings: 2 });
    const runId = start.body.playbookRunId as string;
    // One at a time per skill.
    expect((await api().post(path).set(auth).send({})).status).toBe(409);

    const v = await waitForStatus(runId, 'awaiting_approval');
    expect(v.target).toMatchObject({ skill: slug, builtIn: false, version: 1 });
    expect(v.waitingFor).toEqual({ step: 'propose', kind: 'checkpoint' });
    expect(v.steps.map((s) => [s.key, s.action, s.skill, s.status])).toEqual([
      ['propose', 'propose-rules', slug, 'awaiting_approval'],
      ['publish', 'publish-rules', slug, 'pending'],
    ]);
    // Claude was asked with the feedback, the low-rated output and the current rules.
    expect(proposeCalls(slug)).toHaveLength(1);
    const prompt = text(proposeCalls(slug)[0]);
    // The same issue in other words counts once, twice over.
    expect(prompt).toMatch(/- too many superlatives\.? \(×2\)/i);
    for (const seen of [
      'Vague call to action',
      'Ban superlatives and guarantees',
      'Name the next step',
      'Clear audience',
      'RULE-V1',
      'LOOK-NO-FURTHER',
      'Keep it short.',
    ])
      expect([seen, prompt.includes(seen)]).toEqual([seen, true]);
    const proposal = v.steps[0].output!;
    expect(proposal).toContain('Version 1 → 2, from 2 ratings');
    expect(proposal).toContain('1. **Add rule 2: no superlatives or guarantees**\n   Why: Three ratings flagged');
    expect(extractProposedRules(proposal)).toContain(`NEW-RULE-${slug}`);
    // Spend went on the client's AI budget.
    expect(await stack.db.aiUsage.count({ where: { clientId, purpose: 'skill-improvement', skillSlug: slug } })).toBe(1);

    // Publishing needs an admin of the client; viewers read.
    const viewer = await addUser(stack.db, clientId, 'viewer');
    expect((await api().get(`/api/v1/playbook-runs/${runId}`).set(viewer.auth)).status).toBe(200);
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(member.auth).send({ decision: 'approve' })).status).toBe(403);
    const edited = proposal.replace(`NEW-RULE-${slug}: no superlatives or guarantees.`, `EDITED-RULE-${slug}: no superlatives, no guarantees, no "best".`);
    const decided = await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'edit', output: edited, note: 'stricter' });
    expect(decided.status).toBe(200);

    const done = await waitForStatus(runId, 'completed');
    expect(done.steps.map((s) => s.status)).toEqual(['approved', 'completed']);
    expect(done.steps[1].output).toContain('version 2');
    const skill = await stack.db.skill.findUniqueOrThrow({ where: { clientId_slug: { clientId, slug } } });
    expect(skill.version).toBe(2);
    expect(skill.rules).toContain(`EDITED-RULE-${slug}`);
    expect(skill.rules).not.toContain(RULES_BEGIN);
    expect(skill.rules).not.toContain(RULES_END);
    const v2 = await stack.db.skillVersion.findUniqueOrThrow({ where: { skillId_version: { skillId: skill.id, version: 2 } } });
    expect(v2).toMatchObject({ source: 'improvement', createdBy: userId, rules: skill.rules, content: 'Write homepage copy for the client.' });
    const versions = await api().get(`/api/v1/clients/${clientId}/skills/${slug}/versions`).set(auth);
    expect(versions.body.data[0]).toMatchObject({ version: 2, source: 'improvement' });

    // A new run records version 2 and its prompt carries the new rules.
    const marker = `NEXT-RUN-${slug}`;
    const next = await api().post('/api/v1/runs').set(auth).send({ skill: slug, clientId, message: marker });
    expect(next.status).toBe(202);
    const nextRun = await waitFor('the next run', async () => {
      const r = await stack.db.skillRun.findUniqueOrThrow({ where: { id: next.body.runId } });
      return r.status === 'completed' ? r : null;
    });
    expect(nextRun.skillVersion).toBe(2);
    expect(text(runCalls(marker)[0])).toContain(`EDITED-RULE-${slug}`);
  });

  it('a rejection leaves the skill at version 1; no feedback, a built-in or another tenant are refused', async () => {
    const slug = await ratedSkill(clientId);
    const path = `/api/v1/clients/${clientId}/skills/${slug}/improvements`;
    const runId = (await api().post(path).set(auth).send({})).body.playbookRunId as string;
    await waitForStatus(runId, 'awaiting_approval');
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'reject', note: 'not convinced' })).status).toBe(200);
    const v = await waitForStatus(runId, 'rejected');
    expect(v.steps.map((s) => s.status)).toEqual(['rejected', 'cancelled']);
    const skill = await stack.db.skill.findUniqueOrThrow({ where: { clientId_slug: { clientId, slug } } });
    expect(skill).toMatchObject({ version: 1, rules: RULES_V1 });
    expect(await stack.db.skillVersion.count({ where: { skillId: skill.id } })).toBe(1);

    // Nothing to go on: 409, and no run.
    const quiet = `quiet-${randomBytes(3).toString('hex')}`;
    await createSkill(stack.db, {
      clientId,
      slug: quiet,
      data: parseSkillSource(quiet, { skillMd: skillMd('Quiet'), rules: RULES_V1, files: {} }),
      createdBy: null,
    });
    const before = await stack.db.playbookRun.count();
    const none = await api().post(`/api/v1/clients/${clientId}/skills/${quiet}/improvements`).set(auth).send({});
    expect(none.status).toBe(409);
    expect(none.body.error.message).toContain('no feedback on outputs of');
    // A built-in through the client's path: 403; an unknown skill and another tenant: 404; bad input: 400.
    expect((await api().post(`/api/v1/clients/${clientId}/skills/copywriting/improvements`).set(auth).send({})).status).toBe(403);
    expect((await api().post(`/api/v1/clients/${clientId}/skills/no-such-skill/improvements`).set(auth).send({})).status).toBe(404);
    const other = await createClientWithUser(stack.db);
    expect((await api().post(path).set(other.auth).send({})).status).toBe(404);
    expect((await api().post(`/api/v1/clients/${other.client.id}/skills/${slug}/improvements`).set(other.auth).send({})).status).toBe(404);
    expect((await api().get(`/api/v1/playbook-runs/${runId}`).set(other.auth)).status).toBe(404);
    expect((await api().post(path).set(auth).send({ request: '' })).status).toBe(400);
    expect((await api().post(path).set(auth).send({ extra: 1 })).status).toBe(400);
    // The playbook is not started through the generic route (it needs a skill).
    const generic = await api().post('/api/v1/playbook-runs').set(auth).send({ playbook: 'skill-improvement', clientId, request: 'Improve copywriting' });
    expect(generic.status).toBe(400);
    expect(JSON.stringify(generic.body)).toContain('needs_target_skill');
    expect(await stack.db.playbookRun.count()).toBe(before);
  });
});

describe('improving a built-in skill', () => {
  it('platform admins only: the run is theirs to see, the digest links to it, approval publishes version 2', async () => {
    const slug = await ratedSkill(null);
    const path = `/api/v1/skills/${slug}/improvements`;
    expect((await api().post(path).set(auth).send({ clientId })).status).toBe(403);
    expect((await api().post(path).set(admin).send({})).status).toBe(400);
    expect((await api().post(path).set(admin).send({ clientId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);

    // Before: the digest (of the days before today) says how to start it.
    await stack.db.feedback.updateMany({ where: { skillSlug: slug }, data: { createdAt: new Date(Date.now() - 86_400_000) } });
    const digestBefore = await api().get('/api/v1/admin/skills/digest').set(admin);
    expect(digestBefore.status).toBe(200);
    expectConforms('get', '/api/v1/admin/skills/digest', digestBefore);
    const entryBefore = digestBefore.body.skills.find((s: { skill: string }) => s.skill === slug);
    expect(entryBefore).toMatchObject({ improve: { method: 'POST', path }, improvementRunId: null });

    const start = await api().post(path).set(admin).send({ clientId });
    expect(start.status).toBe(202);
    expectConforms('post', path, start);
    expect(start.body).toMatchObject({ skill: slug, builtIn: true, version: 1, ratings: 2 });
    const runId = start.body.playbookRunId as string;
    await waitForStatus(runId, 'awaiting_approval', admin);

    // It reads every client's feedback: the client's own users do not see it.
    expect((await api().get(`/api/v1/playbook-runs/${runId}`).set(auth)).status).toBe(404);
    expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve' })).status).toBe(404);
    const listed = await api().get('/api/v1/playbook-runs').query({ clientId }).set(auth);
    expect(listed.body.data.map((r: { playbookRunId: string }) => r.playbookRunId)).not.toContain(runId);
    const digest = await api().get('/api/v1/admin/skills/digest').set(admin);
    expect(digest.body.skills.find((s: { skill: string }) => s.skill === slug)).toMatchObject({ improve: { method: 'POST', path }, improvementRunId: runId });

    const approve = await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(admin).send({ decision: 'approve', step: 'propose' });
    expect(approve.status).toBe(200);
    expectConforms('post', `/api/v1/playbook-runs/${runId}/checkpoint`, approve);
    await waitForStatus(runId, 'completed', admin);
    const skill = await stack.db.skill.findFirstOrThrow({ where: { slug, clientId: null } });
    expect(skill.version).toBe(2);
    expect(skill.rules).toBe(
      `# Rules\n\n1. RULE-V1: write for operations managers.\n2. NEW-RULE-${slug}: no superlatives or guarantees.\n3. One specific call to action.`,
    );
    const v2 = await stack.db.skillVersion.findUniqueOrThrow({ where: { skillId_version: { skillId: skill.id, version: 2 } } });
    expect(v2.source).toBe('improvement');
    // The folder sync never replaces an improvement (nor does it touch this API-made built-in).
    expect(await stack.temporal.workflow.getHandle(workflowIds.playbookRun(runId)).result()).toMatchObject({ status: 'completed' });
    recordHistory(workflowIds.playbookRun(runId), 'playbook-run-skill-improvement');

    // No feedback on version 2 yet: nothing to improve.
    expect((await api().post(path).set(admin).send({ clientId })).status).toBe(409);
  });
});

describe('a proposal with nothing to go on', () => {
  it('fails the propose step with the reason (no Claude call); a retry fails the same way; cancel ends it', async () => {
    // The routes refuse this up front (409); a run started another way still fails clearly.
    const slug = `empty-${randomBytes(3).toString('hex')}`;
    const { skill } = await createSkill(stack.db, {
      clientId,
      slug,
      data: parseSkillSource(slug, { skillMd: skillMd('Empty'), rules: RULES_V1, files: {} }),
      createdBy: null,
    });
    const run = await requestPlaybookRun(stack, {
      clientId,
      userId,
      playbookSlug: 'skill-improvement',
      request: 'Improve it.',
      source: 'api',
      target: { skill },
    });
    const v = await waitForStatus(run.id, 'step_failed');
    expect(v.waitingFor).toEqual({ step: 'propose', kind: 'retry' });
    expect(v.steps[0]).toMatchObject({ status: 'failed', error: expect.stringContaining(`no feedback on outputs of ${slug} version 1`) });
    expect(proposeCalls(slug)).toHaveLength(0);
    expect((await api().post(`/api/v1/playbook-runs/${run.id}/retry`).set(auth).send({})).status).toBe(202);
    const retried = await waitFor('the retry to fail', async () => {
      const step = await stack.db.playbookRunStep.findFirstOrThrow({ where: { runId: run.id, key: 'propose' } });
      return step.attempts === 2 && step.status === 'failed' ? step : null;
    });
    expect(retried.error).toContain('nothing to improve yet');
    await waitForStatus(run.id, 'step_failed');
    expect((await api().post(`/api/v1/playbook-runs/${run.id}/cancel`).set(auth).send({})).status).toBe(202);
    await waitForStatus(run.id, 'cancelled');
    expect((await stack.db.skill.findUniqueOrThrow({ where: { id: skill.id } })).version).toBe(1);
  });
});

describe('publishing rules (skill-store)', () => {
  it('makes one version for one text, refuses a skill changed since the proposal, and the folder sync keeps it', async () => {
    const slug = `pub-${randomBytes(3).toString('hex')}`;
    const folder = parseSkillSource(slug, { skillMd: skillMd('Pub'), rules: RULES_V1, files: {} });
    await syncBuiltIn(stack.db, { ...folder, slug });
    const skill = await stack.db.skill.findFirstOrThrow({ where: { slug, clientId: null } });
    const first = await publishRules(stack.db, skill.id, { baseVersion: 1, rules: '# Rules\n\n1. Improved.\n', createdBy: userId });
    expect(first).toMatchObject({ changed: true, version: { version: 2, source: 'improvement', createdBy: userId, rules: '# Rules\n\n1. Improved.' } });
    // A retried publish of the same text: no second version.
    expect(await publishRules(stack.db, skill.id, { baseVersion: 1, rules: '# Rules\n\n1. Improved.', createdBy: userId })).toMatchObject({
      changed: false,
      version: { version: 2 },
    });
    // Another proposal made for version 1: refused, nothing written.
    await expect(publishRules(stack.db, skill.id, { baseVersion: 1, rules: 'Other rules.', createdBy: userId })).rejects.toThrow(SkillChangedSince);
    expect(await stack.db.skillVersion.count({ where: { skillId: skill.id } })).toBe(2);
    // A changed folder does not replace an improvement.
    const changedFolder = parseSkillSource(slug, { skillMd: skillMd('Pub'), rules: `${RULES_V1}\n2. From the folder.`, files: {} });
    expect(await syncBuiltIn(stack.db, { ...changedFolder, slug })).toBe('kept');
  });
});
