// The credit ledger on a real PostgreSQL: the balance is always the sum of its entries; concurrent
// sends never take it below zero nor spend more than it held; a send the provider refuses (the real
// Postmark SDK against its fake) is refunded once; monthly grants are once per client and month, and
// what is left of an expired grant is removed once.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';
import { addCredits, adjustBalanceTo, expiryKeyOf, grantMonth, InsufficientCreditsError, runMonthlyGrants, spendKeyOf } from '../../src/engines/credits';
import { listUnsubscribeHeaders } from '../../src/engines/compliance/email-compliance';
import { executeSend } from '../../src/engines/outbound/send';
import { PLANS } from '../../src/engines/plans';
import { claimSendSlot, failSend, sendKey } from '../../src/engines/send-ledger';
import { PostmarkEmailProvider } from '../../src/integrations/postmark/email-provider';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../fakes/postmark-fake';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { createClientWithUser, createLead } from '../harness/fixtures';

let database: TestDatabase;
let db: Db;
let postmark: PostmarkFake;
const DAY = '2026-07-06';
const TZ = 'Australia/Sydney';

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  postmark = await startPostmarkFake();
});
afterAll(async () => {
  await database?.drop();
  await postmark?.close();
});

async function ledgerSum(clientId: string): Promise<number> {
  return (await db.creditTransaction.aggregate({ where: { clientId }, _sum: { amount: true } }))._sum.amount ?? 0;
}
async function balance(clientId: string): Promise<number> {
  return (await db.client.findUniqueOrThrow({ where: { id: clientId } })).creditsRemaining;
}

async function sender(credits: number, tier: 'ignition' | 'velocity' | 'dominance' = 'dominance') {
  const { client } = await createClientWithUser(db, { credits, tier });
  const lead = await createLead(db, client.id);
  const resource = await db.sendResource.create({
    data: { clientId: client.id, channel: 'email', identifier: `c-${randomUUID()}.agency.example`, dailyLimit: 100_000 },
  });
  const campaignId = randomUUID();
  const keyFor = (touch = 1) => ({
    idempotencyKey: sendKey(`sequence:${campaignId}:${randomUUID()}`, touch),
    clientId: client.id,
    campaignId,
    leadId: lead.id,
    channel: 'email' as const,
    touchNumber: touch,
  });
  return { client, lead, resource, slot: { resourceId: resource.id, day: DAY, limit: resource.dailyLimit }, keyFor };
}

it('concurrent sends never overdraw: spends equal the starting credits and the balance never goes below zero', async () => {
  for (const { credits, price, sends } of [
    { credits: 7, price: 1, sends: 40 },
    { credits: 11, price: 3, sends: 30 },
  ]) {
    const s = await sender(credits);
    let lowest = Infinity;
    let watching = true;
    // Reads the balance while the claims run: it must never be seen below zero.
    const watcher = (async () => {
      while (watching) {
        lowest = Math.min(lowest, await balance(s.client.id));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: sends }, () => claimSendSlot(db, s.keyFor(), s.slot, { countAttempt: true, now: new Date(), price })),
    );
    watching = false;
    await watcher;

    const took = results.filter((r) => r.took).length;
    expect(took).toBe(Math.floor(credits / price));
    // The others took nothing: no slot, no spend, their rows still reserved, told they are unfunded.
    expect(results.filter((r) => !r.took).every((r) => !r.funded && r.ledger.state === 'reserved' && r.ledger.resourceId === null)).toBe(true);
    const spends = await db.creditTransaction.findMany({ where: { clientId: s.client.id, kind: 'spend' } });
    expect(spends).toHaveLength(took);
    expect(spends.reduce((n, t) => n - t.amount, 0)).toBe(took * price);
    expect(await balance(s.client.id)).toBe(credits - took * price);
    expect(await ledgerSum(s.client.id)).toBe(await balance(s.client.id));
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect((await db.sendResourceCounter.findFirstOrThrow({ where: { resourceId: s.resource.id } })).count).toBe(took);
    // Each entry's balanceAfter is a balance the client really had: together they walk down to the end.
    const after = spends.map((t) => t.balanceAfter).sort((a, b) => b - a);
    expect(after).toEqual(Array.from({ length: took }, (_, i) => credits - (i + 1) * price));
  }
});

