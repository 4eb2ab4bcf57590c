// The sequence activities as units, run in Temporal's MockActivityEnvironment (the activity context a
// worker gives them: attempt number, workflow id, heartbeats, cancellation) against real PostgreSQL
// and the sandbox channel drivers. What a retried attempt must do: find the first attempt's send in
// the ledger and answer with it, never send again.
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSequenceActivities } from '../../activities/sequence';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { leadCalendar, windowOpenNow } from '../harness/clock';
import { workflowIds } from '../../workflows/ids';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
}, 120_000);
afterAll(() => stack?.stop());

async function oneLeadCampaign() {
  const cal = windowOpenNow();
  const { client } = await createClientWithUser(stack.db, { timeZone: cal.timeZone, country: cal.country, state: cal.state, sendWindow: cal.sendWindow });
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, { ...leadCalendar(cal), alsTier: 'hot' });
  const touches = [{ number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' }];
  const campaign = await stack.db.campaign.create({
    data: { clientId: client.id, name: 'Units', status: 'active', permissionMode: 'autopilot', sequence: { version: 1, touches } },
  });
  await stack.db.campaignEnrollment.create({ data: { clientId: client.id, campaignId: campaign.id, leadId: lead.id, status: 'active', sequenceVersion: 1 } });
  const workflowId = workflowIds.sequence(campaign.id, lead.id);
  const attempt = {
    workflowId,
    clientId: client.id,
    campaignId: campaign.id,
    leadId: lead.id,
    touch: touches[0],
    tier: 'hot',
    now: new Date().toISOString(),
    send: true,
  };
  return { client, lead, campaign, workflowId, attempt };
}

const inActivity = (workflowId: string, attempt: number) =>
  new MockActivityEnvironment({
    attempt,
    activityType: 'attemptTouch',
    workflowExecution: { workflowId, runId: 'run-1' },
    workflowType: 'leadSequenceWorkflow',
  });

it('a retried attemptTouch answers with the first attempt’s send and sends nothing again', async () => {
  const acts = createSequenceActivities(stack.activityDeps);
  const { client, lead, workflowId, attempt } = await oneLeadCampaign();

  const first = await inActivity(workflowId, 1).run(acts.attemptTouch, attempt);
  expect(first).toMatchObject({ action: 'sent', channel: 'email' });
  // The worker died before reporting: Temporal runs attempt 2 with the same input.
  const retried = await inActivity(workflowId, 2).run(acts.attemptTouch, attempt);
  expect(retried).toEqual(first);

  const sandbox = await stack.db.sandboxMessage.findMany({ where: { clientId: client.id } });
  expect(sandbox).toHaveLength(1);
  const ledger = await stack.db.sendLedger.findMany({ where: { leadId: lead.id } });
  expect(ledger).toHaveLength(1);
  expect(ledger[0]).toMatchObject({ state: 'sent', providerMessageId: (first as { providerMessageId: string }).providerMessageId });
  expect(await stack.db.activity.count({ where: { leadId: lead.id, action: 'sent' } })).toBe(1);
});

it('recordSkipped and finishSequence, retried, leave one record each', async () => {
  const acts = createSequenceActivities(stack.activityDeps);
  const { client, lead, campaign, workflowId } = await oneLeadCampaign();
  const skip = { workflowId, clientId: client.id, campaignId: campaign.id, leadId: lead.id, touch: 1, channel: 'email' as const, reason: 'outside_hours' };
  for (const n of [1, 2]) await inActivity(workflowId, n).run(acts.recordSkipped, skip);
  const end = { clientId: client.id, campaignId: campaign.id, leadId: lead.id, outcome: 'completed', reason: null };
  for (const n of [1, 2]) await inActivity(workflowId, n).run(acts.finishSequence, end);

  expect(await stack.db.activity.count({ where: { leadId: lead.id, action: 'skipped' } })).toBe(1);
  expect(await stack.db.campaignEnrollment.findFirstOrThrow({ where: { leadId: lead.id } })).toMatchObject({ status: 'completed' });
  expect(await stack.db.outboundEvent.count({ where: { leadId: lead.id, type: 'sequence.completed' } })).toBe(1);
});
