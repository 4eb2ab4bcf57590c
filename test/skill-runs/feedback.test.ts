// Ratings of outputs through /api/v1/feedback, and the weekly digest (skillDigestWorkflow, as the
// Schedule and POST /api/v1/admin/skills/digest run it) that admins read: averages per skill, the
// trend against the week before, the issues and rule changes raised most often.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Db } from '../../src/db/client';
import { countSimilar } from '../../src/engines/skill-runs/digest';
import { ClientIdKey, PLATFORM_CLIENT_ID } from '../../workflows/search-attributes';
import { expectConforms } from '../api/conformance';
import { awaitAdminRun } from '../harness/admin-runs';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
let clientId: string;
let auth: { Authorization: string };

async function output(db: Db, client: string, skillSlug = 'copywriting') {
  return db.output.create({ data: { clientId: client, runId: randomUUID(), skillSlug, title: 'Homepage copy', content: '# Hello' } });
}

beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
});
afterAll(async () => {
  await stack?.stop();
});

const api = () => request(stack.app);

describe('POST /api/v1/feedback', () => {
  it('records every score and note', async () => {
    const o = await output(stack.db, clientId);
    const res = await api()
      .post('/api/v1/feedback')
      .set(auth)
      .send({
        outputId: o.id,
        overall: 4,
        accuracy: 5,
        quality: 4,
        usefulness: 3,
        ruleCompliance: 2,
        whatWorked: 'The headline',
        issues: ['Too long', 'Used "synergy"'],
        suggestedRuleChanges: 'Ban the word synergy',
        source: 'api',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      outputId: o.id,
      clientId,
      skill: 'copywriting',
      overall: 4,
      accuracy: 5,
      ruleCompliance: 2,
      issues: ['Too long', 'Used "synergy"'],
      source: 'api',
    });
    const listed = await api().get('/api/v1/feedback').query({ outputId: o.id }).set(auth);
    expect(listed.body.data).toEqual([res.body]);
  });

  it('refuses bad scores, unknown outputs, viewers and other tenants', async () => {
    const o = await output(stack.db, clientId);
    for (const body of [
      { outputId: o.id, overall: 6 },
      { outputId: o.id, overall: 0 },
      { outputId: o.id },
      { outputId: o.id, overall: 3, issues: 'not a list' },
      { outputId: 'x', overall: 3 },
    ]) {
      const res = await api().post('/api/v1/feedback').set(auth).send(body);
      expect([body, res.status, res.body.error.code]).toEqual([body, 400, 'VALIDATION_ERROR']);
    }
    expect((await api().post('/api/v1/feedback').set(auth).send({ outputId: randomUUID(), overall: 3 })).status).toBe(404);
    const viewer = await addUser(stack.db, clientId, 'viewer');
    expect((await api().post('/api/v1/feedback').set(viewer.auth).send({ outputId: o.id, overall: 3 })).status).toBe(403);
    const other = await createClientWithUser(stack.db);
    expect((await api().post('/api/v1/feedback').set(other.auth).send({ outputId: o.id, overall: 3 })).status).toBe(404);
    // Another tenant's list does not show this client's feedback.
    const theirs = await api().get('/api/v1/feedback').set(other.auth);
    expect(theirs.body.data).toEqual([]);
    expect((await api().get('/api/v1/feedback').query({ clientId }).set(other.auth)).status).toBe(404);
    expect(await stack.db.feedback.count({ where: { outputId: o.id } })).toBe(0);
  });
});

