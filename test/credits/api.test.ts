// Credits and plans through the API on the real servers (PostgreSQL, the Temporal dev server, a
// worker): a sequence that runs out of credits waits (never drops its touch) and resumes after a
// platform admin's top-up; prices follow the plan; plan limits answer 409.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { leadCalendar, windowOpenNow } from '../harness/clock';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { timelineQuery, type TimelineEntry } from '../../workflows/definitions/sequence';
import { PLANS } from '../../src/engines/plans';
import { recordHistory } from '../harness/histories';
import type { creditGrantsWorkflow } from '../../workflows/credit-grants';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const admin = () => ({ Authorization: `Bearer ${stack.adminKey}` });
const oneSms = { version: 1 as const, touches: [{ number: 1, day: 0, channel: 'sms' as const, kind: 'sms' as const }] };

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a touch waits on no_credits and goes out after a top-up; the spend is the plan price of its channel', async () => {
  const cal = windowOpenNow();
  const { client, auth } = await createClientWithUser(stack.db, { ...cal, tier: 'ignition', credits: 0 });
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, leadCalendar(cal));
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'credits', sequence: oneSms }, [lead.id]);
  const seq = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const touch = () => seq.query(timelineQuery).then((s) => s.timeline.find((e: TimelineEntry) => e.touch === 1));
  const waiting = await until('the touch to wait on credits', touch, (e) => e?.status === 'waiting' && e.reason === 'no_credits');

  // The client sees its balance and plan; the ledger is empty.
  const view = await request(stack.app).get(`/api/v1/clients/${client.id}/credits`).set(auth).expect(200);
  expect(view.body.credits).toMatchObject({ balance: 0, plan: { name: 'ignition', prices: { sms: PLANS.ignition.prices.sms } }, currentGrant: null });
  expect(PLANS.ignition.prices.sms).toBe(2);

  // One credit is not enough for an SMS on ignition: the woken touch checks again and keeps waiting.
  await request(stack.app).post(`/api/v1/admin/clients/${client.id}/credits/top-ups`).set(admin()).send({ amount: 1 }).expect(201);
  await until('the touch to check again', touch, (e) => e?.status === 'waiting' && e.reason === 'no_credits' && e.at !== waiting!.at);
  expect(await stack.db.sendLedger.count({ where: { clientId: client.id, state: 'sent' } })).toBe(0);

  // A second top-up (repeated with its idempotency key: added once) lets it go out.
  const top = await request(stack.app)
    .post(`/api/v1/admin/clients/${client.id}/credits/top-ups`)
    .set(admin())
    .send({ amount: 1, idempotencyKey: 'invoice-42', note: 'invoice 42' })
    .expect(201);
  expect(top.body).toMatchObject({ created: true, balance: 2, transaction: { kind: 'top_up', amount: 1, balanceAfter: 2, note: 'invoice 42' } });
  const again = await request(stack.app)
    .post(`/api/v1/admin/clients/${client.id}/credits/top-ups`)
    .set(admin())
    .send({ amount: 1, idempotencyKey: 'invoice-42' })
    .expect(200);
  expect(again.body).toMatchObject({ created: false, transaction: { id: top.body.transaction.id } });
  const reused = await request(stack.app)
    .post(`/api/v1/admin/clients/${client.id}/credits/top-ups`)
    .set(admin())
    .send({ amount: 5, idempotencyKey: 'invoice-42' })
    .expect(409);
  expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

  // Woken by the top-up (its own re-check is 6 hours away): sent within seconds.
  await until('the touch to be sent', touch, (e) => e?.status === 'sent');
  const history = await request(stack.app).get(`/api/v1/clients/${client.id}/credits/transactions`).set(auth).expect(200);
  expect(history.body.data.map((t: { kind: string; amount: number }) => [t.kind, t.amount])).toEqual([
    ['spend', -2],
    ['top_up', 1],
    ['top_up', 1],
  ]);
  const spend = history.body.data[0];
  expect(spend).toMatchObject({ channel: 'sms', balanceAfter: 0, sendKey: `${seq.workflowId}:touch:1` });
  const spends = await request(stack.app).get(`/api/v1/clients/${client.id}/credits/transactions?kind=spend&limit=1`).set(auth).expect(200);
  expect(spends.body).toMatchObject({ data: [{ id: spend.id }], nextCursor: null });
  expect((await request(stack.app).get(`/api/v1/clients/${client.id}/credits`).set(auth).expect(200)).body.credits.balance).toBe(0);

  // On dominance an SMS costs one credit: the next lead's touch spends 1.
  const changed = await request(stack.app).put(`/api/v1/admin/clients/${client.id}/plan`).set(admin()).send({ plan: 'dominance' }).expect(200);
  expect(changed.body).toMatchObject({
    changed: true,
    credits: { plan: { name: 'dominance', prices: { sms: 1 }, maxActiveCampaigns: PLANS.dominance.maxActiveCampaigns } },
  });
  expect(await stack.db.auditLog.count({ where: { clientId: client.id, action: { in: ['credits.top_up', 'client.plan_change'] } } })).toBe(3);
  await request(stack.app).post(`/api/v1/admin/clients/${client.id}/credits/top-ups`).set(admin()).send({ amount: 1 }).expect(201);
  const second = await createLead(stack.db, client.id, leadCalendar(cal));
  const next = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'credits 2', sequence: oneSms }, [second.id]);
  const seq2 = await sequenceHandle(stack.temporal, next.id, second.id);
  await until(
    'the second touch to be sent',
    () => seq2.query(timelineQuery).then((s) => s.timeline[0]?.status),
    (s) => s === 'sent',
  );
  const ledger = await stack.db.creditTransaction.findMany({ where: { clientId: client.id, kind: 'spend' }, orderBy: { createdAt: 'asc' } });
  expect(ledger.map((t) => t.amount)).toEqual([-2, -1]);
  const sum = await stack.db.creditTransaction.aggregate({ where: { clientId: client.id }, _sum: { amount: true } });
  expect(sum._sum.amount).toBe((await stack.db.client.findUniqueOrThrow({ where: { id: client.id } })).creditsRemaining);
  // One touch each: both sequences end. The first one's history (a no_credits wait woken twice by
  // creditsAdded) is committed for the replay test.
  await seq.result();
  await seq2.result();
  recordHistory(seq.workflowId, 'lead-sequence-credits-wait');
});

