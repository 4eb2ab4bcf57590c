// Skill detection through POST /api/v1/skills/detect: commands, trigger phrases, ambiguous messages
// settled by the small Claude model (fake Anthropic server through the real SDK), the client named
// in the message; and, without an API key, the best match with its low confidence or a clear
// "could not tell".
import request from 'supertest';
import { detectSkill, keywordCandidates, parseCommand, words } from '../../src/engines/skill-runs/detect';
import { syncSkills } from '../../src/engines/skill-runs/library';
import { startAnthropicFake, toolReply, type AnthropicFake } from '../fakes/anthropic-fake';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
let fake: AnthropicFake;
let yaz: { id: string; name: string };
let bright: { id: string; name: string };
let twoClients: { Authorization: string };
let oneClient: { Authorization: string };

beforeAll(async () => {
  fake = await startAnthropicFake();
  stack = await startTestStack({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.url } });
  await syncSkills(stack.db);
  const a = await createClientWithUser(stack.db);
  yaz = await stack.db.client.update({ where: { id: a.client.id }, data: { name: 'Yaz Automate' }, select: { id: true, name: true } });
  const b = await createClientWithUser(stack.db);
  bright = await stack.db.client.update({ where: { id: b.client.id }, data: { name: 'Brightwave Digital' }, select: { id: true, name: true } });
  await stack.db.membership.create({ data: { clientId: bright.id, userId: a.user.id, role: 'member' } });
  twoClients = a.auth;
  oneClient = (await addUser(stack.db, bright.id, 'member')).auth;
});
afterAll(async () => {
  await stack?.stop();
  await fake?.close();
});
beforeEach(() => fake.reset());

const detect = (auth: Record<string, string>, body: object) => request(stack.app).post('/api/v1/skills/detect').set(auth).send(body);

describe('commands and trigger phrases', () => {
  it.each([
    ['/copywriting Write a homepage for Yaz Automate', 'copywriting', 'command', 1],
    ['/ad_copy three Google headlines for Yaz Automate', 'ad-copy', 'command', 1],
    ['/email-sequence@AgencyBot welcome series for Yaz Automate', 'email-sequence', 'command', 1],
    ['Write homepage copy for Yaz Automate', 'copywriting', 'keyword', 0.8],
    ['Draft a nurture sequence for Yaz Automate trial users', 'email-sequence', 'keyword', 0.8],
    ['We need Google Ads headlines for Yaz Automate', 'ad-copy', 'keyword', 0.85],
    ['Write a LinkedIn post for Yaz Automate about our new office', 'social-content', 'keyword', 0.8],
    ['Turn this idea into a spec for Yaz Automate: an app for dog walkers', 'idea-to-spec', 'keyword', 0.9],
    ['Our landing page is not converting, Yaz Automate needs a CRO audit', 'page-cro', 'keyword', 0.85],
    ['Yaz Automate: write a launch plan for the beta launch', 'launch-strategy', 'keyword', 0.85],
  ])('%s → %s', async (message, skill, method, confidence) => {
    const res = await detect(twoClients, { message });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ skill, method, client: yaz });
    expect(res.body.confidence).toBeCloseTo(confidence, 2);
    expect(fake.requests).toHaveLength(0);
  });

  it('strips the command from the request', async () => {
    const res = await detect(twoClients, { message: '/copywriting   About page for Yaz Automate' });
    expect(res.body.request).toBe('About page for Yaz Automate');
  });

  it('an unknown command falls back to the phrases', async () => {
    const res = await detect(twoClients, { message: '/write homepage copy for Yaz Automate' });
    expect(res.body).toMatchObject({ skill: 'copywriting', method: 'keyword' });
  });
});

