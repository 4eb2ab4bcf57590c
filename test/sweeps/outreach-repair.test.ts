// The outreach sweep repairs every enrolment, not the first 1,000: 1,000 healthy running sequences
// come first, and behind them a terminated sequence (restarted; its sent touch is not sent again),
// a lost one (enrolled again), one cancelled by an operator (closed) and a campaign whose workflow
// was terminated with leads still pending (restarted; it enrols them).
import { randomUUID } from 'node:crypto';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { createCampaign } from '../../src/engines/campaigns';
import { startCampaignWorkflow } from '../../src/lifecycle/campaigns';
import { sendKey } from '../../src/engines/send-ledger';
import { timelineQuery } from '../../workflows/definitions/sequence';
import { workflowIds } from '../../workflows/ids';
import type { LeadSequenceInput } from '../../workflows/definitions/sequence';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../fakes/postmark-fake';

// Every hour and day is inside the window, and the lead's country has no public holidays here:
// the verdicts below do not depend on when the test runs.
const ALWAYS_OPEN = { startHour: 0, endHour: 24, days: [0, 1, 2, 3, 4, 5, 6] };
const twoEmails = {
  version: 1 as const,
  touches: [
    { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
    { number: 2, day: 2, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
  ],
};
const HEALTHY = 1000;

let stack: TestStack;
let postmark: PostmarkFake;
const idleQueue = `idle-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  postmark = await startPostmarkFake();
  stack = await startTestStack({ env: { POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN, POSTMARK_BASE_URL: postmark.url } });
});
afterAll(async () => {
  await stack?.stop();
  await postmark?.close();
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function inParallel<T>(items: T[], n: number, fn: (x: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

it('repairs enrolments beyond the first 1,000, restarts broken sequences and campaigns, closes only what ended on purpose', async () => {
  const { db, temporal, taskQueue } = stack;
  const { client } = await createClientWithUser(db, { timeZone: 'UTC', country: 'ZZ' });
  await db.client.update({ where: { id: client.id }, data: { sendWindow: ALWAYS_OPEN } });
  await addResources(db, client.id);
  const leadData = { timeZone: 'UTC', country: 'ZZ', state: null, alsTier: 'cold' as const };

  // Campaign A: launched with one lead whose sequence sends touch 1, then is terminated.
  const broken = await createLead(db, client.id, leadData);
  const campaign = await launchCampaign(temporal, taskQueue, db, { clientId: client.id, name: 'A', sequence: twoEmails }, [broken.id]);
  const brokenHandle = await sequenceHandle(temporal, campaign.id, broken.id);
  const touch1 = sendKey(workflowIds.sequence(campaign.id, broken.id), 1);
  await until('touch 1 sent', async () => (await db.sendLedger.findUnique({ where: { idempotencyKey: touch1 } }))?.state === 'sent');
  await brokenHandle.terminate('test: the worker lost it');

  // 1,000 healthy enrolments whose sequences run (on a queue no worker polls: they just stay running).
  const tag = randomUUID().slice(0, 8);
  await db.lead.createMany({
    data: Array.from({ length: HEALTHY }, (_, i) => ({
      clientId: client.id,
      email: `h${i}-${tag}@prospect.example`,
      status: 'in_sequence' as const,
      ...leadData,
    })),
  });
  const healthy = await db.lead.findMany({
    where: { clientId: client.id, email: { startsWith: 'h', endsWith: `-${tag}@prospect.example` } },
    select: { id: true },
  });
  expect(healthy).toHaveLength(HEALTHY);
  await db.campaignEnrollment.createMany({
    data: healthy.map((l) => ({
      clientId: client.id,
      campaignId: campaign.id,
      leadId: l.id,
      status: 'active' as const,
      sequenceVersion: 1,
      startedAt: new Date(),
    })),
  });
  const input = (leadId: string): LeadSequenceInput => ({
    version: 1,
    clientId: client.id,
    campaignId: campaign.id,
    leadId,
    sequenceVersion: 1,
    permissionMode: 'autopilot',
    tier: 'cold',
    touches: twoEmails.touches,
  });
  await inParallel(healthy, 16, (l) =>
    temporal.workflow.start('leadSequenceWorkflow', {
      taskQueue: idleQueue,
      workflowId: workflowIds.sequence(campaign.id, l.id),
      args: [input(l.id)],
      workflowExecutionTimeout: '15 minutes',
    }),
  );
  // The broken ones are the newest rows: the old sweep (1,000 oldest by updatedAt) never reached them.
  await db.campaignEnrollment.updateMany({
    where: { campaignId: campaign.id, leadId: { in: healthy.map((l) => l.id) } },
    data: { updatedAt: new Date(Date.now() - 60_000) },
  });

  // A lost sequence (its workflow never existed) and one an operator cancelled, both still marked active.
  const lost = await createLead(db, client.id, leadData);
  const cancelled = await createLead(db, client.id, leadData);
  for (const l of [lost, cancelled])
    await db.campaignEnrollment.create({
      data: { clientId: client.id, campaignId: campaign.id, leadId: l.id, status: 'active', sequenceVersion: 1, startedAt: new Date() },
    });
  // (On the real queue, waiting for a later touch: a cancel needs a worker to take effect.)
  const cancelledHandle = await temporal.workflow.start('leadSequenceWorkflow', {
    taskQueue,
    workflowId: workflowIds.sequence(campaign.id, cancelled.id),
    args: [{ ...input(cancelled.id), touches: [{ ...twoEmails.touches[1], number: 1, threadWith: undefined }] }],
  });
  await until(
    'the sequence to wait for its touch',
    async () => (await cancelledHandle.query(timelineQuery).catch(() => undefined))?.timeline[0]?.status === 'waiting',
  );
  await cancelledHandle.cancel();
  await until('cancel recorded', async () => (await cancelledHandle.describe()).status.name === 'CANCELLED');

  // Campaign B: active, its workflow terminated, two leads still pending.
  const campaignB = await createCampaign(db, { clientId: client.id, name: 'B', sequence: twoEmails });
  await db.campaign.update({ where: { id: campaignB.id }, data: { status: 'active', startedAt: new Date() } });
  await startCampaignWorkflow(temporal, taskQueue, { clientId: client.id, id: campaignB.id }, { status: 'active' });
  await temporal.workflow.getHandle(workflowIds.campaign(campaignB.id)).terminate('test: lost');
  const pendingLeads = [await createLead(db, client.id, leadData), await createLead(db, client.id, leadData)];
  await db.campaignEnrollment.createMany({
    data: pendingLeads.map((l) => ({ clientId: client.id, campaignId: campaignB.id, leadId: l.id, sequenceVersion: 1 })),
  });

  const result = await temporal.workflow.execute('outreachSweepWorkflow', { taskQueue, workflowId: `sweep:repair:${taskQueue}`, args: [{ version: 1 }] });
  expect(result).toMatchObject({ campaignsRestarted: 1, sequencesRestarted: 2, enrollmentsClosed: 1 });
  expect(result.enrollmentsChecked).toBeGreaterThanOrEqual(HEALTHY + 3);

  // The terminated sequence runs again; touch 1 is reported from the ledger, not sent again.
  const rerun = temporal.workflow.getHandle(workflowIds.sequence(campaign.id, broken.id));
  const state = await until('the restarted run to report touch 1', async () => {
    const s = await rerun.query(timelineQuery).catch(() => undefined);
    return s?.timeline.find((e) => e.touch === 1)?.status === 'sent' && s.timeline.find((e) => e.touch === 2) ? s : undefined;
  });
  expect((await rerun.describe()).status.name).toBe('RUNNING');
  expect(state.timeline.find((e) => e.touch === 2)).toMatchObject({ status: 'waiting', reason: 'schedule' });
  expect(postmark.requests.filter((r) => r.method === 'POST' && r.path === '/email' && r.rawBody.includes(broken.email!))).toHaveLength(1);
  expect(await db.activity.count({ where: { leadId: broken.id, action: 'sent' } })).toBe(1);
  expect((await db.campaignEnrollment.findFirstOrThrow({ where: { leadId: broken.id } })).status).toBe('active');

  // The lost one is enrolled again; the cancelled one is closed; campaign B enrols its pending leads.
  await until(
    'the lost sequence to run',
    async () =>
      (
        await temporal.workflow
          .getHandle(workflowIds.sequence(campaign.id, lost.id))
          .describe()
          .catch(() => undefined)
      )?.status.name === 'RUNNING',
  );
  expect(await db.campaignEnrollment.findFirstOrThrow({ where: { leadId: cancelled.id } })).toMatchObject({
    status: 'stopped',
    stopReason: 'workflow_cancelled',
  });
  expect((await temporal.workflow.getHandle(workflowIds.campaign(campaignB.id)).describe()).status.name).toBe('RUNNING');
  await until(
    'campaign B to enrol its pending leads',
    async () => (await db.campaignEnrollment.count({ where: { campaignId: campaignB.id, status: 'active' } })) === 2,
  );
  // The healthy ones are untouched.
  expect(await db.campaignEnrollment.count({ where: { campaignId: campaign.id, status: 'active', leadId: { in: healthy.map((l) => l.id) } } })).toBe(HEALTHY);
}, 300_000);
