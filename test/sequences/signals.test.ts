// How a running sequence reacts: a reply stops every later touch, pausing the campaign holds all
// sends until resume, cancel ends it. (Out-of-office has its own file: it needs a fixed start day.)
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, sequenceHandle, skipToNextMonday, timeline } from './helpers';
import { stopSignal, type TimelineEntry } from '../../workflows/definitions/sequence';
import { transitionCampaign } from '../../src/lifecycle/campaigns';
import { workflowIds } from '../../workflows/ids';

let stack: TestStack;
beforeAll(async () => {
  // Monday 6 July 2026, 09:00 in Sydney (AEST): no NSW public holiday for weeks.
  stack = await startTestStack({ timeSkipping: true, startAt: '2026-07-05T23:00:00Z' });
});
afterAll(async () => {
  await stack?.stop();
});

async function setup() {
  // Tests share the server's clock: each starts on a Monday morning.
  await skipToNextMonday(stack.env!);
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'signals' }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  return { client, lead, campaign, handle };
}

const sentTouches = (timelineEntries: TimelineEntry[]) => timelineEntries.filter((e) => e.status === 'sent').map((e) => e.touch);

it('stops every later touch when the lead replies on day 5', async () => {
  const { lead, campaign, handle } = await setup();
  await stack.env!.sleep('5 days');
  expect(sentTouches((await timeline(stack.temporal, campaign.id, lead.id)).timeline)).toEqual([1, 2, 3]);
  await handle.signal(stopSignal, { version: 1, eventId: 'reply-1', reason: 'reply', channel: 'email' });
  const state = await handle.result();
  expect(state.status).toBe('stopped');
  expect(state.stopReason).toBe('reply');
  expect(state.timeline.filter((e) => e.touch > 3).map((e) => [e.touch, e.status, e.reason])).toEqual([
    [4, 'cancelled', 'reply'],
    [5, 'cancelled', 'reply'],
    [6, 'cancelled', 'reply'],
  ]);
  expect(await stack.db.sendLedger.count({ where: { leadId: lead.id, state: 'sent' } })).toBe(3);
  const enrollment = await stack.db.campaignEnrollment.findFirstOrThrow({ where: { leadId: lead.id } });
  expect(enrollment).toMatchObject({ status: 'stopped', stopReason: 'reply' });
  // A redelivered stop is ignored (the workflow has closed; nothing else happened).
  expect(await stack.db.activity.count({ where: { leadId: lead.id, action: 'sent' } })).toBe(3);
});

it('sends nothing while the campaign is paused and continues after resume', async () => {
  const { lead, campaign, handle } = await setup();
  await stack.env!.sleep('3 days');
  expect(sentTouches((await timeline(stack.temporal, campaign.id, lead.id)).timeline)).toEqual([1, 2]);
  const paused = await transitionCampaign(stack.temporal, campaign.id, 'pause');
  expect(paused.status).toBe('paused');
  // Pausing twice is a no-op, not an error.
  expect((await transitionCampaign(stack.temporal, campaign.id, 'pause')).status).toBe('paused');
  await stack.env!.sleep('5 days');
  const during = await timeline(stack.temporal, campaign.id, lead.id);
  expect(sentTouches(during.timeline)).toEqual([1, 2]);
  expect(during.timeline.find((e) => e.touch === 3)).toMatchObject({ status: 'waiting', reason: 'campaign_paused' });
  const resumedAt = await stack.env!.currentTimeMs();
  await transitionCampaign(stack.temporal, campaign.id, 'resume');
  const state = await handle.result();
  expect(sentTouches(state.timeline)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(new Date(state.timeline.find((e) => e.touch === 3)!.at).getTime()).toBeGreaterThanOrEqual(resumedAt);
});

it('ends every sequence when the campaign is cancelled, and refuses to restart it', async () => {
  const { lead, campaign, handle } = await setup();
  await stack.env!.sleep('1 day');
  const state = await transitionCampaign(stack.temporal, campaign.id, 'cancel');
  expect(state.status).toBe('cancelled');
  const seq = await handle.result();
  expect(seq.status).toBe('stopped');
  expect(seq.stopReason).toBe('campaign_cancelled');
  const final = await stack.temporal.workflow.getHandle(workflowIds.campaign(campaign.id)).result();
  expect(final.status).toBe('cancelled');
  expect((await stack.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe('cancelled');
  await expect(transitionCampaign(stack.temporal, campaign.id, 'start')).rejects.toThrow(/cannot start/);
  expect(await stack.db.sendLedger.count({ where: { leadId: lead.id, state: 'sent' } })).toBe(1);
});
