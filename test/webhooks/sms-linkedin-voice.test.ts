// Twilio (signed form posts: STOP/START/HELP, replies, status callbacks), HeyReach and Vapi
// (shared secret) through the real routes, database and Temporal.
import { randomInt, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { activities, fixture, hex, inboxRow, postmarkAuth, secretHeader, seedSend, settled, twilioSid, twilioSignature, waitFor, WEBHOOK_ENV } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: WEBHOOK_ENV });
});
afterAll(async () => {
  await stack?.stop();
});

const OUR_NUMBER = '+61255550111'; // addResources' SMS number
const uniquePhone = () => `+614${String(randomInt(10_000_000, 99_999_999))}`;

function postTwilio(fields: Record<string, string>, signature: string | null = twilioSignature(fields)) {
  const req = request(stack.app).post('/api/v1/webhooks/twilio').type('form');
  if (signature !== null) req.set('X-Twilio-Signature', signature);
  return req.send(fields);
}

async function smsLead(opts: { running?: boolean } = {}) {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id, { phone: uniquePhone() });
  const campaign = opts.running ? await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'sms' }, [lead.id]) : null;
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id, channel: 'sms', campaignId: campaign?.id });
  return { client, lead, campaign, send };
}

const inbound = (from: string, body: string, extra: Record<string, string> = {}) => {
  const sid = twilioSid();
  const { OptOutType: _optOut, ...base } = fixture<Record<string, string>>('twilio', 'inbound-sms');
  return { ...base, MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, From: from, To: OUR_NUMBER, Body: body, ...extra };
};

describe('Twilio', () => {
  it('checks X-Twilio-Signature with the SDK: missing 401, wrong 403, and writes nothing', async () => {
    const fields = inbound('+61400000000', 'hello');
    const before = await stack.db.webhookEvent.count();
    const missing = await postTwilio(fields, null);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHENTICATED');
    const wrong = await postTwilio(fields, twilioSignature(fields, '/api/v1/webhooks/twilio', 'another-token'));
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error: { code: 'FORBIDDEN', message: 'invalid X-Twilio-Signature' } });
    // A body changed after signing is not what Twilio signed.
    const tampered = await postTwilio({ ...fields, Body: 'STOP' }, twilioSignature(fields));
    expect(tampered.status).toBe(403);
    expect(await stack.db.webhookEvent.count()).toBe(before);

    const ok = await postTwilio(fields);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/xml/);
    expect(ok.text).toContain('<Response></Response>');
  });

  it('rejects malformed and oversized form bodies', async () => {
    const { MessageSid: _sid, ...noSid } = inbound('+61400000000', 'hi');
    const malformed = await postTwilio(noSid);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
    const huge = inbound('+61400000000', 'x'.repeat(300 * 1024));
    const tooLarge = await postTwilio(huge, 'irrelevant');
    expect(tooLarge.status).toBe(413);
  });

  it('STOP suppresses the number and stops the sequence; START lifts it; HELP is recorded', async () => {
    const { client, lead, campaign } = await smsLead({ running: true });
    const handle = await sequenceHandle(stack.temporal, campaign!.id, lead.id);
    const stop = { ...inbound(lead.phone!, 'STOP'), OptOutType: 'STOP' };
    expect((await postTwilio(stop)).status).toBe(200);
    expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'unsubscribe' });
    await settled(stack.db, 'twilio', `inbound:${stop.MessageSid}`);
    expect(await stack.db.suppression.findMany({ where: { value: lead.phone! } })).toMatchObject([
      { scope: client.id, kind: 'phone', reason: 'sms_stop', deletedAt: null },
    ]);
    expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status).toBe('unsubscribed');
    expect(await activities(stack.db, lead.id, 'unsubscribed')).toHaveLength(1);

    const start = inbound(lead.phone!, 'Start');
    expect((await postTwilio(start)).status).toBe(200);
    await settled(stack.db, 'twilio', `inbound:${start.MessageSid}`);
    expect((await stack.db.suppression.findFirstOrThrow({ where: { value: lead.phone! } })).deletedAt).not.toBeNull();
    expect(await activities(stack.db, lead.id, 'resubscribed')).toHaveLength(1);

    const help = inbound(lead.phone!, 'help');
    expect((await postTwilio(help)).status).toBe(200);
    await settled(stack.db, 'twilio', `inbound:${help.MessageSid}`);
    expect(await activities(stack.db, lead.id, 'sms_help')).toHaveLength(1);
  });

  it('an SMS reply stops every running sequence of the lead (matched by number, within the tenant that owns it)', async () => {
    const { lead, campaign } = await smsLead({ running: true });
    const handle = await sequenceHandle(stack.temporal, campaign!.id, lead.id);
    const reply = inbound(lead.phone!, 'Sounds good, call me tomorrow');
    expect((await postTwilio(reply)).status).toBe(200);
    expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'converted' });
    const row = await settled(stack.db, 'twilio', `inbound:${reply.MessageSid}`);
    expect(row).toMatchObject({ status: 'processed', leadId: lead.id });
    expect((await activities(stack.db, lead.id, 'replied'))[0]).toMatchObject({
      channel: 'sms',
      metadata: expect.objectContaining({ intent: 'meeting_request', matchedVia: 'contact' }),
    });
  });

  it('records status callbacks; 21610 means the number opted out; intermediate statuses are ignored', async () => {
    const { client, lead, send } = await smsLead();
    const status = (s: string, extra: Record<string, string> = {}) => ({
      ...fixture<Record<string, string>>('twilio', 'status-delivered'),
      MessageSid: send.providerMessageId,
      SmsSid: send.providerMessageId,
      To: lead.phone!,
      MessageStatus: s,
      SmsStatus: s,
      ...extra,
    });
    for (const f of [status('sent'), status('delivered'), status('undelivered', { ErrorCode: '30003' })]) expect((await postTwilio(f)).status).toBe(200);
    expect((await settled(stack.db, 'twilio', `status:${send.providerMessageId}:sent`)).status).toBe('ignored');
    await settled(stack.db, 'twilio', `status:${send.providerMessageId}:delivered`);
    await settled(stack.db, 'twilio', `status:${send.providerMessageId}:undelivered`);
    expect(await activities(stack.db, lead.id, 'delivered')).toHaveLength(1);
    expect(await activities(stack.db, lead.id, 'undelivered')).toHaveLength(1);

    const other = await smsLead();
    const optedOut = {
      ...status('failed', { ErrorCode: '21610' }),
      MessageSid: other.send.providerMessageId,
      SmsSid: other.send.providerMessageId,
      To: other.lead.phone!,
    };
    expect((await postTwilio(optedOut)).status).toBe(200);
    await settled(stack.db, 'twilio', `status:${other.send.providerMessageId}:failed`);
    expect(await stack.db.suppression.count({ where: { value: other.lead.phone!, scope: other.client.id } })).toBe(1);
    expect(client.id).not.toBe(other.client.id);
  });
});

