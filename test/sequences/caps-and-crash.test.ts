// Resource caps: a full resource makes the touch wait for the next business day, never dropped.
// Effectively-once: a worker that dies after the provider accepted a send (before the ledger
// update) does not send again on retry; the real Postmark driver asks Postmark instead.
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { launchCampaign, localDay, sequenceHandle } from './helpers';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../fakes/postmark-fake';

const oneEmail = { version: 1 as const, touches: [{ number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const }] };

let stack: TestStack;
let postmark: PostmarkFake;
let crashes = 0;
let crashArmed = false;
beforeAll(async () => {
  postmark = await startPostmarkFake();
  stack = await startTestStack({
    timeSkipping: true,
    // Monday 6 July 2026, 09:00 in Sydney.
    startAt: '2026-07-05T23:00:00Z',
    env: { POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN, POSTMARK_BASE_URL: postmark.url },
    activityDeps: {
      faults: {
        afterProviderSend: (key) => {
          if (crashArmed && key.endsWith(':touch:1')) {
            crashArmed = false;
            crashes++;
            throw new Error('simulated worker crash after the provider accepted the send');
          }
        },
      },
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await postmark?.close();
});

it('waits for the next business day when the sending domain is full', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id, { email: 1 });
  const a = await createLead(stack.db, client.id);
  const b = await createLead(stack.db, client.id);
  const campaign = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'cap', sequence: oneEmail }, [a.id, b.id]);
  const handles = [await sequenceHandle(stack.temporal, campaign.id, a.id), await sequenceHandle(stack.temporal, campaign.id, b.id)];
  // One result() at a time: the time-skipping server skips while a single client call waits.
  const states = [await handles[0].result(), await handles[1].result()];
  const days = states.map((s) => localDay(s.timeline[0].at)).sort();
  expect(states.every((s) => s.timeline[0].status === 'sent')).toBe(true);
  expect(days).toEqual(['2026-07-06', '2026-07-07']);
  const counters = await stack.db.sendResourceCounter.findMany({ where: { clientId: client.id }, orderBy: { day: 'asc' } });
  expect(counters.map((c) => c.count)).toEqual([1, 1]);
  expect(postmark.sent.filter((m) => [a.email, b.email].includes(m.To.replace(/.*<|>/g, '')))).toHaveLength(2);
});

it('never sends twice when the worker dies between the provider call and the ledger update', async () => {
  const { client } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const lead = await createLead(stack.db, client.id);
  const before = postmark.requests.filter((r) => r.method === 'POST' && r.path === '/email').length;
  crashArmed = true; // the next first touch "crashes" once, right after Postmark accepted it
  const launched = await launchCampaign(stack.temporal, stack.taskQueue, stack.db, { clientId: client.id, name: 'crash', sequence: oneEmail }, [lead.id]);
  const state = await (await sequenceHandle(stack.temporal, launched.id, lead.id)).result();
  expect(crashes).toBe(1);
  expect(state.timeline[0].status).toBe('sent');
  const sends = postmark.requests.filter((r) => r.method === 'POST' && r.path === '/email').length - before;
  expect(sends).toBe(1);
  const ledger = await stack.db.sendLedger.findFirstOrThrow({ where: { leadId: lead.id } });
  expect(ledger.state).toBe('sent');
  expect(ledger.attempts).toBeGreaterThanOrEqual(2);
  expect(ledger.providerMessageId).toBe(postmark.sent.find((m) => m.To.includes(lead.email!))?.MessageID);
  expect(await stack.db.activity.count({ where: { leadId: lead.id, action: 'sent' } })).toBe(1);
});
