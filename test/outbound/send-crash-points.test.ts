// The send state machine run for real (PostgreSQL ledger, the real Postmark driver against its
// fake): every transition, and a crash at every crash point followed by the retry a Temporal
// activity would get. Each ends with exactly one email at the provider (or none, when it must not
// send), one slot taken, and one `sent` Activity.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../fakes/postmark-fake';
import { idempotencyMetadataValue, PostmarkEmailProvider } from '../../src/integrations/postmark/email-provider';
import type { ChannelProvider, OutboundMessage } from '../../src/integrations/channels';
import { listUnsubscribeHeaders } from '../../src/engines/compliance/email-compliance';
import { executeSend, UNKNOWN_OUTCOME, type SendFaults, type SlotCandidate } from '../../src/engines/outbound/send';
import type { SendCrashPoint } from '../../src/engines/outbound/send-states';
import { sendKey } from '../../src/engines/send-ledger';

let database: TestDatabase;
let postmark: PostmarkFake;
let provider: PostmarkEmailProvider;
let clientId: string;
let leadEmail: string;
let leadId: string;
const DAY = '2026-07-06';

beforeAll(async () => {
  database = await createTestDatabase();
  postmark = await startPostmarkFake();
  provider = new PostmarkEmailProvider({ serverToken: POSTMARK_FAKE_TOKEN, baseUrl: postmark.url });
  const { client } = await createClientWithUser(database.db);
  clientId = client.id;
  const lead = await createLead(database.db, client.id);
  leadId = lead.id;
  leadEmail = lead.email!;
});
afterAll(async () => {
  await database?.drop();
  await postmark?.close();
});

class Crash extends Error {}

/** A fresh send (its own key and resources); `attempt` runs one activity attempt of it. */
async function newSend(limits: { email?: number } = {}) {
  const db = database.db;
  // Two sending domains of its own, so sends never share a counter.
  const resources = await Promise.all(
    [0, 1].map((i) =>
      db.sendResource.create({ data: { clientId, channel: 'email', identifier: `d${i}-${randomUUID()}.agency.example`, dailyLimit: limits.email ?? 50 } }),
    ),
  );
  const candidates = (): SlotCandidate[] => resources.filter((r) => r.active).map((r) => ({ id: r.id, identifier: r.identifier, dailyLimit: r.dailyLimit }));
  const workflowId = `sequence:${randomUUID()}:${leadId}`;
  const key = { idempotencyKey: sendKey(workflowId, 1), clientId, campaignId: randomUUID(), leadId, channel: 'email' as const, touchNumber: 1 };
  const posts = () =>
    postmark.requests.filter((r) => r.method === 'POST' && r.path === '/email' && r.rawBody.includes(idempotencyMetadataValue(key.idempotencyKey))).length;
  const attempt = (opts: { crashAt?: SendCrashPoint; via?: ChannelProvider } = {}) => {
    const faults: SendFaults = {
      at: (point) => {
        if (point === opts.crashAt) throw new Crash(point);
      },
    };
    const message: OutboundMessage = {
      channel: 'email',
      clientId,
      idempotencyKey: key.idempotencyKey,
      to: { email: leadEmail },
      from: { name: 'Sam', email: 'sam@agency.example' },
      subject: 'Hello',
      text: 'Hi there',
      headers: listUnsubscribeHeaders('https://agency-os.test/u/token'),
      metadata: { idempotency_key: key.idempotencyKey },
    };
    return executeSend(
      db,
      {
        key,
        day: DAY,
        candidates: candidates(),
        reloadCandidates: async () => candidates(),
        message,
        useResource: (m, id) => (m.from.resource = id),
        provider: opts.via ?? provider,
        price: 1,
        metadata: { kind: 'email_intro' },
      },
      faults,
    );
  };
  const ledger = () => db.sendLedger.findUniqueOrThrow({ where: { idempotencyKey: key.idempotencyKey } });
  const slots = async () =>
    (await db.sendResourceCounter.findMany({ where: { resourceId: { in: resources.map((r) => r.id) } } })).reduce((n, c) => n + c.count, 0);
  const sentActivities = () => db.activity.count({ where: { campaignId: key.campaignId, action: 'sent' } });
  return { key, resources, attempt, posts, ledger, slots, sentActivities };
}

