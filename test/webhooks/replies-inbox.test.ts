// The replies inbox, the review queue and meetings, end to end on real servers (PostgreSQL, the
// Temporal dev server, the real Postmark SDK against its local fake):
//   - a sequence sends, the lead replies through the Postmark webhook, the reply is in the inbox with
//     its thread (our sent text included), the client's endpoint (a loopback receiver verifying with
//     the standardwebhooks library) gets reply.received after failing for a while, and a Cal.com
//     booking for that lead books the proposed meeting and is delivered as meeting.booked;
//   - a Calendly booking for a lead still in sequence stops it (meeting_booked); cancel, reschedule,
//     replayed and badly signed deliveries;
//   - a low-confidence reply waits in the review queue; resolving it applies its effects once;
//   - inbox filters, literal search, handled/assignment.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, addUser, createClientWithUser, createLead } from '../harness/fixtures';
import { leadCalendar, windowClosedNow, windowOpenNow } from '../harness/clock';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../fakes/postmark-fake';
import { calcomSignature, calendlySignature } from '../../src/integrations/scheduling';
import { notifyStaleReviews } from '../../src/engines/replies/review';
import { expectConforms } from '../api/conformance';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';
import { hex, inboundReply, postmarkAuth, seedSend, settled, waitFor, WEBHOOK_ENV } from './helpers';

const CALCOM_SECRET = 'calcom-webhook-secret-0123456789';
const CALENDLY_KEY = 'calendly-signing-key-0123456789';

