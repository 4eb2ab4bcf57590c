// The safety-net schedules exist (idempotently) and the outreach sweep heals what it should.
import { startTestStack, type TestStack } from '../harness/stack';
import { recordHistory } from '../harness/histories';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { registerSchedules, SWEEPS } from '../../temporal/schedules';
import { workflowIds } from '../../workflows/ids';
import { createCampaign } from '../../src/engines/campaigns';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  // Schedules live in the shared dev server's namespace: remove this file's.
  for (const s of SWEEPS)
    await stack.temporal.schedule
      .getHandle(`${workflowIds.schedule(s.name)}:${stack.taskQueue}`)
      .delete()
      .catch(() => undefined);
  await stack?.stop();
});

const testSweeps = () => SWEEPS.map((s) => ({ ...s, name: `${s.name}:${stack.taskQueue}` }));

it('creates every sweep schedule once and updates it on the next start', async () => {
  const first = await registerSchedules(stack.temporal, { taskQueue: stack.taskQueue, timeZone: 'Australia/Sydney', sweeps: testSweeps() });
  expect(first.created).toHaveLength(SWEEPS.length);
  expect(SWEEPS.map((s) => s.name)).toEqual([
    'enrichment-sweep',
    'outreach-sweep',
    'reply-recovery',
    'webhook-dispatch',
    'review-sweep',
    'credit-grants',
    'skill-feedback-digest',
  ]);
  const second = await registerSchedules(stack.temporal, { taskQueue: stack.taskQueue, timeZone: 'Australia/Sydney', sweeps: testSweeps() });
  expect(second).toEqual({ created: [], updated: first.created });
  const outreach = await stack.temporal.schedule.getHandle(`schedule:outreach-sweep:${stack.taskQueue}`).describe();
  expect(outreach.spec.calendars?.length ?? 0).toBeGreaterThan(0);
  expect(outreach.spec.timezone).toBe('Australia/Sydney');
  expect(outreach.action).toMatchObject({ type: 'startWorkflow', workflowType: 'outreachSweepWorkflow', taskQueue: stack.taskQueue });
  const digest = await stack.temporal.schedule.getHandle(`schedule:skill-feedback-digest:${stack.taskQueue}`).describe();
  expect(digest.action).toMatchObject({ type: 'startWorkflow', workflowType: 'skillDigestWorkflow' });
});

it('outreach sweep restarts a lost campaign workflow and re-enrols a lost sequence', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, { alsTier: 'cold' });
  // An active campaign whose workflow never ran (as after an operator terminated it), with an
  // enrolment marked active whose sequence does not exist.
  const campaign = await createCampaign(stack.db, { clientId: client.id, name: 'lost' });
  await stack.db.campaign.update({ where: { id: campaign.id }, data: { status: 'active' } });
  await stack.db.campaignEnrollment.create({ data: { clientId: client.id, campaignId: campaign.id, leadId: lead.id, status: 'active', sequenceVersion: 1 } });

  const result = await stack.temporal.workflow.execute('outreachSweepWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: `sweep:test:${stack.taskQueue}`,
    args: [{ version: 1 }],
  });
  expect(result).toMatchObject({ campaignsRestarted: 1, sequencesRestarted: 1 });
  recordHistory(`sweep:test:${stack.taskQueue}`, 'outreach-sweep');
  const campaignWf = await stack.temporal.workflow.getHandle(workflowIds.campaign(campaign.id)).describe();
  expect(campaignWf.status.name).toBe('RUNNING');
  // The campaign enrols the lead again: its sequence runs.
  const seq = stack.temporal.workflow.getHandle(workflowIds.sequence(campaign.id, lead.id));
  for (let i = 0; i < 100; i++) {
    if (
      await seq.describe().then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await seq.describe()).status.name).toBe('RUNNING');
  await seq.terminate('test done');
});

it('runs the review sweep: with no review past REVIEW_STALE_AFTER it tells nobody', async () => {
  const workflowId = `review-sweep:test:${stack.taskQueue}`;
  const result = await stack.temporal.workflow.execute('reviewSweepWorkflow', { taskQueue: stack.taskQueue, workflowId, args: [{ version: 1 }] });
  expect(result).toEqual({ notified: 0 });
  recordHistory(workflowId, 'review-sweep');
});
