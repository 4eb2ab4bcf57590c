import request from 'supertest';
import { captureLogger, startTestStack, type TestStack } from './harness/stack';
import { redactRequestUrl, redactUrl } from '../src/logger';
import { signUnsubscribeToken } from '../src/engines/compliance/unsubscribe-token';
import { createClientWithUser, createLead } from './harness/fixtures';
import { configuredSecrets, secretsInLogs } from './harness/log-secrets';
import { postmarkAuth, secretHeader, twilioSignature, WEBHOOK_ENV } from './webhooks/helpers';

describe('log redaction', () => {
  it('removes secrets by key wherever they sit', () => {
    const { logger, lines } = captureLogger('info');
    logger.info({ apiKey: 'k-1', token: 't-1', password: 'p-1', nested: { secret: 's-1', authorization: 'Bearer b-1', key: 'aos_x' } }, 'event');
    const out = lines.join('');
    for (const secret of ['k-1', 't-1', 'p-1', 's-1', 'b-1', 'aos_x']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('redacts token-bearing paths and query parameters of request URLs', () => {
    expect(redactRequestUrl('/u/eyJhbGciOi.c2lnbmF0dXJl')).toBe('/u/[redacted]');
    expect(redactRequestUrl('/u/abc.def?x=1')).toBe('/u/[redacted]?x=1');
    expect(redactRequestUrl('https://agency.example/u/abc.def')).toBe('https://agency.example/u/[redacted]');
    expect(redactRequestUrl('/api/v1/outputs/1/download?token=t0k&sig=s1g&format=md#top')).toBe(
      '/api/v1/outputs/1/download?token=[redacted]&sig=[redacted]&format=md#top',
    );
    expect(redactRequestUrl('/api/v1/users?u=1')).toBe('/api/v1/users?u=1');
  });

  it('strips passwords from connection strings', () => {
    expect(redactUrl('postgresql://u:hunter2@localhost:5432/db')).toBe('postgresql://u:***@localhost:5432/db');
  });
});

describe('request logs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: WEBHOOK_ENV });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('never contain the API key or authorization header', async () => {
    await request(stack.app)
      .post('/api/v1/admin/self-test')
      .set('Authorization', `Bearer ${stack.adminKey}`)
      .set('X-Request-Id', 'redaction-check')
      .send({ note: 'n' })
      .expect(202);
    await request(stack.app)
      .post('/api/v1/admin/self-test')
      .set('Authorization', 'Bearer aos_wrongwrongwr_' + 'x'.repeat(40))
      .expect(401);
    const all = stack.logLines.join('');
    expect(all).not.toContain(stack.adminKey);
    expect(all).not.toContain('wrongwrongwr');
    const line = stack.logLines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'redaction-check');
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.res.statusCode).toBe(202);
  });
});

describe('secrets in a run of requests', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: WEBHOOK_ENV });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('never logs unsubscribe tokens, webhook credentials or API keys', async () => {
    const { client } = await createClientWithUser(stack.db);
    const lead = await createLead(stack.db, client.id);
    const token = signUnsubscribeToken(
      { clientId: client.id, leadId: lead.id, channel: 'email', issuedAt: Math.floor(Date.now() / 1000) },
      stack.config.SIGNING_SECRET!,
    );
    const from = stack.logLines.length;

    await request(stack.app).get(`/u/${token}`).set('Accept', 'text/html').set('X-Request-Id', 'unsubscribe-page').expect(200);
    // The confirmation page posts back to itself: the browser sends the token in the Referer too.
    await request(stack.app).post(`/u/${token}`).set('Referer', `http://agency-os.test/u/${token}`).type('form').send('List-Unsubscribe=One-Click').expect(200);
    await request(stack.app).get(`/u/${token}x`).expect(400);
    await request(stack.app).get(`/api/v1/keys?token=${token}`).set('Authorization', `Bearer ${stack.adminKey}`);
    // Webhooks with good and bad credentials.
    await request(stack.app).post('/api/v1/webhooks/postmark').set(postmarkAuth()).send({ RecordType: 'Delivery' }).expect(400);
    await request(stack.app)
      .post('/api/v1/webhooks/postmark')
      .set(postmarkAuth(WEBHOOK_ENV.POSTMARK_WEBHOOK_USER, `${WEBHOOK_ENV.POSTMARK_WEBHOOK_PASSWORD}x`))
      .send({})
      .expect(401);
    await request(stack.app)
      .post('/api/v1/webhooks/vapi')
      .set(secretHeader())
      .send({ message: { type: 'speech-update' } })
      .expect(200);
    await request(stack.app)
      .post('/api/v1/webhooks/heyreach')
      .set(secretHeader(`${WEBHOOK_ENV.WEBHOOK_SHARED_SECRET}x`))
      .send({})
      .expect(403);
    await request(stack.app)
      .post('/api/v1/webhooks/twilio')
      .set('X-Twilio-Signature', twilioSignature({ a: 'b' }))
      .type('form')
      .send({ a: 'b' })
      .expect(400);

    const lines = stack.logLines.slice(from);
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(lines.filter((l) => l.includes(token.split('.')[0]) || l.includes(token.split('.')[1]))).toEqual([]);
    expect(secretsInLogs(lines, configuredSecrets(stack.config, [stack.adminKey]))).toEqual([]);
    const page = lines.map((l) => JSON.parse(l) as { req?: { id?: string; url?: string } }).find((l) => l.req?.id === 'unsubscribe-page');
    expect(page?.req?.url).toBe('/u/[redacted]');
  });
});