const twoEmails = {
  version: 1 as const,
  touches: [
    { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
    { number: 2, day: 3, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
  ],
};

let stack: TestStack;
let postmark: PostmarkFake;
let receiver: WebhookReceiver;
beforeAll(async () => {
  postmark = await startPostmarkFake();
  receiver = await startWebhookReceiver();
  stack = await startTestStack({
    // Private hosts allowed: the client's endpoint is the loopback receiver.
    env: {
      ...WEBHOOK_ENV,
      CALLBACK_ALLOW_PRIVATE_HOSTS: 'true',
      POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN,
      POSTMARK_BASE_URL: postmark.url,
      CALCOM_WEBHOOK_SECRET: CALCOM_SECRET,
      CALENDLY_WEBHOOK_SIGNING_KEY: CALENDLY_KEY,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await postmark?.close();
  await receiver?.fake.close();
});

async function api(method: 'get' | 'post' | 'patch', path: string, auth: Record<string, string>, body?: object) {
  const req = request(stack.app)[method](path).set(auth);
  const res = method === 'get' ? await req : await req.send(body ?? {});
  expectConforms(method, path.split('?')[0], res);
  return res;
}

function calcom(body: object, secret = CALCOM_SECRET) {
  const raw = JSON.stringify(body);
  return request(stack.app)
    .post('/api/v1/webhooks/calcom')
    .set('Content-Type', 'application/json')
    .set('X-Cal-Signature-256', calcomSignature(secret, raw))
    .send(raw);
}

function calendly(body: object, at = Math.floor(Date.now() / 1000), key = CALENDLY_KEY) {
  const raw = JSON.stringify(body);
  return request(stack.app)
    .post('/api/v1/webhooks/calendly')
    .set('Content-Type', 'application/json')
    .set('Calendly-Webhook-Signature', calendlySignature(key, raw, at))
    .send(raw);
}

const events = (leadId: string) => stack.db.outboundEvent.findMany({ where: { leadId }, orderBy: { leadSeq: 'asc' } });
/** The lead's events of these types, in the lead's order (a stopped sequence's own event comes when its workflow ends). */
const eventsOfType = async (leadId: string, prefix: string) => (await events(leadId)).filter((e) => e.type.startsWith(prefix));

it('a sent touch, a reply through Postmark, the inbox with its thread, reply.received delivered to the client after its endpoint recovers, then a Cal.com booking confirms the meeting and is delivered', async () => {
  const cal = windowOpenNow();
  const { client, auth } = await createClientWithUser(stack.db, cal);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, leadCalendar(cal));
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'inbox', sequence: twoEmails }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  // The client's own system listens for replies and bookings; it is down for its first two deliveries.
  const endpoint = await api('post', `/api/v1/clients/${client.id}/webhook-endpoints`, auth, {
    url: receiver.url,
    eventTypes: ['reply.received', 'meeting.booked'],
  });
  expect(endpoint.status).toBe(201);
  receiver.secret = endpoint.body.secret as string;
  receiver.fake.failNext(503, { error: 'down for maintenance' }, 2);

  // The sequence sends its first touch through Postmark (the fake), and keeps its text.
  const ledger = await waitFor(
    'the first touch sent',
    () => stack.db.sendLedger.findFirst({ where: { leadId: lead.id, touchNumber: 1, state: 'sent' } }),
    30_000,
  );
  const sentMail = postmark.sent.find((m) => m.MessageID === ledger.providerMessageId)!;
  expect(sentMail.TextBody).toBeTruthy();

  const reply = inboundReply({
    email: lead.email!,
    inReplyTo: ledger.threadId!,
    subject: 'Re: hello',
    text: "Let's book a call next week, Tuesday suits me.",
    date: new Date().toUTCString(),
  });
  expect((await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(reply)).status).toBe(200);
  expect((await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`)).status).toBe('processed');
  expect((await handle.result()).stopReason).toBe('converted');

  const list = await api('get', `/api/v1/clients/${client.id}/replies`, auth);
  expect(list.status).toBe(200);
  expect(list.body.data).toHaveLength(1);
  const item = list.body.data[0];
  expect(item).toMatchObject({
    leadId: lead.id,
    campaignId: campaign.id,
    channel: 'email',
    touchNumber: 1,
    subject: 'Re: hello',
    intent: 'meeting_request',
    handled: false,
    lead: { id: lead.id, email: lead.email },
    campaign: { id: campaign.id, name: 'inbox' },
  });
  expect(item.actions).toEqual(expect.arrayContaining(['stopped', 'meeting_proposed']));

  const one = await api('get', `/api/v1/clients/${client.id}/replies/${item.id}`, auth);
  expect(one.status).toBe(200);
  expect(one.body.thread.map((t: { direction: string; touchNumber: number | null }) => [t.direction, t.touchNumber])).toEqual([
    ['outbound', 1],
    ['inbound', 1],
  ]);
  expect(one.body.thread[0]).toMatchObject({ subject: sentMail.Subject, body: sentMail.TextBody });
  expect(one.body.thread[1].body).toContain('Tuesday suits me');

  // The endpoint got reply.received, signed, on its third attempt (5 s and 10 s after the first).
  const [down1, down2, delivered] = await receiver.waitFor(3);
  expect([down1, down2, delivered].map((d) => [d.payload.type, d.id])).toEqual([0, 1, 2].map(() => ['reply.received', down1.id]));
  expect(delivered.verified).toBe(true);
  expect(delivered.payload.data).toMatchObject({ leadId: lead.id, leadSeq: 1, intent: 'meeting_request', campaignId: campaign.id });
  const log = await api('get', `/api/v1/clients/${client.id}/webhook-endpoints/${endpoint.body.endpoint.id}/deliveries`, auth);
  expect(log.body.data[0]).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200 });
  expect(log.body.data[0].attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 200]);

  // The reply proposed a meeting; the lead books it with Cal.com.
  const [proposed] = await stack.db.meeting.findMany({ where: { leadId: lead.id } });
  expect(proposed).toMatchObject({ status: 'proposed', source: 'reply', inboundMessageId: item.id });
  const uid = `cal-${hex(6)}`;
  const booking = {
    triggerEvent: 'BOOKING_CREATED',
    createdAt: new Date().toISOString(),
    payload: {
      uid,
      title: 'Discovery call',
      startTime: '2030-01-15T01:00:00.000Z',
      endTime: '2030-01-15T01:30:00.000Z',
      attendees: [{ email: lead.email!.toUpperCase(), name: 'Lead', timeZone: 'Australia/Sydney' }],
      organizer: { email: 'sam@agency.example', name: 'Sam' },
    },
  };
  const unsigned = await request(stack.app).post('/api/v1/webhooks/calcom').send(booking);
  expect(unsigned.status).toBe(401);
  expect((await calcom(booking, 'not-the-secret-0123456789')).status).toBe(403);
  const accepted = await calcom(booking);
  expect(accepted.status).toBe(200);
  // A redelivery finds its row.
  expect((await calcom(booking)).body).toMatchObject({ duplicate: true, id: accepted.body.id });
  await waitFor('booking processed', async () => (await stack.db.webhookEvent.findUnique({ where: { id: accepted.body.id } }))?.status === 'processed');

  const meetings = await api('get', `/api/v1/clients/${client.id}/meetings?leadId=${lead.id}`, auth);
  expect(meetings.body.data).toMatchObject([
    { id: proposed.id, status: 'booked', source: 'calcom', externalId: uid, title: 'Discovery call', startsAt: '2030-01-15T01:00:00.000Z' },
  ]);
  // The reply comes first in the lead's events; what it caused follows.
  expect((await events(lead.id)).slice(0, 2).map((e) => [e.type, e.leadSeq])).toEqual([
    ['reply.received', 1],
    ['meeting.proposed', 2],
  ]);
  const meetingEvents = await eventsOfType(lead.id, 'meeting.');
  expect(meetingEvents.map((e) => e.type)).toEqual(['meeting.proposed', 'meeting.booked']);
  expect(meetingEvents[1].data).toMatchObject({ meetingId: proposed.id, status: 'booked', source: 'calcom' });
  // …and the client's endpoint is told, first time (only the subscribed types reach it).
  const booked = (await receiver.waitFor(4))[3];
  expect(booked).toMatchObject({ verified: true, payload: { type: 'meeting.booked', data: { meetingId: proposed.id, leadId: lead.id } } });

  // Reports count meetings from the meetings table.
  const report = await api('get', `/api/v1/clients/${client.id}/reports/campaigns/${campaign.id}`, auth);
  expect(report.status).toBe(200);
  expect(report.body.totals.meetings).toBe(1);
});

it('a Calendly booking stops a lead still in sequence (meeting_booked); cancel and reschedule move the meeting; stale or forged signatures are refused', async () => {
  const cal = windowClosedNow();
  const { client, auth } = await createClientWithUser(stack.db, cal);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, leadCalendar(cal));
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'calendly', sequence: twoEmails }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);

  const invitee = `https://api.calendly.com/scheduled_events/${hex(8)}/invitees/${hex(8)}`;
  const created = {
    event: 'invitee.created',
    created_at: new Date().toISOString(),
    payload: {
      uri: invitee,
      email: lead.email,
      name: 'Lead',
      rescheduled: false,
      old_invitee: null,
      scheduled_event: {
        name: '30 min',
        start_time: '2030-02-01T00:00:00.000000Z',
        end_time: '2030-02-01T00:30:00.000000Z',
        location: { type: 'zoom', join_url: 'https://zoom.example/j/1' },
      },
    },
  };
  // A signature made four minutes ago: a replay, refused; a forged one too.
  expect((await calendly(created, Math.floor(Date.now() / 1000) - 240)).status).toBe(403);
  expect((await calendly(created, undefined, 'forged-key-0123456789')).status).toBe(403);
  expect((await request(stack.app).post('/api/v1/webhooks/calendly').send(created)).status).toBe(401);
  expect(await stack.db.meeting.count({ where: { leadId: lead.id } })).toBe(0);

  const res = await calendly(created);
  expect(res.status).toBe(200);
  const state = await handle.result();
  expect([state.status, state.stopReason]).toEqual(['stopped', 'meeting_booked']);
  const [booked] = await stack.db.meeting.findMany({ where: { leadId: lead.id } });
  expect(booked).toMatchObject({ status: 'booked', source: 'calendly', externalId: invitee, location: 'https://zoom.example/j/1' });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('converted');

  // Reschedule: the old invitee's cancellation (rescheduled: true) changes nothing, the new invitee moves it.
  const newInvitee = `${invitee}-2`;
  await calendly({ event: 'invitee.canceled', created_at: new Date().toISOString(), payload: { ...created.payload, rescheduled: true } });
  const moved = await calendly({
    event: 'invitee.created',
    created_at: new Date().toISOString(),
    payload: {
      ...created.payload,
      uri: newInvitee,
      old_invitee: invitee,
      scheduled_event: { ...created.payload.scheduled_event, start_time: '2030-02-02T00:00:00.000000Z', end_time: '2030-02-02T00:30:00.000000Z' },
    },
  });
  await waitFor('reschedule processed', async () => (await stack.db.webhookEvent.findUnique({ where: { id: moved.body.id } }))?.status === 'processed');
  expect(await stack.db.meeting.findUniqueOrThrow({ where: { id: booked.id } })).toMatchObject({
    status: 'rescheduled',
    externalId: newInvitee,
    startsAt: new Date('2030-02-02T00:00:00Z'),
  });

  const cancelled = await calendly({
    event: 'invitee.canceled',
    created_at: new Date().toISOString(),
    payload: { ...created.payload, uri: newInvitee, rescheduled: false },
  });
  await waitFor('cancellation processed', async () => (await stack.db.webhookEvent.findUnique({ where: { id: cancelled.body.id } }))?.status === 'processed');
  expect((await stack.db.meeting.findUniqueOrThrow({ where: { id: booked.id } })).status).toBe('cancelled');
  expect((await eventsOfType(lead.id, 'meeting.')).map((e) => e.type)).toEqual(['meeting.booked', 'meeting.rescheduled', 'meeting.cancelled']);

  // By hand: the meeting happened after all.
  const patched = await api('patch', `/api/v1/clients/${client.id}/meetings/${booked.id}`, auth, { status: 'no_show' });
  expect(patched.status).toBe(200);
  expect((await events(lead.id)).map((e) => e.type).at(-1)).toBe('meeting.no_show');
  expect(
    (await api('patch', `/api/v1/clients/${client.id}/meetings/${booked.id}`, auth, { startsAt: '2030-02-03T00:00:00Z', endsAt: '2030-02-02T00:00:00Z' }))
      .status,
  ).toBe(400);
});

it('a low-confidence reply waits for review; resolving it applies the corrected intent once; a stale review is told once', async () => {
  const cal = windowClosedNow();
  const { client, auth } = await createClientWithUser(stack.db, cal);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, leadCalendar(cal));
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id });
  const reply = inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: 'hmm maybe', date: new Date().toUTCString() });
  expect((await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(reply)).status).toBe(200);
  await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);

  const queue = await api('get', `/api/v1/clients/${client.id}/reviews?status=pending`, auth);
  expect(queue.body.data).toHaveLength(1);
  const review = queue.body.data[0];
  expect(review).toMatchObject({ leadId: lead.id, reason: 'low_confidence', status: 'pending', text: 'hmm maybe' });
  expect(
    (await events(lead.id)).map((e) => [
      e.type,
      (e.data as { stale?: boolean; needsReview?: boolean }).stale,
      (e.data as { needsReview?: boolean }).needsReview,
    ]),
  ).toEqual([
    ['reply.received', undefined, true],
    ['reply.needs_review', false, undefined],
  ]);
  const [inbox] = (await api('get', `/api/v1/clients/${client.id}/replies`, auth)).body.data;
  expect(inbox).toMatchObject({ id: review.messageId, review: { id: review.id, status: 'pending', reason: 'low_confidence' } });
  expect(inbox.actions).toContain('review');

  // Bad input changes nothing.
  expect((await api('post', `/api/v1/clients/${client.id}/reviews/${review.id}/resolve`, auth, { intent: 'referral' })).status).toBe(400);
  expect((await api('post', `/api/v1/clients/${client.id}/reviews/${review.id}/resolve`, auth, { intent: 'sideways' })).status).toBe(400);
  const viewer = await addUser(stack.db, client.id, 'viewer');
  expect((await api('post', `/api/v1/clients/${client.id}/reviews/${review.id}/resolve`, viewer.auth, { intent: 'unsubscribe_request' })).status).toBe(403);
  expect(await stack.db.suppression.count({ where: { value: lead.email! } })).toBe(0);

  // Two resolutions at once: one applies, the other is 409, and the effects exist once.
  const [a, b] = await Promise.all([
    request(stack.app).post(`/api/v1/clients/${client.id}/reviews/${review.id}/resolve`).set(auth).send({ intent: 'unsubscribe_request' }),
    request(stack.app).post(`/api/v1/clients/${client.id}/reviews/${review.id}/resolve`).set(auth).send({ intent: 'unsubscribe_request' }),
  ]);
  expect([a.status, b.status].sort()).toEqual([200, 409]);
  const ok = a.status === 200 ? a : b;
  expect(ok.body).toMatchObject({ review: { status: 'resolved', resolvedIntent: 'unsubscribe_request' }, signalled: true });
  expect(ok.body.actions).toEqual(expect.arrayContaining(['stopped', 'unsubscribed']));
  expect(await stack.db.suppression.findMany({ where: { value: lead.email! } })).toMatchObject([{ scope: client.id, reason: 'unsubscribe_request' }]);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('unsubscribed');
  expect((await api('post', `/api/v1/clients/${client.id}/reviews/${review.id}/resolve`, auth, { intent: 'interested' })).status).toBe(409);
  expect(await stack.db.suppression.count({ where: { value: lead.email! } })).toBe(1);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('unsubscribed');
  const after = (await api('get', `/api/v1/clients/${client.id}/replies/${review.messageId}`, auth)).body.reply;
  expect(after).toMatchObject({ intent: 'unsubscribe_request', confidence: 1, review: { status: 'resolved' } });
  expect(after.actions).toEqual(expect.arrayContaining(['unsubscribed', 'reviewed']));

  // Stale reviews: a second pending one, older than the threshold, is told once with stale: true.
  const other = await createLead(stack.db, client.id);
  const old = await stack.db.replyReview.create({
    data: {
      clientId: client.id,
      leadId: other.id,
      channel: 'sms',
      text: 'ok?',
      intent: 'question',
      confidence: 0.4,
      reason: 'low_confidence',
      createdAt: new Date(Date.now() - 2 * 86_400_000),
    },
  });
  expect((await notifyStaleReviews(stack.db, { staleAfterMs: 86_400_000 })).notified).toBeGreaterThanOrEqual(1);
  expect((await notifyStaleReviews(stack.db, { staleAfterMs: 86_400_000 })).notified).toBe(0);
  const told = (await events(other.id)).filter((e) => e.type === 'reply.needs_review');
  expect(told.map((e) => e.data)).toMatchObject([{ reviewId: old.id, stale: true }]);
  // The resolved one is never told.
  expect((await events(lead.id)).filter((e) => (e.data as { stale?: boolean }).stale)).toHaveLength(0);
});

