// Campaign transitions are serialised: pause/resume/cancel sent together, from several clients,
// leave the campaign (workflow and database) in the state of the last accepted command, and every
// sequence obeys it. sequenceEnded is counted once per lead.
import { Client, Connection, WorkflowUpdateStage } from '@temporalio/client';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { harnessValue } from '../harness/env';
import { recordHistory } from '../harness/histories';
import { launchCampaign, sequenceHandle, LATER_SEQUENCE } from './helpers';
import { campaignStateQuery, sequenceEndedSignal, transitionUpdate, TRANSITIONS, type CampaignAction } from '../../workflows/definitions/campaign';
import { workflowIds } from '../../workflows/ids';

const later = LATER_SEQUENCE;

let stack: TestStack;
const extra: { client: Client; connection: Connection }[] = [];
beforeAll(async () => {
  stack = await startTestStack();
  for (let i = 0; i < 3; i++) {
    const connection = await Connection.connect({ address: harnessValue('temporalAddress') });
    extra.push({ connection, client: new Client({ connection, namespace: 'default' }) });
  }
});
afterAll(async () => {
  for (const e of extra) await e.connection.close();
  await stack?.stop();
});

async function campaignWithLeads(n: number) {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const leads = [];
  for (let i = 0; i < n; i++) leads.push(await createLead(stack.db, client.id));
  const campaign = await launchCampaign(
    stack.temporal,
    stack.taskQueue,
    stack.db,
    { clientId: client.id, name: 'transitions', sequence: later },
    leads.map((l) => l.id),
  );
  for (const l of leads) await sequenceHandle(stack.temporal, campaign.id, l.id);
  return { campaign, leads };
}

/** The actions the workflow accepted, in the order it accepted them (from its history). */
async function acceptedActions(workflowId: string): Promise<CampaignAction[]> {
  const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const req = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    if (!req || req.input?.name !== transitionUpdate.name) return [];
    const payload = req.input.args?.payloads?.[0];
    return [(JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as { action: CampaignAction }).action];
  });
}

it('applies transitions accepted back to back in order: a resume during a pause resumes, a cancel during a pause cancels', async () => {
  const { campaign, leads } = await campaignWithLeads(3);
  const workflowId = workflowIds.campaign(campaign.id);
  const handle = stack.temporal.workflow.getHandle(workflowId);
  // Each update is accepted before the next is sent, while the earlier ones' database writes may
  // still be in flight.
  const pending = [];
  for (const action of ['pause', 'resume', 'pause', 'resume', 'pause'] as const) {
    pending.push(await handle.startUpdate(transitionUpdate, { args: [{ version: 1, action }], waitForStage: WorkflowUpdateStage.ACCEPTED }));
  }
  const results = await Promise.all(pending.map((p) => p.result()));
  const afterFive = {
    live: (await handle.query(campaignStateQuery)).status,
    db: (await stack.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status,
  };

  const resume = await handle.startUpdate(transitionUpdate, { args: [{ version: 1, action: 'resume' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
  const pause = await handle.startUpdate(transitionUpdate, { args: [{ version: 1, action: 'pause' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
  const cancel = await handle.startUpdate(transitionUpdate, { args: [{ version: 1, action: 'cancel' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
  await Promise.all([resume.result(), pause.result(), cancel.result()]);
  const final = await handle.result();
  // campaign-transitions-pre-patch.json was recorded here from the code before the patch; this
  // one is the serialised handler's own history.
  recordHistory(workflowId, 'campaign-transitions-serialised');
  expect(results.map((r) => r.status)).toEqual(['paused', 'active', 'paused', 'active', 'paused']);
  expect(afterFive).toEqual({ live: 'paused', db: 'paused' });
  expect(final.status).toBe('cancelled');
  expect((await stack.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe('cancelled');
  // Every sequence obeyed the cancel.
  for (const l of leads) {
    const s = await stack.temporal.workflow.getHandle(workflowIds.sequence(campaign.id, l.id)).result();
    expect([s.status, s.stopReason]).toEqual(['stopped', 'campaign_cancelled']);
  }
  expect(await stack.db.campaignEnrollment.count({ where: { campaignId: campaign.id, status: 'stopped' } })).toBe(3);
});

it('ends in the state of the last accepted command when several clients send at once', async () => {
  for (let round = 0; round < 3; round++) {
    const { campaign, leads } = await campaignWithLeads(2);
    const workflowId = workflowIds.campaign(campaign.id);
    const burst: CampaignAction[] = ['pause', 'resume', 'pause', 'resume', 'pause', 'resume'];
    if (round === 2) burst.push('cancel');
    const outcomes = await Promise.allSettled(
      burst.map((action, i) =>
        [stack.temporal, ...extra.map((e) => e.client)][i % 4].workflow
          .getHandle(workflowId)
          .executeUpdate(transitionUpdate, { args: [{ version: 1, action }] }),
      ),
    );
    const accepted = await acceptedActions(workflowId);
    // Refused ones (e.g. pause after cancel) are rejected by the validator and never accepted.
    expect(accepted.length).toBe(outcomes.filter((o) => o.status === 'fulfilled').length + 1); // + the start
    const expected = TRANSITIONS[accepted[accepted.length - 1]].to;
    const handle = stack.temporal.workflow.getHandle(workflowId);
    const live = expected === 'cancelled' ? await handle.result() : await handle.query(campaignStateQuery);
    expect(live.status).toBe(expected);
    expect((await stack.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe(expected);
    for (const l of leads) {
      const seq = stack.temporal.workflow.getHandle(workflowIds.sequence(campaign.id, l.id));
      if (expected === 'cancelled') expect((await seq.result()).stopReason).toBe('campaign_cancelled');
      else expect((await seq.describe()).status.name).toBe('RUNNING');
    }
  }
  // Heavy (many workflows or 10,000 rows): a busy CI machine needs more than the default minute.
}, 180_000);

it('counts a sequence that ends twice (a retried signal) once', async () => {
  const { campaign, leads } = await campaignWithLeads(2);
  const handle = stack.temporal.workflow.getHandle(workflowIds.campaign(campaign.id));
  await handle.executeUpdate(transitionUpdate, { args: [{ version: 1, action: 'pause' }] });
  const before = (await handle.query(campaignStateQuery)).ended;
  for (let i = 0; i < 3; i++) await handle.signal(sequenceEndedSignal, { version: 1, leadId: leads[0].id, outcome: 'stopped' });
  await handle.signal(sequenceEndedSignal, { version: 1, leadId: leads[1].id, outcome: 'stopped' });
  expect((await handle.query(campaignStateQuery)).ended).toBe(before + 2);
});
