// Webhook input and authentication hardening (issue 13 items 5, 6, 10): a malformed event never
// costs the good ones batched with it; Twilio takes form bodies only; credentials are checked before
// the body is parsed; failed authentications are limited per IP, good credentials never.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { InboxBatchWriter } from '../../src/engines/inbox/batch-writer';
import { startTestStack, type TestStack } from '../harness/stack';
import { fixture, postmarkAuth, secretHeader, twilioSid, twilioSignature, WEBHOOK_ENV } from './helpers';

const TELEGRAM_SECRET = 'telegram-webhook-secret-0123456789';
const FAILURES_PER_IP = 3;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    env: {
      ...WEBHOOK_ENV,
      // Never called: every Telegram request here fails authentication.
      TELEGRAM_BOT_TOKEN: '123456:telegram-test-token',
      TELEGRAM_BASE_URL: 'http://127.0.0.1:9',
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      WEBHOOK_AUTH_FAILURES_PER_IP: String(FAILURES_PER_IP),
      // Each case comes from its own address (X-Forwarded-For), believed only from a trusted proxy.
      TRUST_PROXY: 'loopback',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

type Delivery = { MessageID: string; DeliveredAt: string; Recipient: string } & Record<string, unknown>;
const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  ...fixture<Delivery>('postmark', 'delivery'),
  MessageID: randomUUID(),
  Recipient: `${randomUUID()}@lead.example`,
  ...over,
});
const deliveryKey = (d: Delivery) => `Delivery:${d.MessageID}:${d.DeliveredAt}:${d.Recipient}`;

const smsForm = (over: Record<string, string>) => ({ ...fixture<Record<string, string>>('twilio', 'inbound-sms'), ...over });

// Each test its own made-up client address (the app trusts X-Forwarded-For from loopback), so the
// per-IP failure counts of one test never reach another.
let ipSeq = 10;
const freshIp = () => `198.51.100.${ipSeq++}`;

describe('a malformed event in a burst (item 5)', () => {
  it('answers the bad event 400 and stores every good one batched with it', async () => {
    const ip = freshIp();
    const good = Array.from({ length: 88 }, () => delivery());
    const badKey = delivery({ MessageID: `${randomUUID()}\u0000x` });
    const nulInKey = { ...delivery(), 'Odd\u0000Field': 'value\u0000' };
    const bodies: Delivery[] = [...good.slice(0, 44), badKey, nulInKey, ...good.slice(44)];
    const responses = await Promise.all(
      bodies.map((b) => request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).set('X-Forwarded-For', ip).send(b)),
    );
    const statusOf = (b: Delivery) => responses[bodies.indexOf(b)].status;

    expect(good.map(statusOf)).toEqual(good.map(() => 200));
    expect(statusOf(badKey)).toBe(400);
    expect(responses[bodies.indexOf(badKey)].body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: ['MessageID'] }] });
    // A NUL in a key (or value) of the payload is stored as U+FFFD.
    expect(statusOf(nulInKey)).toBe(200);

    const stored = await stack.db.webhookEvent.findMany({ where: { provider: 'postmark', dedupeKey: { in: [...good, nulInKey].map(deliveryKey) } } });
    expect(stored).toHaveLength(good.length + 1);
    const odd = stored.find((r) => r.dedupeKey === deliveryKey(nulInKey))!;
    expect(odd.payload).toMatchObject({ 'Odd\uFFFDField': 'value\uFFFD' });
    expect(await stack.db.webhookEvent.count({ where: { dedupeKey: { startsWith: `Delivery:${badKey.MessageID.slice(0, 36)}` } } })).toBe(0);
  });

  it('the inbox writer fails only the event the database refuses, not its batch', async () => {
    const writer = new InboxBatchWriter(stack.db);
    const events = Array.from({ length: 12 }, (_, i) => ({
      provider: 'test',
      dedupeKey: i === 5 ? `bad\u0000${randomUUID()}` : randomUUID(),
      eventType: 'probe',
      payload: { i },
    }));
    const results = await Promise.allSettled(events.map((e) => writer.record(e)));
    expect(results.map((r) => r.status)).toEqual(events.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    expect(await stack.db.webhookEvent.count({ where: { provider: 'test', eventType: 'probe' } })).toBe(11);
  });
});

