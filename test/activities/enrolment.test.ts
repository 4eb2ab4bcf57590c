// The campaign's enrolment activity starts a page of sequences several at a time (one at a time it
// bounded a campaign's first touches at Temporal's round-trip latency), and still: every pending
// lead is started once, its enrolment turns active only after its own start, pages are counted
// right, and a page whose starts fail part-way leaves the rest pending for the retry, which
// finishes them without starting anything twice.
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { createCampaignActivities, ENROLL_CONCURRENCY, ENROLL_PAGE_SIZE } from '../../activities/campaign';
import { addLeadsToCampaign, createCampaign } from '../../src/engines/campaigns';
import { workflowIds } from '../../workflows/ids';

import { LATER_SEQUENCE } from '../sequences/helpers';

const later = LATER_SEQUENCE;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** The real Temporal client, its signal-with-start counted (calls, most in flight at once) and, on request, failing. */
function countingClient(real: Client, failAtCall?: number) {
  const counts = { calls: 0, inFlight: 0, maxInFlight: 0, started: [] as string[] };
  const workflow = Object.create(real.workflow) as Client['workflow'];
  workflow.signalWithStart = (async (...args: Parameters<Client['workflow']['signalWithStart']>) => {
    counts.calls++;
    if (failAtCall !== undefined && counts.calls === failAtCall) throw new Error('Temporal unavailable (injected)');
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    try {
      const handle = await real.workflow.signalWithStart(...args);
      counts.started.push(args[1].workflowId);
      return handle;
    } finally {
      counts.inFlight--;
    }
  }) as Client['workflow']['signalWithStart'];
  const client = Object.create(real) as Client;
  Object.defineProperty(client, 'workflow', { value: workflow });
  return { client, counts };
}

async function pendingCampaign(leads: number) {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const leadIds: string[] = [];
  for (let i = 0; i < leads; i++) leadIds.push((await createLead(stack.db, client.id)).id);
  // Enrolments pending, no campaign workflow: only the activity under test starts sequences.
  const campaign = await createCampaign(stack.db, { clientId: client.id, name: 'enrolment', sequence: later });
  await addLeadsToCampaign(stack.db, { clientId: client.id, campaignId: campaign.id, leadIds });
  return { campaign, leadIds };
}

const statuses = async (campaignId: string) =>
  Object.fromEntries(
    (await stack.db.campaignEnrollment.groupBy({ by: ['status'], where: { campaignId }, _count: { _all: true } })).map((g) => [g.status, g._count._all]),
  );

it('starts every pending lead once, several at a time, page by page', async () => {
  const n = ENROLL_PAGE_SIZE + 30;
  const { campaign, leadIds } = await pendingCampaign(n);
  const { client, counts } = countingClient(stack.temporal);
  const acts = createCampaignActivities({ ...stack.activityDeps, temporal: client });
  const env = new MockActivityEnvironment();

  expect(await env.run(acts.enrolPendingLeads, { campaignId: campaign.id })).toEqual({ enrolled: ENROLL_PAGE_SIZE, remaining: 30 });
  expect(await env.run(acts.enrolPendingLeads, { campaignId: campaign.id })).toEqual({ enrolled: 30, remaining: 0 });
  expect(await env.run(acts.enrolPendingLeads, { campaignId: campaign.id })).toEqual({ enrolled: 0, remaining: 0 });

  expect(counts.maxInFlight).toBeGreaterThan(1);
  expect(counts.maxInFlight).toBeLessThanOrEqual(ENROLL_CONCURRENCY);
  expect(counts.calls).toBe(n);
  expect(new Set(counts.started)).toEqual(new Set(leadIds.map((id) => workflowIds.sequence(campaign.id, id))));
  expect(await statuses(campaign.id)).toEqual({ active: n });
  expect(await stack.db.campaignEnrollment.count({ where: { campaignId: campaign.id, startedAt: null } })).toBe(0);
  // Each lead's sequence runs (a first start refuses an id that has run before: one run each).
  for (const id of leadIds) {
    const d = await stack.temporal.workflow.getHandle(workflowIds.sequence(campaign.id, id)).describe();
    expect(d.status.name).toBe('RUNNING');
  }
});

it('leaves the leads whose start failed pending, starts no more after the failure, and the retry finishes the page', async () => {
  const n = 60;
  const { campaign, leadIds } = await pendingCampaign(n);
  const failing = countingClient(stack.temporal, 20);
  const env = new MockActivityEnvironment();
  await expect(
    env.run(createCampaignActivities({ ...stack.activityDeps, temporal: failing.client }).enrolPendingLeads, { campaignId: campaign.id }),
  ).rejects.toThrow('injected');
  // The attempt failed only once the starts in flight at the failure had landed, each with its
  // enrolment's update: nothing of it is still working when the retry comes.
  expect(failing.counts.inFlight).toBe(0);
  // The calls in flight when it failed (at most one per lane) were the last ones.
  expect(failing.counts.calls).toBeLessThan(20 + ENROLL_CONCURRENCY);
  expect(failing.counts.calls).toBeLessThan(n);
  const after = await statuses(campaign.id);
  expect(after.active).toBe(failing.counts.started.length);
  expect(after.pending).toBe(n - failing.counts.started.length);
  const activeRows = await stack.db.campaignEnrollment.findMany({ where: { campaignId: campaign.id, status: 'active' }, select: { leadId: true } });
  expect(new Set(activeRows.map((r) => workflowIds.sequence(campaign.id, r.leadId)))).toEqual(new Set(failing.counts.started));

  const retry = countingClient(stack.temporal);
  expect(await env.run(createCampaignActivities({ ...stack.activityDeps, temporal: retry.client }).enrolPendingLeads, { campaignId: campaign.id })).toEqual({
    enrolled: n - failing.counts.started.length,
    remaining: 0,
  });
  expect(retry.counts.started.some((id) => failing.counts.started.includes(id))).toBe(false);
  expect(await statuses(campaign.id)).toEqual({ active: n });
  for (const id of leadIds) {
    const d = await stack.temporal.workflow.getHandle(workflowIds.sequence(campaign.id, id)).describe();
    expect(d.status.name).toBe('RUNNING');
  }
});
