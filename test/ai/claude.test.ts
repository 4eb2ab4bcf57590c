// The Claude integration and the spend limiter, through the real @anthropic-ai/sdk against a local
// fake of the Messages API and a real PostgreSQL database.
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import { Prisma } from '../../src/db/client';
import { createClaudeClient, PriceTable, type ClaudeClient } from '../../src/integrations/anthropic';
import { callStructured, toolInputSchema, type AiDeps } from '../../src/engines/ai/structured';
import { aiCostReport, assertWithinBudget, dailySpend, recordUsage } from '../../src/engines/ai/spend-limiter';
import { AI_BUDGET_EXCEEDED, AI_OUTPUT_INVALID, AI_REQUEST_REJECTED, AI_UNAVAILABLE } from '../../src/engines/ai/errors';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';

let database: TestDatabase;
let fake: AnthropicFake;
let claude: ClaudeClient;
let deps: AiDeps;

const Services = z.object({
  services: z.array(z.object({ name: z.string().min(1), confidence: z.number().min(0).max(1) })).min(1),
});
const request = {
  tier: 'fast' as const,
  system: 'You extract services.',
  prompt: 'Site text: We do SEO and Google Ads.',
  toolName: 'record_services',
  toolDescription: 'Record the services found',
  schema: Services,
};
const valid = { services: [{ name: 'SEO', confidence: 0.9 }] };

async function newClient(budget = '10') {
  const n = Math.random().toString(36).slice(2, 8);
  return database.db.client.create({ data: { name: `Client ${n}`, slug: `c-${n}`, aiDailyBudgetUsd: new Prisma.Decimal(budget) } });
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startAnthropicFake();
  claude = createClaudeClient({ apiKey: 'sk-ant-test', baseURL: fake.url, models: { generation: 'claude-sonnet-5-5', fast: 'claude-haiku-4-5' } });
  deps = { db: database.db, claude, prices: new PriceTable() };
});
afterAll(async () => {
  await fake?.close();
  await database?.drop();
});
beforeEach(() => fake.reset());