it('refuses campaigns the plan does not allow (409) and lets them through on a plan that does', async () => {
  const { client, auth } = await createClientWithUser(stack.db, { tier: 'ignition' });
  const withMail = {
    version: 1,
    touches: [
      { number: 1, day: 0, channel: 'email', kind: 'email_intro' },
      { number: 2, day: 3, channel: 'mail', kind: 'mail' },
    ],
  };
  const refused = await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns`).set(auth).send({ name: 'postcards', sequence: withMail }).expect(409);
  expect(refused.body.error).toMatchObject({ code: 'CHANNEL_NOT_IN_PLAN', details: { plan: 'ignition', channels: ['mail'], touches: [2] } });
  expect(await stack.db.campaign.count({ where: { clientId: client.id } })).toBe(0);
  // A fallback the plan includes makes the touch sendable.
  const withFallback = {
    ...withMail,
    touches: [withMail.touches[0], { ...withMail.touches[1], fallback: { channel: 'email', kind: 'email_breakup', threadWith: 1 } }],
  };
  await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns`).set(auth).send({ name: 'fallback', sequence: withFallback }).expect(201);

  // Active campaigns: ignition allows 3; a fourth cannot start until one stops.
  const max = PLANS.ignition.maxActiveCampaigns;
  for (let i = 0; i < max; i++)
    await stack.db.campaign.create({ data: { clientId: client.id, name: `running ${i}`, status: 'active', sequence: withFallback } });
  const fourth = await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns`).set(auth).send({ name: 'fourth', sequence: withFallback }).expect(201);
  const full = await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns/${fourth.body.campaign.id}/start`).set(auth).expect(409);
  expect(full.body.error).toMatchObject({ code: 'TOO_MANY_ACTIVE_CAMPAIGNS', details: { plan: 'ignition', active: max, max } });
  expect((await stack.db.campaign.findUniqueOrThrow({ where: { id: fourth.body.campaign.id } })).status).toBe('draft');

  // On velocity (10 active, mail included) both go through.
  await request(stack.app).put(`/api/v1/admin/clients/${client.id}/plan`).set(admin()).send({ plan: 'velocity' }).expect(200);
  await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns`).set(auth).send({ name: 'postcards', sequence: withMail }).expect(201);
  const started = await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns/${fourth.body.campaign.id}/start`).set(auth).expect(200);
  expect(started.body.campaign.status).toBe('active');
  await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns/${fourth.body.campaign.id}/cancel`).set(auth).expect(200);
});

it('follows the plan for the daily AI budget unless the client has its own, and PATCHes the balance through the ledger', async () => {
  const { client, auth } = await createClientWithUser(stack.db, { tier: 'velocity', credits: 10 });
  const path = `/api/v1/clients/${client.id}`;
  expect((await request(stack.app).get(path).set(auth).expect(200)).body.client).toMatchObject({
    aiDailyBudgetUsd: PLANS.velocity.aiDailyBudgetUsd,
    aiDailyBudgetSource: 'plan',
  });
  const costs = await request(stack.app).get(`${path}/costs/ai`).set(auth).expect(200);
  expect(JSON.stringify(costs.body)).toContain(`"budgetUsd":${PLANS.velocity.aiDailyBudgetUsd}`);
  await request(stack.app).put(`/api/v1/admin/clients/${client.id}/plan`).set(admin()).send({ plan: 'dominance' }).expect(200);
  expect((await request(stack.app).get(`${path}/credits`).set(auth).expect(200)).body.credits).toMatchObject({
    aiDailyBudgetUsd: PLANS.dominance.aiDailyBudgetUsd,
    aiDailyBudgetSource: 'plan',
  });
  const patched = await request(stack.app).patch(path).set(admin()).send({ aiDailyBudgetUsd: 3.5, creditsRemaining: 25 }).expect(200);
  expect(patched.body.client).toMatchObject({ aiDailyBudgetUsd: 3.5, aiDailyBudgetSource: 'override', creditsRemaining: 25 });
  const adjustment = await stack.db.creditTransaction.findFirstOrThrow({ where: { clientId: client.id, kind: 'adjustment' } });
  expect(adjustment).toMatchObject({ amount: 15, balanceAfter: 25 });
  const cleared = await request(stack.app).patch(path).set(admin()).send({ aiDailyBudgetUsd: null }).expect(200);
  expect(cleared.body.client).toMatchObject({ aiDailyBudgetUsd: PLANS.dominance.aiDailyBudgetUsd, aiDailyBudgetSource: 'plan' });
  // Only platform admins top up or change plans.
  await request(stack.app).post(`/api/v1/admin/clients/${client.id}/credits/top-ups`).set(auth).send({ amount: 5 }).expect(403);
  await request(stack.app).put(`/api/v1/admin/clients/${client.id}/plan`).set(auth).send({ plan: 'ignition' }).expect(403);
  // Bad input changes nothing.
  await request(stack.app).post(`/api/v1/admin/clients/${client.id}/credits/top-ups`).set(admin()).send({ amount: 0 }).expect(400);
  await request(stack.app).put(`/api/v1/admin/clients/${client.id}/plan`).set(admin()).send({ plan: 'platinum' }).expect(400);
  expect((await stack.db.client.findUniqueOrThrow({ where: { id: client.id } })).creditsRemaining).toBe(25);
});

it('the monthly grant wakes a sequence waiting on credits (its own re-check is 6 hours away)', async () => {
  const cal = windowOpenNow();
  const { client } = await createClientWithUser(stack.db, { ...cal, tier: 'ignition', credits: 0 });
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, leadCalendar(cal));
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'grant wakes', sequence: oneSms }, [lead.id]);
  const seq = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const touch = () => seq.query(timelineQuery).then((s) => s.timeline.find((e: TimelineEntry) => e.touch === 1));
  await until('the touch to wait on credits', touch, (e) => e?.status === 'waiting' && e.reason === 'no_credits');

  const result = await stack.temporal.workflow.execute<typeof creditGrantsWorkflow>('creditGrantsWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: `credit-grants:wake:${stack.taskQueue}`,
    args: [{ version: 1, at: new Date().toISOString() }],
  });
  expect(result.granted).toBeGreaterThanOrEqual(1);
  await until('the touch to be sent', touch, (e) => e?.status === 'sent');
  const spend = await stack.db.creditTransaction.findFirstOrThrow({ where: { clientId: client.id, kind: 'spend' } });
  expect(spend.amount).toBe(-PLANS.ignition.prices.sms);
});

it('lets only one of two campaigns started at once take the last active slot of the plan', async () => {
  const { client, auth } = await createClientWithUser(stack.db, { tier: 'ignition' });
  const sequence = { version: 1, touches: [{ number: 1, day: 3, channel: 'email', kind: 'email_intro' }] };
  const max = PLANS.ignition.maxActiveCampaigns;
  for (let i = 0; i < max - 1; i++) await stack.db.campaign.create({ data: { clientId: client.id, name: `running ${i}`, status: 'active', sequence } });
  const drafts = [];
  for (const name of ['left', 'right'])
    drafts.push(
      (await request(stack.app).post(`/api/v1/clients/${client.id}/campaigns`).set(auth).send({ name, sequence }).expect(201)).body.campaign.id as string,
    );
  const answers = await Promise.all(drafts.map((id) => request(stack.app).post(`/api/v1/clients/${client.id}/campaigns/${id}/start`).set(auth)));
  expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
  expect(answers.find((a) => a.status === 409)!.body.error).toMatchObject({ code: 'TOO_MANY_ACTIVE_CAMPAIGNS', details: { active: max, max } });
  expect(await stack.db.campaign.count({ where: { clientId: client.id, status: 'active' } })).toBe(max);
});
