// The runs API beyond one run: listing with filters, retrying a failed or cancelled run (a new run
// and workflow, linked to the original), the per-user per-skill hourly limit (429 + Retry-After,
// lower for expensive skills), and signed expiring download links for outputs, as markdown and as
// a Word document read back with mammoth. Real Temporal, PostgreSQL and the Anthropic fake.
import mammoth from 'mammoth';
import request from 'supertest';
import { createSkillRunLimiter } from '../../src/api/skill-run-limit';
import { signDownloadLink, verifyDownloadLink } from '../../src/engines/skill-runs/download-links';
import { syncSkills } from '../../src/engines/skill-runs/library';
import { workflowIds } from '../../workflows/ids';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';
import { expectConforms } from '../api/conformance';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
let fake: AnthropicFake;
let clientId: string;
let auth: { Authorization: string };
let other: { clientId: string; auth: { Authorization: string } };

const OUTPUT = {
  title: 'Spring sale ads',
  markdown:
    '# Spring sale\n\nSave **30%** on every plan until *Friday*.\n\n- Headline: Automate more\n- Headline: Pay less\n\n| Ad | Text |\n|---|---|\n| A | Try it free |\n',
};

beforeAll(async () => {
  fake = await startAnthropicFake();
  stack = await startTestStack({
    env: {
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: fake.url,
      SKILL_RUNS_PER_HOUR: '50',
      SKILL_RUN_LIMITS: JSON.stringify({ 'social-content': 2 }),
    },
  });
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

async function run(body: Record<string, unknown>, who = auth): Promise<string> {
  const res = await api()
    .post('/api/v1/runs')
    .set(who)
    .send({ clientId, message: 'Ads for the spring sale', ...body });
  expect(res.status).toBe(202);
  return res.body.runId as string;
}
const settle = (runId: string) =>
  stack.temporal.workflow
    .getHandle(workflowIds.skillRun(runId))
    .result()
    .catch(() => undefined);

describe('GET /runs', () => {
  it('lists the caller’s runs newest first, with filters and cursor pages; other tenants see none', async () => {
    fake.enqueue(toolReply(OUTPUT), toolReply(OUTPUT));
    const a = await run({ skill: 'ad-copy' });
    await settle(a);
    const b = await run({ skill: 'copywriting' });
    await settle(b);
    fake.enqueue({ kind: 'error', status: 400, message: 'nope' });
    const c = await run({ skill: 'ad-copy' });
    await settle(c);

    const all = await api().get('/api/v1/runs').query({ clientId }).set(auth);
    expect(all.status).toBe(200);
    expectConforms('get', '/api/v1/runs', all);
    const ids = all.body.data.map((r: { runId: string }) => r.runId);
    expect(ids.slice(0, 3)).toEqual([c, b, a]);
    expect(all.body.data[2]).toMatchObject({ runId: a, status: 'completed', skill: 'ad-copy', retryOf: null });
    expect(all.body.data[2].outputId).toEqual(expect.any(String));

    const adCopy = await api().get('/api/v1/runs').query({ skill: 'ad-copy' }).set(auth);
    expect(adCopy.body.data.map((r: { runId: string }) => r.runId)).toEqual(expect.arrayContaining([a, c]));
    expect(adCopy.body.data.every((r: { skill: string }) => r.skill === 'ad-copy')).toBe(true);
    const failed = await api().get('/api/v1/runs').query({ status: 'failed', skill: 'ad-copy' }).set(auth);
    expect(failed.body.data.map((r: { runId: string }) => r.runId)).toEqual([c]);

    const first = await api().get('/api/v1/runs').query({ limit: 2 }).set(auth);
    expect(first.body.data).toHaveLength(2);
    const next = await api().get('/api/v1/runs').query({ limit: 2, cursor: first.body.nextCursor }).set(auth);
    expect(next.body.data[0].runId).toBe(ids[2]);

    const today = new Date().toISOString().slice(0, 10);
    expect((await api().get('/api/v1/runs').query({ from: today, to: today }).set(auth)).body.data.length).toBeGreaterThanOrEqual(3);
    expect((await api().get('/api/v1/runs').query({ to: '2020-01-01' }).set(auth)).body.data).toEqual([]);
    expect((await api().get('/api/v1/runs').query({ from: today, to: '2020-01-01' }).set(auth)).status).toBe(400);
    expect((await api().get('/api/v1/runs').query({ status: 'exploded' }).set(auth)).status).toBe(400);

    // Another tenant: nothing of ours in their list, our client in the filter is a 404.
    expect((await api().get('/api/v1/runs').set(other.auth)).body.data.map((r: { runId: string }) => r.runId)).not.toContain(a);
    expect((await api().get('/api/v1/runs').query({ clientId }).set(other.auth)).status).toBe(404);
    // `mine`: a second member sees the client's runs, but none of them as their own.
    const member = await addUser(stack.db, clientId, 'member');
    expect((await api().get('/api/v1/runs').query({ clientId }).set(member.auth)).body.data.length).toBeGreaterThanOrEqual(3);
    expect((await api().get('/api/v1/runs').query({ clientId, mine: 'true' }).set(member.auth)).body.data).toEqual([]);
  });
});

describe('POST /runs/{runId}/retry', () => {
  it('starts a new run with the same inputs, linked to the failed one; once only', async () => {
    fake.enqueue({ kind: 'error', status: 400, errorType: 'invalid_request_error', message: 'prompt is too long' });
    const failed = await run({ skill: 'ad-copy', message: 'Google ads for the spring sale' });
    await settle(failed);
    expect((await api().get(`/api/v1/runs/${failed}`).set(auth)).body.status).toBe('failed');

    fake.enqueue(toolReply(OUTPUT));
    const res = await api().post(`/api/v1/runs/${failed}/retry`).set(auth);
    expect(res.status).toBe(202);
    expectConforms('post', `/api/v1/runs/${failed}/retry`, res);
    const retry = res.body.runId as string;
    expect(retry).not.toBe(failed);
    expect(res.body).toMatchObject({ status: 'queued', retryOf: failed });
    expect(res.headers.location).toBe(`/api/v1/runs/${retry}`);
    await settle(retry);

    const view = await api().get(`/api/v1/runs/${retry}`).set(auth);
    expect(view.body).toMatchObject({ status: 'completed', retryOf: failed, skill: 'ad-copy', message: 'Google ads for the spring sale', clientId });
    expect((await api().get(`/api/v1/runs/${failed}`).set(auth)).body).toMatchObject({ status: 'failed', retriedBy: retry });
    // Its own workflow, and the same prompt request as the original.
    expect((await stack.temporal.workflow.getHandle(workflowIds.skillRun(retry)).describe()).status.name).toBe('COMPLETED');
    expect(String(fake.requests[1].body.messages[0].content)).toContain('Google ads for the spring sale');
    expect(await stack.db.auditLog.count({ where: { action: 'skill_run.retry', entityId: retry } })).toBe(1);

    const again = await api().post(`/api/v1/runs/${failed}/retry`).set(auth);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toEqual({ retryRunId: retry });
    // A completed run is not retried either.
    expect((await api().post(`/api/v1/runs/${retry}/retry`).set(auth)).status).toBe(409);
  });

  it('retries a cancelled run; refuses viewers, other tenants and queued runs, changing nothing', async () => {
    const cancelled = await stack.db.skillRun.create({
      data: { clientId, skillSlug: 'copywriting', message: 'Homepage copy', status: 'cancelled', error: 'cancelled on request' },
    });
    const queued = await stack.db.skillRun.create({ data: { clientId, skillSlug: 'copywriting', message: 'Homepage copy' } });
    const viewer = await addUser(stack.db, clientId, 'viewer');
    const before = await stack.db.skillRun.count();
    expect((await api().post(`/api/v1/runs/${cancelled.id}/retry`).set(viewer.auth)).status).toBe(403);
    expect((await api().post(`/api/v1/runs/${cancelled.id}/retry`).set(other.auth)).status).toBe(404);
    expect((await api().post(`/api/v1/runs/${queued.id}/retry`).set(auth)).status).toBe(409);
    expect((await api().post('/api/v1/runs/not-a-uuid/retry').set(auth)).status).toBe(400);
    expect(await stack.db.skillRun.count()).toBe(before);

    fake.enqueue(toolReply(OUTPUT));
    const res = await api().post(`/api/v1/runs/${cancelled.id}/retry`).set(auth);
    expect(res.status).toBe(202);
    await settle(res.body.runId);
    expect((await api().get(`/api/v1/runs/${res.body.runId}`).set(auth)).body).toMatchObject({ status: 'completed', retryOf: cancelled.id });
  });
});

describe('per-user per-skill limits', () => {
  it('refuses the run over the skill’s limit with 429 and Retry-After, for that user and skill only', async () => {
    fake.setResponder(() => toolReply(OUTPUT));
    try {
      // social-content: 2 an hour (SKILL_RUN_LIMITS); the others: 50 (SKILL_RUNS_PER_HOUR).
      const ids = [await run({ skill: 'social-content' }), await run({ skill: 'social-content' })];
      const before = await stack.db.skillRun.count();
      const over = await api().post('/api/v1/runs').set(auth).send({ skill: 'social-content', clientId, message: 'One more' });
      expect(over.status).toBe(429);
      expectConforms('post', '/api/v1/runs', over);
      expect(over.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'skill', skill: 'social-content', limit: 2 } });
      const retryAfter = Number(over.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(await stack.db.skillRun.count()).toBe(before);
      // Another skill, and another user on the same skill, are not affected.
      ids.push(await run({ skill: 'ad-copy' }));
      const member = await addUser(stack.db, clientId, 'member');
      ids.push(await run({ skill: 'social-content' }, member.auth));
      for (const id of ids) await settle(id);
    } finally {
      fake.setResponder(undefined);
    }
  });

  it('takes the limit from SKILL_RUN_LIMITS, then the skill’s runsPerHour, then the default; windows are hourly', async () => {
    let t = Date.UTC(2027, 0, 4, 10, 0, 0);
    const limiter = createSkillRunLimiter({ SKILL_RUNS_PER_HOUR: 3, SKILL_RUN_LIMITS: { 'ad-copy': 1 } }, () => t);
    // page-cro declares runsPerHour: 10 in its front-matter.
    expect((await stack.db.skill.findFirstOrThrow({ where: { clientId: null, slug: 'page-cro' } })).runsPerHour).toBe(10);
    const take = (skill: string) =>
      limiter.take(stack.db, 'u1', skill, clientId).then(
        () => 'ok',
        (e: { status: number }) => e.status,
      );
    expect([await take('ad-copy'), await take('ad-copy')]).toEqual(['ok', 429]);
    expect([await take('copywriting'), await take('copywriting'), await take('copywriting'), await take('copywriting')]).toEqual(['ok', 'ok', 'ok', 429]);
    for (let i = 0; i < 10; i++) expect(await take('page-cro')).toBe('ok');
    expect(await take('page-cro')).toBe(429);
    t += 3_600_000;
    expect(await take('ad-copy')).toBe('ok');
  });
});

describe('signed download links', () => {
  let outputId: string;
  beforeAll(async () => {
    fake.enqueue(toolReply(OUTPUT));
    const id = await run({ skill: 'ad-copy' });
    await settle(id);
    outputId = (await stack.db.output.findUniqueOrThrow({ where: { runId: id } })).id;
  });
  const pathOf = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };

  it('serves markdown and a Word document without an API key until the link expires', async () => {
    const md = await api().post(`/api/v1/outputs/${outputId}/download-url`).set(auth).send({ format: 'md' });
    expect(md.status).toBe(200);
    expectConforms('post', `/api/v1/outputs/${outputId}/download-url`, md);
    expect(md.body.url).toMatch(new RegExp(`/api/v1/outputs/${outputId}/download\\?format=md&exp=\\d+&sig=[A-Za-z0-9_-]+$`));
    expect(Date.parse(md.body.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    const file = await api().get(pathOf(md.body.url));
    expect(file.status).toBe(200);
    expectConforms('get', pathOf(md.body.url), file);
    expect(file.headers['content-type']).toMatch(/^text\/markdown/);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="spring-sale-ads-\d{4}-\d{2}-\d{2}\.md"$/);
    expect(file.text).toBe(OUTPUT.markdown);

    const docx = await api().post(`/api/v1/outputs/${outputId}/download-url`).set(auth).send({ format: 'docx', expiresInSeconds: 120 });
    const word = await api()
      .get(pathOf(docx.body.url))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(word.status).toBe(200);
    expect(word.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(word.headers['content-disposition']).toMatch(/filename="spring-sale-ads-\d{4}-\d{2}-\d{2}\.docx"$/);
    const body = word.body as Buffer;
    expect(body.subarray(0, 2).toString()).toBe('PK');
    const text = (await mammoth.extractRawText({ buffer: body })).value;
    for (const s of ['Spring sale', 'Save 30% on every plan until Friday.', 'Headline: Automate more', 'Try it free']) expect(text).toContain(s);
    const html = (await mammoth.convertToHtml({ buffer: body })).value;
    expect(html).toContain('<h1>Spring sale</h1>');
    expect(html).toContain('<strong>30%</strong>');
    expect(html).toMatch(/<ul><li>Headline: Automate more<\/li><li>Headline: Pay less<\/li><\/ul>/);
    expect(await stack.db.auditLog.count({ where: { action: 'output.download_link', entityId: outputId } })).toBe(2);
  });

  it('refuses a tampered link (403), an expired one (410) and bad input (400)', async () => {
    const link = await api().post(`/api/v1/outputs/${outputId}/download-url`).set(auth).send({});
    const u = new URL(link.body.url as string);
    const exp = Number(u.searchParams.get('exp'));
    const sig = u.searchParams.get('sig')!;
    const base = `/api/v1/outputs/${outputId}/download`;
    const get = (q: Record<string, string>) => api().get(base).query(q);
    expect((await get({ format: 'md', exp: String(exp), sig })).status).toBe(200);
    for (const q of [
      { format: 'docx', exp: String(exp), sig }, // another format
      { format: 'md', exp: String(exp + 3600), sig }, // a later expiry
      { format: 'md', exp: String(exp), sig: `${sig.slice(0, -2)}AA` },
      { format: 'md', exp: String(exp), sig: 'not a signature' },
    ]) {
      const res = await get(q);
      expect([q, res.status, res.body.error?.code]).toEqual([q, 403, 'BAD_SIGNATURE']);
    }
    // Another output's id with this output's signature.
    const otherOutput = await stack.db.output.create({
      data: { clientId: other.clientId, runId: 'r-other', skillSlug: 'ad-copy', title: 'Theirs', content: '# Theirs' },
    });
    expect(
      (
        await api()
          .get(`/api/v1/outputs/${otherOutput.id}/download`)
          .query({ format: 'md', exp: String(exp), sig })
      ).status,
    ).toBe(403);

    // Expired: a correctly signed link whose exp has passed.
    const past = Math.floor(Date.now() / 1000) - 5;
    const expired = await get({ format: 'md', exp: String(past), sig: signDownloadLink({ outputId, format: 'md', exp: past }, stack.config.SIGNING_SECRET!) });
    expect([expired.status, expired.body.error.code]).toEqual([410, 'LINK_EXPIRED']);
    expect(verifyDownloadLink({ outputId, format: 'md', exp }, sig, stack.config.SIGNING_SECRET!, new Date((exp + 1) * 1000))).toEqual({
      ok: false,
      reason: 'expired',
    });

    expect((await get({ format: 'pdf', exp: String(exp), sig })).status).toBe(400);
    expect((await get({ format: 'md', sig })).status).toBe(400);
    expect((await api().post(`/api/v1/outputs/${outputId}/download-url`).set(auth).send({ format: 'pdf' })).status).toBe(400);
    expect((await api().post(`/api/v1/outputs/${outputId}/download-url`).set(auth).send({ expiresInSeconds: 10 })).status).toBe(400);
    // Another tenant cannot get a link; without a key nobody can.
    expect((await api().post(`/api/v1/outputs/${outputId}/download-url`).set(other.auth).send({})).status).toBe(404);
    expect((await api().post(`/api/v1/outputs/${outputId}/download-url`).send({})).status).toBe(401);

    // A deleted output: the still-valid link finds nothing.
    await stack.db.output.update({ where: { id: outputId }, data: { deletedAt: new Date() } });
    try {
      expect((await get({ format: 'md', exp: String(exp), sig })).status).toBe(404);
    } finally {
      await stack.db.output.update({ where: { id: outputId }, data: { deletedAt: null } });
    }
  });
});
