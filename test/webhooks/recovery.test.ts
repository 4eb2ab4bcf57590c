// The reply-recovery safety net: a webhook accepted while Temporal is unreachable (2xx, row left
// pending, effects applied once) is finished by the sweep; inbound messages that never arrived as
// webhooks are fetched from Postmark and Twilio (real SDKs against local fakes), exactly once.
import { runAdminWorkflow } from '../harness/admin-runs';
import type { ReplyRecoveryResult } from '../../workflows/definitions/replies';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { recordHistory } from '../harness/histories';
import { freePort } from '../harness/ports';
import { launchCampaign, sequenceHandle } from '../sequences/helpers';
import { startTwilioFake, TWILIO_FAKE_SID, TWILIO_FAKE_TOKEN, type TwilioFake } from '../fakes/twilio-fake';
import { createApp } from '../../src/api/app';
import { activities, inboundReply, inboxRow, postmarkAuth, seedSend, settled, waitFor, WEBHOOK_ENV } from './helpers';
import { POSTMARK_INBOUND_TOKEN, startPostmarkInboundFake, type PostmarkInboundFake } from './postmark-inbound-fake';

let stack: TestStack;
let postmark: PostmarkInboundFake;
let twilioFake: TwilioFake;
beforeAll(async () => {
  postmark = await startPostmarkInboundFake();
  twilioFake = await startTwilioFake();
  stack = await startTestStack({
    env: {
      ...WEBHOOK_ENV,
      POSTMARK_SERVER_TOKEN: POSTMARK_INBOUND_TOKEN,
      POSTMARK_BASE_URL: postmark.url,
      TWILIO_ACCOUNT_SID: TWILIO_FAKE_SID,
      TWILIO_AUTH_TOKEN: TWILIO_FAKE_TOKEN,
      TWILIO_BASE_URL: twilioFake.url,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await postmark?.close();
  await twilioFake?.close();
});

/** Reply recovery on demand: started (202), then its outcome from the status URL. */
const recover = async (body: Record<string, unknown> = { minAgeSeconds: 0 }) => {
  const run = await runAdminWorkflow<ReplyRecoveryResult>(stack.app, stack.adminKey, '/api/v1/admin/replies/recover', body);
  return { ...run, result: run.result! };
};

it('accepts a reply while Temporal is unreachable, and the sweep stops the sequence later, once', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'outage' }, [lead.id]);
  const handle = await sequenceHandle(stack.temporal, campaign.id, lead.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id, campaignId: campaign.id });

  // The same API, with a Temporal client pointed at a closed port.
  const dead = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] }), namespace: 'default' });
  const outageApp = createApp({ config: stack.config, logger: stack.logger, db: stack.db, temporal: dead, taskQueue: stack.taskQueue, version: 'test' });
  const reply = inboundReply({ email: lead.email!, inReplyTo: send.threadId, text: "Yes, I'm interested - send me more details." });
  const res = await request(outageApp).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(reply);
  expect(res.status).toBe(200);

  const key = `inbound:${reply.MessageID}`;
  // The database effects go in at once; the signal fails on the dead client. The row then waits for a
  // processor with a live client: this stack's own (it reads untried rows back: a failed signal is
  // not counted against the row) or the recovery sweep, whichever comes first.
  await waitFor("the reply's effects", async () => ((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).status === 'converted' ? true : null));
  expect(await activities(stack.db, lead.id, 'replied')).toHaveLength(1);

  const sweep = await recover({ minAgeSeconds: 0, pullProviders: false });
  expect(sweep.status).toBe('completed');
  expect(await handle.result()).toMatchObject({ status: 'stopped', stopReason: 'converted' });
  expect(await inboxRow(stack.db, 'postmark', key)).toMatchObject({ status: 'processed', lastError: null });
  expect(await activities(stack.db, lead.id, 'replied')).toHaveLength(1);

  // Nothing left to do: a second sweep changes nothing.
  const again = await recover({ minAgeSeconds: 0, pullProviders: false });
  expect(again.result.counts.processed).toBe(0);
  expect(await activities(stack.db, lead.id, 'replied')).toHaveLength(1);
  await dead.connection.close();
});

it('fetches inbound email and SMS whose webhooks never arrived, each exactly once', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const emailLead = await createLead(stack.db, client.id);
  const smsLead = await createLead(stack.db, client.id, { phone: '+61400111222' });
  const send = await seedSend(stack.db, { clientId: client.id, leadId: emailLead.id });
  await seedSend(stack.db, { clientId: client.id, leadId: smsLead.id, channel: 'sms' });

  // One reply reached us as a webhook, one did not.
  const delivered = inboundReply({ email: emailLead.email!, inReplyTo: send.threadId, text: 'What does it cost?', date: new Date().toUTCString() });
  const missed = inboundReply({ email: emailLead.email!, inReplyTo: send.threadId, text: 'Not interested, thanks.', date: new Date().toUTCString() });
  expect((await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(delivered)).status).toBe(200);
  await settled(stack.db, 'postmark', `inbound:${delivered.MessageID}`);
  postmark.inbound.push(delivered, missed);
  const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
  const stop = twilioFake.addMessage({
    to: '+61255550111',
    from: smsLead.phone!,
    body: 'STOP',
    direction: 'inbound',
    status: 'received',
    date_sent: rfc2822(new Date()),
  });

  const sweep = await recover();
  expect(sweep.status).toBe('completed');
  recordHistory(sweep.workflowId, 'reply-recovery');
  const pulled = sweep.result.pulled;
  expect(pulled).toEqual([
    expect.objectContaining({ provider: 'postmark', ok: true, sandbox: false, recorded: 1 }),
    expect.objectContaining({ provider: 'twilio', ok: true, sandbox: false, recorded: 1 }),
  ]);
  const listQuery = postmark.requests.find((r) => r.path === '/messages/inbound')!.query;
  expect([listQuery.get('count'), listQuery.get('offset')]).toEqual(['100', '0']);
  expect(listQuery.get('fromdate')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  // Details are fetched only for the message the inbox did not have.
  expect(postmark.requests.filter((r) => r.path.endsWith('/details')).map((r) => r.path)).toEqual([`/messages/inbound/${missed.MessageID}/details`]);

  expect(await inboxRow(stack.db, 'postmark', `inbound:${missed.MessageID}`)).toMatchObject({ status: 'processed', leadId: emailLead.id });
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: emailLead.id } })).status).toBe('not_interested');
  expect(await inboxRow(stack.db, 'twilio', `inbound:${stop.sid}`)).toMatchObject({ status: 'processed', leadId: smsLead.id });
  expect(await stack.db.suppression.count({ where: { value: smsLead.phone!, scope: client.id, reason: 'sms_stop' } })).toBe(1);
  expect(await stack.db.providerCursor.count()).toBe(2);

  // A second sweep reads from the cursors again and records nothing twice.
  const again = await recover();
  expect(again.result.pulled.map((p) => p.recorded)).toEqual([0, 0]);
  expect(await activities(stack.db, emailLead.id, 'replied')).toHaveLength(2);
  expect(await activities(stack.db, smsLead.id, 'unsubscribed')).toHaveLength(1);
});
