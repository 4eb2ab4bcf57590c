// A running sequence follows corrections to its lead (issue 17, item 4), in time-skipped days: a
// re-score that changes the tier applies to the remaining touches, and a new time zone (PATCHed
// through the API) sets the send window of the next touch. The workflow's commands are unchanged:
// each touch attempt reads the lead's tier and calendar when it runs.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, localHour, sequenceHandle, skipToNextMonday, timeline } from './helpers';
import type { TimelineEntry } from '../../workflows/definitions/sequence';

let stack: TestStack;
beforeAll(async () => {
  // Monday 6 July 2026, 09:00 in Sydney (AEST): no NSW or UK public holiday for weeks.
  stack = await startTestStack({ timeSkipping: true, startAt: '2026-07-05T23:00:00Z' });
});
afterAll(async () => {
  await stack?.stop();
});

const WEEKDAYS_9_TO_5 = { startHour: 9, endHour: 17, days: [1, 2, 3, 4, 5] };
const rows = (entries: TimelineEntry[]) => entries.map((e) => [e.touch, e.channel, e.status, e.reason]);

it('applies a changed tier to the touches that remain', async () => {
  await skipToNextMonday(stack.env!);
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, { alsTier: 'cool', alsScore: 50 });
  const sequence = {
    version: 1 as const,
    touches: [
      { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
      { number: 2, day: 1, channel: 'sms' as const, kind: 'sms' as const },
      { number: 3, day: 2, channel: 'sms' as const, kind: 'sms' as const },
    ],
  };
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'tier change', sequence }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  // Tuesday 11:00: touch 2 (SMS) came while the lead was cool.
  await stack.env!.sleep('26 hours');
  expect(rows((await timeline(stack.temporal, campaign.id, lead.id)).timeline)).toEqual([
    [1, 'email', 'sent', null],
    [2, 'sms', 'skipped', 'channel_not_allowed_for_tier:cool'],
    [3, 'sms', 'waiting', 'schedule'],
  ]);
  // A re-score (as scoreLeads writes it) makes the lead hot: touch 3 goes out by SMS.
  await stack.db.lead.update({ where: { id: lead.id }, data: { alsTier: 'hot', alsScore: 90 } });
  const state = await handle.result();
  expect(rows(state.timeline)).toEqual([
    [1, 'email', 'sent', null],
    [2, 'sms', 'skipped', 'channel_not_allowed_for_tier:cool'],
    [3, 'sms', 'sent', null],
  ]);
  expect(await stack.db.sendLedger.count({ where: { leadId: lead.id, channel: 'sms', state: 'sent' } })).toBe(1);
});

it('sends the next touch in the send window of a time zone PATCHed mid-sequence', async () => {
  await skipToNextMonday(stack.env!);
  const { client, auth } = await createClientWithUser(stack.db, { timeZone: 'Australia/Sydney', country: 'AU', state: 'NSW', sendWindow: WEEKDAYS_9_TO_5 });
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, { timeZone: 'Australia/Sydney', country: 'AU', state: 'NSW' });
  const sequence = {
    version: 1 as const,
    touches: [
      { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
      { number: 2, day: 2, channel: 'email' as const, kind: 'email_intro' as const },
    ],
  };
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'moved to London', sequence }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  await stack.env!.sleep('2 hours');
  const first = (await timeline(stack.temporal, campaign.id, lead.id)).timeline[0];
  expect([first.status, localHour(first.at, 'Australia/Sydney') >= 9 && localHour(first.at, 'Australia/Sydney') < 17]).toEqual(['sent', true]);

  // The lead turns out to work from London.
  await request(stack.app)
    .patch(`/api/v1/clients/${client.id}/leads/${lead.id}`)
    .set(auth)
    .send({ timeZone: 'Europe/London', country: 'GB', state: null })
    .expect(200);
  const state = await handle.result();
  const second = state.timeline.find((e) => e.touch === 2)!;
  expect(second.status).toBe('sent');
  // 09:00–17:00 in London is 18:00–02:00 in Sydney: outside the window the lead had before.
  expect(localHour(second.at, 'Europe/London')).toBeGreaterThanOrEqual(9);
  expect(localHour(second.at, 'Europe/London')).toBeLessThan(17);
  const sydneyHour = localHour(second.at, 'Australia/Sydney');
  expect(sydneyHour >= 9 && sydneyHour < 17).toBe(false);
});
