// Replies against real sequences in time-skipped weeks: a reply to the first email stops the
// sequence before its second touch; an out-of-office auto-reply pauses it and it resumes after the
// return date. Starts Monday 4 May 2026, 09:00 in Sydney (AEST).
import request from 'supertest';
import { Client } from '@temporalio/client';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, localDay, sequenceHandle, timeline } from '../sequences/helpers';
import { workflowIds } from '../../workflows/ids';
import type { TimelineEntry } from '../../workflows/definitions/sequence';
import { inboundReply, postmarkAuth, settled, waitFor, WEBHOOK_ENV } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true, startAt: '2026-05-03T23:00:00Z', env: WEBHOOK_ENV });
});
afterAll(async () => {
  await stack?.stop();
});

/** Launches a one-lead campaign and waits until its first email is in the ledger as sent. */
async function firstEmailSent(name: string) {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const key = `${workflowIds.sequence(campaign.id, lead.id)}:touch:1`;
  const ledger = await waitFor('touch 1 sent', async () => {
    const row = await stack.db.sendLedger.findUnique({ where: { idempotencyKey: key } });
    return row?.state === 'sent' ? row : null;
  });
  return { lead, campaign, handle, ledger };
}

it('a reply to the first email stops the sequence before its next touch', async () => {
  const { lead, campaign, handle, ledger } = await firstEmailSent('reply stops');
  const reply = inboundReply({ email: lead.email!, inReplyTo: ledger.threadId!, date: 'Mon, 4 May 2026 10:15:00 +1000' });
  expect((await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(reply)).status).toBe(200);
  // Closed without the test skipping time: the stop itself is what ends it (bench/webhooks.ts
  // measures how fast; a shared CI machine is no place for a latency assertion).
  await waitFor('sequence closed', async () => (await handle.describe()).status.name !== 'RUNNING', 15_000);

  // Read through a plain client: the time-skipping client's result() unlocks time skipping even for
  // a closed workflow, and the server would jump to the next timer of any workflow (years ahead),
  // leaving the next test's May dates in the past.
  const plain = new Client({ connection: stack.env!.connection });
  const state = await plain.workflow.getHandle(handle.workflowId).result();
  expect(state).toMatchObject({ status: 'stopped', stopReason: 'converted' });
  expect(state.timeline.map((e: TimelineEntry) => [e.touch, e.status])).toEqual([
    [1, 'sent'],
    [2, 'cancelled'],
    [3, 'cancelled'],
    [4, 'cancelled'],
    [5, 'cancelled'],
    [6, 'cancelled'],
  ]);
  expect(await stack.db.sendLedger.count({ where: { leadId: lead.id } })).toBe(1);
  expect(await stack.db.campaignEnrollment.findFirst({ where: { campaignId: campaign.id, leadId: lead.id } })).toMatchObject({
    status: 'stopped',
    stopReason: 'converted',
  });
});

it('an out-of-office reply pauses the sequence and it resumes after the return date', async () => {
  const { lead, campaign, handle, ledger } = await firstEmailSent('ooo');
  const auto = inboundReply({
    email: lead.email!,
    inReplyTo: ledger.threadId!,
    subject: 'Automatic reply: A note from the agency',
    text: 'I am out of the office until Monday 18 May with limited access to email.',
    date: 'Mon, 4 May 2026 09:05:00 +1000',
  });
  expect((await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(auto)).status).toBe(200);
  expect((await settled(stack.db, 'postmark', `inbound:${auto.MessageID}`)).status).toBe('processed');

  const paused = await waitFor('paused for out of office', async () => {
    const s = await timeline(stack.temporal, campaign.id, lead.id);
    return s.status === 'paused_ooo' ? s : null;
  });
  const waiting = paused.timeline.find((e) => e.touch === 2)!;
  expect(waiting).toMatchObject({ status: 'waiting', reason: 'out_of_office' });
  expect(localDay(waiting.until!) > '2026-05-18').toBe(true);

  const state = await handle.result();
  expect(state.status).toBe('completed');
  const sent = state.timeline.filter((e: TimelineEntry) => e.status === 'sent');
  expect(sent[0]).toMatchObject({ touch: 1 });
  // Touch 2 was due Wednesday 6 May; it went out only after the lead was back.
  const second = state.timeline.find((e: TimelineEntry) => e.touch === 2)!;
  expect(second.status).toBe('sent');
  expect(localDay(second.at)).toBe(localDay(waiting.until!));
  expect(localDay(second.at) > '2026-05-18').toBe(true);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('in_sequence');
});