it('one send spends once however many attempts claim it at the same time, and waits without credits', async () => {
  const s = await sender(5);
  const key = s.keyFor();
  const both = await Promise.all(Array.from({ length: 6 }, () => claimSendSlot(db, key, s.slot, { countAttempt: true, now: new Date(), price: 2 })));
  expect(both.filter((b) => b.took)).toHaveLength(1);
  expect(await db.creditTransaction.count({ where: { key: spendKeyOf(key.idempotencyKey) } })).toBe(1);
  expect(await balance(s.client.id)).toBe(3);

  // A send the balance cannot cover takes nothing and stays reserved (it waits; it is not dropped).
  const poor = s.keyFor();
  const r = await claimSendSlot(db, poor, s.slot, { countAttempt: true, now: new Date(), price: 4 });
  expect(r).toMatchObject({ took: false, funded: false, ledger: { state: 'reserved', resourceId: null } });
  expect(await balance(s.client.id)).toBe(3);
  // After a top-up the same send goes ahead.
  await addCredits(db, { clientId: s.client.id, kind: 'top_up', amount: 10, key: `top_up:${s.client.id}:${randomUUID()}` });
  expect(await claimSendSlot(db, poor, s.slot, { countAttempt: true, now: new Date(), price: 4 })).toMatchObject({ took: true, funded: true });
  expect(await balance(s.client.id)).toBe(9);
  expect(await ledgerSum(s.client.id)).toBe(9);
});

it('refunds a send the provider refused, once, through the real Postmark SDK', async () => {
  const s = await sender(10);
  postmark.inactive.add(s.lead.email!.toLowerCase());
  const key = s.keyFor();
  const provider = new PostmarkEmailProvider({ serverToken: POSTMARK_FAKE_TOKEN, baseUrl: postmark.url });
  const attempt = () =>
    executeSend(db, {
      key,
      day: DAY,
      candidates: [{ id: s.resource.id, identifier: s.resource.identifier, dailyLimit: s.resource.dailyLimit }],
      reloadCandidates: async () => [],
      message: {
        channel: 'email',
        clientId: s.client.id,
        idempotencyKey: key.idempotencyKey,
        to: { email: s.lead.email! },
        from: { name: 'Sam', email: 'sam@agency.example' },
        subject: 'Hello',
        text: 'Hi',
        headers: listUnsubscribeHeaders('https://agency-os.test/u/token'),
        metadata: { idempotency_key: key.idempotencyKey },
      },
      useResource: (m, id) => (m.from.resource = id),
      provider,
      price: 3,
      metadata: { kind: 'email_intro' },
    });
  expect(await attempt()).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^provider_rejected/) });
  const entries = await db.creditTransaction.findMany({ where: { clientId: s.client.id, sendKey: key.idempotencyKey }, orderBy: { createdAt: 'asc' } });
  expect(entries.map((e) => [e.kind, e.amount])).toEqual([
    ['spend', -3],
    ['refund', 3],
  ]);
  expect(await balance(s.client.id)).toBe(10);
  // A retried attempt, or failing the send again, refunds nothing more.
  expect((await attempt()).status).toBe('skipped');
  expect(await failSend(db, key.idempotencyKey, 'again', { refund: true })).toEqual({ moved: false, refunded: 0 });
  expect(await db.creditTransaction.count({ where: { clientId: s.client.id, kind: 'refund' } })).toBe(1);
  expect(await ledgerSum(s.client.id)).toBe(10);
});

it('adjustments and top-ups are idempotent by key and never take the balance below zero', async () => {
  const s = await sender(0);
  const key = `top_up:${s.client.id}:once`;
  const first = await addCredits(db, { clientId: s.client.id, kind: 'top_up', amount: 25, key });
  const again = await addCredits(db, { clientId: s.client.id, kind: 'top_up', amount: 25, key });
  expect(first).toMatchObject({ created: true, balance: 25 });
  expect(again).toMatchObject({ created: false, balance: 25 });
  expect(again!.entry.id).toBe(first!.entry.id);
  await expect(addCredits(db, { clientId: s.client.id, kind: 'adjustment', amount: -26, key: `adjustment:${randomUUID()}` })).rejects.toBeInstanceOf(
    InsufficientCreditsError,
  );
  expect(await adjustBalanceTo(db, { clientId: s.client.id, target: 4 })).toEqual({ balance: 4 });
  expect(await balance(s.client.id)).toBe(4);
  expect(await ledgerSum(s.client.id)).toBe(4);
  expect(await db.creditTransaction.findFirst({ where: { clientId: s.client.id, kind: 'adjustment' } })).toMatchObject({ amount: -21, balanceAfter: 4 });
});

