import request from 'supertest';
import { captureLogger, startTestStack, type TestStack } from './harness/stack';
import { redactUrl } from '../src/logger';

describe('log redaction', () => {
  it('removes secrets by key wherever they sit', () => {
    const { logger, lines } = captureLogger('info');
    logger.info(
      { apiKey: 'k-1', token: 't-1', password: 'p-1', nested: { secret: 's-1', authorization: 'Bearer b-1', key: 'aos_x' } },
      'event',
    );
    const out = lines.join('');
    for (const secret of ['k-1', 't-1', 'p-1', 's-1', 'b-1', 'aos_x']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('strips passwords from connection strings', () => {
    expect(redactUrl('postgresql://u:hunter2@localhost:5432/db')).toBe('postgresql://u:***@localhost:5432/db');
  });
});

describe('request logs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
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
      .expect(200);
    await request(stack.app).post('/api/v1/admin/self-test').set('Authorization', 'Bearer aos_wrongwrongwr_' + 'x'.repeat(40)).expect(401);
    const all = stack.logLines.join('');
    expect(all).not.toContain(stack.adminKey);
    expect(all).not.toContain('wrongwrongwr');
    const line = stack.logLines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'redaction-check');
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.res.statusCode).toBe(200);
  });
});
