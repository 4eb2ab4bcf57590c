// A soft-deleted client's onboarding jobs, generation jobs and templates answer 404 like the
// client itself, on their top-level routes too.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

it('hides the jobs and templates of a deleted client', async () => {
  const { client, auth } = await createClientWithUser(stack.db);
  const job = await stack.db.onboardingJob.create({ data: { clientId: client.id, websiteUrl: 'https://example.com', status: 'confirmed' } });
  const gen = await stack.db.campaignGenerationJob.create({ data: { clientId: client.id, status: 'completed' } });
  const tpl = await stack.db.campaignTemplate.create({ data: { clientId: client.id, name: 't', sequence: {}, messaging: {} } });
  await request(stack.app).get(`/api/v1/onboarding/status/${job.id}`).set(auth).expect(200);
  await request(stack.app).get(`/api/v1/campaigns/templates/${tpl.id}`).set(auth).expect(200);
  await request(stack.app).get(`/api/v1/campaigns/generate/${gen.id}`).set(auth).expect(200);

  await stack.db.client.update({ where: { id: client.id }, data: { deletedAt: new Date() } });
  await request(stack.app).get(`/api/v1/onboarding/status/${job.id}`).set(auth).expect(404);
  await request(stack.app).get(`/api/v1/onboarding/result/${job.id}`).set(auth).expect(404);
  await request(stack.app).get(`/api/v1/campaigns/templates/${tpl.id}`).set(auth).expect(404);
  await request(stack.app).get(`/api/v1/campaigns/generate/${gen.id}`).set(auth).expect(404);
  await request(stack.app).post(`/api/v1/campaigns/templates/${tpl.id}/launch`).set(auth).send({}).expect(404);
});