it('reserve → slot → provider → sent: one email, one slot, one Activity', async () => {
  const s = await newSend();
  const out = await s.attempt();
  expect(out.status).toBe('sent');
  expect(s.posts()).toBe(1);
  expect(await s.slots()).toBe(1);
  expect((await s.ledger()).state).toBe('sent');
  expect(await s.sentActivities()).toBe(1);
  // A later attempt (Temporal retried after the activity's reply was lost) reports it.
  expect(await s.attempt()).toEqual(out);
  expect(s.posts()).toBe(1);
  expect(await s.slots()).toBe(1);
});

it.each([
  ['after_reserve', 'the row is sending, nothing reached Postmark: the retry asks, then sends'],
  ['after_lookup', 'the retry asked, Postmark had nothing, then the worker died: the next retry asks again, then sends'],
  ['after_provider_send', 'Postmark accepted it, the ledger still says sending: the retry finds it at Postmark'],
  ['after_finalize', 'the ledger says sent: the retry reports it'],
] as const)('a crash %s: %s', async (point, _what) => {
  const s = await newSend();
  // after_lookup only happens on an attempt that found the row sending.
  if (point === 'after_lookup') await expect(s.attempt({ crashAt: 'after_reserve' })).rejects.toThrow(Crash);
  await expect(s.attempt({ crashAt: point })).rejects.toThrow(Crash);
  const retried = await s.attempt();
  expect(retried.status).toBe('sent');
  expect(s.posts()).toBe(1);
  expect(await s.slots()).toBe(1);
  const row = await s.ledger();
  expect(row.state).toBe('sent');
  expect(row.providerMessageId).toBe(postmark.sent.find((m) => Object.values(m.Metadata).includes(idempotencyMetadataValue(s.key.idempotencyKey)))?.MessageID);
  expect(await s.sentActivities()).toBe(1);
});

it('a transient provider error leaves the row sending; the retry asks, then sends once', async () => {
  const s = await newSend();
  postmark.failNext(503, { ErrorCode: 0, Message: 'unavailable' }, 1, (r) => r.path === '/email');
  await expect(s.attempt()).rejects.toThrow(/Postmark send failed/);
  expect((await s.ledger()).state).toBe('sending');
  expect((await s.attempt()).status).toBe('sent');
  expect(s.posts()).toBe(2); // the refused request and the one that went out
  expect(postmark.sent.filter((m) => Object.values(m.Metadata).includes(idempotencyMetadataValue(s.key.idempotencyKey)))).toHaveLength(1);
  expect(await s.slots()).toBe(1);
});

it('a rejection fails the send, gives the slot back and is final', async () => {
  const s = await newSend();
  postmark.inactive.add(leadEmail.toLowerCase());
  try {
    const out = await s.attempt();
    expect(out).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^provider_rejected/) });
    expect((await s.ledger()).state).toBe('failed');
    expect(await s.slots()).toBe(0);
    expect(await database.db.activity.count({ where: { campaignId: s.key.campaignId, action: 'failed' } })).toBe(1);
    expect((await s.attempt()).status).toBe('skipped');
    expect(s.posts()).toBe(1);
  } finally {
    postmark.inactive.delete(leadEmail.toLowerCase());
  }
});

it('a provider that cannot look up sends: an interrupted send is given up, never sent blindly', async () => {
  const s = await newSend();
  const blind: ChannelProvider = { channel: 'email', provider: 'postmark', sandbox: false, send: (m) => provider.send(m) };
  await expect(s.attempt({ via: blind, crashAt: 'after_reserve' })).rejects.toThrow(Crash);
  expect(await s.attempt({ via: blind })).toEqual({ status: 'skipped', reason: UNKNOWN_OUTCOME });
  expect((await s.ledger()).state).toBe('failed');
  expect(s.posts()).toBe(0);
});

it('no room on any resource: the row stays reserved and no slot is taken', async () => {
  const s = await newSend({ email: 0 });
  expect(await s.attempt()).toEqual({ status: 'wait_for_room' });
  expect(await s.ledger()).toMatchObject({ state: 'reserved', resourceId: null });
  expect(await s.slots()).toBe(0);
  expect(s.posts()).toBe(0);
});

it("a row whose resource was deleted after a crash takes another resource's slot, then sends once", async () => {
  const s = await newSend();
  await expect(s.attempt({ crashAt: 'after_reserve' })).rejects.toThrow(Crash);
  const first = (await s.ledger()).resourceId!;
  await database.db.sendResource.delete({ where: { id: first } });
  s.resources.splice(
    s.resources.findIndex((r) => r.id === first),
    1,
  );
  expect((await s.attempt()).status).toBe('sent');
  const row = await s.ledger();
  expect(row.resourceId).not.toBe(first);
  expect(s.posts()).toBe(1);
  expect(await s.slots()).toBe(1);
});