describe('HeyReach', () => {
  const post = (body: unknown, headers: Record<string, string> = secretHeader(), query = '') =>
    request(stack.app)
      .post(`/api/v1/webhooks/heyreach${query}`)
      .set(headers)
      .send(body as object);

  it('needs the shared secret: missing 401, wrong 403, nothing written', async () => {
    const before = await stack.db.webhookEvent.count();
    expect((await post(fixture('heyreach', 'message-reply'), {})).status).toBe(401);
    const wrong = await post(fixture('heyreach', 'message-reply'), secretHeader('nope'));
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('FORBIDDEN');
    expect((await post(fixture('heyreach', 'message-reply'), { Authorization: 'Bearer nope' })).status).toBe(403);
    expect(await stack.db.webhookEvent.count()).toBe(before);
  });

  it('a LinkedIn reply is matched by profile URL; a soft no goes to review and stops the sequence', async () => {
    const { client } = await createClientWithUser(stack.db);
    await addResources(stack.db, client.id);
    const slug = `jess-lee-${hex(3)}`;
    const lead = await createLead(stack.db, client.id, { linkedinUrl: `https://www.linkedin.com/in/${slug}` });
    const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'linkedin' }, [lead.id]);
    const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
    await seedSend(stack.db, { clientId: client.id, leadId: lead.id, channel: 'linkedin', campaignId: campaign.id });

    const body = fixture<{ lead: Record<string, unknown>; conversation_id: string }>('heyreach', 'message-reply');
    body.lead = { ...body.lead, profile_url: `https://au.linkedin.com/in/${slug.toUpperCase()}/?originalSubdomain=au`, email_address: null };
    body.conversation_id = `conv-${hex(4)}`;
    expect((await post(body)).status).toBe(200);
    expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'reply' });
    // The stop is signalled before the database effects are written: the review is there once the row is processed.
    const reviews = await waitFor('the review', async () => {
      const rows = await stack.db.replyReview.findMany({ where: { leadId: lead.id } });
      return rows.length > 0 ? rows : null;
    });
    expect(reviews).toMatchObject([{ channel: 'linkedin', intent: 'not_interested', status: 'pending' }]);

    const accepted = fixture<{ lead: Record<string, unknown> }>('heyreach', 'connection-accepted');
    accepted.lead = { ...accepted.lead, profile_url: `https://www.linkedin.com/in/${slug}`, email_address: null };
    expect((await post(accepted)).status).toBe(200);
    const completed = { ...fixture('heyreach', 'campaign-completed'), timestamp: new Date().toISOString() };
    const res = await post(completed);
    expect(res.status).toBe(200);
    expect((await settled(stack.db, 'heyreach', `CAMPAIGN_COMPLETED:https://www.linkedin.com/in/jess-lee-7b1a2:${completed.timestamp}`)).status).toBe(
      'ignored',
    );
    await settled(stack.db, 'heyreach', `connection_accepted:https://www.linkedin.com/in/${slug}:9001`);
    expect(await activities(stack.db, lead.id, 'connection_accepted')).toHaveLength(1);
  });
});

