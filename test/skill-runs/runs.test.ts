// Skill runs end to end on a real Temporal server and PostgreSQL, with Claude played by a local
// fake of the Messages API (driven through the real SDK): the prompt carries the skill, its rules
// and the client's context documents; the output is saved, listed and downloadable; tokens and
// cost are recorded; a signed callback is sent; Claude failures are retried and end the run
// `failed` with the reason; a run can be cancelled.
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { WorkflowFailedError } from '@temporalio/client';
import { postRunCallback, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/engines/skill-runs/callback';
import { syncSkills } from '../../src/engines/skill-runs/library';
import { workflowIds } from '../../workflows/ids';
import { startAnthropicFake, toolReply, type AnthropicFake, type FakeReply } from '../fakes/anthropic-fake';
import { startFake, type HttpFake } from '../fakes/http-fake';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
let fake: AnthropicFake;
let hooks: HttpFake;
let clientId: string;
let auth: { Authorization: string };

const OUTPUT = {
  title: 'Homepage copy for Yaz Automate',
  markdown: '# Automation that pays for itself\n\nYaz Automate builds workflows for busy teams.\n\n## Assumptions\n- None.',
};

beforeAll(async () => {
  fake = await startAnthropicFake();
  hooks = await startFake([{ method: 'POST', path: '/hook', handler: () => ({ status: 200, body: { ok: true } }) }]);
  stack = await startTestStack({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.url, CALLBACK_ALLOW_PRIVATE_HOSTS: 'true' } });
  await syncSkills(stack.db);
  const c = await createClientWithUser(stack.db);
  clientId = (await stack.db.client.update({ where: { id: c.client.id }, data: { name: 'Yaz Automate' } })).id;
  auth = c.auth;
});
afterAll(async () => {
  await stack?.stop();
  await fake?.close();
  await hooks?.close();
});
beforeEach(() => {
  fake.reset();
  hooks.reset();
});

const api = () => request(stack.app);

async function startRun(body: Record<string, unknown> = {}): Promise<string> {
  const res = await api()
    .post('/api/v1/runs')
    .set(auth)
    .send({ skill: 'copywriting', clientId, message: 'Write homepage copy for Yaz Automate', ...body });
  expect(res.status).toBe(202);
  expect(res.body.status).toBe('queued');
  return res.body.runId as string;
}

async function settled(runId: string): Promise<Record<string, unknown>> {
  await stack.temporal.workflow
    .getHandle(workflowIds.skillRun(runId))
    .result()
    .catch(() => undefined);
  const res = await api().get(`/api/v1/runs/${runId}`).set(auth);
  expect(res.status).toBe(200);
  return res.body;
}

describe('context documents', () => {
  it('CRUD under /clients/:clientId/context, in the prompt order', async () => {
    const base = `/api/v1/clients/${clientId}/context`;
    const docs = [
      { path: 'product/overview.md', content: 'Workflow automation for teams of 10-50 people.' },
      { path: 'brand/voice.md', title: 'Brand voice', content: 'Plain, warm, confident. Never use the word "synergy".' },
      { path: 'profile.md', content: 'Yaz Automate is a Sydney automation consultancy.' },
      { path: 'audience/primary-icp.md', content: 'Operations managers at Australian SMBs.' },
    ];
    for (const d of docs) expect((await api().post(base).set(auth).send(d)).status).toBe(201);

    const list = await api().get(base).set(auth);
    expect(list.body.data.map((d: { path: string }) => d.path)).toEqual(['profile.md', 'brand/voice.md', 'audience/primary-icp.md', 'product/overview.md']);
    expect(list.body.data[0].content).toBeUndefined();

    const dup = await api().post(base).set(auth).send({ path: 'profile.md', content: 'again' });
    expect(dup.status).toBe(409);
    for (const path of ['../secrets.md', '/abs.md', 'notes.txt', 'Brand/Voice.md']) {
      const bad = await api().post(base).set(auth).send({ path, content: 'x' });
      expect([path, bad.status, bad.body.error.code]).toEqual([path, 400, 'VALIDATION_ERROR']);
    }

    const scratch = await api().post(base).set(auth).send({ path: 'scratch.md', content: 'temporary' });
    const id = scratch.body.documentId as string;
    const patched = await api().patch(`${base}/${id}`).set(auth).send({ path: 'notes/scratch.md', title: 'Scratch' });
    expect(patched.body).toMatchObject({ path: 'notes/scratch.md', title: 'Scratch', content: 'temporary' });
    expect((await api().patch(`${base}/${id}`).set(auth).send({})).status).toBe(400);
    expect((await api().patch(`${base}/${id}`).set(auth).send({ path: 'profile.md' })).status).toBe(409);
    expect((await api().delete(`${base}/${id}`).set(auth)).status).toBe(204);
    expect((await api().get(`${base}/${id}`).set(auth)).status).toBe(404);
    // A deleted path can be used again.
    expect((await api().post(base).set(auth).send({ path: 'notes/scratch.md', content: 'back' })).status).toBe(201);
    await stack.db.clientContextDocument.updateMany({ where: { clientId, path: 'notes/scratch.md' }, data: { deletedAt: new Date() } });

    const viewer = await addUser(stack.db, clientId, 'viewer');
    expect((await api().get(base).set(viewer.auth)).status).toBe(200);
    expect((await api().post(base).set(viewer.auth).send({ path: 'x.md', content: 'x' })).status).toBe(403);
  });
});

