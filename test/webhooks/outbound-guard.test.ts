// Endpoint URLs with private hosts not allowed (the default): https on public hosts only.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ webhookDispatcher: false });
});
afterAll(async () => {
  await stack?.stop();
});

it('refuses http, loopback and private addresses, accepts https on a public address', async () => {
  const t = await createClientWithUser(stack.db);
  const base = `/api/v1/clients/${t.client.id}/webhook-endpoints`;
  for (const url of [
    'http://93.184.215.14/hook',
    'https://127.0.0.1/hook',
    'https://localhost/hook',
    'https://10.1.2.3/hook',
    'https://[::1]/hook',
    'https://169.254.169.254/latest',
  ]) {
    const res = await request(stack.app).post(base).set(t.auth).send({ url });
    expect([url, res.status]).toEqual([url, 400]);
  }
  expect(await stack.db.webhookEndpoint.count({ where: { clientId: t.client.id } })).toBe(0);
  const ok = await request(stack.app).post(base).set(t.auth).send({ url: 'https://93.184.215.14/hook' });
  expect(ok.status).toBe(201);
});