describe('Vapi', () => {
  const post = (body: unknown, headers: Record<string, string> = secretHeader()) =>
    request(stack.app)
      .post('/api/v1/webhooks/vapi')
      .set(headers)
      .send(body as object);

  it('a call the lead spoke on is a reply (matched by idempotency key); voicemail only ends the call', async () => {
    const { client } = await createClientWithUser(stack.db);
    await addResources(stack.db, client.id);
    const lead = await createLead(stack.db, client.id, { phone: uniquePhone() });
    const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'voice' }, [lead.id]);
    const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
    const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id, channel: 'voice', campaignId: campaign.id });

    const report = fixture<{ message: { call: Record<string, unknown> & { assistantOverrides: { metadata: Record<string, string> } } } }>(
      'vapi',
      'end-of-call-report',
    );
    report.message.call = { ...report.message.call, id: randomUUID(), assistantOverrides: { metadata: { idempotency_key: send.idempotencyKey } } };
    expect((await post(report, { Authorization: `Bearer ${WEBHOOK_ENV.WEBHOOK_SHARED_SECRET}` })).status).toBe(200);
    expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'converted' });
    expect((await activities(stack.db, lead.id, 'replied'))[0]).toMatchObject({
      channel: 'voice',
      metadata: expect.objectContaining({ matchedVia: 'idempotency_key', text: 'Sure, quickly.\nYes, Thursday at 10am works.' }),
    });

    const voicemail = fixture<{ message: { call: Record<string, unknown> } }>('vapi', 'end-of-call-report-voicemail');
    voicemail.message.call = { ...voicemail.message.call, id: randomUUID(), customer: { number: lead.phone } };
    expect((await post(voicemail)).status).toBe(200);
    await settled(stack.db, 'vapi', `end-of-call-report:${voicemail.message.call.id as string}`);
    expect(await activities(stack.db, lead.id, 'call_ended')).toHaveLength(1);

    const before = await stack.db.webhookEvent.count();
    const speech = await post(fixture('vapi', 'speech-update'));
    expect(speech.status).toBe(200);
    expect(speech.body).toEqual({ received: true, stored: false });
    expect(await stack.db.webhookEvent.count()).toBe(before);
    expect((await post(fixture('vapi', 'speech-update'), secretHeader('wrong'))).status).toBe(403);
    expect(await inboxRow(stack.db, 'vapi', 'speech-update:3a9f1c2e-5b7d-4e8f-9a1b-2c3d4e5f6a7b:1767754806000')).toBeNull();
  });
});

it('accepts every provider fixture through its real route', async () => {
  const dir = join(__dirname, '..', 'fixtures', 'webhooks');
  for (const provider of ['postmark', 'twilio', 'heyreach', 'vapi']) {
    for (const file of readdirSync(join(dir, provider)).filter((f) => f.endsWith('.json'))) {
      const body = fixture<Record<string, string>>(provider, file.replace(/\.json$/, ''));
      const req = request(stack.app).post(`/api/v1/webhooks/${provider}`);
      const res =
        provider === 'twilio'
          ? await req.type('form').set('X-Twilio-Signature', twilioSignature(body)).send(body)
          : provider === 'postmark'
            ? await req.set(postmarkAuth()).send(body)
            : await req.set(secretHeader()).send(body);
      expect([`${provider}/${file}`, res.status]).toEqual([`${provider}/${file}`, 200]);
    }
  }
});
