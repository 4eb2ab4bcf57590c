// Outages longer than the old retry budget (20 attempts, ~15 minutes) are ridden out: the
// database is taken away for 2 simulated hours while second touches are due, then Postmark answers
// 503 for 6 simulated hours while third touches are due. Afterwards every sequence has completed,
// every touch was sent exactly once, no workflow failed and every enrolment completed.
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { bringDatabaseBack, takeDatabaseAway } from '../harness/database';
import { launchCampaign, sequenceHandle, timeline } from './helpers';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../fakes/postmark-fake';
import { workflowIds } from '../../workflows/ids';
import type { SequenceState } from '../../workflows/definitions/sequence';

const LEADS = 4;
const threeEmails = {
  version: 1 as const,
  touches: [
    { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
    { number: 2, day: 1, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
    { number: 3, day: 2, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
  ],
};

let stack: TestStack;
let postmark: PostmarkFake;
beforeAll(async () => {
  postmark = await startPostmarkFake();
  stack = await startTestStack({
    timeSkipping: true,
    // Monday 6 July 2026, 09:00 in Sydney: no NSW public holiday that week.
    startAt: '2026-07-05T23:00:00Z',
    env: { POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN, POSTMARK_BASE_URL: postmark.url },
  });
});
afterAll(async () => {
  await stack?.stop();
  await postmark?.close();
});

const HOUR = 3_600_000;

/** Skips the server clock to `ms` before the earliest time any of the leads' touch `n` is due. */
async function skipToBeforeTouch(campaignId: string, leadIds: string[], n: number, ms: number): Promise<void> {
  const dues: number[] = [];
  for (const id of leadIds) {
    const entry = (await timeline(stack.temporal, campaignId, id)).timeline.find((e) => e.touch === n);
    expect(entry).toMatchObject({ status: 'waiting', reason: 'schedule' });
    dues.push(Date.parse(entry!.until!));
  }
  const now = await stack.env!.currentTimeMs();
  expect(Math.min(...dues) - ms).toBeGreaterThan(now);
  await stack.env!.sleep(Math.min(...dues) - ms - now);
}

/** Lets the server clock run (in steps) until every lead's touch `n` is sent. */
async function untilSent(campaignId: string, leadIds: string[], n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const states = await Promise.all(leadIds.map((id) => timeline(stack.temporal, campaignId, id)));
    if (states.every((s) => s.timeline.find((e) => e.touch === n)?.status === 'sent')) return;
    await stack.env!.sleep('5 minutes');
  }
  throw new Error(`touch ${n} was never sent to every lead`);
}

it('rides out a 2-hour database outage and a 6-hour provider outage with every touch sent once', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const leads = [];
  for (let i = 0; i < LEADS; i++) leads.push(await createLead(stack.db, client.id));
  const leadIds = leads.map((l) => l.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'outage', sequence: threeEmails }, leadIds);
  for (const id of leadIds) await sequenceHandle(stack.temporal, campaign.id, id);
  await untilSent(campaign.id, leadIds, 1);

  // The database goes away 10 minutes before the second touches are due and stays away 2 hours.
  await skipToBeforeTouch(campaign.id, leadIds, 2, 10 * 60_000);
  await takeDatabaseAway(stack.database.name);
  try {
    await stack.env!.sleep(2 * HOUR);
    // Still trying, not failed: every sequence is running and its second touch still waits.
    for (const id of leadIds) {
      const d = await stack.temporal.workflow.getHandle(workflowIds.sequence(campaign.id, id)).describe();
      expect(d.status.name).toBe('RUNNING');
    }
    expect(postmark.sent).toHaveLength(LEADS);
  } finally {
    await bringDatabaseBack(stack.database.name);
  }
  await untilSent(campaign.id, leadIds, 2);

  // Postmark answers 503 (and its Messages API too) from 10 minutes before the third touches for
  // 6 hours.
  await skipToBeforeTouch(campaign.id, leadIds, 3, 10 * 60_000);
  const before = postmark.requests.length;
  postmark.failNext(503, { ErrorCode: 0, Message: 'Service Unavailable' }, 1_000_000);
  await stack.env!.sleep(6 * HOUR);
  postmark.clearFailures();
  // They kept trying through the outage (a retry first asks the Messages API whether it was sent).
  expect(postmark.requests.slice(before).filter((r) => r.method === 'POST' && r.path === '/email')).toHaveLength(LEADS);
  expect(postmark.requests.length - before).toBeGreaterThan(LEADS * 10);

  const results: SequenceState[] = [];
  for (const id of leadIds) results.push(await stack.temporal.workflow.getHandle(workflowIds.sequence(campaign.id, id)).result());
  expect(results.map((r) => r.status)).toEqual(leadIds.map(() => 'completed'));
  expect(results.map((r) => r.timeline.map((e) => e.status))).toEqual(leadIds.map(() => ['sent', 'sent', 'sent']));

  // Exactly once: three accepted emails per lead, three sent ledger rows, three sent activities.
  for (const lead of leads) {
    expect(postmark.sent.filter((m) => m.To.includes(lead.email!))).toHaveLength(3);
    const ledger = await stack.db.sendLedger.findMany({ where: { leadId: lead.id } });
    expect(ledger.map((l) => l.state)).toEqual(['sent', 'sent', 'sent']);
    expect(await stack.db.activity.count({ where: { leadId: lead.id, action: 'sent' } })).toBe(3);
  }
  const enrollments = await stack.db.campaignEnrollment.findMany({ where: { campaignId: campaign.id } });
  expect(enrollments.map((e) => e.status)).toEqual(leadIds.map(() => 'completed'));
  const campaignRun = await stack.temporal.workflow.getHandle(workflowIds.campaign(campaign.id)).describe();
  expect(['RUNNING', 'COMPLETED']).toContain(campaignRun.status.name);
});
