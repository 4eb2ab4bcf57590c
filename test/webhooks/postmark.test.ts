// Postmark webhooks through the real route, database and Temporal: every event kind from the
// fixtures, authentication (always 401, never 403), body limits, redelivery dedupe against a real
// running sequence, and a bounce that arrives before its send is in the ledger.
import { runAdminWorkflow } from '../harness/admin-runs';
import type { ReplyRecoveryResult } from '../../workflows/definitions/replies';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { activities, fixture, inboundReply, inboxRow, postmarkAuth, secretHeader, seedSend, settled, WEBHOOK_ENV } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: WEBHOOK_ENV });
});
afterAll(async () => {
  await stack?.stop();
});

type PostmarkFixture = { MessageID: string; BouncedAt: string; ChangedAt: string; DeliveredAt: string; ReceivedAt: string } & Record<string, unknown>;
const pm = (name: string) => fixture<PostmarkFixture>('postmark', name);

const post = (body: unknown, headers: Record<string, string> = postmarkAuth()) =>
  request(stack.app)
    .post('/api/v1/webhooks/postmark')
    .set(headers)
    .send(body as object);

async function leadWithSend() {
  const { client } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id });
  return { client, lead, send };
}

it('applies every Postmark event kind from the fixtures exactly once', async () => {
  const { client, lead, send } = await leadWithSend();
  const email = lead.email!;
  const tracking = [
    { ...pm('delivery'), MessageID: send.providerMessageId, Recipient: email },
    { ...pm('open'), MessageID: send.providerMessageId, Recipient: email },
    { ...pm('click'), MessageID: send.providerMessageId, Recipient: email },
  ];
  for (const body of tracking) expect((await post(body)).status).toBe(200);
  const reply = inboundReply({ email, inReplyTo: send.threadId });
  const res = await post(reply);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ received: true, duplicate: false });

  const row = await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);
  expect(row).toMatchObject({ status: 'processed', clientId: client.id, leadId: lead.id, attempts: 1, lastError: null });
  const replied = await activities(stack.db, lead.id, 'replied');
  expect(replied).toHaveLength(1);
  expect(replied[0].metadata).toMatchObject({ intent: 'meeting_request', matchedVia: 'thread', plan: { stop: 'converted' }, webhookEventId: row.id });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('converted');
  const [delivery, open, click] = tracking;
  await settled(stack.db, 'postmark', `Delivery:${delivery.MessageID}:${delivery.DeliveredAt}:${email}`);
  await settled(stack.db, 'postmark', `Open:${open.MessageID}:${open.ReceivedAt}:${email}`);
  await settled(stack.db, 'postmark', `Click:${click.MessageID}:${click.ReceivedAt}:${email}`);
  for (const action of ['delivered', 'opened', 'clicked']) expect(await activities(stack.db, lead.id, action)).toHaveLength(1);

  // Bounce (hard): lead bounced, a global suppression, stop 'bounce'.
  const b = await leadWithSend();
  const bounce = { ...pm('bounce-hard'), ID: Date.now(), MessageID: b.send.providerMessageId, Email: b.lead.email!.toUpperCase() };
  expect((await post(bounce)).status).toBe(200);
  await settled(stack.db, 'postmark', `Bounce:${bounce.ID}:${bounce.BouncedAt}`);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: b.lead.id } })).status).toBe('bounced');
  expect(await stack.db.suppression.findMany({ where: { value: b.lead.email! } })).toMatchObject([{ scope: 'global', kind: 'email', reason: 'hard_bounce' }]);
  expect((await activities(stack.db, b.lead.id, 'bounced'))[0].metadata).toMatchObject({ plan: { stop: 'bounce' } });

  // Spam complaint: a client-scoped suppression, lead unsubscribed, stop 'complaint'.
  const c = await leadWithSend();
  const complaint = { ...pm('spam-complaint'), ID: Date.now() + 1, MessageID: c.send.providerMessageId, Email: c.lead.email! };
  expect((await post(complaint)).status).toBe(200);
  await settled(stack.db, 'postmark', `SpamComplaint:${complaint.ID}:${complaint.BouncedAt}`);
  expect(await stack.db.suppression.findMany({ where: { value: c.lead.email! } })).toMatchObject([{ scope: c.client.id, reason: 'spam_complaint' }]);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: c.lead.id } })).status).toBe('unsubscribed');
  expect((await activities(stack.db, c.lead.id, 'complained'))[0].metadata).toMatchObject({ plan: { stop: 'complaint' } });

  // Subscription change (unsubscribed through Postmark's link), then a reactivation.
  const s = await leadWithSend();
  const change = { ...pm('subscription-change'), MessageID: s.send.providerMessageId, Recipient: s.lead.email! };
  const reactivated = { ...pm('subscription-change-reactivated'), MessageID: s.send.providerMessageId, Recipient: s.lead.email! };
  expect((await post(change)).status).toBe(200);
  expect((await post(reactivated)).status).toBe(200);
  await settled(stack.db, 'postmark', `SubscriptionChange:${change.MessageID}:${change.ChangedAt}:${s.lead.email!}`);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: s.lead.id } })).status).toBe('unsubscribed');
  expect(await stack.db.suppression.count({ where: { scope: s.client.id, value: s.lead.email!, deletedAt: null } })).toBe(1);
  expect((await activities(stack.db, s.lead.id, 'unsubscribed'))[0].metadata).toMatchObject({ plan: { stop: 'unsubscribe' } });
  await settled(stack.db, 'postmark', `SubscriptionChange:${reactivated.MessageID}:${reactivated.ChangedAt}:${s.lead.email!}`);
  expect(await activities(stack.db, s.lead.id, 'resubscribed')).toHaveLength(1);
});