it('filters, searches literally, pages, and marks handled or assigns to members only', async () => {
  const { client, auth, user } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const base = { clientId: client.id, leadId: lead.id, actions: [] as string[], receivedAt: new Date() };
  const rows = await Promise.all([
    stack.db.inboundMessage.create({ data: { ...base, channel: 'email', body: 'We got 100% of it', intent: 'interested', confidence: 0.9 } }),
    stack.db.inboundMessage.create({ data: { ...base, channel: 'sms', body: 'I got 1000 of them', intent: 'question', confidence: 0.7 } }),
    stack.db.inboundMessage.create({ data: { ...base, channel: 'linkedin', body: 'snake_case and more', intent: 'not_interested', confidence: 0.8 } }),
  ]);
  const list = (qs: string) => api('get', `/api/v1/clients/${client.id}/replies?${qs}`, auth);
  expect((await list('channel=sms')).body.data.map((r: { id: string }) => r.id)).toEqual([rows[1].id]);
  expect((await list('intent=interested')).body.data.map((r: { id: string }) => r.id)).toEqual([rows[0].id]);
  // % and _ are words, not wildcards.
  expect((await list('q=100%25')).body.data.map((r: { id: string }) => r.id)).toEqual([rows[0].id]);
  expect((await list('q=e_c')).body.data).toHaveLength(1);
  expect((await list('q=SNAKE')).body.data.map((r: { id: string }) => r.id)).toEqual([rows[2].id]);
  const first = await list('limit=2');
  expect(first.body.data).toHaveLength(2);
  const second = await list(`limit=2&cursor=${first.body.nextCursor}`);
  expect(second.body.data).toHaveLength(1);
  expect(second.body.nextCursor).toBeNull();
  expect((await list('handled=maybe')).status).toBe(400);

  const outsider = await createClientWithUser(stack.db);
  const path = `/api/v1/clients/${client.id}/replies/${rows[0].id}`;
  expect((await api('patch', path, auth, { assignedTo: outsider.user.id })).status).toBe(400);
  expect((await api('patch', path, auth, {})).status).toBe(400);
  const done = await api('patch', path, auth, { handled: true, assignedTo: user.id });
  expect(done.status).toBe(200);
  expect(done.body.reply).toMatchObject({ handled: true, handledBy: user.id, assignedTo: user.id });
  expect((await list('handled=true')).body.data.map((r: { id: string }) => r.id)).toEqual([rows[0].id]);
  expect((await list('handled=false')).body.data).toHaveLength(2);
  expect((await api('patch', path, auth, { handled: false, assignedTo: null })).body.reply).toMatchObject({
    handled: false,
    handledAt: null,
    assignedTo: null,
  });
  // Another tenant's reply is not found.
  expect((await api('get', `/api/v1/clients/${outsider.client.id}/replies/${rows[0].id}`, outsider.auth)).status).toBe(404);
});
