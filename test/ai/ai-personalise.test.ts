// AI personalisation of a rendered touch: the real SDK against the fake Messages API, the cache in
// enrichment_cache (key v1:content:<campaignId>:<leadId>:<touch>), the spend limiter, and the
// per-channel length rules.
import { ApplicationFailure } from '@temporalio/common';
import { createClaudeClient, PriceTable } from '../../src/integrations/anthropic';
import type { AiDeps } from '../../src/engines/ai/structured';
import { contentCacheKey, fitLength, personalizeTouch, type PersonalizeInput } from '../../src/engines/content/ai-personalise';
import { GROWTH_ENGINE } from '../../src/engines/sequence-plan';
import { createTestDatabase, type TestDatabase } from '../harness/database';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';
import { newClient } from './helpers/tenants';

let database: TestDatabase;
let fake: AnthropicFake;
let ai: AiDeps;

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startAnthropicFake();
  ai = {
    db: database.db,
    claude: createClaudeClient({ apiKey: 'sk-ant-test', baseURL: fake.url, models: { generation: 'claude-sonnet-5-5', fast: 'claude-haiku-4-5' } }),
    prices: new PriceTable(),
  };
});
afterAll(async () => {
  await fake?.close();
  await database?.drop();
});
beforeEach(() => fake.reset());

async function setup(opts: { aiPersonalisation: boolean; budget?: string }) {
  const client = await newClient(database.db, { aiDailyBudgetUsd: opts.budget });
  const campaign = await database.db.campaign.create({
    data: { clientId: client.id, name: 'C', sequence: GROWTH_ENGINE as object, aiPersonalisation: opts.aiPersonalisation },
  });
  const lead = await database.db.lead.create({
    data: { clientId: client.id, email: `l${Date.now()}@acme.example`, firstName: 'Jo', companyName: 'Acme Dental' },
  });
  const base = (touch: number, channel: PersonalizeInput['channel'], kind: string, rendered: PersonalizeInput['rendered']): PersonalizeInput => ({
    clientId: client.id,
    campaignId: campaign.id,
    leadId: lead.id,
    touch,
    channel,
    kind,
    rendered,
    lead: { firstName: 'Jo', companyName: 'Acme Dental', companyIndustry: 'Dental', city: 'Sydney', facts: ['Opened a second clinic in March'] },
    agencyName: 'Brightwave',
    workflowId: `sequence:${campaign.id}:${lead.id}`,
  });
  return { client, campaign, lead, base };
}

const email = { subject: 'Quick idea for Acme Dental', body: 'Hi Jo,\n\nWe help dental practices fill their books. Worth 15 minutes?\n\nSam' };

