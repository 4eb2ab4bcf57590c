import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { createDb } from '../../src/db/client';
import { startScratchPostgres } from '../../prisma/tools/scratch-postgres';
import { freePort } from '../harness/ports';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('health', () => {
  it('answers liveness and process health', async () => {
    const live = await request(stack.app).get('/api/v1/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok' });
    const health = await request(stack.app).get('/api/v1/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', version: 'test' });
  });

  it('is ready when the database and Temporal answer', async () => {
    const res = await request(stack.app).get('/api/v1/health/ready').expect(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks.database.ok).toBe(true);
    expect(res.body.checks.temporal.ok).toBe(true);
  });

  it('answers 503 naming the database when PostgreSQL is stopped', async () => {
    const pg = await startScratchPostgres();
    const db = createDb(pg.url);
    const app = createApp({ ...depsOf(stack), db });
    try {
      await request(app).get('/api/v1/health/ready').expect(200);
      await pg.stop();
      const res = await request(app).get('/api/v1/health/ready').expect(503);
      expect(res.body.error.code).toBe('NOT_READY');
      expect(res.body.error.details.failed).toEqual(['database']);
      expect(res.body.error.details.checks.temporal.ok).toBe(true);
    } finally {
      await db.$disconnect().catch(() => undefined);
      await pg.stop();
    }
  });

  it('answers 503 naming Temporal when it cannot be reached', async () => {
    // No retry interceptor: its timers would outlive the closed connection.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500, interceptors: [] });
    const temporal = new Client({ connection, namespace: 'default' });
    const app = createApp({ ...depsOf(stack), temporal });
    const res = await request(app).get('/api/v1/health/ready').expect(503);
    expect(res.body.error.details.failed).toEqual(['temporal']);
    await connection.close();
  });
});

describe('API basics', () => {
  it('echoes a request id, or makes one', async () => {
    const given = await request(stack.app).get('/api/v1/health').set('X-Request-Id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await request(stack.app).get('/api/v1/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers', async () => {
    const res = await request(stack.app).get('/api/v1/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await request(stack.app).get('/api/v1/nope').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for GET /api/v1/nope' } });
  });

  it('rejects malformed JSON with 400 and oversized bodies with 413', async () => {
    const auth = { Authorization: `Bearer ${stack.adminKey}` };
    const bad = await request(stack.app).post('/api/v1/admin/self-test').set(auth).set('Content-Type', 'application/json').send('{"note": ').expect(400);
    expect(bad.body.error.code).toBe('MALFORMED_JSON');
    const big = await request(stack.app)
      .post('/api/v1/admin/self-test')
      .set(auth)
      .send({ note: 'x'.repeat(300 * 1024) })
      .expect(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(JSON.stringify(big.body)).not.toMatch(/at .+\.js/);
  });

  it('answers invalid input with 400 and the zod issues', async () => {
    const res = await request(stack.app)
      .post('/api/v1/admin/self-test')
      .set({ Authorization: `Bearer ${stack.adminKey}` })
      .send({ note: 42 })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details[0].path).toEqual(['note']);
  });
});

function depsOf(s: TestStack) {
  return { config: s.config, logger: s.logger, db: s.db, temporal: s.temporal, taskQueue: s.taskQueue, version: 'test' };
}
