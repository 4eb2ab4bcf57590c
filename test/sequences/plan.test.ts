// The whole Growth Engine plan in time-skipped weeks: business days in the lead's zone skipping
// Easter 2026 in NSW, every touch inside 08:00–18:00 local, threading, compliance headers, and
// tier filtering on a second lead in the same campaign.
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { launchCampaign, localDay, localHour, sequenceHandle } from './helpers';
import { PLANS } from '../../src/engines/plans';
import { workflowIds } from '../../workflows/ids';
import type { TimelineEntry } from '../../workflows/definitions/sequence';

let stack: TestStack;
beforeAll(async () => {
  // Monday 30 March 2026, 09:00 in Sydney (AEDT).
  stack = await startTestStack({ timeSkipping: true, startAt: '2026-03-29T22:00:00Z' });
});
afterAll(async () => {
  await stack?.stop();
});

it('runs six touches on business days, skipping Good Friday and Easter Monday, and filters by tier', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const hot = await createLead(stack.db, client.id, { alsTier: 'hot' });
  const cool = await createLead(stack.db, client.id, { alsTier: 'cool', alsScore: 50 });
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'Easter plan' }, [hot.id, cool.id]);

  const hotHandle = await sequenceHandle(stack.temporal, campaign.id, hot.id);
  const coolHandle = await sequenceHandle(stack.temporal, campaign.id, cool.id);
  const hotState = await hotHandle.result();
  const coolState = await coolHandle.result();

  expect(hotState.timeline.find((e: TimelineEntry) => e.touch === 6)).toMatchObject({ status: 'sent', reason: null });
  expect(hotState.status).toBe('completed');
  const sent = hotState.timeline.filter((e: TimelineEntry) => e.status === 'sent');
  expect(sent.map((e: TimelineEntry) => [e.touch, e.channel, localDay(e.at)])).toEqual([
    [1, 'email', '2026-03-30'],
    [2, 'linkedin', '2026-04-01'],
    [3, 'email', '2026-04-07'], // day 4: Thu 2 Apr is day 3, Good Friday and Easter Monday are skipped
    [4, 'sms', '2026-04-10'],
    [5, 'voice', '2026-04-15'],
    [6, 'mail', '2026-04-21'],
  ]);
  for (const e of sent) {
    expect(localHour(e.at)).toBeGreaterThanOrEqual(8);
    expect(localHour(e.at)).toBeLessThan(18);
  }

  // Cool leads get email and LinkedIn only: SMS and voice are skipped with a reason, mail falls
  // back to the threaded break-up email.
  expect(coolState.timeline.map((e: TimelineEntry) => [e.touch, e.channel, e.status, e.reason])).toEqual([
    [1, 'email', 'sent', null],
    [2, 'linkedin', 'sent', null],
    [3, 'email', 'sent', null],
    [4, 'sms', 'skipped', 'channel_not_allowed_for_tier:cool'],
    [5, 'voice', 'skipped', 'channel_not_allowed_for_tier:cool'],
    [6, 'email', 'sent', null],
  ]);
  const skipped = await stack.db.activity.findMany({ where: { leadId: cool.id, action: 'skipped' }, orderBy: { touchNumber: 'asc' } });
  expect(skipped.map((a) => [a.touchNumber, (a.metadata as { reason: string }).reason])).toEqual([
    [4, 'channel_not_allowed_for_tier:cool'],
    [5, 'channel_not_allowed_for_tier:cool'],
  ]);

  // Sandbox outbox: what would have gone out, with threading and compliance headers.
  const emails = await stack.db.sandboxMessage.findMany({
    where: { clientId: client.id, channel: 'email', recipient: hot.email! },
    orderBy: { createdAt: 'asc' },
  });
  expect(emails).toHaveLength(2);
  const [intro, followUp] = emails.map((e) => e.payload as { headers: Record<string, string>; text: string; subject: string; threadId?: string });
  expect(intro.headers['List-Unsubscribe']).toMatch(/^<http:\/\/agency-os\.test\/u\/[^>]+>$/);
  expect(intro.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  expect(intro.text).toContain('1 Test Street, Sydney NSW 2000');
  const introLedger = await stack.db.sendLedger.findUniqueOrThrow({ where: { idempotencyKey: `${workflowIds.sequence(campaign.id, hot.id)}:touch:1` } });
  expect(followUp.headers['In-Reply-To']).toBe(introLedger.threadId);
  expect(followUp.headers['References']).toBe(introLedger.threadId);
  expect(followUp.subject).toBe(`Re: ${intro.subject}`);
  const sms = await stack.db.sandboxMessage.findFirstOrThrow({ where: { clientId: client.id, channel: 'sms' } });
  expect((sms.payload as { text: string }).text).toMatch(/Reply STOP to opt out$/);

  // Every send is in the ledger once; credits were spent once per send, at the plan's price of its
  // channel, and the balance is the sum of the credit ledger.
  expect(await stack.db.sendLedger.count({ where: { leadId: hot.id, state: 'sent' } })).toBe(6);
  const after = await stack.db.client.findUniqueOrThrow({ where: { id: client.id } });
  const sentRows = await stack.db.sendLedger.findMany({ where: { clientId: client.id, state: 'sent' }, select: { channel: true, idempotencyKey: true } });
  expect(sentRows).toHaveLength(6 + 4);
  const prices = PLANS[after.tier].prices;
  const cost = sentRows.reduce((n, r) => n + prices[r.channel], 0);
  expect(cost).toBeGreaterThan(10); // voice and mail cost more than one credit
  expect(after.creditsRemaining).toBe(1000 - cost);
  const spends = await stack.db.creditTransaction.findMany({ where: { clientId: client.id, kind: 'spend' } });
  expect(spends.map((t) => t.sendKey).sort()).toEqual(sentRows.map((r) => r.idempotencyKey).sort());
  const ledgerSum = await stack.db.creditTransaction.aggregate({ where: { clientId: client.id }, _sum: { amount: true } });
  expect(ledgerSum._sum.amount).toBe(after.creditsRemaining);

  // The campaign completes once both sequences have ended.
  const campaignState = await stack.temporal.workflow.getHandle(workflowIds.campaign(campaign.id)).result();
  expect(campaignState.status).toBe('completed');
  expect(campaignState.touchesSent).toEqual({ email: 5, linkedin: 2, sms: 1, voice: 1, mail: 1 });
  recordHistory(workflowIds.sequence(campaign.id, hot.id), 'lead-sequence-plan', stack.env!.connection.options.address);
  recordHistory(workflowIds.campaign(campaign.id), 'campaign-plan', stack.env!.connection.options.address);
});
