import request from 'supertest';
import { createApiKey } from '../../src/engines/api-keys';
import { awaitAdminRun } from '../harness/admin-runs';
import { recordHistory } from '../harness/histories';
import { expectConforms } from './conformance';
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

  it('starts a real workflow (202) whose activity writes and reads a row; the status URL reports the result', async () => {
    const res = await request(stack.app)
      .post('/api/v1/admin/self-test')
      .set('Authorization', `Bearer ${stack.adminKey}`)
      .send({ note: 'hello from the test' })
      .expect(202);
    expectConforms('post', '/api/v1/admin/self-test', res);
    expect(res.body).toMatchObject({ status: 'running', statusUrl: `/api/v1/admin/self-test/${res.body.testId}` });
    expect(res.headers.location).toBe(res.body.statusUrl);

    const done = await awaitAdminRun(stack.app, stack.adminKey, res.body.statusUrl);
    expect(done).toMatchObject({
      status: 'completed',
      testId: res.body.testId,
      workflowId: res.body.workflowId,
      result: { ok: true, wrote: 'hello from the test', readBack: 'hello from the test' },
    });
    expect(done.durationMs).toEqual(expect.any(Number));

    const result = done.result as { probeId: string };
    const row = await stack.db.systemProbe.findUniqueOrThrow({ where: { id: result.probeId } });
    expect(row.workflowId).toBe(res.body.workflowId);
    expect(row.readBackAt).not.toBeNull();

    const description = await stack.temporal.workflow.getHandle(res.body.workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.ClientId).toEqual(['platform']);
    recordHistory(res.body.workflowId, 'self-test');
  });

  it('answers 404 for a self-test that was never started, and 403 to non-admins', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await request(stack.app).get(`/api/v1/admin/self-test/${unknown}`).set('Authorization', `Bearer ${stack.adminKey}`).expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    await request(stack.app).get('/api/v1/admin/self-test/not-a-uuid').set('Authorization', `Bearer ${stack.adminKey}`).expect(400);
    const user = await stack.db.user.create({ data: { email: 'viewer-status@test.example' } });
    const { key } = await createApiKey(stack.db, { userId: user.id, name: 'member' });
    await request(stack.app).get(`/api/v1/admin/self-test/${unknown}`).set('Authorization', `Bearer ${key}`).expect(403);
  });

  it('forwards worker and activity logs into pino with workflow metadata', async () => {
    const res = await request(stack.app).post('/api/v1/admin/self-test').set('Authorization', `Bearer ${stack.adminKey}`).expect(202);
    await awaitAdminRun(stack.app, stack.adminKey, res.body.statusUrl);
    // The runtime batches forwarded lines briefly.
    await new Promise((r) => setTimeout(r, 500));
    const line = stack.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'self-test probe written' && l.workflowId === res.body.workflowId);
    expect(line).toMatchObject({ activityType: 'writeProbe', workflowType: 'selfTestWorkflow', taskQueue: stack.taskQueue });
  });
});