describe('ambiguous messages', () => {
  it('are settled by the small model, billed to the client named', async () => {
    fake.enqueue(toolReply({ skill: 'seo-content', confidence: 0.82, reason: 'A blog post is SEO content.' }));
    const res = await detect(twoClients, { message: 'A blog post about our product launch for Brightwave Digital' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ skill: 'seo-content', method: 'llm', confidence: 0.82, client: bright });
    expect(res.body.candidates.map((c: { slug: string }) => c.slug).sort()).toEqual(['launch-strategy', 'seo-content']);
    const sent = fake.requests[0];
    expect(sent.tool).toBe('choose_skill');
    expect(sent.body.model).toBe(stack.config.ANTHROPIC_MODEL_FAST);
    // Only the candidates are offered.
    expect(String(sent.body.messages[0].content)).toMatch(/- launch-strategy:[\s\S]*- seo-content:/);
    expect(String(sent.body.messages[0].content)).not.toContain('- copywriting:');
    const usage = await stack.db.aiUsage.findMany({ where: { clientId: bright.id, purpose: 'skill-detection' } });
    expect(usage).toHaveLength(1);
  });

  it('a message matching nothing goes to the model with every skill', async () => {
    fake.enqueue(toolReply({ skill: 'none', confidence: 0.9, reason: 'Not a marketing request.' }));
    const res = await detect(oneClient, { message: 'What is the weather like tomorrow?' });
    expect(res.body).toMatchObject({ skill: null, method: 'llm', client: bright });
    expect(res.body.note).toMatch(/^Could not tell which skill you want\. Start your message with one of: .*\/copywriting/);
    expect(String(fake.requests[0].body.messages[0].content)).toContain('- copywriting:');
  });

  it('over budget, the model is not asked and the API says why', async () => {
    await stack.db.client.update({ where: { id: bright.id }, data: { aiDailyBudgetUsd: 0 } });
    try {
      const res = await detect(oneClient, { message: 'A blog post about our product launch' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await stack.db.client.update({ where: { id: bright.id }, data: { aiDailyBudgetUsd: 10 } });
    }
  });
});

describe('the client', () => {
  it('is the one named, else the only one, else asked for', async () => {
    expect((await detect(oneClient, { message: 'homepage copy please' })).body.client).toEqual(bright);
    const res = await detect(twoClients, { message: 'homepage copy please' });
    expect(res.body).toMatchObject({ skill: 'copywriting', client: null, clientCandidates: [bright, yaz] });
    expect(res.body.note).toBe('Which client is this for? Brightwave Digital, Yaz Automate.');
  });

  it("can be given; another tenant's client is a 404", async () => {
    expect((await detect(twoClients, { message: 'homepage copy', clientId: bright.id })).body.client).toEqual(bright);
    const other = await createClientWithUser(stack.db);
    const res = await detect(twoClients, { message: 'homepage copy', clientId: other.client.id });
    expect(res.status).toBe(404);
  });

  it('bad input is a 400 with the issues', async () => {
    const res = await detect(twoClients, { message: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect((await detect(twoClients, { message: 'x', extra: 1 })).status).toBe(400);
    expect((await request(stack.app).post('/api/v1/skills/detect').send({ message: 'x' })).status).toBe(401);
  });
});

describe('without an API key', () => {
  const clients = [{ id: 'c1', name: 'Yaz Automate' }];

  it('returns the best match with its low confidence', async () => {
    const d = await detectSkill({ db: stack.db, ai: null }, { message: 'we need a prd', clients });
    expect(d).toMatchObject({ skill: 'idea-to-spec', method: 'keyword', confidence: 0.6 });
    expect(d.note).toMatch(/^Low confidence \(AI disambiguation is not configured\)/);
  });

  it('says it could not tell, listing the candidates, when two tie', async () => {
    const d = await detectSkill({ db: stack.db, ai: null }, { message: 'A blog post about our product launch', clients });
    expect(d).toMatchObject({ skill: null, method: 'none' });
    expect(d.note).toBe('Could not tell which skill you want. Start your message with one of: /launch-strategy, /seo-content.');
  });
});

describe('matching', () => {
  it('normalises words and plurals', () => {
    expect(words('Facebook ADS, e-mails!')).toEqual(['facebook', 'ad', 'e', 'mail']);
    expect(parseCommand('/page_cro check this')).toEqual({ slug: 'page-cro', rest: 'check this' });
    expect(parseCommand('no command')).toBeNull();
  });
  it('scores longer phrases higher and adds for more matches', () => {
    const skills = [
      { slug: 'a', name: 'Alpha', description: '', triggers: ['cold email', 'follow-up emails'] },
      { slug: 'b', name: 'Beta', description: '', triggers: ['email'] },
    ];
    const c = keywordCandidates('A cold email and follow-up emails', skills);
    expect(c).toEqual([
      { slug: 'a', name: 'Alpha', confidence: 0.95, matched: ['cold email', 'follow-up emails'] },
      { slug: 'b', name: 'Beta', confidence: 0.6, matched: ['email'] },
    ]);
  });
});

describe('the catalogue', () => {
  it('lists every skill with its command, and serves one with its instructions and resources', async () => {
    const list = await request(stack.app).get('/api/v1/skills').set(oneClient);
    expect(list.status).toBe(200);
    const slugs = list.body.data.map((s: { slug: string }) => s.slug);
    expect(slugs).toEqual(expect.arrayContaining(['ad-copy', 'copywriting', 'email-sequence', 'idea-to-spec', 'page-cro', 'social-content']));
    expect(list.body.data.find((s: { slug: string }) => s.slug === 'copywriting')).toMatchObject({ command: '/copywriting', hasRules: true, version: 1 });

    const one = await request(stack.app).get('/api/v1/skills/idea-to-spec').set(oneClient);
    expect(one.status).toBe(200);
    expect(one.body.resources).toEqual(
      expect.arrayContaining(['document-templates/prd.md', 'expert-modes/product-manager.md', 'research-prompts/competitor-scan.md']),
    );
    expect(one.body.files['document-templates/prd.md'].length).toBeGreaterThan(200);
    expect(one.body.content.length).toBeGreaterThan(1000);

    expect((await request(stack.app).get('/api/v1/skills/no-such-skill').set(oneClient)).status).toBe(404);
    expect((await request(stack.app).get('/api/v1/skills/Bad%20Slug').set(oneClient)).status).toBe(400);
    expect((await request(stack.app).get('/api/v1/skills')).status).toBe(401);
  });
});
