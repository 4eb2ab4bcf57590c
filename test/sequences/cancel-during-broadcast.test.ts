// A cancel accepted while the campaign is still telling its sequences about a resume must reach
// them too. The campaign workflow runs on a worker of its own here whose broadcast activity waits
// at a gate, so the cancel lands exactly while the resume's broadcast is in flight (before the fix
// the workflow ended cancelled and its sequences never heard: the transitions test hung on them
// now and then). Its history is committed for the replay test.
import { WorkflowUpdateStage } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { transitionUpdate } from '../../workflows/definitions/campaign';
import { workflowIds } from '../../workflows/ids';
import { harnessValue } from '../harness/env';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';
import { launchCampaign, sequenceHandle, LATER_SEQUENCE } from './helpers';

const later = LATER_SEQUENCE;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const within = <T>(what: string, p: Promise<T>, ms = 20_000): Promise<T> =>
  Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref())]);

it('sends a cancel to the sequences when it is accepted during a resume broadcast', async () => {
  let entered!: () => void;
  const inBroadcast = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const activities = createActivities(stack.activityDeps);
  const queue = `${stack.taskQueue}-gated`;
  const connection = await NativeConnection.connect({ address: harnessValue('temporalAddress') });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: queue,
    workflowBundle: { codePath: harnessValue('bundlePath') },
    activities: {
      ...activities,
      broadcastToSequences: async (a: { campaignId: string; what: 'resume' | 'cancel' }) => {
        if (a.what === 'resume') {
          entered();
          await gate;
        }
        return activities.broadcastToSequences(a);
      },
    },
  });
  const running = worker.run();
  try {
    const { client } = await createClientWithUser(stack.db);
    await addResources(stack.db, client.id);
    const lead = await createLead(stack.db, client.id);
    // The campaign on the gated worker; the sequences it starts run on the stack's.
    const campaign = await launchCampaign(stack.temporal, queue, stack.db, { clientId: client.id, name: 'cancel in flight', sequence: later }, [lead.id]);
    const sequence = await sequenceHandle(stack.temporal, campaign.id, lead.id);
    const handle = stack.temporal.workflow.getHandle(workflowIds.campaign(campaign.id));

    await handle.executeUpdate(transitionUpdate, { args: [{ version: 1, action: 'pause' }] });
    const resume = await handle.startUpdate(transitionUpdate, { args: [{ version: 1, action: 'resume' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
    expect((await resume.result()).status).toBe('active');
    await within('the resume broadcast', inBroadcast);
    expect((await handle.executeUpdate(transitionUpdate, { args: [{ version: 1, action: 'cancel' }] })).status).toBe('cancelled');
    release();

    expect((await within('the campaign', handle.result())).status).toBe('cancelled');
    expect(await within('the sequence', sequence.result())).toMatchObject({ status: 'stopped', stopReason: 'campaign_cancelled' });
    expect(await stack.db.campaignEnrollment.count({ where: { campaignId: campaign.id, status: 'stopped' } })).toBe(1);
    recordHistory(handle.workflowId, 'campaign-cancel-during-broadcast');
  } finally {
    release();
    worker.shutdown();
    await running;
    await connection.close();
  }
});