describe('a run end to end', () => {
  it('builds the prompt from skill, rules and context, saves the output and records the cost', async () => {
    fake.enqueue(toolReply(OUTPUT, { input_tokens: 4200, output_tokens: 900 }));
    const runId = await startRun({ callbackUrl: `${hooks.url}/hook` });
    const run = await settled(runId);
    expect(run).toMatchObject({ status: 'completed', step: 'done', skill: 'copywriting', attempts: 1, inputTokens: 4200, outputTokens: 900, error: null });
    expect(run.costUsd as number).toBeGreaterThan(0);

    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0];
    expect(sent.tool).toBe('save_output');
    expect(sent.body.model).toBe(stack.config.ANTHROPIC_MODEL_GENERATION);
    const prompt = String(sent.body.messages[0].content);
    const skill = await stack.db.skill.findFirstOrThrow({ where: { clientId: null, slug: 'copywriting' } });
    expect(prompt).toContain(skill.content.split('\n').find((l) => l.length > 40)!);
    expect(prompt).toContain(skill.rules!.split('\n').find((l) => /^1\./.test(l))!);
    const order = [
      '## profile.md',
      '## brand/voice.md (Brand voice)',
      'Never use the word "synergy"',
      '## audience/primary-icp.md',
      '## product/overview.md',
      '# Request',
      'Write homepage copy for Yaz Automate',
    ].map((s) => prompt.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(prompt).not.toContain('notes/scratch.md');
    expect(sent.body.system).toMatch(/never invent statistics/);

    // The output: listed, readable, downloadable.
    const outputId = run.outputId as string;
    const one = await api().get(`/api/v1/outputs/${outputId}`).set(auth);
    expect(one.body).toMatchObject({ outputId, runId, clientId, skill: 'copywriting', title: OUTPUT.title, content: OUTPUT.markdown, format: 'markdown' });
    const link = await api().post(`/api/v1/outputs/${outputId}/download-url`).set(auth).send({});
    expect(link.status).toBe(200);
    const file = await api().get(new URL(link.body.url as string).pathname + new URL(link.body.url as string).search);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toMatch(/^text\/markdown/);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="homepage-copy-for-yaz-automate-\d{4}-\d{2}-\d{2}\.md"$/);
    expect(file.text).toBe(OUTPUT.markdown);

    const today = new Date().toISOString().slice(0, 10);
    const listed = await api().get('/api/v1/outputs').query({ clientId, skill: 'copywriting', from: today, to: today }).set(auth);
    expect(listed.body.data.map((o: { outputId: string }) => o.outputId)).toContain(outputId);
    expect(listed.body.data[0].preview).toBe(OUTPUT.markdown.slice(0, 500));
    expect((await api().get('/api/v1/outputs').query({ skill: 'ad-copy' }).set(auth)).body.data).toEqual([]);
    expect((await api().get('/api/v1/outputs').query({ to: '2020-01-01' }).set(auth)).body.data).toEqual([]);
    expect((await api().get('/api/v1/outputs').query({ from: today, to: '2020-01-01' }).set(auth)).status).toBe(400);

    // Spend is attributed to the run and the skill.
    const usage = await stack.db.aiUsage.findMany({ where: { runId } });
    expect(usage).toMatchObject([{ clientId, purpose: 'skill-run', skillSlug: 'copywriting', workflowId: workflowIds.skillRun(runId) }]);

    // The requester's callback, signed.
    const hook = hooks.requests.find((r) => r.path === '/hook')!;
    expect(hook.body).toMatchObject({ event: 'skill_run.finished', runId, status: 'completed', outputId, title: OUTPUT.title });
    const ts = String(hook.headers[TIMESTAMP_HEADER.toLowerCase()]);
    const expected = `sha256=${createHmac('sha256', stack.config.SIGNING_SECRET!).update(`${ts}.${hook.rawBody}`).digest('hex')}`;
    expect(hook.headers[SIGNATURE_HEADER.toLowerCase()]).toBe(expected);

    recordHistory(workflowIds.skillRun(runId), 'skill-run-completed');
  });

  it('retries a failed Claude call by the activity policy', async () => {
    fake.enqueue({ kind: 'error', status: 529, errorType: 'overloaded_error' }, toolReply(OUTPUT));
    const run = await settled(await startRun());
    expect(run).toMatchObject({ status: 'completed', attempts: 2 });
    expect(fake.requests).toHaveLength(2);
  });

  it('ends failed with the reason when Claude refuses the request', async () => {
    fake.enqueue({ kind: 'error', status: 400, errorType: 'invalid_request_error', message: 'prompt is too long' });
    const runId = await startRun({ callbackUrl: `${hooks.url}/hook` });
    const run = await settled(runId);
    expect(run).toMatchObject({ status: 'failed', outputId: null, attempts: 1 });
    expect(run.error).toMatch(/Claude API 400: .*prompt is too long/);
    expect(fake.requests).toHaveLength(1);
    expect(hooks.requests[0].body).toMatchObject({ runId, status: 'failed', outputId: null });
    const err = await stack.temporal.workflow
      .getHandle(workflowIds.skillRun(runId))
      .result()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
  });

  it('ends failed when the answer never fits the output schema', async () => {
    fake.setResponder(() => toolReply({ title: 'No body' }));
    try {
      const run = await settled(await startRun());
      expect(run).toMatchObject({ status: 'failed' });
      expect(run.error).toMatch(/save_output output was invalid after 2 attempt/);
      expect(fake.requests).toHaveLength(2);
    } finally {
      fake.setResponder(undefined);
    }
  });
});

