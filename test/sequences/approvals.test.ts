// Co-pilot mode: each touch waits for a human through the approvals API: approve sends as drafted,
// edit sends the edited text, no decision within 72 hours skips the touch; manual mode only drafts.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, addUser, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, sequenceHandle, skipToNextMonday, timeline } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ timeSkipping: true, startAt: '2026-07-05T23:00:00Z' });
});
afterAll(async () => {
  await stack?.stop();
});

const threeTouches = {
  version: 1 as const,
  touches: [
    { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
    { number: 2, day: 1, channel: 'linkedin' as const, kind: 'linkedin_connect' as const },
    { number: 3, day: 2, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
  ],
};

async function pendingApproval(clientId: string, touch: number) {
  for (let i = 0; i < 100; i++) {
    const row = await stack.db.approvalRequest.findFirst({ where: { clientId, touchNumber: touch, status: 'pending' } });
    if (row) return row;
    await stack.env!.sleep('1 hour');
  }
  throw new Error(`no pending approval for touch ${touch}`);
}

it('approve sends, edit sends the edited text, silence for 72 hours skips', async () => {
  await skipToNextMonday(stack.env!);
  const { client, auth } = await createClientWithUser(stack.db, { permissionMode: 'copilot' });
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'co-pilot', sequence: threeTouches }, [
    lead.id,
  ]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const base = `/api/v1/clients/${client.id}/approvals`;

  // Touch 1: approve as drafted.
  const first = await pendingApproval(client.id, 1);
  expect((await timeline(stack.temporal, campaign.id, lead.id)).timeline[0]).toMatchObject({ status: 'awaiting_approval', reason: 'approval' });
  const listed = await request(stack.app).get(`${base}?status=pending`).set(auth).expect(200);
  expect(listed.body.data.map((a: { id: string }) => a.id)).toEqual([first.id]);
  // A viewer can read but not decide.
  const viewer = await addUser(stack.db, client.id, 'viewer');
  await request(stack.app).post(`${base}/${first.id}/approve`).set(viewer.auth).send({}).expect(403);
  const approved = await request(stack.app).post(`${base}/${first.id}/approve`).set(auth).send({}).expect(200);
  expect(approved.body.approval.status).toBe('approved');
  // Deciding twice is a conflict.
  await request(stack.app).post(`${base}/${first.id}/reject`).set(auth).send({}).expect(409);

  // Touch 2: edit the text.
  const second = await pendingApproval(client.id, 2);
  await request(stack.app).post(`${base}/${second.id}/edit`).set(auth).send({ text: '' }).expect(400);
  await request(stack.app).post(`${base}/${second.id}/edit`).set(auth).send({ text: 'Edited note: happy to connect.' }).expect(200);

  // Touch 3: nobody decides.
  const third = await pendingApproval(client.id, 3);
  const state = await handle.result();
  expect(state.timeline.map((e) => [e.touch, e.status, e.reason])).toEqual([
    [1, 'sent', null],
    [2, 'sent', null],
    [3, 'skipped', 'approval_timeout'],
  ]);
  expect((await stack.db.approvalRequest.findUniqueOrThrow({ where: { id: third.id } })).status).toBe('expired');
  const linkedin = await stack.db.sandboxMessage.findFirstOrThrow({ where: { clientId: client.id, channel: 'linkedin' } });
  expect((linkedin.payload as { text: string }).text).toBe('Edited note: happy to connect.');
  const email = await stack.db.sandboxMessage.findFirstOrThrow({ where: { clientId: client.id, channel: 'email' } });
  expect((email.payload as { text: string }).text).toContain((first.draft as { text: string }).text);
  const skipped = await stack.db.activity.findFirstOrThrow({ where: { leadId: lead.id, action: 'skipped' } });
  expect(skipped.metadata).toMatchObject({ reason: 'approval_timeout' });
});

it('manual mode drafts every touch and sends nothing', async () => {
  await skipToNextMonday(stack.env!);
  const { client } = await createClientWithUser(stack.db, { permissionMode: 'manual' });
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'manual', sequence: threeTouches }, [lead.id]);
  const state = await (await sequenceHandle(stack.temporal, campaign.id, lead.id)).result();
  expect(state.timeline.map((e) => e.status)).toEqual(['drafted', 'drafted', 'drafted']);
  expect(await stack.db.sandboxMessage.count({ where: { clientId: client.id } })).toBe(0);
  expect(await stack.db.activity.count({ where: { leadId: lead.id, action: 'drafted' } })).toBe(3);
});
