// Prometheus metrics against real servers: GET /metrics on the API (token, no tenant data, counters
// that move when a webhook is accepted and processed, a send goes out through the real Postmark SDK
// against its fake, Claude spend is recorded, requests are timed by route pattern), the database-
// state gauges, and a worker process (`ROLE=worker`, as production runs it) whose metrics port serves
// the Temporal SDK's worker metrics and its own counters, moved by a real outbound webhook delivery.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser, createLead } from '../harness/fixtures';
import { has, parsePrometheus, total, type Sample } from '../harness/prometheus';
import { freePort } from '../harness/ports';
import { harnessValue } from '../harness/env';
import { startMain, type MainProcess } from '../harness/process';
import { fixture, inboxRow, postmarkAuth, waitFor, WEBHOOK_ENV } from '../webhooks/helpers';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../fakes/postmark-fake';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver';
import { PostmarkEmailProvider } from '../../src/integrations/postmark/email-provider';
import { listUnsubscribeHeaders } from '../../src/engines/compliance/email-compliance';
import { executeSend } from '../../src/engines/outbound/send';
import { sendKey } from '../../src/engines/send-ledger';
import { recordUsage } from '../../src/engines/ai/spend-limiter';
import { refreshState } from '../../src/engines/state-metrics';
import { emitEvent } from '../../src/engines/events';
import { SEEN_AFTER_WORK } from '../deploy/temporal-series';

jest.setTimeout(240_000);

const TOKEN = 'metrics-token-0123456789abcdef';
let stack: TestStack;
let postmark: PostmarkFake;