it('grants each live client its plan credits once per month and expires what is left of the last grant', async () => {
  // Its own database: the run covers every client.
  const own = await createTestDatabase();
  try {
    const gdb = own.db;
    const velocity = await createClientWithUser(gdb, { tier: 'velocity', credits: 0 });
    const ignition = await createClientWithUser(gdb, { tier: 'ignition', credits: 40 });
    const cancelled = await createClientWithUser(gdb, { tier: 'dominance', credits: 0 });
    await gdb.client.update({ where: { id: cancelled.client.id }, data: { subscriptionStatus: 'cancelled' } });

    const january = new Date('2027-01-01T00:10:00+11:00'); // just after midnight in Sydney on 1 January
    const first = await runMonthlyGrants(gdb, { at: january, timeZone: TZ });
    expect(first).toEqual({ month: '2027-01', granted: 2, alreadyGranted: 0, expired: 0, creditsExpired: 0 });
    // The same month again (a retried or repeated run): nothing more.
    expect(await runMonthlyGrants(gdb, { at: new Date('2027-01-20T12:00:00Z'), timeZone: TZ })).toEqual({
      month: '2027-01',
      granted: 0,
      alreadyGranted: 2,
      expired: 0,
      creditsExpired: 0,
    });
    const grant = await gdb.creditTransaction.findFirstOrThrow({ where: { clientId: ignition.client.id, kind: 'grant' } });
    expect(grant).toMatchObject({ amount: PLANS.ignition.monthlyCredits, balanceAfter: 40 + PLANS.ignition.monthlyCredits });
    expect(grant.expiresAt).toEqual(grantMonth(january, TZ).expiresAt);
    expect(grant.expiresAt!.toISOString()).toBe('2027-01-31T13:00:00.000Z'); // 1 February 00:00 in Sydney (AEDT)
    expect(await gdb.creditTransaction.count({ where: { clientId: cancelled.client.id } })).toBe(0);

    // In January the ignition client spends 300 credits (the grant first), one send is refunded.
    const resource = await gdb.sendResource.create({
      data: { clientId: ignition.client.id, channel: 'email', identifier: `g-${randomUUID()}.example`, dailyLimit: 1000 },
    });
    const lead = await createLead(gdb, ignition.client.id);
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const key = {
        idempotencyKey: sendKey(`sequence:${randomUUID()}:${lead.id}`, 1),
        clientId: ignition.client.id,
        campaignId: randomUUID(),
        leadId: lead.id,
        channel: 'email' as const,
        touchNumber: 1,
      };
      const r = await claimSendSlot(gdb, key, { resourceId: resource.id, day: DAY, limit: 1000 }, { countAttempt: true, now: new Date(), price: 100 });
      expect(r.took).toBe(true);
      keys.push(key.idempotencyKey);
    }
    await failSend(gdb, keys[2], 'rejected', { refund: true });
    // The entries' times as in January, inside the grant's validity.
    await gdb.creditTransaction.updateMany({
      where: { clientId: ignition.client.id, kind: { in: ['spend', 'refund'] } },
      data: { createdAt: new Date('2027-01-15T00:00:00Z') },
    });
    await addCredits(
      gdb,
      { clientId: ignition.client.id, kind: 'top_up', amount: 500, key: `top_up:${ignition.client.id}:jan` },
      new Date('2027-01-16T00:00:00Z'),
    );
    expect(await gdb.client.findUniqueOrThrow({ where: { id: ignition.client.id } })).toMatchObject({ creditsRemaining: 40 + 1000 - 200 + 500 });

    // February's run: January's grant had 1000 - 200 left, which expires; top-ups and the opening
    // credits stay; then February's grant.
    const feb = new Date('2027-02-01T00:05:00+11:00');
    const second = await runMonthlyGrants(gdb, { at: feb, timeZone: TZ });
    expect(second).toEqual({ month: '2027-02', granted: 2, alreadyGranted: 0, expired: 2, creditsExpired: 800 + PLANS.velocity.monthlyCredits });
    const expiry = await gdb.creditTransaction.findUniqueOrThrow({ where: { key: expiryKeyOf(grant.id) } });
    expect(expiry).toMatchObject({ kind: 'expiry', amount: -800, grantId: grant.id });
    const after = await gdb.client.findUniqueOrThrow({ where: { id: ignition.client.id } });
    expect(after.creditsRemaining).toBe(40 + 500 + PLANS.ignition.monthlyCredits);
    expect(await gdb.client.findUniqueOrThrow({ where: { id: velocity.client.id } })).toMatchObject({ creditsRemaining: PLANS.velocity.monthlyCredits });
    // Again: nothing expires or is granted twice.
    expect(await runMonthlyGrants(gdb, { at: feb, timeZone: TZ })).toMatchObject({ granted: 0, alreadyGranted: 2, expired: 0 });
    for (const c of [velocity, ignition, cancelled]) {
      const total = (await gdb.creditTransaction.aggregate({ where: { clientId: c.client.id }, _sum: { amount: true } }))._sum.amount ?? 0;
      expect(total).toBe((await gdb.client.findUniqueOrThrow({ where: { id: c.client.id } })).creditsRemaining);
    }
  } finally {
    await own.drop();
  }
});