describe('structured output through tool use', () => {
  it('sends a forced tool whose input_schema is generated from zod, and validates the answer', async () => {
    const client = await newClient();
    fake.enqueue(toolReply(valid, { input_tokens: 1200, output_tokens: 300 }));
    const res = await callStructured(deps, { clientId: client.id, purpose: 'test', skillSlug: 'service-extractor', workflowId: 'wf-1' }, request);
    expect(res.output).toEqual(valid);
    expect(res.attempts).toBe(1);

    const sent = fake.requests[0];
    // This SDK version sends the key as a bearer token (older ones used x-api-key).
    expect(sent.headers['x-api-key'] ?? sent.headers.authorization).toMatch(/^(Bearer )?sk-ant-test$/);
    expect(sent.body.model).toBe('claude-haiku-4-5');
    expect(sent.body.system).toBe('You extract services.');
    expect(sent.body.tool_choice).toEqual({ type: 'tool', name: 'record_services' });
    expect(sent.body.tools?.[0].input_schema).toEqual(toolInputSchema(Services));
    expect(sent.body.tools?.[0].input_schema).toMatchObject({
      type: 'object',
      properties: { services: { type: 'array', minItems: 1 } },
      required: ['services'],
    });

    const rows = await database.db.aiUsage.findMany({ where: { clientId: client.id } });
    expect(rows).toHaveLength(1);
    // haiku 4.5: $1 / $5 per million tokens → 1200 * 1e-6 + 300 * 5e-6 = 0.0027
    expect(rows[0]).toMatchObject({
      model: 'claude-haiku-4-5',
      inputTokens: 1200,
      outputTokens: 300,
      purpose: 'test',
      skillSlug: 'service-extractor',
      workflowId: 'wf-1',
    });
    expect(rows[0].costUsd.toString()).toBe('0.0027');
  });

  it('feeds a validation error back as an error tool_result and accepts the corrected answer', async () => {
    const client = await newClient();
    fake.enqueue(toolReply({ services: [{ name: 'SEO', confidence: 7 }] }), toolReply(valid));
    const res = await callStructured(deps, { clientId: client.id, purpose: 'test' }, request);
    expect(res.output).toEqual(valid);
    expect(res.attempts).toBe(2);
    const second = fake.requests[1].body.messages;
    expect(second).toHaveLength(3);
    expect(second[1].role).toBe('assistant');
    const result = (second[2].content as Array<{ type: string; is_error: boolean; content: string; tool_use_id: string }>)[0];
    expect(result).toMatchObject({ type: 'tool_result', is_error: true, tool_use_id: (second[1].content as Array<{ id: string }>)[0].id });
    expect(result.content).toMatch(/services\[0\]\.confidence|confidence/);
    expect(result.content).toMatch(/<=1|less than or equal to 1/);
    expect(await database.db.aiUsage.count({ where: { clientId: client.id } })).toBe(2);
  });

  it('gives up after three invalid answers (invalid JSON, a text reply, a schema violation) with a non-retryable failure', async () => {
    const client = await newClient();
    fake.enqueue({ kind: 'tool', input: '{"services": [{"name": "SEO",' }, { kind: 'text', text: 'Here are the services: SEO' }, toolReply({ services: [] }));
    const failure = await failureOf(callStructured(deps, { clientId: client.id, purpose: 'test' }, request));
    expect(failure.type).toBe(AI_OUTPUT_INVALID);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/record_services output was invalid after 3 attempt/);
    expect(failure.message).toMatch(/services/);
    expect(failure.message).toMatch(/>=1|at least 1/i);
    expect(fake.requests).toHaveLength(3);
    // The text reply got a plain-text correction (there was no tool_use to answer).
    expect(fake.requests[2].body.messages[4]).toMatchObject({ role: 'user', content: expect.stringMatching(/did not call the record_services tool/) });
    expect(fake.requests[1].body.messages[2].content).toEqual([
      expect.objectContaining({ type: 'tool_result', content: expect.stringMatching(/not valid JSON/) }),
    ]);
    // Every attempt cost money and was recorded.
    expect(await database.db.aiUsage.count({ where: { clientId: client.id } })).toBe(3);
  });

  it('does not retry a 429 itself: one request, a retryable failure carrying Retry-After, nothing recorded', async () => {
    const client = await newClient();
    fake.enqueue({ kind: 'error', status: 429, retryAfter: 3 });
    const failure = await failureOf(callStructured(deps, { clientId: client.id, purpose: 'test' }, request));
    expect(fake.requests).toHaveLength(1);
    expect(failure.type).toBe(AI_UNAVAILABLE);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(3000);
    expect(failure.message).toMatch(/429/);
    expect(await database.db.aiUsage.count({ where: { clientId: client.id } })).toBe(0);
  });

  it('treats 5xx and unreadable bodies as retryable and 400 as a non-retryable rejection', async () => {
    const client = await newClient();
    fake.enqueue({ kind: 'error', status: 529, errorType: 'overloaded_error' });
    const overloaded = await failureOf(callStructured(deps, { clientId: client.id, purpose: 'test' }, request));
    expect(overloaded).toMatchObject({ type: AI_UNAVAILABLE, nonRetryable: false });

    fake.enqueue({ kind: 'raw', body: '{"id": "msg_1", "content": [' });
    const garbled = await failureOf(callStructured(deps, { clientId: client.id, purpose: 'test' }, request));
    expect(garbled).toMatchObject({ type: AI_UNAVAILABLE, nonRetryable: false });

    fake.enqueue({ kind: 'error', status: 400, errorType: 'invalid_request_error', message: 'max_tokens: too large' });
    const rejected = await failureOf(callStructured(deps, { clientId: client.id, purpose: 'test' }, request));
    expect(rejected).toMatchObject({ type: AI_REQUEST_REJECTED, nonRetryable: true });
    expect(rejected.message).toMatch(/max_tokens: too large/);
    expect(fake.requests).toHaveLength(3);
  });
});

