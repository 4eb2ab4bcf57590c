// Request limits (per API key and per IP, 429 + Retry-After, health and webhooks never limited, configurable),
// the body size limit, NUL characters refused, and CORS (only the configured origins).
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/api/app';
import { FixedWindowCounter } from '../../src/api/rate-limit';
import { loadConfig } from '../../src/config';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';
import { expectConforms } from './conformance';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** The stack's app with some settings changed (parsed as the real config parses them). */
function appWith(env: Record<string, string>): Express {
  const parsed = loadConfig(env);
  const changed = Object.fromEntries(Object.keys(env).map((k) => [k, parsed[k as keyof typeof parsed]]));
  return createApp({
    config: { ...stack.config, ...changed },
    logger: stack.logger,
    db: stack.db,
    temporal: stack.temporal,
    taskQueue: stack.taskQueue,
    version: 'test',
  });
}

/**
 * The limits count in fixed wall-clock minutes: a test that counts hits must not straddle one
 * (the counts would start again halfway). Waits out the last seconds of the current minute.
 */
async function clearOfMinuteBoundary(needMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 50));
}

describe('FixedWindowCounter', () => {
  it('allows `limit` hits per minute per key and resets with the next window', () => {
    let now = 60_000 * 1000 + 15_000;
    const c = new FixedWindowCounter(2, () => now);
    expect(c.hit('a')).toMatchObject({ allowed: true, remaining: 1, resetMs: 45_000 });
    expect(c.hit('a').allowed).toBe(true);
    expect(c.hit('a')).toMatchObject({ allowed: false, remaining: 0 });
    expect(c.hit('b').allowed).toBe(true);
    now += 45_000;
    expect(c.hit('a')).toMatchObject({ allowed: true, resetMs: 60_000 });
  });
});

describe('per-key limit', () => {
  it('answers 429 with Retry-After once a key has used its minute; other keys and health checks go on', async () => {
    await clearOfMinuteBoundary();
    const app = appWith({ RATE_LIMIT_PER_KEY: '3', RATE_LIMIT_PER_IP: '0' });
    const a = await createClientWithUser(stack.db);
    const b = await createClientWithUser(stack.db);
    const path = `/api/v1/clients/${a.client.id}`;
    for (let i = 0; i < 3; i++) {
      const ok = await request(app).get(path).set(a.auth).expect(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await request(app).get(path).set(a.auth).expect(429);
    expectConforms('get', path, limited);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'key', limit: 3 } });
    const retry = Number(limited.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(limited.headers['x-request-id']).toBeTruthy();
    // Another key is unaffected; health checks are never limited.
    await request(app).get(`/api/v1/clients/${b.client.id}`).set(b.auth).expect(200);
    for (let i = 0; i < 10; i++) await request(app).get('/api/v1/health/live').set(a.auth).expect(200);
  });

  it('also limits made-up keys (guessing costs a 429, not a database lookup)', async () => {
    await clearOfMinuteBoundary();
    const app = appWith({ RATE_LIMIT_PER_KEY: '2', RATE_LIMIT_PER_IP: '0' });
    const fake = { Authorization: `Bearer aos_guessguessgu_${'x'.repeat(40)}` };
    await request(app).get('/api/v1/keys').set(fake).expect(401);
    await request(app).get('/api/v1/keys').set(fake).expect(401);
    await request(app).get('/api/v1/keys').set(fake).expect(429);
  });
});

