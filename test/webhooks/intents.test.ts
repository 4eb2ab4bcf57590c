// Reply intents → effects, on real running sequences: one campaign, one lead per intent, each lead
// replying by email to its own thread. Also the one-click unsubscribe link (GET page, POST per
// RFC 8058) and the AI classifier with its fallback to the rules.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { leadCalendar, windowClosedNow } from '../harness/clock';
import { launchCampaign, sequenceHandle, timeline } from '../sequences/helpers';
import { signUnsubscribeToken } from '../../src/engines/compliance/unsubscribe-token';
import { createReplyClassifier } from '../../src/engines/replies/classify';
import { claudeFromConfig } from '../../src/integrations/anthropic';
import { startAnthropicFake, toolReply } from '../fakes/anthropic-fake';
import type { LeadStatus } from '../../src/db/client';
import { activities, inboundReply, postmarkAuth, seedSend, settled, waitFor, WEBHOOK_ENV } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: WEBHOOK_ENV });
});
afterAll(async () => {
  await stack?.stop();
});

interface Case {
  intent: string;
  text: string;
  subject?: string;
  status: LeadStatus;
  /** The sequence's stop reason; null: it keeps running (paused for out-of-office). */
  stop: string | null;
  review: boolean;
}

const CASES: Case[] = [
  { intent: 'interested', text: "Yes, I'm interested - send me more details.", status: 'converted', stop: 'converted', review: false },
  { intent: 'meeting_request', text: "Let's book a call next week", status: 'converted', stop: 'converted', review: false },
  { intent: 'question', text: 'What does it cost?', status: 'replied', stop: 'reply', review: true },
  { intent: 'not_interested', text: 'Not interested, thanks.', status: 'not_interested', stop: 'not_interested', review: false },
  { intent: 'wrong_person', text: "I'm not the right person for this, sorry.", status: 'not_interested', stop: 'wrong_person', review: false },
  { intent: 'unsubscribe_request', text: 'Please remove me from your list.', status: 'unsubscribed', stop: 'unsubscribe', review: false },
  {
    intent: 'out_of_office',
    text: 'I am out of the office until Monday 18 May with limited access to email.',
    subject: 'Automatic reply: A note',
    status: 'scored',
    stop: null,
    review: false,
  },
  {
    intent: 'referral',
    text: "I've moved on - please contact Sarah Chen (sarah.chen@referred.example), she handles marketing now.",
    status: 'replied',
    stop: 'reply',
    review: false,
  },
  { intent: 'low confidence', text: 'hmm maybe', status: 'replied', stop: 'reply', review: true },
];

it('turns each reply intent into its effects on the lead and its running sequence', async () => {
  // Outside the send window, every sequence waits for its first touch: the replies answer the seeded
  // sends, and the out-of-office lead keeps its `scored` status (a sent touch would make it in_sequence).
  const cal = windowClosedNow();
  const { client } = await createClientWithUser(stack.db, cal);
  await addResources(stack.db, client.id);
  const leads = await Promise.all(CASES.map(() => createLead(stack.db, client.id, leadCalendar(cal))));
  const campaign = await launchCampaign(
    stack.temporal,
    stack.taskQueue,
    stack.db,
    { clientId: client.id, name: 'intents' },
    leads.map((l) => l.id),
  );
  const handles = await Promise.all(leads.map((l) => sequenceHandle(stack.temporal, campaign.id, l.id)));

  const replies = await Promise.all(
    CASES.map(async (c, i) => {
      const send = await seedSend(stack.db, { clientId: client.id, leadId: leads[i].id, campaignId: campaign.id });
      const reply = inboundReply({ email: leads[i].email!, inReplyTo: send.threadId, text: c.text, subject: c.subject, date: new Date().toUTCString() });
      const res = await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(reply);
      expect(res.status).toBe(200);
      return reply;
    }),
  );

  for (const [i, c] of CASES.entries()) {
    const lead = leads[i];
    const row = await settled(stack.db, 'postmark', `inbound:${replies[i].MessageID}`);
    expect([c.intent, row.status]).toEqual([c.intent, 'processed']);
    const after = await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect([c.intent, after.status]).toEqual([c.intent, c.status]);
    const reviews = await stack.db.replyReview.findMany({ where: { leadId: lead.id } });
    expect([c.intent, reviews.length]).toEqual([c.intent, c.review ? 1 : 0]);
    if (c.review) expect(reviews[0]).toMatchObject({ status: 'pending', webhookEventId: row.id, channel: 'email', text: c.text });

    if (c.stop) {
      const state = await handles[i].result();
      expect([c.intent, state.status, state.stopReason]).toEqual([c.intent, 'stopped', c.stop]);
      expect(await activities(stack.db, lead.id, 'replied')).toHaveLength(1);
    } else {
      // Out of office pauses instead of stopping.
      const state = await waitFor('out-of-office pause', async () => {
        const s = await timeline(stack.temporal, campaign.id, lead.id);
        return s.status === 'paused_ooo' ? s : null;
      });
      expect(state.timeline.find((e) => e.touch === state.currentTouch)).toMatchObject({ status: 'waiting', reason: 'out_of_office' });
      expect((await activities(stack.db, lead.id, 'out_of_office'))[0].metadata).toMatchObject({ returnDate: expect.stringMatching(/-05-18$/) });
      await handles[i].terminate('test over');
    }
  }

  // Unsubscribe request: suppressed for this client.
  const unsubscribed = leads[CASES.findIndex((c) => c.intent === 'unsubscribe_request')];
  expect(await stack.db.suppression.findMany({ where: { value: unsubscribed.email! } })).toMatchObject([{ scope: client.id, reason: 'unsubscribe_request' }]);

  // Referral: a new lead of the same client, enrolled in the same campaign, its sequence started.
  const referrer = leads[CASES.findIndex((c) => c.intent === 'referral')];
  const referred = await stack.db.lead.findFirstOrThrow({ where: { clientId: client.id, email: 'sarah.chen@referred.example' } });
  expect(referred).toMatchObject({ firstName: 'Sarah', lastName: 'Chen', referredByLeadId: referrer.id, companyName: referrer.companyName });
  const referredSequence = await sequenceHandle(stack.temporal, campaign.id, referred.id);
  await referredSequence.terminate('test over');
});