describe('Twilio bodies (item 6)', () => {
  it('refuses a JSON body whose signature covers only the URL (415) and stores nothing', async () => {
    const sid = twilioSid();
    const body = smsForm({ MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, Body: 'STOP' });
    // Twilio signs URL + sorted form fields; with a JSON body there are no form fields to sign.
    const res = await request(stack.app)
      .post('/api/v1/webhooks/twilio')
      .set('X-Twilio-Signature', twilioSignature({}))
      .set('X-Forwarded-For', freshIp())
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await stack.db.webhookEvent.count({ where: { provider: 'twilio', dedupeKey: { contains: sid } } })).toBe(0);

    // The same message form-encoded and signed over its fields is accepted.
    const ok = await request(stack.app).post('/api/v1/webhooks/twilio').set('X-Twilio-Signature', twilioSignature(body)).type('form').send(body);
    expect(ok.status).toBe(200);
  });
});

describe('credentials before the body (item 10)', () => {
  const routes: Array<{ path: string; bad: Record<string, string>; status: number }> = [
    { path: '/api/v1/webhooks/postmark', bad: postmarkAuth(WEBHOOK_ENV.POSTMARK_WEBHOOK_USER, 'wrong'), status: 401 },
    { path: '/api/v1/webhooks/heyreach', bad: secretHeader('wrong-secret'), status: 403 },
    { path: '/api/v1/webhooks/vapi', bad: {}, status: 401 },
    { path: '/api/v1/webhooks/telegram', bad: { 'X-Telegram-Bot-Api-Secret-Token': 'wrong' }, status: 403 },
  ];

  it.each(routes)('$path refuses bad credentials without parsing a malformed or oversized body', async ({ path, bad, status }) => {
    const ip = freshIp();
    const malformed = await request(stack.app).post(path).set(bad).set('X-Forwarded-For', ip).set('Content-Type', 'application/json').send('{"not json');
    expect(malformed.status).toBe(status);
    const oversized = await request(stack.app)
      .post(path)
      .set(bad)
      .set('X-Forwarded-For', ip)
      .send({ pad: 'x'.repeat(300 * 1024) });
    expect(oversized.status).toBe(status);
  });

  it('still parses (and refuses) bodies that come with good credentials', async () => {
    const malformed = await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).set('Content-Type', 'application/json').send('{"not json');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
    const oversized = await request(stack.app)
      .post('/api/v1/webhooks/heyreach')
      .set(secretHeader())
      .send({ pad: 'x'.repeat(300 * 1024) });
    expect(oversized.status).toBe(413);
  });

  it('limits failed authentications per IP (429 with Retry-After), never a good credential', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    // Failures count in fixed wall-clock minutes: if the run straddles one the count starts again,
    // so allow for up to two windows' worth before expecting the 429.
    for (let i = 0; i < 2 * FAILURES_PER_IP + 2 && !limited; i++) {
      const res = await request(stack.app)
        .post('/api/v1/webhooks/postmark')
        .set(postmarkAuth('guess', `guess-${i}`))
        .set('X-Forwarded-For', ip)
        .send(delivery());
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, FAILURES_PER_IP)).toEqual(Array(FAILURES_PER_IP).fill(401));
    expect(limited).toBeDefined();
    expect(limited!.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'ip', limit: FAILURES_PER_IP } });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Every webhook route shares the count: a Twilio request without a signature is limited too.
    expect((await request(stack.app).post('/api/v1/webhooks/twilio').set('X-Forwarded-For', ip).type('form').send({ a: 'b' })).status).toBe(429);

    // Good credentials from the limited address go through, on every route.
    const ok = await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).set('X-Forwarded-For', ip).send(delivery());
    expect(ok.status).toBe(200);
    const sid = twilioSid();
    const form = smsForm({ MessageSid: sid, SmsSid: sid, SmsMessageSid: sid });
    expect(
      (
        await request(stack.app)
          .post('/api/v1/webhooks/twilio')
          .set('X-Twilio-Signature', twilioSignature(form))
          .set('X-Forwarded-For', ip)
          .type('form')
          .send(form)
      ).status,
    ).toBe(200);
    // Another address is unaffected.
    expect(
      (await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth('guess', 'x')).set('X-Forwarded-For', freshIp()).send(delivery())).status,
    ).toBe(401);
  });
});