beforeAll(async () => {
  stack = await startTestStack({ env: { ...WEBHOOK_ENV, METRICS_TOKEN: TOKEN, CALLBACK_ALLOW_PRIVATE_HOSTS: 'true' }, webhookDispatcher: false });
  postmark = await startPostmarkFake();
});
afterAll(async () => {
  await stack?.stop();
  await postmark?.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await request(stack.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.text, samples: parsePrometheus(res.text) };
}

describe('GET /metrics on the API', () => {
  it('answers only the bearer of METRICS_TOKEN, outside API-key auth', async () => {
    const none = await request(stack.app).get('/metrics').expect(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    await request(stack.app).get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789abcdef').expect(401);
    // An API key is not the metrics token.
    await request(stack.app).get('/metrics').set('Authorization', `Bearer ${stack.adminKey}`).expect(401);
    const { samples } = await scrape();
    for (const name of ['process_cpu_user_seconds_total', 'agency_os_inbox_oldest_pending_age_seconds', 'agency_os_review_queue_pending'])
      expect(has(samples, name)).toBe(true);
  });

  it('moves its counters when work happens, and labels them with no tenant data', async () => {
    const { client, auth } = await createClientWithUser(stack.db);
    const lead = await createLead(stack.db, client.id);
    const before = (await scrape()).samples;

    // An API request, timed under its route pattern.
    await request(stack.app).get(`/api/v1/clients/${client.id}/leads/${lead.id}`).set(auth).expect(200);
    await request(stack.app).get(`/api/v1/clients/${client.id}/leads/${randomUUID()}`).set(auth).expect(404);

    // A provider webhook accepted (then redelivered) and processed (no lead sent it: left pending).
    const delivery: Record<string, string> = { ...fixture<Record<string, string>>('postmark', 'delivery'), MessageID: randomUUID() };
    await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(delivery).expect(200);
    await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send(delivery).expect(200);
    const key = `Delivery:${delivery.MessageID}:${delivery.DeliveredAt}:${delivery.Recipient}`;
    await waitFor('the webhook processed once', async () => ((await inboxRow(stack.db, 'postmark', key))?.attempts ?? 0) >= 1);

    // A send through the send state machine and the real Postmark SDK (against its fake); its
    // retry only reports the recorded outcome and is not counted again.
    const resource = await stack.db.sendResource.create({
      data: { clientId: client.id, channel: 'email', identifier: `m-${randomUUID()}.agency.example`, dailyLimit: 50 },
    });
    const ledgerKey = {
      idempotencyKey: sendKey(`sequence:${randomUUID()}:${lead.id}`, 1),
      clientId: client.id,
      campaignId: randomUUID(),
      leadId: lead.id,
      channel: 'email' as const,
      touchNumber: 1,
    };
    const send = () =>
      executeSend(stack.db, {
        key: ledgerKey,
        day: '2026-07-06',
        candidates: [{ id: resource.id, identifier: resource.identifier, dailyLimit: 50 }],
        reloadCandidates: async () => [],
        message: {
          channel: 'email',
          clientId: client.id,
          idempotencyKey: ledgerKey.idempotencyKey,
          to: { email: lead.email! },
          from: { name: 'Sam', email: 'sam@agency.example' },
          subject: 'Hello',
          text: 'Hi there',
          headers: listUnsubscribeHeaders('https://agency-os.test/u/token'),
          metadata: { idempotency_key: ledgerKey.idempotencyKey },
        },
        useResource: (m, id) => (m.from.resource = id),
        provider: new PostmarkEmailProvider({ serverToken: POSTMARK_FAKE_TOKEN, baseUrl: postmark.url }),
        price: 1,
        metadata: { kind: 'email_intro' },
      });
    expect((await send()).status).toBe('sent');
    expect((await send()).status).toBe('sent');

    // Claude spend, recorded where ai_usage rows are written.
    await recordUsage(stack.db, {
      clientId: client.id,
      model: 'claude-haiku-4-5',
      inputTokens: 1200,
      outputTokens: 300,
      costUsd: 0.0042,
      purpose: 'reply_classification',
    });

    const { text, samples: after } = await scrape();
    const moved = (name: string, where: Record<string, string> = {}) => total(after, name, where) - total(before, name, where);
    expect(moved('agency_os_http_request_duration_seconds_count', { route: '/api/v1/clients/{clientId}/leads/{leadId}', status: '200' })).toBe(1);
    expect(moved('agency_os_http_request_duration_seconds_count', { route: '/api/v1/clients/{clientId}/leads/{leadId}', status: '404' })).toBe(1);
    expect(moved('agency_os_http_request_duration_seconds_count', { route: '/api/v1/webhooks/postmark', status: '200' })).toBe(2);
    expect(moved('agency_os_webhook_events_accepted_total', { provider: 'postmark', duplicate: 'false' })).toBe(1);
    expect(moved('agency_os_webhook_events_accepted_total', { provider: 'postmark', duplicate: 'true' })).toBe(1);
    expect(moved('agency_os_webhook_events_processed_total', { provider: 'postmark', outcome: 'pending' })).toBe(1);
    expect(moved('agency_os_sends_total', { channel: 'email', outcome: 'sent' })).toBe(1);
    expect(moved('agency_os_ai_spend_usd_total', { model: 'claude-haiku-4-5', purpose: 'reply_classification' })).toBeCloseTo(0.0042, 9);
    expect(moved('agency_os_ai_tokens_total', { model: 'claude-haiku-4-5', direction: 'input' })).toBe(1200);
    // No tenant data in any label: not the client, the lead, the resource nor the webhook's ids.
    for (const secret of [client.id, lead.id, lead.email!, resource.identifier, delivery.MessageID]) expect(text).not.toContain(secret);
  });

  it('reads the inbox backlog, its oldest untried row and the review queue from the database', async () => {
    const { client } = await createClientWithUser(stack.db);
    const lead = await createLead(stack.db, client.id);
    const receivedAt = new Date(Date.now() - 15 * 60_000);
    // A row no process has tried (accepted, then the process stopped): a quarter of an hour old.
    await stack.db.webhookEvent.create({ data: { provider: 'twilio', dedupeKey: `stalled:${randomUUID()}`, eventType: 'sms', payload: {}, receivedAt } });
    await stack.db.replyReview.create({
      data: { clientId: client.id, leadId: lead.id, channel: 'email', text: 'maybe?', intent: 'question', confidence: 0.4 },
    });
    // The scrape path's query, without its few-second cache (the cache is for scrape storms).
    await refreshState(stack.db, Date.now(), 0);
    const { samples } = await scrape();
    expect(total(samples, 'agency_os_inbox_backlog', { provider: 'twilio' })).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'agency_os_inbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(14 * 60);
    expect(total(samples, 'agency_os_review_queue_pending')).toBeGreaterThanOrEqual(1);
  });
});

describe('the worker process metrics port', () => {
  let main: MainProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  afterAll(async () => {
    if (main && main.child.exitCode === null) {
      main.child.kill('SIGINT');
      await main.exited;
    }
    await receiver?.fake.close();
  });

  it('serves the Temporal SDK worker metrics and the process counters, behind METRICS_TOKEN', async () => {
    const port = await freePort();
    const taskQueue = `metrics-worker-${randomUUID().slice(0, 8)}`;
    main = startMain({
      ROLE: 'worker',
      LOG_LEVEL: 'info',
      DATABASE_URL: stack.database.url,
      TEMPORAL_ADDRESS: harnessValue('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_METRICS_PORT: String(port),
      METRICS_TOKEN: TOKEN,
      SIGNING_SECRET: stack.config.SIGNING_SECRET!,
      CALLBACK_ALLOW_PRIVATE_HOSTS: 'true',
      DATA_DIR: `/tmp/aos-metrics-${taskQueue}`,
    });
    await main.waitFor(/worker metrics listening/, 180_000);
    const url = `http://127.0.0.1:${port}/metrics`;
    const get = async () => {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      return parsePrometheus(await res.text());
    };
    expect((await fetch(url)).status).toBe(401);
    const before = await get();
    expect(has(before, 'temporal_worker_task_slots_available')).toBe(true);
    // The process's own series (it runs no API), but not the database-state gauges the API serves.
    expect(has(before, 'process_cpu_user_seconds_total')).toBe(true);
    expect(has(before, 'agency_os_inbox_backlog')).toBe(false);

    // Work for this worker: an outbound webhook its dispatcher delivers through webhookDeliveryWorkflow.
    receiver = await startWebhookReceiver();
    const t = await createClientWithUser(stack.db);
    const created = await request(stack.app).post(`/api/v1/clients/${t.client.id}/webhook-endpoints`).set(t.auth).send({ url: receiver.url }).expect(201);
    receiver.secret = created.body.secret as string;
    const lead = await createLead(stack.db, t.client.id);
    await stack.db.$transaction((tx) => emitEvent(tx, { clientId: t.client.id, type: 'lead.bounced', leadId: lead.id, data: { channel: 'email' } }));
    await receiver.waitFor(1);
    await waitFor(
      'the delivery recorded as succeeded',
      async () => (await stack.db.webhookDelivery.findFirst({ where: { endpointId: created.body.endpoint.id as string } }))?.status === 'succeeded',
      60_000,
    );

    const after = await waitFor(
      'the worker metrics to show the completed delivery',
      async () => {
        const s = await get();
        return total(s, 'temporal_workflow_completed_total', { task_queue: taskQueue }) >
          total(before, 'temporal_workflow_completed_total', { task_queue: taskQueue })
          ? s
          : null;
      },
      30_000,
    );
    expect(
      total(after, 'agency_os_webhook_delivery_attempts_total', { outcome: 'succeeded' }) -
        total(before, 'agency_os_webhook_delivery_attempts_total', { outcome: 'succeeded' }),
    ).toBe(1);
    expect(total(after, 'temporal_workflow_task_schedule_to_start_latency_count', { task_queue: taskQueue })).toBeGreaterThan(
      total(before, 'temporal_workflow_task_schedule_to_start_latency_count', { task_queue: taskQueue }),
    );
    expect(has(after, 'temporal_sticky_cache_size')).toBe(true);
    // The Temporal series the Grafana dashboard and the alert rules use (test/deploy/temporal-series.ts,
    // checked against them by test/deploy/dashboard.test.ts), as this SDK version really names them.
    expect(SEEN_AFTER_WORK.filter((name) => !has(after, name))).toEqual([]);

    // Logs on a pipe are JSON lines, and the workflow bundler's webpack report is not among them at info.
    const lines = main
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(main.output()).not.toMatch(/webpack|Workflow bundle created/);
  });
});