describe('the weekly digest', () => {
  it('aggregates the week per skill against the week before', async () => {
    const db = stack.db;
    await db.feedback.deleteMany({});
    const copy = await output(db, clientId, 'copywriting');
    const ads = await output(db, clientId, 'ad-copy');
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    const rate = (o: { id: string; skillSlug: string }, overall: number, at: Date, extra: Record<string, unknown> = {}) =>
      db.feedback.create({ data: { clientId, outputId: o.id, skillSlug: o.skillSlug, overall, createdAt: at, ...extra } });
    // The week before: copywriting did well.
    await rate(copy, 5, daysAgo(9));
    await rate(copy, 4, daysAgo(10));
    // This week: worse, with the same complaint in different spellings.
    await rate(copy, 2, daysAgo(2), { quality: 2, issues: 'Too long\nUsed jargon', suggestedRuleChanges: 'Keep headlines under 8 words' });
    await rate(copy, 3, daysAgo(3), { quality: 4, issues: 'too long.', suggestedRuleChanges: 'keep headlines under 8 words.' });
    await rate(copy, 1, daysAgo(4), { issues: 'TOO LONG' });
    await rate(ads, 5, daysAgo(1), { whatWorked: 'Sharp headlines' });
    // Too old for either week.
    await rate(ads, 1, daysAgo(30));

    const workflowId = `skill-digest:test:${randomUUID()}`;
    const digestId = await stack.temporal.workflow.execute('skillDigestWorkflow', {
      workflowId,
      taskQueue: stack.taskQueue,
      args: [{ version: 1 }],
      typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]),
    });
    recordHistory(workflowId, 'skill-digest');

    const res = await api()
      .get('/api/v1/admin/skills/digest')
      .set({ Authorization: `Bearer ${stack.adminKey}` });
    expect(res.status).toBe(200);
    expect(res.body.digestId).toBe(digestId);
    expect(res.body.totalRatings).toBe(4);
    const [worst, best] = res.body.skills;
    expect(worst).toMatchObject({
      skill: 'copywriting',
      ratings: 3,
      averages: { overall: 2, quality: 3, accuracy: null },
      previousOverall: 4.5,
      trend: 'down',
      lowShare: 0.67,
      commonIssues: [
        { text: 'Too long', count: 3 },
        { text: 'Used jargon', count: 1 },
      ],
      suggestedRuleChanges: [{ text: 'Keep headlines under 8 words', count: 2 }],
    });
    expect(best).toMatchObject({ skill: 'ad-copy', ratings: 1, trend: 'new', whatWorked: [{ text: 'Sharp headlines', count: 1 }] });

    // On demand: 202 at once, then the status URL; the same period again finds the same digest (a
    // retried schedule run writes nothing new).
    const again = await api()
      .post('/api/v1/admin/skills/digest')
      .set({ Authorization: `Bearer ${stack.adminKey}` });
    expectConforms('post', '/api/v1/admin/skills/digest', again);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: 'running', statusUrl: `/api/v1/admin/skills/digest/builds/${again.body.buildId}` });
    expect(again.headers.location).toBe(again.body.statusUrl);
    const built = await awaitAdminRun<{ digestId: string; totalRatings: number }>(stack.app, stack.adminKey, again.body.statusUrl);
    expect(built).toMatchObject({ status: 'completed', result: { digestId, stored: true, totalRatings: 4 } });
    expect(await db.skillDigest.count()).toBe(1);
    const audit = await db.auditLog.findFirst({ where: { action: 'skill_digest.build', entityId: again.body.workflowId } });
    expect(audit).not.toBeNull();
  });

  it('is for platform admins only', async () => {
    expect((await api().get('/api/v1/admin/skills/digest').set(auth)).status).toBe(403);
    expect((await api().post('/api/v1/admin/skills/digest').set(auth)).status).toBe(403);
    expect((await api().get(`/api/v1/admin/skills/digest/builds/${randomUUID()}`).set(auth)).status).toBe(403);
  });

  it('answers 404 for a build that was never started and 400 for a malformed id', async () => {
    const admin = { Authorization: `Bearer ${stack.adminKey}` };
    expect((await api().get(`/api/v1/admin/skills/digest/builds/${randomUUID()}`).set(admin)).status).toBe(404);
    expect((await api().get('/api/v1/admin/skills/digest/builds/nope').set(admin)).status).toBe(400);
  });

  it('groups texts that say the same thing', () => {
    expect(countSimilar(['Too long', 'too  long!', 'Short', ' '])).toEqual([
      { text: 'Too long', count: 2 },
      { text: 'Short', count: 1 },
    ]);
  });
});

describe('before the first stored digest', () => {
  it('GET shows the figures so far, not stored', async () => {
    await stack.db.skillDigest.deleteMany({});
    const res = await api()
      .get('/api/v1/admin/skills/digest')
      .set({ Authorization: `Bearer ${stack.adminKey}` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ digestId: null, stored: false });
    expect(await stack.db.skillDigest.count()).toBe(0);
  });
});