it('unsubscribes with the one-click link: GET shows a form, POST suppresses and stops the sequence', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'unsubscribe' }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const token = signUnsubscribeToken(
    { clientId: client.id, leadId: lead.id, campaignId: campaign.id, channel: 'email', issuedAt: Math.floor(Date.now() / 1000) },
    stack.config.SIGNING_SECRET!,
  );

  const page = await request(stack.app).get(`/u/${token}`).set('Accept', 'text/html');
  expect(page.status).toBe(200);
  expect(page.text).toContain(`<form method="post" action="/u/${token}">`);
  expect(page.text).toContain('name="List-Unsubscribe" value="One-Click"');
  expect(await stack.db.suppression.count({ where: { value: lead.email! } })).toBe(0);

  // RFC 8058: a mail client POSTs `List-Unsubscribe=One-Click`, no session, no login.
  for (let i = 0; i < 3; i++) {
    const res = await request(stack.app).post(`/u/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
  }
  expect(await stack.db.suppression.findMany({ where: { value: lead.email! } })).toMatchObject([{ scope: client.id, kind: 'email' }]);
  const state = await handle.result();
  expect(state).toMatchObject({ status: 'stopped', stopReason: 'unsubscribe' });
  await waitFor('unsubscribed activity', async () => (await activities(stack.db, lead.id, 'unsubscribed')).length > 0);
  expect(await activities(stack.db, lead.id, 'unsubscribed')).toHaveLength(1);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('unsubscribed');

  // A tampered token changes nothing.
  const bad = await request(stack.app)
    .post(`/u/${token.slice(0, -2)}xx`)
    .type('form')
    .send('List-Unsubscribe=One-Click');
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('INVALID_TOKEN');
  const badPage = await request(stack.app).get('/u/not-a-token').set('Accept', 'text/html');
  expect(badPage.status).toBe(400);
  expect(badPage.text).toContain('not valid');
});

it('uses Claude for intents when configured and falls back to the rules when it fails', async () => {
  const fake = await startAnthropicFake();
  try {
    const { client } = await createClientWithUser(stack.db);
    const claude = claudeFromConfig({ ...stack.config, ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: fake.url });
    const classify = createReplyClassifier({ db: stack.db, claude: claude.client!, prices: claude.prices });
    const reply = { clientId: client.id, channel: 'email', text: 'Could we talk on Friday?', receivedAt: new Date() };

    fake.enqueue(toolReply({ intent: 'meeting_request', confidence: 0.88, signals: ['asks for a call'] }));
    expect(await classify(reply)).toMatchObject({ intent: 'meeting_request', confidence: 0.88, source: 'ai' });
    expect(fake.requests[0].tool).toBe('classify_reply');
    expect(await stack.db.aiUsage.count({ where: { clientId: client.id, purpose: 'reply_classification' } })).toBe(1);

    fake.enqueue({ kind: 'error', status: 400, message: 'bad request' });
    const fallback = await classify(reply);
    expect(fallback).toMatchObject({ source: 'rules', aiError: expect.any(String) });
  } finally {
    await fake.close();
  }
});