it('answers 401 (never 403) to bad credentials and writes nothing', async () => {
  const body = { ...pm('delivery'), MessageID: randomUUID() };
  const before = await stack.db.webhookEvent.count();
  const none = await request(stack.app).post('/api/v1/webhooks/postmark').send(body);
  expect(none.status).toBe(401);
  expect(none.headers['www-authenticate']).toMatch(/^Basic/);
  expect(none.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'webhook credentials required' } });
  for (const headers of [
    postmarkAuth(WEBHOOK_ENV.POSTMARK_WEBHOOK_USER, 'wrong'),
    postmarkAuth('wrong', WEBHOOK_ENV.POSTMARK_WEBHOOK_PASSWORD),
    secretHeader('wrong-secret'),
  ]) {
    const res = await post(body, headers);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  }
  expect(await stack.db.webhookEvent.count()).toBe(before);
  // The shared-secret header alone is accepted too.
  const ok = await post(body, secretHeader());
  expect(ok.status).toBe(200);
  expect(await stack.db.webhookEvent.count()).toBe(before + 1);
  // Answers to providers' servers: a request id and nosniff, none of the browser page headers.
  expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(ok.headers['x-content-type-options']).toBe('nosniff');
  expect(ok.headers['content-security-policy']).toBeUndefined();
  // …and one access-log line, credentials redacted.
  const line = stack.logLines
    .map((l) => JSON.parse(l) as { req?: { id?: string; headers?: Record<string, string> }; res?: { statusCode?: number } })
    .find((l) => l.req?.id === ok.headers['x-request-id']);
  expect(line).toMatchObject({ res: { statusCode: 200 }, req: { headers: { 'x-webhook-secret': '[redacted]' } } });
});

it('rejects malformed and oversized bodies with the error shape', async () => {
  const before = await stack.db.webhookEvent.count();
  const broken = await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).set('Content-Type', 'application/json').send('{"RecordType": ');
  expect(broken.status).toBe(400);
  expect(broken.body.error.code).toBe('MALFORMED_JSON');
  const { MessageID: _drop, ...noId } = pm('inbound-reply');
  const invalid = await post(noId);
  expect(invalid.status).toBe(400);
  expect(invalid.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [expect.objectContaining({ path: ['MessageID'] })] });
  const huge = await post({ ...pm('inbound-reply'), TextBody: 'x'.repeat(300 * 1024) });
  expect(huge.status).toBe(413);
  expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  expect(await stack.db.webhookEvent.count()).toBe(before);
});

it('applies one effect for ten deliveries of the same reply, and stops the running sequence once', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'dedupe' }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id, campaignId: campaign.id });

  const reply = inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: 'Please remove me from your list.' });
  const responses = await Promise.all(Array.from({ length: 10 }, () => post(reply)));
  expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
  expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(1);

  const state = await handle.result();
  expect(state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribe' });
  const row = await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);
  expect(row.status).toBe('processed');
  expect(await stack.db.webhookEvent.count({ where: { provider: 'postmark', dedupeKey: `inbound:${reply.MessageID}` } })).toBe(1);
  expect(await activities(stack.db, lead.id, 'replied')).toHaveLength(1);
  expect(await stack.db.suppression.count({ where: { value: lead.email! } })).toBe(1);
  let stops = 0;
  for (const e of (await handle.fetchHistory()).events ?? []) if (e.workflowExecutionSignaledEventAttributes?.signalName === 'stop') stops++;
  expect(stops).toBe(1);
});

it('keeps a bounce that arrives before its send is in the ledger, and the recovery sweep applies it', async () => {
  const { client } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const messageId = randomUUID();
  const bounce = { ...pm('bounce-hard'), ID: Date.now() + 7, MessageID: messageId, Email: lead.email! };
  expect((await post(bounce)).status).toBe(200);
  const key = `Bounce:${bounce.ID}:${bounce.BouncedAt}`;
  const waiting = await settled(stack.db, 'postmark', key, { attempts: 1 });
  expect(waiting).toMatchObject({ status: 'pending', leadId: null, lastError: 'no matching lead yet' });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('scored');

  // The send is recorded after all; the sweep (on demand here) now matches and applies the bounce.
  await seedSend(stack.db, { clientId: client.id, leadId: lead.id, providerMessageId: messageId });
  const sweep = await runAdminWorkflow<ReplyRecoveryResult>(stack.app, stack.adminKey, '/api/v1/admin/replies/recover', {
    minAgeSeconds: 0,
    pullProviders: false,
  });
  expect(sweep.status).toBe('completed');
  expect(sweep.result!.counts.processed).toBeGreaterThanOrEqual(1);
  expect(await inboxRow(stack.db, 'postmark', key)).toMatchObject({ status: 'processed', leadId: lead.id, attempts: 2 });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('bounced');
  expect(await activities(stack.db, lead.id, 'bounced')).toHaveLength(1);
});