describe('spend limiter', () => {
  it('fails fast with AIBudgetExceeded once today’s spend reaches the budget, before calling Claude', async () => {
    // sonnet 5.5 at $2 / $10: 1000 in + 500 out = $0.007 a call; budget $0.01 allows two calls.
    const client = await newClient('0.01');
    fake.setResponder(() => toolReply(valid));
    const gen = { ...request, tier: 'generation' as const };
    await callStructured(deps, { clientId: client.id, purpose: 'test' }, gen);
    await callStructured(deps, { clientId: client.id, purpose: 'test' }, gen);
    const failure = await failureOf(callStructured(deps, { clientId: client.id, purpose: 'test' }, gen));
    expect(failure.type).toBe(AI_BUDGET_EXCEEDED);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(new RegExp(`AI daily budget exceeded for client ${client.id}: spent \\$0\\.0140 of \\$0\\.01`));
    expect(fake.requests).toHaveLength(2);
  });

  it('counts only the client’s own spend on the current UTC day', async () => {
    const client = await newClient('1');
    const other = await newClient('1');
    const now = new Date('2026-03-10T23:30:00Z');
    await recordUsage(
      database.db,
      { clientId: client.id, model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 5, purpose: 'x' },
      new Date('2026-03-09T23:59:59Z'),
    );
    await recordUsage(database.db, { clientId: other.id, model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 5, purpose: 'x' }, now);
    await recordUsage(
      database.db,
      { clientId: client.id, model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0.25, purpose: 'x' },
      new Date('2026-03-10T00:00:00Z'),
    );
    expect(await dailySpend(database.db, client.id, now)).toMatchObject({ day: '2026-03-10', budgetUsd: 1, spentUsd: 0.25, remainingUsd: 0.75 });
    await expect(assertWithinBudget(database.db, client.id, now)).resolves.toBeDefined();
    await expect(assertWithinBudget(database.db, other.id, now)).rejects.toMatchObject({ type: AI_BUDGET_EXCEEDED });
    // The next UTC day starts fresh.
    await expect(assertWithinBudget(database.db, other.id, new Date('2026-03-11T00:00:01Z'))).resolves.toMatchObject({ spentUsd: 0 });
  });

  it('reports spend by day, skill and model', async () => {
    const client = await newClient('1');
    const now = new Date('2026-04-05T12:00:00Z');
    const base = { clientId: client.id, inputTokens: 100, outputTokens: 10, purpose: 'icp' };
    await recordUsage(database.db, { ...base, model: 'claude-haiku-4-5', costUsd: 0.001, skillSlug: 'industry-classifier' }, new Date('2026-04-05T01:00:00Z'));
    await recordUsage(database.db, { ...base, model: 'claude-sonnet-5-5', costUsd: 0.01, skillSlug: 'icp-deriver' }, new Date('2026-04-04T10:00:00Z'));
    await recordUsage(database.db, { ...base, model: 'claude-sonnet-5-5', costUsd: 0.02, skillSlug: 'icp-deriver' }, new Date('2026-04-04T11:00:00Z'));
    await recordUsage(database.db, { ...base, model: 'claude-sonnet-5-5', costUsd: 0.5, purpose: 'content' }, new Date('2026-03-01T11:00:00Z'));
    const report = await aiCostReport(database.db, { clientId: client.id, days: 3, now });
    expect(report.byDay.map((d) => [d.day, d.costUsd, d.calls])).toEqual([
      ['2026-04-03', 0, 0],
      ['2026-04-04', 0.03, 2],
      ['2026-04-05', 0.001, 1],
    ]);
    expect(report.total).toEqual({ costUsd: 0.031, calls: 3, inputTokens: 300, outputTokens: 30 });
    expect(report.bySkill).toEqual([
      expect.objectContaining({ skill: 'icp-deriver', costUsd: 0.03, calls: 2 }),
      expect.objectContaining({ skill: 'industry-classifier', costUsd: 0.001, calls: 1 }),
    ]);
    expect(report.byModel.map((m) => m.model)).toEqual(['claude-sonnet-5-5', 'claude-haiku-4-5']);
    expect(report.byClient).toBeUndefined();
    const month = await aiCostReport(database.db, { clientId: client.id, days: 60, now });
    expect(month.bySkill).toContainEqual(expect.objectContaining({ skill: 'purpose:content', costUsd: 0.5 }));
  });
});

describe('price table', () => {
  it('prices known models, their dated snapshots, overrides, and charges unknown models the ceiling rate', () => {
    const t = new PriceTable({ 'claude-haiku-5-5': { inputPerMTok: 0.5, outputPerMTok: 2.5 } });
    expect(t.costUsd('claude-haiku-4-5', 1_000_000, 0)).toBe(1);
    expect(t.costUsd('claude-haiku-4-5-20251001', 0, 1_000_000)).toBe(5);
    expect(t.costUsd('claude-haiku-5-5', 1_000_000, 1_000_000)).toBe(3);
    expect(t.priceOf('claude-unknown-9').known).toBe(false);
    expect(t.costUsd('claude-unknown-9', 1_000_000, 0)).toBe(5);
  });
});
