// Outbound webhooks against real servers: the API manages a client's endpoint, events written with
// emitEvent reach a loopback receiver signed per Standard Webhooks (checked with the `standardwebhooks`
// library there), through the worker's dispatcher and webhookDeliveryWorkflow on the dev server.
// Long retry schedules are in outbound-retries.test.ts (time-skipping).
import request from 'supertest';
import { emitEvent } from '../../src/engines/events';
import { workflowIds } from '../../workflows/ids';
import { startTestStack, type TestStack } from '../harness/stack';
import { recordHistory } from '../harness/histories';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';

let stack: TestStack;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  stack = await startTestStack({ env: { CALLBACK_ALLOW_PRIVATE_HOSTS: 'true' } });
});
afterAll(async () => {
  await stack?.stop();
  for (const r of receivers) await r.fake.close();
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function tenantWithEndpoint(body: Record<string, unknown> = {}) {
  const t = await createClientWithUser(stack.db);
  const rx = await receiver();
  const res = await request(stack.app)
    .post(`/api/v1/clients/${t.client.id}/webhook-endpoints`)
    .set(t.auth)
    .send({ url: rx.url, ...body });
  expect(res.status).toBe(201);
  rx.secret = res.body.secret as string;
  return { ...t, rx, endpointId: res.body.endpoint.id as string, base: `/api/v1/clients/${t.client.id}/webhook-endpoints/${res.body.endpoint.id}` };
}

async function deliveries(t: { auth: Record<string, string>; base: string }) {
  const res = await request(stack.app).get(`${t.base}/deliveries`).set(t.auth);
  expect(res.status).toBe(200);
  return res.body.data as {
    id: string;
    eventId: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    latencyMs: number | null;
    attemptLog: { series: number; number: number; statusCode: number | null; latencyMs: number }[];
  }[];
}

async function settled(t: { auth: Record<string, string>; base: string }, n = 1) {
  for (;;) {
    const d = await deliveries(t);
    if (d.length >= n && d.every((x) => x.status !== 'pending')) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('delivers a committed event to the endpoint, signed so that standardwebhooks verifies it, and logs the attempt', async () => {
  const t = await tenantWithEndpoint({ description: 'CRM' });
  expect(t.rx.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  const lead = await createLead(stack.db, t.client.id);
  const event = await stack.db.$transaction((tx) =>
    emitEvent(tx, { clientId: t.client.id, type: 'lead.bounced', leadId: lead.id, data: { channel: 'email' } }),
  );

  const [got] = await t.rx.waitFor(1);
  expect(got.verifyError).toBeUndefined();
  expect(got.verified).toBe(true);
  expect(got.id).toBe(event.id);
  expect(got.payload).toEqual({
    type: 'lead.bounced',
    timestamp: event.createdAt.toISOString(),
    data: { channel: 'email', eventId: event.id, leadId: lead.id, leadSeq: 1 },
  });
  // A receiver holding another secret rejects it: the signature is over this body with this secret.
  t.rx.secret = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
  expect(t.rx.received()[0].verified).toBe(false);

  const [d] = await settled(t);
  expect(d).toMatchObject({ eventId: event.id, status: 'succeeded', attempts: 1, lastStatusCode: 200 });
  expect(d.latencyMs).toEqual(expect.any(Number));
  expect(d.attemptLog).toEqual([expect.objectContaining({ series: 0, number: 1, statusCode: 200, succeeded: true, error: null })]);
  expect((await stack.db.outboundEvent.findUniqueOrThrow({ where: { id: event.id } })).dispatchedAt).not.toBeNull();
});

it('shows the secret once: never in get, list or the stored row; rotation shows a new one', async () => {
  const t = await tenantWithEndpoint();
  const get = await request(stack.app).get(t.base).set(t.auth);
  const list = await request(stack.app).get(`/api/v1/clients/${t.client.id}/webhook-endpoints`).set(t.auth);
  expect(JSON.stringify(get.body)).not.toContain('whsec_');
  expect(JSON.stringify(list.body)).not.toContain('whsec_');
  expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([t.endpointId]);
  const row = await stack.db.webhookEndpoint.findUniqueOrThrow({ where: { id: t.endpointId } });
  expect(row.secretEncrypted).not.toContain(t.rx.secret!.slice(6));

  const rotated = await request(stack.app).post(`${t.base}/rotate-secret`).set(t.auth);
  expect(rotated.status).toBe(200);
  expect(rotated.body.secret).toMatch(/^whsec_/);
  expect(rotated.body.secret).not.toBe(t.rx.secret);
  t.rx.secret = rotated.body.secret as string;
  const test = await request(stack.app).post(`${t.base}/test`).set(t.auth);
  expect(test.status).toBe(202);
  const [got] = await t.rx.waitFor(1);
  expect(got.verified).toBe(true);
});

it('the test route sends webhook.test to that endpoint only', async () => {
  const a = await tenantWithEndpoint();
  // Another endpoint of the same client, subscribed to everything.
  const other = await receiver();
  const second = await request(stack.app).post(`/api/v1/clients/${a.client.id}/webhook-endpoints`).set(a.auth).send({ url: other.url });
  expect(second.status).toBe(201);

  const res = await request(stack.app).post(`${a.base}/test`).set(a.auth);
  expect(res.status).toBe(202);
  const [got] = await a.rx.waitFor(1);
  expect(got.verified).toBe(true);
  expect(got.payload).toMatchObject({ type: 'webhook.test', data: { eventId: res.body.eventId, endpointId: a.endpointId, leadId: null, leadSeq: null } });
  expect((await settled(a))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  expect(await stack.db.webhookDelivery.count({ where: { endpointId: second.body.endpoint.id } })).toBe(0);
  expect(other.fake.requests).toHaveLength(0);
});

it("numbers one lead's events 1, 2 so the receiver can order them, and sends only subscribed types", async () => {
  const t = await tenantWithEndpoint({ eventTypes: ['reply.received', 'sequence.completed'] });
  const lead = await createLead(stack.db, t.client.id);
  const first = await stack.db.$transaction((tx) =>
    emitEvent(tx, { clientId: t.client.id, type: 'reply.received', leadId: lead.id, data: { intent: 'interested' } }),
  );
  const skipped = await stack.db.$transaction((tx) => emitEvent(tx, { clientId: t.client.id, type: 'lead.bounced', leadId: lead.id, data: {} }));
  const third = await stack.db.$transaction((tx) =>
    emitEvent(tx, { clientId: t.client.id, type: 'sequence.completed', leadId: lead.id, data: { outcome: 'stopped' } }),
  );

  const got = await t.rx.waitFor(2);
  const seqOf = Object.fromEntries(got.map((g) => [g.payload.data.eventId, g.payload.data.leadSeq]));
  expect(seqOf).toEqual({ [first.id]: 1, [third.id]: 3 });
  expect(got.every((g) => g.verified)).toBe(true);
  // The unsubscribed type still took its number (the lead's sequence has no gaps), but no delivery.
  expect(skipped.leadSeq).toBe(2);
  await settled(t, 2);
  expect(await stack.db.webhookDelivery.count({ where: { eventId: skipped.id } })).toBe(0);
});

it("delivers nothing of one client's events to another client's endpoint, and hides endpoints across tenants", async () => {
  const a = await tenantWithEndpoint();
  const b = await tenantWithEndpoint();
  const event = await stack.db.$transaction((tx) => emitEvent(tx, { clientId: a.client.id, type: 'run.completed', data: { runId: 'r1' } }));
  await a.rx.waitFor(1);
  await settled(a);
  expect(await stack.db.webhookDelivery.count({ where: { eventId: event.id } })).toBe(1);
  expect(b.rx.fake.requests).toHaveLength(0);
  // B's owner with A's endpoint (in B's path, and in A's) is a 404.
  expect((await request(stack.app).get(`/api/v1/clients/${b.client.id}/webhook-endpoints/${a.endpointId}`).set(b.auth)).status).toBe(404);
  expect((await request(stack.app).get(`${a.base}/deliveries`).set(b.auth)).status).toBe(404);
});

it('410 Gone disables the endpoint at once, tells its owners by email and writes an audit row', async () => {
  const t = await tenantWithEndpoint();
  t.rx.fake.failNext(410, { error: 'gone' }, 1);
  const event = await stack.db.$transaction((tx) => emitEvent(tx, { clientId: t.client.id, type: 'campaign.status_changed', data: { to: 'paused' } }));
  const [d] = await settled(t);
  expect(d).toMatchObject({ eventId: event.id, status: 'failed', attempts: 1, lastStatusCode: 410 });
  const endpoint = (await request(stack.app).get(t.base).set(t.auth)).body.endpoint;
  expect(endpoint).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
  expect(await stack.db.auditLog.count({ where: { entityId: t.endpointId, action: 'webhook_endpoint.auto_disable' } })).toBe(1);
  for (;;) {
    const mail = await stack.db.sandboxMessage.findFirst({ where: { clientId: t.client.id, recipient: t.user.email } });
    if (mail) {
      expect(JSON.stringify(mail.payload)).toContain('A webhook endpoint was disabled');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // A disabled endpoint gets no new deliveries; re-enabling it resets its failure count.
  await stack.db.$transaction((tx) => emitEvent(tx, { clientId: t.client.id, type: 'run.completed', data: {} }));
  await stack.dispatcher!.kick();
  expect(await stack.db.webhookDelivery.count({ where: { endpointId: t.endpointId } })).toBe(1);
  const enabled = await request(stack.app).patch(t.base).set(t.auth).send({ enabled: true });
  expect(enabled.body.endpoint).toMatchObject({ enabled: true, disabledAt: null, consecutiveFailures: 0 });
});

it('redelivers a finished delivery as a new attempt series, same webhook-id, logged with its status code', async () => {
  const t = await tenantWithEndpoint();
  const event = await stack.db.$transaction((tx) => emitEvent(tx, { clientId: t.client.id, type: 'lead.unsubscribed', data: { source: 'link' } }));
  const [d] = await settled(t);
  const res = await request(stack.app).post(`${t.base}/deliveries/${d.id}/redeliver`).set(t.auth);
  expect(res.status).toBe(202);
  expect(res.body.delivery).toMatchObject({ status: 'pending', redeliveries: 1 });
  const got = await t.rx.waitFor(2);
  expect(got.map((g) => g.id)).toEqual([event.id, event.id]);
  expect(got.every((g) => g.verified)).toBe(true);
  const [again] = await settled(t);
  expect(again).toMatchObject({ status: 'succeeded', attempts: 2 });
  expect(again.attemptLog.map((a) => [a.series, a.number, a.statusCode])).toEqual([
    [0, 1, 200],
    [1, 1, 200],
  ]);
  const wf = await stack.temporal.workflow.getHandle(workflowIds.delivery(t.endpointId, event.id)).describe();
  expect(wf.workflowId).toBe(`delivery:${t.endpointId}:${event.id}`);
  recordHistory(wf.workflowId, 'webhook-delivery-redelivered');
  expect(await stack.db.auditLog.count({ where: { entityId: d.id, action: 'webhook_delivery.redeliver' } })).toBe(1);
});

it('validates endpoints: event types from the list, https unless private hosts are allowed, viewers cannot manage', async () => {
  const t = await tenantWithEndpoint();
  const base = `/api/v1/clients/${t.client.id}/webhook-endpoints`;
  const bad = await request(stack.app)
    .post(base)
    .set(t.auth)
    .send({ url: t.rx.url, eventTypes: ['lead.exploded'] });
  expect(bad.status).toBe(400);
  expect((await request(stack.app).post(base).set(t.auth).send({ url: 'ftp://example.com/x' })).status).toBe(400);
  expect((await request(stack.app).patch(t.base).set(t.auth).send({})).status).toBe(400);
  expect(await stack.db.webhookEndpoint.count({ where: { clientId: t.client.id } })).toBe(1);
  const del = await request(stack.app).delete(t.base).set(t.auth);
  expect(del.status).toBe(204);
  expect((await request(stack.app).get(t.base).set(t.auth)).status).toBe(404);
});