describe('personalizeTouch', () => {
  it('keeps the rendered template when the campaign does not turn personalisation on, or offline', async () => {
    const { base } = await setup({ aiPersonalisation: false });
    expect(await personalizeTouch({ db: database.db, ai }, base(1, 'email', 'email_intro', email))).toEqual({
      ...email,
      personalised: false,
      cached: false,
      reason: 'disabled',
    });
    const on = await setup({ aiPersonalisation: true });
    expect(await personalizeTouch({ db: database.db, ai: null }, on.base(1, 'email', 'email_intro', email))).toMatchObject({
      body: email.body,
      personalised: false,
      reason: 'offline',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('personalises with Claude once per lead and touch, then serves the cache; spend is recorded', async () => {
    const { base, campaign, lead, client } = await setup({ aiPersonalisation: true });
    const personalised = {
      subject: 'Your second clinic, Jo',
      body: 'Hi Jo,\n\nCongratulations on the second clinic. We help dental practices fill new chairs. Worth 15 minutes?\n\nSam',
    };
    fake.enqueue(toolReply(personalised, { input_tokens: 600, output_tokens: 120 }));
    const first = await personalizeTouch({ db: database.db, ai }, base(1, 'email', 'email_intro', email));
    expect(first).toEqual({ ...personalised, personalised: true, cached: false });
    const req = fake.requests[0];
    expect(req.tool).toBe('submit_personalised_message');
    expect(req.body.model).toBe('claude-haiku-4-5');
    expect(String(req.body.messages[0].content)).toContain('Opened a second clinic in March');
    expect(req.body.tools?.[0].input_schema).toMatchObject({ required: expect.arrayContaining(['subject', 'body']) });

    const second = await personalizeTouch({ db: database.db, ai }, base(1, 'email', 'email_intro', email));
    expect(second).toEqual({ ...personalised, personalised: true, cached: true });
    expect(fake.requests).toHaveLength(1);
    const row = await database.db.enrichmentCache.findUniqueOrThrow({ where: { key: contentCacheKey(campaign.id, lead.id, 1) } });
    expect(row.key).toBe(`v1:content:${campaign.id}:${lead.id}:1`);
    expect(row.source).toBe('ai-personalise');
    const usage = await database.db.aiUsage.findMany({ where: { clientId: client.id } });
    expect(usage).toEqual([
      expect.objectContaining({
        purpose: 'content',
        skillSlug: 'ai-personalise',
        inputTokens: 600,
        outputTokens: 120,
        workflowId: base(1, 'email', 'x', email).workflowId,
      }),
    ]);
  });

  it('holds an SMS to 160 characters with its opt-out, and a LinkedIn note to 300, feeding violations back', async () => {
    const { base } = await setup({ aiPersonalisation: true });
    const sms = { body: 'Hi Jo, Sam from Brightwave. We help dental practices grow. Worth a chat? Reply STOP to opt out' };
    fake.enqueue(
      toolReply({ body: `Hi Jo! ${'Congrats on the new clinic in Sydney. '.repeat(4)}Reply STOP to opt out` }),
      toolReply({ body: 'Hi Jo, congrats on the new clinic! Sam from Brightwave: we help dental practices fill chairs. Chat? ' }),
      toolReply({ body: 'Hi Jo, congrats on the new clinic! Sam from Brightwave: we help practices fill chairs. Chat? Reply STOP to opt out' }),
    );
    const out = await personalizeTouch({ db: database.db, ai }, base(4, 'sms', 'sms', sms));
    expect(out.personalised).toBe(true);
    expect(out.body.length).toBeLessThanOrEqual(160);
    expect(out.body).toMatch(/Reply STOP to opt out$/);
    const feedback = fake.requests.slice(1).map((r) => JSON.stringify(r.body.messages.at(-1)?.content));
    expect(feedback[0]).toMatch(/at most 160 characters/);
    expect(feedback[1]).toMatch(/must keep the opt-out/);

    fake.reset();
    fake.enqueue(
      toolReply({ body: 'x'.repeat(301) }),
      toolReply({ body: 'Hi Jo, fellow Sydney-sider here: I help dental practices fill chairs. Would be good to connect. Sam' }),
    );
    const note = await personalizeTouch(
      { db: database.db, ai },
      base(2, 'linkedin', 'linkedin_connect', { body: 'Hi Jo, I help dental practices. Would be good to connect. Sam' }),
    );
    expect(note.body.length).toBeLessThanOrEqual(300);
    expect(JSON.stringify(fake.requests[1].body.messages[2].content)).toMatch(/at most 300 characters/);
  });

  it('falls back to the template when the budget is spent or the output stays invalid; a 429 is left to Temporal', async () => {
    const broke = await setup({ aiPersonalisation: true, budget: '0' });
    expect(await personalizeTouch({ db: database.db, ai }, broke.base(1, 'email', 'email_intro', email))).toMatchObject({
      body: email.body,
      personalised: false,
      reason: 'budget_exceeded',
    });
    expect(fake.requests).toHaveLength(0);

    const { base } = await setup({ aiPersonalisation: true });
    fake.enqueue(toolReply({ body: 'Hi {{firstName|there}}' }), toolReply({ body: 'Hi {{firstName}}' }), toolReply({ body: '' }));
    expect(await personalizeTouch({ db: database.db, ai }, base(3, 'email', 'email_followup', { body: 'Hi Jo, following up. Sam' }))).toMatchObject({
      personalised: false,
      reason: 'invalid_output',
      body: 'Hi Jo, following up. Sam',
    });

    fake.enqueue({ kind: 'error', status: 429, retryAfter: 2 });
    const err = await personalizeTouch({ db: database.db, ai }, base(5, 'voice', 'voice', { body: 'Talking points' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'AIUnavailable', nonRetryable: false, nextRetryDelay: 2000 });
  });

  it('cuts over-long rendered text at a word boundary, keeping an SMS opt-out', () => {
    expect(fitLength('short', 10)).toBe('short');
    const cut = fitLength(`${'word '.repeat(40)}Reply STOP to opt out`, 160, 'Reply STOP to opt out');
    expect(cut.length).toBeLessThanOrEqual(160);
    expect(cut).toMatch(/word… Reply STOP to opt out$/);
  });
});
