// Outbound webhook retries over their real schedule (5 s doubling to an hour, for 24 h) on the
// time-skipping test server: a failing receiver is retried until it answers 2xx; one that fails for
// the whole window has its delivery failed and its endpoint disabled, with an email to the owners.
// Also: an event written while Temporal cannot be reached is dispatched once it can.
import request from 'supertest';
import { emitEvent } from '../../src/engines/events';
import { dispatchPendingEvents } from '../../src/engines/webhooks-out/dispatch';
import { dispatchOutbound } from '../../src/lifecycle/webhook-deliveries';
import type { WebhookDeliveryResult } from '../../workflows/definitions/webhook-delivery';
import { workflowIds } from '../../workflows/ids';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';

let stack: TestStack;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  // Dispatch is called by the tests here, so each knows when its deliveries started.
  stack = await startTestStack({
    timeSkipping: true,
    startAt: '2027-03-03T00:00:00Z',
    webhookDispatcher: false,
    env: { CALLBACK_ALLOW_PRIVATE_HOSTS: 'true' },
  });
});
afterAll(async () => {
  await stack?.stop();
  for (const r of receivers) await r.fake.close();
});

const deliveryDeps = () => ({ db: stack.db, temporal: stack.temporal, taskQueue: stack.taskQueue, windowSeconds: stack.config.WEBHOOK_RETRY_WINDOW_SECONDS });

async function tenantWithEndpoint() {
  const t = await createClientWithUser(stack.db);
  const rx = await startWebhookReceiver();
  receivers.push(rx);
  const res = await request(stack.app).post(`/api/v1/clients/${t.client.id}/webhook-endpoints`).set(t.auth).send({ url: rx.url });
  expect(res.status).toBe(201);
  rx.secret = res.body.secret as string;
  return { ...t, rx, endpointId: res.body.endpoint.id as string, base: `/api/v1/clients/${t.client.id}/webhook-endpoints/${res.body.endpoint.id}` };
}

/** Dispatches, then waits for the delivery's workflow (time skips while the result is awaited). */
async function deliver(endpointId: string, eventId: string): Promise<WebhookDeliveryResult> {
  await dispatchOutbound(deliveryDeps());
  return stack.temporal.workflow.getHandle(workflowIds.delivery(endpointId, eventId)).result() as Promise<WebhookDeliveryResult>;
}

it('retries a receiver that answers 500 until it succeeds, each attempt in the delivery log', async () => {
  const t = await tenantWithEndpoint();
  t.rx.fake.failNext(500, { error: 'down' }, 3);
  const lead = await createLead(stack.db, t.client.id);
  const event = await stack.db.$transaction((tx) =>
    emitEvent(tx, { clientId: t.client.id, type: 'reply.received', leadId: lead.id, data: { intent: 'interested' } }),
  );

  const result = await deliver(t.endpointId, event.id);
  expect(result).toEqual({ status: 'succeeded', attempts: 4 });
  const got = t.rx.received();
  expect(got).toHaveLength(4);
  expect(got.every((g) => g.verified && g.id === event.id)).toBe(true);

  const log = (await request(stack.app).get(`${t.base}/deliveries`).set(t.auth)).body.data[0];
  expect(log).toMatchObject({ status: 'succeeded', attempts: 4, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
  expect(log.attemptLog.map((a: { statusCode: number; error: string | null }) => [a.statusCode, a.error])).toEqual([
    [500, 'answered 500'],
    [500, 'answered 500'],
    [500, 'answered 500'],
    [200, null],
  ]);
  // Backing off 5 s, 10 s, 20 s in the workflow's time (plus each attempt's own duration: lower bounds).
  const at = log.attemptLog.map((a: { at: string }) => Date.parse(a.at));
  const gaps = at.slice(1).map((x: number, i: number) => x - at[i]);
  [5_000, 10_000, 20_000].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min));
  const endpoint = await stack.db.webhookEndpoint.findUniqueOrThrow({ where: { id: t.endpointId } });
  expect(endpoint).toMatchObject({ enabled: true, consecutiveFailures: 0, failingSince: null });
});

it('fails a delivery after 24 h of failed attempts and disables the endpoint, telling its owners', async () => {
  const t = await tenantWithEndpoint();
  t.rx.fake.failNext(503, { error: 'still down' }, 1000);
  const event = await stack.db.$transaction((tx) => emitEvent(tx, { clientId: t.client.id, type: 'run.completed', data: { runId: 'r-1' } }));

  const result = await deliver(t.endpointId, event.id);
  expect(result.status).toBe('failed');
  expect(result.reason).toBe('exhausted');
  const attempts = await stack.db.webhookDeliveryAttempt.findMany({ where: { delivery: { eventId: event.id } }, orderBy: { number: 'asc' } });
  expect(attempts.length).toBe(result.attempts);
  expect(attempts.every((a) => a.statusCode === 503 && !a.succeeded)).toBe(true);
  const span = attempts[attempts.length - 1].createdAt.getTime() - attempts[0].createdAt.getTime();
  expect(span).toBeGreaterThanOrEqual(24 * 3600_000);
  // Doubling from 5 s, capped at an hour: about 34 attempts over the day (not a handful of long waits).
  expect(attempts.length).toBeGreaterThanOrEqual(30);

  const delivery = await stack.db.webhookDelivery.findFirstOrThrow({ where: { eventId: event.id } });
  expect(delivery).toMatchObject({ status: 'failed', nextAttemptAt: null, lastStatusCode: 503 });
  const endpoint = await stack.db.webhookEndpoint.findUniqueOrThrow({ where: { id: t.endpointId } });
  expect(endpoint.enabled).toBe(false);
  expect(endpoint.disabledReason).toMatch(/^every delivery failed for 24 h/);
  expect(await stack.db.auditLog.count({ where: { entityId: t.endpointId, action: 'webhook_endpoint.auto_disable' } })).toBe(1);
  const mail = await stack.db.sandboxMessage.findMany({ where: { clientId: t.client.id, recipient: t.user.email } });
  expect(mail).toHaveLength(1);
  expect(JSON.stringify(mail[0].payload)).toContain(t.rx.url);

  // Redelivery of a failed delivery needs the endpoint enabled again.
  const refused = await request(stack.app).post(`${t.base}/deliveries/${delivery.id}/redeliver`).set(t.auth);
  expect(refused.status).toBe(409);
});

it('leaves an event undispatched while Temporal cannot be reached and dispatches it when it can', async () => {
  const t = await tenantWithEndpoint();
  const event = await stack.db.$transaction((tx) => emitEvent(tx, { clientId: t.client.id, type: 'lead.bounced', data: {} }));
  const down = dispatchPendingEvents(stack.db, {
    workflowId: workflowIds.delivery,
    start: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')),
  });
  await expect(down).rejects.toThrow('UNAVAILABLE');
  expect((await stack.db.outboundEvent.findUniqueOrThrow({ where: { id: event.id } })).dispatchedAt).toBeNull();

  const result = await deliver(t.endpointId, event.id);
  expect(result).toEqual({ status: 'succeeded', attempts: 1 });
  expect((await stack.db.outboundEvent.findUniqueOrThrow({ where: { id: event.id } })).dispatchedAt).not.toBeNull();
  // A second pass starts nothing again (the finished delivery's id is not reused).
  await stack.db.outboundEvent.update({ where: { id: event.id }, data: { dispatchedAt: null } });
  await dispatchOutbound(deliveryDeps());
  expect(t.rx.fake.requests).toHaveLength(1);
});
