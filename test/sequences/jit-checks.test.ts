// JIT validation reads the touch's rows, suppressions and DNCR washes in merged statements; these
// cases pin the checks themselves: every kind of suppression, stored contact details that are not
// normalized (the merged read cannot stand for those and is redone), DNCR washes kept and reused.
import type { Db } from '../../src/db/client';
import { suppress } from '../../src/engines/compliance/suppression';
import { validateTouch } from '../../src/engines/jit-validation';
import { adjustBalanceTo } from '../../src/engines/credits';
import { PLANS } from '../../src/engines/plans';
import type { DncrDriver } from '../../src/integrations/dncr/dncr';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';

let t: TestDatabase;
let db: Db;
beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
});
afterAll(() => t.drop());

function dncr(registered: string[] = []): DncrDriver & { calls: string[] } {
  const calls: string[] = [];
  return { sandbox: true, calls, isRegistered: async (n) => (calls.push(n), registered.includes(n)) };
}

async function setup(lead: Parameters<typeof createLead>[2] = {}) {
  const { client } = await createClientWithUser(db);
  await addResources(db, client.id);
  const campaign = await db.campaign.create({ data: { clientId: client.id, name: 'jit', status: 'active', sequence: { version: 1, touches: [] } } });
  const l = await createLead(db, client.id, lead);
  const at = (channel: 'email' | 'sms' | 'voice' | 'linkedin') => ({ clientId: client.id, campaignId: campaign.id, leadId: l.id, channel, now: new Date() });
  return { client, campaign, lead: l, at };
}

it('proceeds with the rows, the channel resources and their counters', async () => {
  const { at } = await setup();
  const r = await validateTouch(db, dncr(), at('email'));
  expect(r.action).toBe('proceed');
  if (r.action !== 'proceed') return;
  expect(r.resources).toHaveLength(1);
  expect(r.resources[0]).toMatchObject({ channel: 'email', dailyLimit: 50, active: true, counts: {} });
  expect(r.client.deleted).toBe(false);
  expect(r.lead.status).toBe('scored');
});

it('skips suppressed emails, domains and phones, per client and globally', async () => {
  const a = await setup({ email: 'jo@blocked.example' });
  await suppress(db, { clientId: a.client.id, kind: 'email', value: 'jo@blocked.example', reason: 'test' });
  expect(await validateTouch(db, dncr(), a.at('email'))).toMatchObject({ action: 'skip', reason: 'suppressed_email' });
  // Other channels of the same lead are not affected by an email suppression.
  expect(await validateTouch(db, dncr(), a.at('linkedin'))).toMatchObject({ action: 'proceed' });

  const b = await setup({ email: 'jo@whole-domain.example' });
  await suppress(db, { clientId: null, kind: 'domain', value: 'whole-domain.example', reason: 'test' });
  expect(await validateTouch(db, dncr(), b.at('email'))).toMatchObject({ action: 'skip', reason: 'suppressed_domain' });

  const c = await setup({ phone: '+61400000001' });
  await suppress(db, { clientId: c.client.id, kind: 'phone', value: '+61400000001', reason: 'sms_stop' });
  expect(await validateTouch(db, dncr(), c.at('sms'))).toMatchObject({ action: 'skip', reason: 'suppressed_phone' });
  expect(await validateTouch(db, dncr(), c.at('voice'))).toMatchObject({ action: 'skip', reason: 'suppressed_phone' });

  // Another client's suppression does not apply.
  const d = await setup({ phone: '+61400000001' });
  expect(await validateTouch(db, dncr(), d.at('sms'))).toMatchObject({ action: 'proceed' });
});

it('checks contact details stored without normalization by their normalized form', async () => {
  const a = await setup({ email: '  Jo.Mixed@Mixed-Case.Example ' });
  await suppress(db, { clientId: a.client.id, kind: 'email', value: 'jo.mixed@mixed-case.example', reason: 'test' });
  expect(await validateTouch(db, dncr(), a.at('email'))).toMatchObject({ action: 'skip', reason: 'suppressed_email' });

  const b = await setup({ email: 'Jo@Upper-Domain.Example' });
  await suppress(db, { clientId: null, kind: 'domain', value: 'upper-domain.example', reason: 'test' });
  expect(await validateTouch(db, dncr(), b.at('email'))).toMatchObject({ action: 'skip', reason: 'suppressed_domain' });

  const c = await setup({ phone: '0400 000 002' });
  await suppress(db, { clientId: c.client.id, kind: 'phone', value: '+61400000002', reason: 'sms_stop' });
  expect(await validateTouch(db, dncr(), c.at('sms'))).toMatchObject({ action: 'skip', reason: 'suppressed_phone' });
});

