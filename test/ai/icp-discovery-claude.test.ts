// ICP discovery and campaign generation with Claude: the real @anthropic-ai/sdk against a local fake
// of the Messages API (canned tool-use answers, invalid answers, 429s, usage numbers), real
// Temporal and real PostgreSQL. Covers validation retries with feedback, Temporal retrying a 429
// (the SDK's own retries are off), spend recording per skill and workflow, the cost API, and a
// budget that runs out in the middle of a workflow.
import request from 'supertest';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';
import { startAnthropicFake, type AnthropicFake, type FakeReply } from '../fakes/anthropic-fake';
import { cannedResponder } from './helpers/canned';
import { startTestSite, type TestSite } from './helpers/site';
import { newClient, userWithRole, waitFor } from './helpers/tenants';

let stack: TestStack;
let site: TestSite;
let fake: AnthropicFake;
beforeAll(async () => {
  site = await startTestSite();
  fake = await startAnthropicFake();
  stack = await startTestStack({
    env: {
      ICP_SCRAPER_ALLOW_PRIVATE_HOSTS: 'true',
      ANTHROPIC_API_KEY: 'sk-ant-test-key',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL_GENERATION: 'claude-sonnet-5-5',
      ANTHROPIC_MODEL_FAST: 'claude-haiku-4-5',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await fake?.close();
  await site?.close();
});
beforeEach(() => fake.reset());

const api = () => request(stack.app);

async function analyzeAndWait(auth: Record<string, string>, clientId: string, until: string[] = ['awaiting_confirmation', 'failed']) {
  const started = (await api().post('/api/v1/onboarding/analyze').set(auth).send({ clientId, websiteUrl: site.url }).expect(202)).body;
  const status = await waitFor(
    async () => (await api().get(`/api/v1/onboarding/status/${started.jobId}`).set(auth).expect(200)).body,
    (b) => until.includes(b.status),
    60_000,
    'ICP discovery',
  );
  return { ...started, status };
}

describe('with Claude', () => {
  it('runs every skill through Claude, retrying an invalid answer with feedback and a 429 through Temporal, and records the spend', async () => {
    const client = await newClient(stack.db, { name: 'Brightwave Digital' });
    const member = await userWithRole(stack.db, client.id, 'member');
    const viewer = await userWithRole(stack.db, client.id, 'viewer');
    fake.setResponder(
      cannedResponder({
        // An out-of-range share first: sent back as an error tool_result, then answered properly.
        submit_industry_classifier: (_req, n): FakeReply | undefined =>
          n === 1
            ? {
                kind: 'tool',
                input: { industries: [{ industry: 'dental', companyCount: 2, share: 1.5, isPrimary: true, confidence: 0.9 }], companyIndustries: [] },
              }
            : undefined,
        // Rate limited once: the activity fails (retryable) and Temporal retries it after Retry-After.
        submit_icp_deriver: (_req, n): FakeReply | undefined => (n === 1 ? { kind: 'error', status: 429, retryAfter: 1 } : undefined),
      }),
    );
    fake.setDefaultUsage({ input_tokens: 2000, output_tokens: 400 });
    const { jobId, workflowId, status } = await analyzeAndWait(member.auth, client.id);
    expect(status.status).toBe('awaiting_confirmation');

    // Every skill's request went to the right model with its tool forced; the SDK never retried by itself.
    const tools = fake.requests.map((r) => `${r.tool}@${r.body.model}`);
    expect(tools).toEqual([
      'submit_website_parser@claude-haiku-4-5',
      'submit_service_extractor@claude-haiku-4-5',
      'submit_value_prop_extractor@claude-haiku-4-5',
      'submit_portfolio_extractor@claude-haiku-4-5',
      'submit_industry_classifier@claude-haiku-4-5',
      'submit_industry_classifier@claude-haiku-4-5',
      'submit_company_size_estimator@claude-haiku-4-5',
      'submit_icp_deriver@claude-sonnet-5-5',
      'submit_icp_deriver@claude-sonnet-5-5',
      'submit_als_weight_suggester@claude-haiku-4-5',
    ]);
    const feedback = fake.requests[5].body.messages[2].content as Array<{ type: string; is_error: boolean; content: string }>;
    expect(feedback[0]).toMatchObject({ type: 'tool_result', is_error: true });
    expect(feedback[0].content).toMatch(/industries\[0\]\.share|share/);
    // The scraped text reached Claude; the disallowed page did not.
    const parserPrompt = String(fake.requests[0].body.messages[0].content);
    expect(parserPrompt).toContain('# More patients. Less guesswork.');
    expect(parserPrompt).not.toContain('SECRET-PRIVATE-PAGE');

    const result = (await api().get(`/api/v1/onboarding/result/${jobId}`).set(member.auth).expect(200)).body;
    expect(result.icp).toMatchObject({ industries: ['Dental', 'Legal'], alsWeights: { companyFit: 1.3, timing: 0.8 } });
    expect(Object.values(result.runs).map((r) => (r as { mode: string }).mode)).toEqual(Array(8).fill('ai'));
    expect(result.runs['industry-classifier'].attempts).toBe(2);

    // Spend: one ai_usage row per successful API call (the 429 cost nothing), with skill and workflow.
    const usage = await stack.db.aiUsage.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
    expect(usage).toHaveLength(9);
    expect(new Set(usage.map((u) => u.workflowId))).toEqual(new Set([workflowId]));
    expect(usage.every((u) => u.purpose === 'skill' && u.inputTokens === 2000 && u.outputTokens === 400)).toBe(true);
    expect(usage.filter((u) => u.skillSlug === 'industry-classifier')).toHaveLength(2);
    // haiku: 2000 × $1/M + 400 × $5/M = $0.004; sonnet 5.5: 2000 × $2/M + 400 × $10/M = $0.008.
    expect(usage.find((u) => u.skillSlug === 'icp-deriver')!.costUsd.toString()).toBe('0.008');
    expect(usage.find((u) => u.skillSlug === 'website-parser')!.costUsd.toString()).toBe('0.004');

    const costs = (await api().get(`/api/v1/clients/${client.id}/costs/ai?days=7`).set(viewer.auth).expect(200)).body;
    expect(costs.total).toMatchObject({ costUsd: 0.04, calls: 9, inputTokens: 18000, outputTokens: 3600 });
    expect(costs.byDay).toHaveLength(7);
    expect(costs.bySkill).toHaveLength(8);
    expect(costs.bySkill).toContainEqual(expect.objectContaining({ skill: 'industry-classifier', costUsd: 0.008, calls: 2 }));
    expect(costs.byModel).toEqual([
      expect.objectContaining({ model: 'claude-haiku-4-5', costUsd: 0.032, calls: 8 }),
      expect.objectContaining({ model: 'claude-sonnet-5-5', costUsd: 0.008, calls: 1 }),
    ]);
    expect(costs.today).toMatchObject({ budgetUsd: 10, spentUsd: 0.04, remainingUsd: 9.96 });
    const foreign = await userWithRole(stack.db, (await newClient(stack.db)).id, 'owner');
    await api().get(`/api/v1/clients/${client.id}/costs/ai`).set(foreign.auth).expect(404);
    await api().get('/api/v1/admin/costs/ai').set(member.auth).expect(403);
    await api().get(`/api/v1/clients/${client.id}/costs/ai?days=0`).set(viewer.auth).expect(400);
    const admin = (
      await api()
        .get('/api/v1/admin/costs/ai?days=1')
        .set({ Authorization: `Bearer ${stack.adminKey}` })
        .expect(200)
    ).body;
    expect(admin.byClient).toContainEqual(expect.objectContaining({ clientId: client.id, clientName: 'Brightwave Digital', costUsd: 0.04 }));

    await api().post('/api/v1/onboarding/confirm').set(member.auth).send({ jobId }).expect(200);
    recordHistory(workflowId, 'icp-discovery-claude');

    // Campaign generation with Claude: an SMS over 160 characters is sent back once, then fixed.
    fake.reset();
    let smsCalls = 0;
    fake.setResponder(
      cannedResponder({
        submit_messaging_generator: (req): FakeReply | undefined => {
          if (!/^Channel: sms/m.test(String(req.body.messages[0].content)) || ++smsCalls > 1) return undefined;
          return {
            kind: 'tool',
            input: { channel: 'sms', text: `Hi {{firstName|there}}, ${'we help dental practices grow with SEO and ads. '.repeat(4)}Reply STOP to opt out` },
          };
        },
      }),
    );
    const gen = (await api().post('/api/v1/campaigns/generate').set(member.auth).send({ clientId: client.id }).expect(202)).body;
    const done = await waitFor(
      async () => (await api().get(`/api/v1/campaigns/generate/${gen.jobId}`).set(member.auth).expect(200)).body,
      (b) => b.status === 'completed' || b.status === 'failed',
      60_000,
      'generation',
    );
    expect(done).toMatchObject({ status: 'completed' });
    const smsRetry = fake.requests.filter((r) => r.tool === 'submit_messaging_generator' && /^Channel: sms/m.test(String(r.body.messages[0].content)));
    expect(smsRetry).toHaveLength(2);
    expect(JSON.stringify(smsRetry[1].body.messages[2].content)).toMatch(/the SMS is about \d+ characters once merge fields are filled; the limit is 160/);
    const templates = (await api().get(`/api/v1/campaigns/templates?clientId=${client.id}`).set(member.auth).expect(200)).body.data;
    expect(templates.map((t: { name: string }) => t.name).sort()).toEqual(['Dental growth', 'Legal growth']);
    const legal = templates.find((t: { industry: string }) => t.industry === 'Legal');
    // Claude's timing for the primary industry; the legal campaign keeps its structure, retimed by the plan.
    expect(templates.find((t: { industry: string }) => t.industry === 'Dental').sequence.touches.map((t: { day: number }) => t.day)).toEqual([
      0, 3, 5, 9, 12, 16,
    ]);
    expect(legal.sequence.touches.map((t: { day: number }) => t.day)).toEqual([0, 3, 5, 9, 13, 18]);
    // Copy re-targeted to the segment's audience (quoted facts untouched).
    expect(legal.messaging.templates.email_intro.body).toContain('We help law firms fill their books');
    expect(legal.messaging.templates.linkedin_connect.body).toContain('I work with law firms');
    const genUsage = await stack.db.aiUsage.findMany({ where: { clientId: client.id, workflowId: gen.workflowId } });
    expect(genUsage.map((u) => u.skillSlug).sort()).toEqual([
      'campaign-splitter',
      'messaging-generator',
      'messaging-generator',
      'messaging-generator',
      'messaging-generator',
      'messaging-generator',
      'messaging-generator',
      'sequence-builder',
    ]);
    recordHistory(gen.workflowId, 'campaign-generation-claude');
  });

  it('shows progress by query while the skills run: step, percent and partial results', async () => {
    const client = await newClient(stack.db);
    const member = await userWithRole(stack.db, client.id, 'member');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const respond = cannedResponder();
    fake.setResponder(async (req) => {
      if (req.tool === 'submit_portfolio_extractor') await gate;
      return respond(req);
    });
    const { jobId } = (await api().post('/api/v1/onboarding/analyze').set(member.auth).send({ clientId: client.id, websiteUrl: site.url }).expect(202)).body;
    const mid = await waitFor(
      async () => (await api().get(`/api/v1/onboarding/status/${jobId}`).set(member.auth).expect(200)).body,
      (b) => b.step === 'portfolio-extractor',
      30_000,
      'the portfolio step',
    );
    expect(mid).toMatchObject({
      status: 'running',
      source: 'workflow',
      percent: 44,
      completedSteps: ['scrape', 'website-parser', 'service-extractor', 'value-prop-extractor'],
    });
    expect(mid.partial['service-extractor']).toEqual({ services: ['SEO', 'Google Ads management'], mode: 'ai' });
    expect(mid.partial['value-prop-extractor'].targetAudience).toBe('dental practices and law firms');
    expect(mid.partial['portfolio-extractor']).toBeUndefined();
    release();
    const done = await waitFor(
      async () => (await api().get(`/api/v1/onboarding/status/${jobId}`).set(member.auth).expect(200)).body,
      (b) => b.status === 'awaiting_confirmation',
      30_000,
      'the draft',
    );
    expect(done.partial['portfolio-extractor']).toMatchObject({ companies: 3 });
  });

  it('stops with AIBudgetExceeded when the daily budget runs out mid-workflow', async () => {
    // $0.0035 a call (1000 in + 500 out on haiku): a $0.01 budget allows three calls.
    const client = await newClient(stack.db, { aiDailyBudgetUsd: '0.01' });
    const member = await userWithRole(stack.db, client.id, 'member');
    fake.setResponder(cannedResponder());
    fake.setDefaultUsage({ input_tokens: 1000, output_tokens: 500 });
    const { jobId, workflowId, status } = await analyzeAndWait(member.auth, client.id, ['failed', 'awaiting_confirmation']);
    expect(status.status).toBe('failed');
    expect(status.error).toMatch(new RegExp(`AI daily budget exceeded for client ${client.id}: spent \\$0\\.0105 of \\$0\\.01`));
    expect(fake.requests.map((r) => r.tool)).toEqual(['submit_website_parser', 'submit_service_extractor', 'submit_value_prop_extractor']);
    // The workflow ends (failed) once the job row says so.
    const err = await stack.temporal.workflow
      .getHandle(workflowId)
      .result()
      .catch((e: Error & { cause?: Error }) => e);
    expect(String((err as Error & { cause?: Error }).cause?.message)).toMatch(/ICP discovery failed at portfolio-extractor: AI daily budget exceeded/);
    const job = await stack.db.onboardingJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: 'failed', step: 'value-prop-extractor' });
    expect(job.error).toMatch(/AI daily budget exceeded/);
    // Not retried: the budget failure is non-retryable, so exactly three calls were made and recorded.
    expect(await stack.db.aiUsage.count({ where: { clientId: client.id } })).toBe(3);
    recordHistory(workflowId, 'icp-discovery-budget-exceeded');
  });

  it('fails the job with the validation error when Claude keeps answering invalid output', async () => {
    const client = await newClient(stack.db);
    const member = await userWithRole(stack.db, client.id, 'member');
    fake.setResponder(
      cannedResponder({
        submit_company_size_estimator: () => ({
          kind: 'tool',
          input: { employeeEstimate: 18, range: 'about twenty', confidence: 0.9, foundedYear: null, offices: null, signals: [] },
        }),
      }),
    );
    const { status } = await analyzeAndWait(member.auth, client.id);
    expect(status.status).toBe('failed');
    expect(status.error).toMatch(/submit_company_size_estimator output was invalid after 3 attempt\(s\): .*range/s);
    expect(fake.requests.filter((r) => r.tool === 'submit_company_size_estimator')).toHaveLength(3);
  });
});
