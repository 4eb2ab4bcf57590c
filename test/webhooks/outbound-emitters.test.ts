// Where outbound events come from: real inbound webhooks (a reply on the one-statement path, an
// unsubscribe request on the transaction path, a hard bounce), a campaign's status change, a lead's
// sequence ending and a skill run ending each write their event, once, with the lead's next number;
// and the reply's event reaches the client's endpoint signed.
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { createCampaignActivities } from '../../activities/campaign';
import { createSequenceActivities } from '../../activities/sequence';
import { createDb } from '../../src/db/client';
import { recordInboxEvents } from '../../src/engines/inbox/store';
import { processInboxEvent } from '../../src/engines/replies/process';
import { finishRun } from '../../src/engines/skill-runs/runs';
import { parsePostmarkWebhook } from '../../src/integrations/postmark/webhook-schema';
import { replyProcessingDeps } from '../../src/lifecycle/replies';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';
import { fixture, inboundReply, postmarkAuth, seedSend, settled, waitFor, WEBHOOK_ENV } from './helpers';

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

const postmark = (body: unknown) =>
  request(stack.app)
    .post('/api/v1/webhooks/postmark')
    .set(postmarkAuth())
    .send(body as object);
const eventsOf = (where: { leadId?: string; clientId?: string; type?: string }) =>
  stack.db.outboundEvent.findMany({ where, orderBy: [{ createdAt: 'asc' }, { leadSeq: 'asc' }] });

it('a reply (one-statement path) writes reply.received with the lead number; it reaches the endpoint signed', async () => {
  const t = await createClientWithUser(stack.db);
  const created = await request(stack.app)
    .post(`/api/v1/clients/${t.client.id}/webhook-endpoints`)
    .set(t.auth)
    .send({ url: rx.url, eventTypes: ['reply.received'] });
  rx.secret = created.body.secret as string;
  const lead = await createLead(stack.db, t.client.id);
  const send = await seedSend(stack.db, { clientId: t.client.id, leadId: lead.id });
  // An interested reply takes the one-statement path.
  const reply = inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: "Yes, I'm interested - send me more details." });
  expect((await postmark(reply)).status).toBe(200);
  await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);

  const events = await eventsOf({ leadId: lead.id });
  expect(events.map((e) => [e.type, e.leadSeq])).toEqual([['reply.received', 1]]);
  expect(events[0].data).toMatchObject({
    intent: 'interested',
    channel: 'email',
    campaignId: send.campaignId,
    needsReview: false,
    text: "Yes, I'm interested - send me more details.",
  });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('converted');
  // A repeated webhook applies nothing twice, and so emits nothing twice.
  expect((await postmark(reply)).status).toBe(200);
  expect(await stack.db.outboundEvent.count({ where: { leadId: lead.id } })).toBe(1);

  const [got] = await rx.waitFor(1);
  expect(got.verified).toBe(true);
  expect(got.payload).toMatchObject({ type: 'reply.received', data: { eventId: events[0].id, leadId: lead.id, leadSeq: 1, intent: 'interested' } });
});

it('meeting requests (one-statement path) propose one meeting per lead, however many arrive at once; each reply names it', async () => {
  const { client } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id });
  // Six replies processed at once (here, on a pool of their own, and by the stack's processor) while
  // another transaction holds the lead: all wait for it together, and only the first to get it may
  // create the meeting.
  const holder = new PgClient({ connectionString: stack.database.url });
  await holder.connect();
  const db = createDb(stack.database.url, { max: 8 });
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM leads WHERE id = $1 FOR NO KEY UPDATE', [lead.id]);
    const replies = Array.from({ length: 6 }, (_x, i) =>
      inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: `Let's book a call next week, Tuesday suits me (${i}).` }),
    );
    const rows = await recordInboxEvents(
      db,
      replies.map((payload) => {
        const parsed = parsePostmarkWebhook(payload);
        return { provider: 'postmark', dedupeKey: parsed.dedupeKey, eventType: parsed.kind, payload };
      }),
    );
    const deps = replyProcessingDeps({ ...stack, db });
    const processing = Promise.all(rows.map((r) => processInboxEvent(deps, r.id)));
    await waitFor('six waiting for the lead', async () => {
      const { rows: w } = await holder.query<{ n: number }>(`SELECT count(DISTINCT pid)::int AS n FROM pg_locks WHERE NOT granted`);
      return w[0].n >= 6;
    });
    await holder.query('COMMIT');
    await processing;
    await Promise.all(replies.map((r) => settled(stack.db, 'postmark', `inbound:${r.MessageID}`)));
  } finally {
    await holder.end();
    await db.$disconnect();
  }

  const meetings = await stack.db.meeting.findMany({ where: { leadId: lead.id } });
  expect(meetings).toHaveLength(1);
  expect(meetings[0]).toMatchObject({ clientId: client.id, campaignId: send.campaignId, status: 'proposed', source: 'reply' });
  const messages = await stack.db.inboundMessage.findMany({ where: { leadId: lead.id } });
  expect(messages).toHaveLength(6);
  // The meeting names the message that proposed it; only that message lists it among its actions.
  const proposer = messages.filter((m) => m.actions.includes('meeting_proposed'));
  expect(proposer.map((m) => m.id)).toEqual([meetings[0].inboundMessageId]);
  for (const m of messages) expect(m).toMatchObject({ intent: 'meeting_request', actions: expect.arrayContaining(['stopped']) });
  const replied = await stack.db.activity.findMany({ where: { leadId: lead.id, action: 'replied' } });
  expect(replied.map((a) => (a.metadata as { meetingId?: string }).meetingId)).toEqual(replied.map(() => meetings[0].id));
  expect(replied.filter((a) => (a.metadata as { meetingCreated?: boolean }).meetingCreated === true)).toHaveLength(1);
  // Six reply.received and one meeting.proposed, numbered 1…7 without gaps; the meeting follows its reply.
  const events = await stack.db.outboundEvent.findMany({ where: { leadId: lead.id }, orderBy: { leadSeq: 'asc' } });
  expect(events.map((e) => e.leadSeq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(events.filter((e) => e.type === 'reply.received')).toHaveLength(6);
  const proposed = events.findIndex((e) => e.type === 'meeting.proposed');
  expect(events[proposed].data).toMatchObject({
    meetingId: meetings[0].id,
    leadId: lead.id,
    campaignId: send.campaignId,
    status: 'proposed',
    source: 'reply',
    externalId: null,
    startsAt: null,
  });
  expect(events[proposed - 1]).toMatchObject({ type: 'reply.received', data: expect.objectContaining({ text: proposer[0].body }) });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('converted');
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
