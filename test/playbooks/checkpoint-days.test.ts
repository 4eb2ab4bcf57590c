// A playbook checkpoint may be answered days later: on the time-skipping server, the email-campaign
// run waits at its first checkpoint while five days pass, then an approval through the API resumes
// it, and so does a second one two weeks on, and the run completes. Nothing in the run (no workflow
// or run timeout, no timer) expires while it waits.
import request from 'supertest';
import { syncPlaybooks } from '../../src/engines/playbooks/library';
import { syncSkills } from '../../src/engines/skill-runs/library';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';
import { createClientWithUser } from '../harness/fixtures';
import { startTestStack, type TestStack } from '../harness/stack';

let claude: AnthropicFake;
let stack: TestStack;
let clientId: string;
let auth: { Authorization: string };

beforeAll(async () => {
  claude = await startAnthropicFake();
  claude.setResponder(async () => toolReply({ title: 'A step', markdown: '# A step\n\nThe output of a step, long enough to be kept.' }));
  // The Java test server's first start on a busy machine can miss the SDK's 5 s (see icp-expiry).
  for (let attempt = 1; ; attempt++) {
    try {
      stack = await startTestStack({ timeSkipping: true, env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: claude.url } });
      break;
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
    }
  }
  await syncSkills(stack.db);
  await syncPlaybooks(stack.db);
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
});
afterAll(async () => {
  await stack?.stop();
  await claude?.close();
});

const api = () => request(stack.app);

async function awaiting(runId: string, step: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await api().get(`/api/v1/playbook-runs/${runId}`).set(auth);
    if (res.body.status === 'awaiting_approval' && res.body.waitingFor?.step === step) return res.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} never awaited ${step}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('waits at a checkpoint for days and resumes on approval', async () => {
  const started = await api().post('/api/v1/playbook-runs').set(auth).send({ playbook: 'email-campaign', clientId, request: 'A launch campaign' });
  expect(started.status).toBe(202);
  const runId = started.body.playbookRunId as string;

  await awaiting(runId, 'brief');
  const before = await stack.env!.currentTimeMs();
  await stack.env!.sleep('5 days');
  expect((await stack.env!.currentTimeMs()) - before).toBeGreaterThanOrEqual(5 * 86_400_000);
  // Still waiting, not timed out or failed.
  expect((await awaiting(runId, 'brief')).status).toBe('awaiting_approval');
  expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve' })).status).toBe(200);

  await awaiting(runId, 'copy');
  await stack.env!.sleep('14 days');
  expect((await api().post(`/api/v1/playbook-runs/${runId}/checkpoint`).set(auth).send({ decision: 'approve' })).status).toBe(200);

  const deadline = Date.now() + 60_000;
  let body;
  do {
    body = (await api().get(`/api/v1/playbook-runs/${runId}`).set(auth)).body;
    if (body.status === 'completed') break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  expect(body.status).toBe('completed');
  expect(body.steps.map((s: { status: string }) => s.status)).toEqual(['approved', 'approved', 'completed']);
});