it('washes Australian numbers against the DNCR once, then reuses the wash', async () => {
  const a = await setup({ phone: '+61400000003' });
  const driver = dncr(['+61400000003']);
  const first = await validateTouch(db, driver, a.at('voice'));
  expect(first).toMatchObject({ action: 'skip', reason: 'dncr_registered', evidence: { dncrRegistered: true } });
  const second = await validateTouch(db, driver, a.at('sms'));
  expect(second).toMatchObject({ action: 'skip', reason: 'dncr_registered' });
  expect(driver.calls).toEqual(['+61400000003']);
  const washedAt = (await db.dncrWash.findUniqueOrThrow({ where: { phone: '+61400000003' } })).washedAt.toISOString();
  expect(second.action === 'skip' && second.evidence?.dncrWashedAt).toBe(washedAt);

  // A stale wash is redone; a number stored unnormalized is washed under its normalized form.
  await db.dncrWash.update({ where: { phone: '+61400000003' }, data: { washedAt: new Date(Date.now() - 31 * 86_400_000), registered: false } });
  expect(await validateTouch(db, driver, a.at('sms'))).toMatchObject({ action: 'skip', reason: 'dncr_registered' });
  expect(driver.calls).toHaveLength(2);

  const b = await setup({ phone: '0400 000 004' });
  const clean = dncr();
  expect(await validateTouch(db, clean, b.at('sms'))).toMatchObject({ action: 'proceed', evidence: { dncrRegistered: false } });
  expect(await validateTouch(db, clean, b.at('sms'))).toMatchObject({ action: 'proceed' });
  expect(clean.calls).toEqual(['+61400000004']);
});

it('stops for removed, converted and cancelled, and waits while paused', async () => {
  const a = await setup();
  await db.lead.update({ where: { id: a.lead.id }, data: { status: 'converted' } });
  expect(await validateTouch(db, dncr(), a.at('email'))).toMatchObject({ action: 'stop', reason: 'converted' });
  await db.lead.update({ where: { id: a.lead.id }, data: { deletedAt: new Date() } });
  expect(await validateTouch(db, dncr(), a.at('email'))).toMatchObject({ action: 'stop', reason: 'lead_removed' });

  const b = await setup();
  await db.campaign.update({ where: { id: b.campaign.id }, data: { status: 'paused' } });
  expect(await validateTouch(db, dncr(), b.at('email'))).toMatchObject({ action: 'wait', reason: 'campaign_paused' });
  await db.campaign.update({ where: { id: b.campaign.id }, data: { status: 'active', deletedAt: new Date() } });
  expect(await validateTouch(db, dncr(), b.at('email'))).toMatchObject({ action: 'stop', reason: 'campaign_cancelled' });

  const c = await setup();
  await adjustBalanceTo(db, { clientId: c.client.id, target: 0 });
  expect(await validateTouch(db, dncr(), c.at('email'))).toMatchObject({ action: 'wait', reason: 'no_credits' });
  await db.client.update({ where: { id: c.client.id }, data: { deletedAt: new Date() } });
  expect(await validateTouch(db, dncr(), c.at('email'))).toMatchObject({ action: 'stop', reason: 'client_removed' });
});

it("follows the client's plan: its channels, and what a touch on each costs", async () => {
  const a = await setup();
  await db.client.update({ where: { id: a.client.id }, data: { tier: 'ignition' } });
  // Ignition has no mail; voice costs 4 credits, email 1.
  const mail = { ...a.at('email'), channel: 'mail' as const };
  expect(await validateTouch(db, dncr(), mail)).toEqual({ action: 'skip', reason: 'channel_not_in_plan:mail' });
  await adjustBalanceTo(db, { clientId: a.client.id, target: PLANS.ignition.prices.voice - 1 });
  expect(await validateTouch(db, dncr(), a.at('voice'))).toMatchObject({ action: 'wait', reason: 'no_credits' });
  expect(await validateTouch(db, dncr(), a.at('email'))).toMatchObject({ action: 'proceed' });
  await db.client.update({ where: { id: a.client.id }, data: { tier: 'dominance' } });
  expect(PLANS.dominance.prices.voice).toBeLessThan(PLANS.ignition.prices.voice);
  expect(await validateTouch(db, dncr(), a.at('voice'))).toMatchObject({ action: 'proceed' });
  // Mail is in the plan now, but costs more than the 3 credits left.
  expect(PLANS.dominance.prices.mail).toBeGreaterThan(PLANS.ignition.prices.voice - 1);
  expect(await validateTouch(db, dncr(), mail)).toMatchObject({ action: 'wait', reason: 'no_credits' });
});

it('stops for a lead who replied or booked a meeting, whatever happened to the stop signal', async () => {
  const replied = await setup({ status: 'replied' });
  expect(await validateTouch(db, dncr(), replied.at('email'))).toEqual({ action: 'stop', reason: 'reply' });
  const booked = await setup({ status: 'converted' });
  expect(await validateTouch(db, dncr(), booked.at('sms'))).toEqual({ action: 'stop', reason: 'converted' });
});