describe('per-IP limit', () => {
  it('counts every request from an address, with or without a key', async () => {
    await clearOfMinuteBoundary();
    const app = appWith({ RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_IP: '4' });
    const a = await createClientWithUser(stack.db);
    const b = await createClientWithUser(stack.db);
    await request(app).get('/api/v1/keys').set(a.auth).expect(200);
    await request(app).get('/api/v1/keys').set(b.auth).expect(200);
    await request(app).get('/api/v1/keys').expect(401);
    await request(app).get('/u/not-a-token').expect(400);
    const limited = await request(app).get('/api/v1/keys').set(b.auth).expect(429);
    expect(limited.body.error.details).toMatchObject({ scope: 'ip', limit: 4 });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    // Health checks and provider webhooks (which check their own credentials) are not limited.
    await request(app).get('/api/v1/health').expect(200);
    await request(app).post('/api/v1/webhooks/postmark').send({}).expect(401);
  });

  it('is off when set to 0, and the defaults leave ordinary use alone', async () => {
    expect(loadConfig({})).toMatchObject({ RATE_LIMIT_PER_KEY: 600, RATE_LIMIT_PER_IP: 1200 });
    expect(() => loadConfig({ RATE_LIMIT_PER_KEY: '-1' })).toThrow(/RATE_LIMIT_PER_KEY/);
    const app = appWith({ RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_USER: '0', RATE_LIMIT_PER_IP: '0' });
    const a = await createClientWithUser(stack.db);
    for (let i = 0; i < 20; i++) {
      const res = await request(app).get('/api/v1/keys').set(a.auth).expect(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('body size limit', () => {
  it('answers 413 in the error shape for a body over 256 KB, before anything changes', async () => {
    const a = await createClientWithUser(stack.db);
    const res = await request(stack.app)
      .post('/api/v1/keys')
      .set(a.auth)
      .send({ name: 'x'.repeat(300 * 1024) })
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stack.db.apiKey.count({ where: { userId: a.user.id } })).toBe(1);
  });
});

describe('NUL characters', () => {
  it('answers 400 for U+0000 in a body, a query or a CSV import (PostgreSQL text cannot store it)', async () => {
    const a = await createClientWithUser(stack.db);
    const key = await request(stack.app).post('/api/v1/keys').set(a.auth).send({ name: 'a\u0000b' }).expect(400);
    expect(key.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: ['name'] }] });
    const q = await request(stack.app).get(`/api/v1/clients/${a.client.id}/audit?entityId=%00`).set(a.auth).expect(400);
    expect(q.body.error.details[0].path).toEqual(['entityId']);
    const nested = await request(stack.app)
      .post(`/api/v1/clients/${a.client.id}/leads/bulk`)
      .set(a.auth)
      .send({ leads: [{ email: 'x@y.example', firstName: 'a\u0000' }] })
      .expect(400);
    expect(nested.body.error.details[0].path).toEqual(['leads', '0', 'firstName']);
    await request(stack.app)
      .post(`/api/v1/clients/${a.client.id}/leads/bulk`)
      .set(a.auth)
      .set('Content-Type', 'text/csv')
      .send('email,first_name\nx@y.example,a\u0000\n')
      .expect(400);
    expect(await stack.db.lead.count({ where: { clientId: a.client.id } })).toBe(0);
    expect(await stack.db.apiKey.count({ where: { userId: a.user.id } })).toBe(1);
  });
});

describe('CORS', () => {
  it('sends no CORS headers unless origins are configured', async () => {
    const res = await request(stack.app).get('/api/v1/health').set('Origin', 'https://dash.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(stack.app).options('/api/v1/keys').set('Origin', 'https://dash.example').set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows exactly the configured origins and answers their preflights', async () => {
    const app = appWith({ CORS_ORIGINS: 'https://dash.example, https://ops.example/' });
    const a = await createClientWithUser(stack.db);
    const pre = await request(app)
      .options('/api/v1/keys')
      .set('Origin', 'https://dash.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type')
      .expect(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://dash.example');
    expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(pre.headers['access-control-allow-methods']).toMatch(/PATCH/);
    expect(pre.headers.vary).toMatch(/Origin/);
    const res = await request(app).get('/api/v1/keys').set(a.auth).set('Origin', 'https://ops.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://ops.example');
    expect(res.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const evil = await request(app).get('/api/v1/keys').set(a.auth).set('Origin', 'https://evil.example').expect(200);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});
