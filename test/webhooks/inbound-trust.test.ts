// The inbound-mail trust rule (issue 13 item 2), through the real route, database and Temporal: an
// email matched to a lead by its From address alone acts on the lead only when the receiving side
// authenticated that address; otherwise it goes to the review queue and the lead is left alone. A
// reply in one of our threads (In-Reply-To/References) acts as before.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { activities, hex, inboundReply, postmarkAuth, seedSend, settled, WEBHOOK_ENV } from './helpers';

const TRUSTED_MX = 'mx.agency.example';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { ...WEBHOOK_ENV, INBOUND_TRUSTED_AUTHSERV_IDS: `other.example, ${TRUSTED_MX}` } });
});
afterAll(async () => {
  await stack?.stop();
});

const REMOVE_ME = 'Please remove me from your list.';

/** A lead in a running sequence with one email sent to it. */
async function leadInSequence() {
  const { client, auth } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: `trust ${hex(3)}` }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id, campaignId: campaign.id });
  return { client, auth, lead, campaign, handle, send, domain: lead.email!.split('@')[1] };
}

/** The inbound fixture with our own headers (the route stores them as Postmark posts them). */
function email(from: string, headers: Array<{ Name: string; Value: string }>, inReplyTo?: string) {
  const body = inboundReply({ email: from, inReplyTo, text: REMOVE_ME });
  return { ...body, Headers: [...headers, ...body.Headers] };
}

const spf = (result: string, envelopeFrom: string) => ({
  Name: 'Received-SPF',
  Value: `${result} (sender SPF ${result === 'Pass' ? 'authorized' : 'not authorized'}) identity=mailfrom; client-ip=203.0.113.9; helo=mail.sender.example; envelope-from=${envelopeFrom}; receiver=replies@inbound.postmarkapp.com`,
});
const authResults = (authservId: string, results: string) => ({ Name: 'Authentication-Results', Value: `${authservId}; ${results}` });

async function post(body: object) {
  const res = await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(body);
  expect(res.status).toBe(200);
}

it('holds a forged From (no thread, SPF and DMARC fail) for review and leaves the lead alone', async () => {
  const { client, auth, lead, handle, domain } = await leadInSequence();
  const forged = email(lead.email!, [
    // What the receiving side wrote (Postmark's Received-SPF first, the trusted MX's verdicts)…
    spf('Fail', `attacker@${domain}`),
    authResults(TRUSTED_MX, `spf=fail smtp.mailfrom=${domain}; dkim=none; dmarc=fail (p=none) header.from=${domain}`),
    // …and what the forger wrote into the message itself: ignored.
    authResults('spoof.example', `dmarc=pass header.from=${domain}; dkim=pass header.d=${domain}`),
    spf('Pass', lead.email!),
  ]);
  await post(forged);

  const row = await settled(stack.db, 'postmark', `inbound:${forged.MessageID}`);
  expect(row).toMatchObject({ status: 'processed', leadId: lead.id });
  const reviews = await stack.db.replyReview.findMany({ where: { leadId: lead.id } });
  expect(reviews).toHaveLength(1);
  expect(reviews[0]).toMatchObject({ reason: 'untrusted_sender', status: 'pending', webhookEventId: row.id, text: REMOVE_ME, intent: 'unsubscribe_request' });
  expect(reviews[0].evidence).toMatchObject({
    from: lead.email,
    matchedVia: 'contact',
    authentication: {
      fromDomain: domain,
      authservId: TRUSTED_MX,
      passedBy: null,
      spf: { result: 'fail', aligned: true },
      dmarc: { result: 'fail', aligned: true },
    },
  });
  expect(await activities(stack.db, lead.id, 'reply_held')).toHaveLength(1);
  expect(await activities(stack.db, lead.id, 'replied')).toHaveLength(0);

  // Untouched: status, suppressions, the running sequence.
  // (The sequence itself moves a scored lead to in_sequence; a reply would move it on from there.)
  expect(['scored', 'in_sequence']).toContain((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status);
  expect(await stack.db.suppression.count({ where: { value: lead.email! } })).toBe(0);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  let stops = 0;
  for (const e of (await handle.fetchHistory()).events ?? []) if (e.workflowExecutionSignaledEventAttributes?.signalName === 'stop') stops++;
  expect(stops).toBe(0);

  // It is in the replies inbox with its review, and a person who confirms it applies the intent.
  const inbox = await request(stack.app).get(`/api/v1/clients/${client.id}/replies?leadId=${lead.id}`).set(auth);
  expect(inbox.body.data).toHaveLength(1);
  expect(inbox.body.data[0]).toMatchObject({
    id: reviews[0].messageId,
    intent: 'unsubscribe_request',
    actions: ['review'],
    review: { id: reviews[0].id, reason: 'untrusted_sender' },
  });
  const resolved = await request(stack.app)
    .post(`/api/v1/clients/${client.id}/reviews/${reviews[0].id}/resolve`)
    .set(auth)
    .send({ intent: 'unsubscribe_request' });
  expect(resolved.status).toBe(200);
  expect(await stack.db.suppression.count({ where: { value: lead.email! } })).toBe(1);
  expect((await handle.result()).stopReason).toBe('unsubscribe');
});

it('acts on a genuine reply in our thread (In-Reply-To names our message)', async () => {
  const { lead, handle, send, domain } = await leadInSequence();
  // Even with a failed SPF check (a forwarding mail server, say): the thread proves it.
  const reply = email(lead.email!, [spf('Fail', `bounces@${domain}`)], send.threadId);
  await post(reply);

  expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'unsubscribe' });
  const row = await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);
  expect(row).toMatchObject({ status: 'processed', leadId: lead.id });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('unsubscribed');
  expect(await stack.db.suppression.count({ where: { value: lead.email! } })).toBe(1);
  expect(await stack.db.replyReview.count({ where: { leadId: lead.id } })).toBe(0);
});

it('acts on a reply outside our threads when a trusted server saw DMARC pass', async () => {
  const { lead, handle, domain } = await leadInSequence();
  const reply = email(lead.email!, [
    spf('None', `bounces@${domain}`),
    authResults(TRUSTED_MX, `dkim=pass header.d=${domain} header.s=s1; dmarc=pass (p=reject) header.from=${domain}`),
  ]);
  await post(reply);

  expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'unsubscribe' });
  // The stop is signalled before the effects are written (it is what must be fast): wait for the row.
  const row = await settled(stack.db, 'postmark', `inbound:${reply.MessageID}`);
  expect(row).toMatchObject({ status: 'processed', leadId: lead.id });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('unsubscribed');
  expect((await activities(stack.db, lead.id, 'replied'))[0].metadata).toMatchObject({ matchedVia: 'contact', plan: { stop: 'unsubscribe' } });
  expect(await stack.db.replyReview.count({ where: { leadId: lead.id } })).toBe(0);
});
