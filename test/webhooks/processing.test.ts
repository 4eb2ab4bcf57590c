// The worker's webhook processor against the real database and Temporal: rows it holds no hint
// for are read back from the inbox (none waits for the sweep), processing waits while a burst
// lasts, drains after it, and shares the process once a burst outlasts the deferral limit.
// Time is a fake clock for the arrival rate; processing itself is real.
import { randomUUID } from 'node:crypto';
import { replyProcessingDeps } from '../../src/lifecycle/replies';
import { InboxProcessor, type InboxProcessorOptions } from '../../src/lifecycle/inbox-processor';
import { recordInboxEvents } from '../../src/engines/inbox/store';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { startTestStack, type TestStack } from '../harness/stack';
import { fixture, seedSend, waitFor, WEBHOOK_ENV } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  // This file drives its own processors: none listens beside the worker.
  stack = await startTestStack({ env: WEBHOOK_ENV, inboxProcessing: false });
});
afterAll(async () => {
  await stack?.stop();
});

/** `n` Postmark delivery events (tracking) for one seeded send, written to the inbox as the route would. */
async function deliveries(n: number): Promise<string[]> {
  const { client } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id });
  const events = Array.from({ length: n }, () => {
    const payload = { ...fixture('postmark', 'delivery'), MessageID: send.providerMessageId, Recipient: lead.email! };
    return { provider: 'postmark', dedupeKey: `Delivery:test:${randomUUID()}`, eventType: 'delivery', payload };
  });
  return (await recordInboxEvents(stack.db, events)).map((r) => r.id);
}

/** A hard bounce (an event that stops sequences) for a new lead's seeded send. */
async function bounce(): Promise<{ id: string; leadId: string }> {
  const { client } = await createClientWithUser(stack.db);
  const lead = await createLead(stack.db, client.id);
  const send = await seedSend(stack.db, { clientId: client.id, leadId: lead.id });
  const payload = { ...fixture('postmark', 'bounce-hard'), ID: Math.floor(Math.random() * 1e9), MessageID: send.providerMessageId, Email: lead.email! };
  const [row] = await recordInboxEvents(stack.db, [{ provider: 'postmark', dedupeKey: `Bounce:test:${randomUUID()}`, eventType: 'bounce', payload }]);
  return { id: row.id, leadId: lead.id };
}

const DELIVERY = { provider: 'postmark', eventType: 'delivery', bytes: 100 };
const BOUNCE = { provider: 'postmark', eventType: 'bounce', bytes: 100 };

const statuses = async (ids: string[]) =>
  (await stack.db.webhookEvent.findMany({ where: { id: { in: ids } }, select: { status: true, attempts: true } })).map((r) => `${r.status}/${r.attempts}`);
const processedCount = async (ids: string[]) => stack.db.webhookEvent.count({ where: { id: { in: ids }, status: 'processed' } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const made: InboxProcessor[] = [];
function processor(opts: InboxProcessorOptions = {}) {
  const p = new InboxProcessor(replyProcessingDeps(stack), opts);
  made.push(p);
  return p;
}
// A failed expectation must not leave processing running into the next test or past the stack.
afterEach(async () => {
  await Promise.all(made.splice(0).map((p) => p.settle(5_000)));
});

it('reads rows it holds no hint for back from the inbox and processes each once', async () => {
  const ids = await deliveries(12);
  // No memory for hints at all: every row must come back from the inbox.
  const p = processor({ hintBytesMax: 0 });
  for (const id of ids) p.enqueue(id, DELIVERY);
  expect(p.busy).toBe(true);
  await p.idle();
  expect(await statuses(ids)).toEqual(ids.map(() => 'processed/1'));
});

it('waits while webhooks arrive in a burst, then drains once the burst is over', async () => {
  const ids = await deliveries(40);
  let t = 0;
  const p = processor({ burstRatePerS: 10, now: () => t });
  // 40 arrivals at one instant: the smoothed rate passes 10/s after the first few.
  for (const id of ids) p.enqueue(id, DELIVERY);
  expect(p.slots()).toEqual({ urgent: 2, tracking: 0 });
  await sleep(800); // real time: processing started before the burst was seen may finish
  const early = await processedCount(ids);
  expect(early).toBeLessThan(10);
  expect(await processedCount(ids)).toBe(early); // nothing more while the burst lasts
  t += 5_000; // the burst is over: the rate decays below the threshold
  await p.idle();
  expect(await statuses(ids)).toEqual(ids.map(() => 'processed/1'));
});

it('processes at a couple of slots once a burst outlasts the deferral limit', async () => {
  const ids = await deliveries(40);
  let t = 0;
  const p = processor({ burstRatePerS: 10, maxDeferMs: 1_000, now: () => t });
  const slotsSeen = new Set<number>();
  // One arrival every 40 ms (25/s) for 1.6 s: a burst from its seventh arrival on.
  for (const [i, id] of ids.entries()) {
    t = i * 40;
    p.enqueue(id, DELIVERY);
    slotsSeen.add(p.slots().tracking);
  }
  expect([...slotsSeen].sort((a, b) => a - b)).toEqual([0, 2, 16]);
  expect(p.slots()).toEqual({ urgent: 2, tracking: 2 });
  await p.idle(); // the clock stands still: the burst never ends, yet every row is processed
  expect(await statuses(ids)).toEqual(ids.map(() => 'processed/1'));
  expect(p.slots().tracking).toBe(2);
});

it('stops sequences at once during a burst of tracking events, unless those events flood too', async () => {
  const ids = await deliveries(40);
  let t = 0;
  const p = processor({ burstRatePerS: 10, urgentFloodRatePerS: 5, now: () => t });
  for (const id of ids) p.enqueue(id, DELIVERY);
  expect(p.slots()).toEqual({ urgent: 2, tracking: 0 });
  const b = await bounce();
  p.enqueue(b.id, BOUNCE);
  await waitFor('the bounce to be processed', async () => (await statuses([b.id]))[0] === 'processed/1');
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: b.leadId } })).status).toBe('bounced');
  expect(await processedCount(ids)).toBeLessThan(10); // the deliveries still wait
  // Urgent events at a flood rate (here over 5/s: three at one instant) wait like the rest.
  for (let i = 0; i < 3; i++) p.enqueue((await bounce()).id, BOUNCE);
  expect(p.slots()).toEqual({ urgent: 0, tracking: 0 });
  t += 5_000;
  await p.idle();
  expect(await statuses(ids)).toEqual(ids.map(() => 'processed/1'));
});

it('processes, on catch-up, rows an earlier process accepted and never tried (but not chat updates)', async () => {
  const ids = await deliveries(5);
  const [chat] = await recordInboxEvents(stack.db, [
    { provider: 'telegram', dedupeKey: `update:${randomUUID()}`, eventType: 'message', payload: { update_id: 1 } },
  ]);
  const p = processor();
  expect(p.busy).toBe(false);
  p.catchUp();
  await p.idle();
  expect(await statuses(ids)).toEqual(ids.map(() => 'processed/1'));
  // The bot's own queue handles those, in order per chat.
  expect(await statuses([chat.id])).toEqual(['pending/0']);
  await stack.db.webhookEvent.delete({ where: { id: chat.id } });
});