describe('cancellation', () => {
  it('cancels a run in flight; the requester is told; a second cancel is a no-op', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fake.setResponder(async (): Promise<FakeReply> => {
      await gate;
      return toolReply(OUTPUT);
    });
    try {
      const runId = await startRun({ callbackUrl: `${hooks.url}/hook` });
      const deadline = Date.now() + 20_000;
      while (fake.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const live = await api().get(`/api/v1/runs/${runId}`).set(auth);
      expect(live.body).toMatchObject({ status: 'running', step: 'generating' });

      const cancel = await api().post(`/api/v1/runs/${runId}/cancel`).set(auth);
      expect(cancel.status).toBe(202);
      const run = await settled(runId);
      expect(run).toMatchObject({ status: 'cancelled', error: 'cancelled on request', outputId: null });
      expect(hooks.requests.map((r) => r.body)).toEqual([expect.objectContaining({ runId, status: 'cancelled' })]);
      expect((await stack.temporal.workflow.getHandle(workflowIds.skillRun(runId)).describe()).status.name).toBe('CANCELLED');

      const again = await api().post(`/api/v1/runs/${runId}/cancel`).set(auth);
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('cancelled');
      recordHistory(workflowIds.skillRun(runId), 'skill-run-cancelled');
    } finally {
      release();
      fake.setResponder(undefined);
    }
  });

  it('a finished run cannot be cancelled', async () => {
    fake.enqueue(toolReply(OUTPUT));
    const runId = await startRun();
    await settled(runId);
    const res = await api().post(`/api/v1/runs/${runId}/cancel`).set(auth);
    expect(res.status).toBe(409);
  });
});

describe('bad input', () => {
  it('is refused with the issues and starts nothing', async () => {
    const before = await stack.db.skillRun.count();
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ skill: 'no-such-skill', clientId, message: 'x' }, 400],
      [{ skill: 'copywriting', clientId, message: '' }, 400],
      [{ skill: 'copywriting', clientId }, 400],
      [{ skill: 'copywriting', clientId, message: 'x', callbackUrl: 'ftp://example.com/x' }, 400],
      [{ skill: 'copywriting', clientId, message: 'x', surprise: true }, 400],
      [{ skill: 'copywriting', clientId: '00000000-0000-4000-8000-000000000000', message: 'x' }, 404],
    ];
    for (const [body, status] of cases) {
      const res = await api().post('/api/v1/runs').set(auth).send(body);
      expect([body, res.status]).toEqual([body, status]);
    }
    expect(await stack.db.skillRun.count()).toBe(before);
    expect((await api().get('/api/v1/runs/not-a-uuid').set(auth)).status).toBe(400);
    expect((await api().get('/api/v1/runs/00000000-0000-4000-8000-000000000000').set(auth)).status).toBe(404);
  });
});

describe('callbacks', () => {
  it('are never sent to private addresses unless allowed', async () => {
    const payload = {
      event: 'skill_run.finished' as const,
      runId: 'r',
      clientId: 'c',
      skill: 's',
      status: 'completed' as const,
      outputId: null,
      title: null,
      error: null,
    };
    await expect(postRunCallback(`${hooks.url}/hook`, payload, { secret: 's', allowPrivateHosts: false })).rejects.toThrow(/private or reserved address/);
    expect(hooks.requests).toHaveLength(0);
  });
});

describe('without an Anthropic key', () => {
  it('fails fast with "AI not configured" and no content', async () => {
    const bare = await startTestStack();
    try {
      await syncSkills(bare.db);
      const c = await createClientWithUser(bare.db);
      const res = await request(bare.app).post('/api/v1/runs').set(c.auth).send({ skill: 'ad-copy', clientId: c.client.id, message: 'Google ads please' });
      expect(res.status).toBe(202);
      await bare.temporal.workflow
        .getHandle(workflowIds.skillRun(res.body.runId))
        .result()
        .catch(() => undefined);
      const run = await request(bare.app).get(`/api/v1/runs/${res.body.runId}`).set(c.auth);
      expect(run.body).toMatchObject({ status: 'failed', error: 'AI not configured: set ANTHROPIC_API_KEY to run skills', attempts: 0, outputId: null });
      expect(await bare.db.output.count()).toBe(0);
    } finally {
      await bare.stop();
    }
  });
});
