// Where outbound events come from: real inbound webhooks (a reply on the one-statement path, an
// unsubscribe request on the transaction path, a hard bounce), a campaign's status change, a lead's
// sequence ending and a skill run ending each write their event, once, with the lead's next number;
// and the reply's event reaches the client's endpoint signed.
import request from 'supertest';
import { createCampaignActivities } from '../../activities/campaign';
import { createSequenceActivities } from '../../activities/sequence';
import { finishRun } from '../../src/engines/skill-runs/runs';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';
import { fixture, inboundReply, postmarkAuth, seedSend, settled, WEBHOOK_ENV } from './helpers';

let stack: TestStack;
let rx: WebhookReceiver;
beforeAll(async () => {
  stack = await startTestStack({ env: { ...WEBHOOK_ENV, CALLBACK_ALLOW_PRIVATE_HOSTS: 'true' } });
  rx = await startWebhookReceiver();
});
afterAll(async () => {
  await stack?.stop();
  await rx?.fake.close();
});

const postmark = (body: unknown) => request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(body as object);
const eventsOf = (where: { leadId?: string; clientId?: string; type?: string }) =>
  stack.db.outboundEvent.findMany({ where, orderBy: [{ createdAt: 'asc' }, { leadSeq: 'asc' }] });

it('a reply (one-statement path) writes reply.received with the lead number; it reaches the endpoint signed', async () => {
  const t = await createClientWithUser(stack.db);
  const created = await request(stack.app).post(`/api/v1/clients/${t.client.id}/webhook-endpoints`).set(t.auth).send({ url: rx.url, eventTypes: ['reply.received'] });
  rx.secret = created.body.secret as string;
  const lead = await createLead(stack.db, t.client.id);
  const send = await seedSend(stack.db, { clientId: t.client.id, leadId: lead.id });
  // An interested reply takes the one-statement path (a meeting request proposes a meeting, so it does not).
  const reply = inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: "Yes, I'm interested - send me more details." });
  expect((await postmark(reply)).status).toBe(200);
  await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);

  const events = await eventsOf({ leadId: lead.id });
  expect(events.map((e) => [e.type, e.leadSeq])).toEqual([['reply.received', 1]]);
  expect(events[0].data).toMatchObject({ intent: 'interested', channel: 'email', campaignId: send.campaignId, needsReview: false, text: "Yes, I'm interested - send me more details." });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('converted');
  // A repeated webhook applies nothing twice, and so emits nothing twice.
  expect((await postmark(reply)).status).toBe(200);
  expect(await stack.db.outboundEvent.count({ where: { leadId: lead.id } })).toBe(1);

  const [got] = await rx.waitFor(1);
  expect(got.verified).toBe(true);
  expect(got.payload).toMatchObject({ type: 'reply.received', data: { eventId: events[0].id, leadId: lead.id, leadSeq: 1, intent: 'interested' } });
});

it('an unsubscribe request writes reply.received then lead.unsubscribed; a hard bounce writes lead.bounced', async () => {
  const { client } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id });
  const reply = inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: 'Please remove me from your list.' });
  expect((await postmark(reply)).status).toBe(200);
  await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);
  expect((await eventsOf({ leadId: lead.id })).map((e) => [e.type, e.leadSeq, (e.data as { source?: string }).source])).toEqual([
    ['reply.received', 1, undefined],
    ['lead.unsubscribed', 2, 'reply'],
  ]);

  const other = await createLead(stack.db, client.id);
  const sent = await seedSend(stack.db, { clientId: client.id, leadId: other.id });
  const bounce = { ...fixture('postmark', 'bounce-hard'), ID: Math.floor(Math.random() * 1e9), MessageID: sent.providerMessageId, Email: other.email! };
  expect((await postmark(bounce)).status).toBe(200);
  for (;;) {
    const events = await eventsOf({ leadId: other.id });
    if (events.length) {
      expect(events.map((e) => [e.type, e.leadSeq])).toEqual([['lead.bounced', 1]]);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
});

it('campaign status changes, sequence ends and run ends write their events once', async () => {
  const { client } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const campaign = await stack.db.campaign.create({ data: { clientId: client.id, name: 'Spring', sequence: { version: 1, touches: [] } } });
  const camp = createCampaignActivities(stack.activityDeps);
  await camp.setCampaignStatus({ campaignId: campaign.id, status: 'active' });
  await camp.setCampaignStatus({ campaignId: campaign.id, status: 'active' }); // a retried activity
  await camp.setCampaignStatus({ campaignId: campaign.id, status: 'paused' });
  const changes = await eventsOf({ clientId: client.id, type: 'campaign.status_changed' });
  expect(changes.map((e) => e.data)).toEqual([
    { campaignId: campaign.id, name: 'Spring', from: 'draft', to: 'active' },
    { campaignId: campaign.id, name: 'Spring', from: 'active', to: 'paused' },
  ]);

  await stack.db.campaignEnrollment.create({ data: { clientId: client.id, campaignId: campaign.id, leadId: lead.id, status: 'active', sequenceVersion: 1 } });
  const seq = createSequenceActivities(stack.activityDeps);
  const end = { clientId: client.id, campaignId: campaign.id, leadId: lead.id, outcome: 'completed', reason: null };
  await seq.finishSequence(end);
  await seq.finishSequence(end);
  const ended = await eventsOf({ leadId: lead.id, type: 'sequence.completed' });
  expect(ended.map((e) => [e.leadSeq, e.data])).toEqual([[1, { campaignId: campaign.id, outcome: 'completed', reason: null }]]);

  const run = await stack.db.skillRun.create({ data: { clientId: client.id, skillSlug: 'copywriting', message: 'Write homepage copy' } });
  await finishRun(stack.db, run.id, 'failed', 'AI not configured');
  await finishRun(stack.db, run.id, 'failed', 'AI not configured');
  const runs = await eventsOf({ clientId: client.id, type: 'run.completed' });
  expect(runs.map((e) => e.data)).toEqual([{ runId: run.id, skill: run.skillSlug, status: 'failed', error: 'AI not configured', outputId: null }]);
});
