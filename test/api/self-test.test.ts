import request from 'supertest';
import { createApiKey } from '../../src/engines/api-keys';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('POST /api/v1/admin/self-test', () => {
  it('needs an API key', async () => {
    const res = await request(stack.app).post('/api/v1/admin/self-test').expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    await request(stack.app).post('/api/v1/admin/self-test').set('Authorization', 'Bearer aos_nope').expect(401);
  });

  it('is for platform admins only', async () => {
    const user = await stack.db.user.create({ data: { email: 'member@test.example' } });
    const { key } = await createApiKey(stack.db, { userId: user.id, name: 'member' });
    const res = await request(stack.app).post('/api/v1/admin/self-test').set('Authorization', `Bearer ${key}`).expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('runs a real workflow whose activity writes and reads a row', async () => {
    const res = await request(stack.app)
      .post('/api/v1/admin/self-test')
      .set('Authorization', `Bearer ${stack.adminKey}`)
      .send({ note: 'hello from the test' })
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, result: { wrote: 'hello from the test', readBack: 'hello from the test' } });
    expect(res.body.durationMs).toEqual(expect.any(Number));

    const row = await stack.db.systemProbe.findUniqueOrThrow({ where: { id: res.body.result.probeId } });
    expect(row.workflowId).toBe(res.body.workflowId);
    expect(row.readBackAt).not.toBeNull();

    const description = await stack.temporal.workflow.getHandle(res.body.workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.ClientId).toEqual(['platform']);
    recordHistory(res.body.workflowId, 'self-test');
  });

  it('forwards worker and activity logs into pino with workflow metadata', async () => {
    const res = await request(stack.app)
      .post('/api/v1/admin/self-test')
      .set('Authorization', `Bearer ${stack.adminKey}`)
      .expect(200);
    // The runtime batches forwarded lines briefly.
    await new Promise((r) => setTimeout(r, 500));
    const line = stack.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'self-test probe written' && l.workflowId === res.body.workflowId);
    expect(line).toMatchObject({ activityType: 'writeProbe', workflowType: 'selfTestWorkflow', taskQueue: stack.taskQueue });
  });
});
