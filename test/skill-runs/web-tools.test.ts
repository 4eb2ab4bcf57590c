// Skills that read the web: page-cro, seo-content and launch-strategy declare `tools: [fetch_page]`,
// so their runs are a bounded tool-use loop in which Claude (the local fake of the Messages API,
// through the real SDK, scripted turn by turn) fetches the page named in the request through the
// ICP scraper's SSRF-guarded crawler. Private hosts are allowed in this test's stack only
// (ICP_SCRAPER_ALLOW_PRIVATE_HOSTS), so the page is served on loopback; with the guard on, the same
// fetch is refused before any request leaves. Every Claude call of the loop is recorded on the run
// and counted against the client's daily budget; turns and tokens are bounded.
import request from 'supertest';
import { ApplicationFailure } from '@temporalio/common';
import { aiDepsFromConfig } from '../../src/engines/ai/setup';
import type { AiDeps } from '../../src/engines/ai/structured';
import { createLocalCrawler } from '../../src/engines/icp-scraper';
import { generateRunOutput } from '../../src/engines/skill-runs/generate';
import { readSkillLibrary, syncSkills } from '../../src/engines/skill-runs/library';
import { fetchPageTool, PAGE_TEXT_CHARS } from '../../src/engines/skill-runs/web-tools';
import { workflowIds } from '../../workflows/ids';
import { startAnthropicFake, toolResults, toolUse, type AnthropicFake, type FakeMessagesRequest, type FakeReply } from '../fakes/anthropic-fake';
import { startFake, type HttpFake } from '../fakes/http-fake';
import { createClientWithUser } from '../harness/fixtures';
import { startTestStack, type TestStack } from '../harness/stack';

let stack: TestStack;
let fake: AnthropicFake;
let site: HttpFake;
let ai: AiDeps;
let clientId: string;
let auth: { Authorization: string };

const LANDING = `<!doctype html><html><head><title>Yaz Automate — Book a demo</title></head><body>
<h1>Automation that pays for itself</h1>
<p>Teams of 10 to 50 save 12 hours a week with our workflow audits.</p>
<a href="/pricing">See pricing</a><button>Book a demo</button>
</body></html>`;
const LONG = `<!doctype html><html><head><title>Long</title></head><body>${Array.from({ length: 2000 }, (_, i) => `<p>Paragraph ${i} about automation.</p>`).join('')}</body></html>`;
const AUDIT = {
  title: 'CRO audit of the Yaz Automate landing page',
  markdown: '# CRO audit\n\nThe hero promises "Automation that pays for itself" but the CTA says "Book a demo".\n\n## Assumptions\n- None.',
};
const save = (input: unknown = AUDIT): FakeReply => ({ kind: 'tool', tool: 'save_output', input });

beforeAll(async () => {
  fake = await startAnthropicFake();
  site = await startFake([
    { method: 'GET', path: '/landing', handler: () => ({ status: 200, body: LANDING, headers: { 'content-type': 'text/html; charset=utf-8' } }) },
    { method: 'GET', path: '/long', handler: () => ({ status: 200, body: LONG, headers: { 'content-type': 'text/html' } }) },
  ]);
  stack = await startTestStack({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.url, ICP_SCRAPER_ALLOW_PRIVATE_HOSTS: 'true' } });
  await syncSkills(stack.db);
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
  ai = aiDepsFromConfig(stack.db, stack.config)!;
});
afterAll(async () => {
  await stack?.stop();
  await fake?.close();
  await site?.close();
});
beforeEach(async () => {
  fake.reset();
  site.reset();
  await stack.db.client.update({ where: { id: clientId }, data: { aiDailyBudgetUsd: 50 } });
});

const toolNames = (r: FakeMessagesRequest) => (r.body.tools ?? []).map((t) => t.name).sort();
const newRun = (skillSlug: string, message: string) => stack.db.skillRun.create({ data: { clientId, skillSlug, message, status: 'running' } });

it('page-cro, seo-content and launch-strategy declare fetch_page; the other skills do not', () => {
  const withTool = readSkillLibrary()
    .filter((s) => s.tools.includes('fetch_page'))
    .map((s) => s.slug);
  expect(withTool.sort()).toEqual(['launch-strategy', 'page-cro', 'seo-content']);
});

it('a page-cro run fetches the page named in the request through the tool, then saves the audit', async () => {
  const url = `${site.url}/landing`;
  fake.enqueue(toolUse('fetch_page', { url }, { input_tokens: 3000, output_tokens: 100 }), {
    ...save(),
    usage: { input_tokens: 4000, output_tokens: 900 },
  } as FakeReply);
  const res = await request(stack.app)
    .post('/api/v1/runs')
    .set(auth)
    .send({ skill: 'page-cro', clientId, message: `Audit our landing page ${url} for conversions` });
  expect(res.status).toBe(202);
  const runId = res.body.runId as string;
  await stack.temporal.workflow.getHandle(workflowIds.skillRun(runId)).result();

  // Turn 1: both tools offered, Claude must call one; the system prompt says how to use fetch_page.
  expect(fake.requests).toHaveLength(2);
  const [first, second] = fake.requests;
  expect(toolNames(first)).toEqual(['fetch_page', 'save_output']);
  expect(first.body.tool_choice).toEqual({ type: 'any' });
  expect(first.body.system).toMatch(/fetch_page/);
  expect(String(first.body.messages[0].content)).toContain(url);
  // The crawler fetched the page (robots.txt first), on loopback because this stack allows it.
  expect(site.requests.map((r) => r.path)).toEqual(['/robots.txt', '/landing']);
  // Turn 2 carries the page's text as the tool result.
  const [result] = toolResults(second);
  expect(result.is_error).toBeFalsy();
  expect(result.tool_use_id).toBe(`toolu_fake_1_0`);
  expect(result.content).toContain('Title: Yaz Automate — Book a demo');
  expect(result.content).toContain('Teams of 10 to 50 save 12 hours a week');

  const run = (await request(stack.app).get(`/api/v1/runs/${runId}`).set(auth)).body;
  expect(run).toMatchObject({ status: 'completed', inputTokens: 7000, outputTokens: 1000 });
  const output = await stack.db.output.findUniqueOrThrow({ where: { runId } });
  expect(output).toMatchObject({ title: AUDIT.title, content: AUDIT.markdown, skillSlug: 'page-cro' });
  // Both calls recorded on the run and the skill, so both count against the budget.
  const usage = await stack.db.aiUsage.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
  expect(usage.map((u) => [u.purpose, u.skillSlug, u.inputTokens, u.outputTokens])).toEqual([
    ['skill-run', 'page-cro', 3000, 100],
    ['skill-run', 'page-cro', 4000, 900],
  ]);
  expect(run.costUsd).toBeCloseTo(
    usage.reduce((s, u) => s + Number(u.costUsd), 0),
    6,
  );
});

it('a skill without tools still makes one forced save_output call', async () => {
  fake.enqueue(save());
  const run = await newRun('copywriting', 'Homepage copy');
  await generateRunOutput(stack.db, ai, run.id, { crawler: createLocalCrawler({ allowPrivateHosts: true }) });
  expect(fake.requests).toHaveLength(1);
  expect(toolNames(fake.requests[0])).toEqual(['save_output']);
  expect(fake.requests[0].body.tool_choice).toEqual({ type: 'tool', name: 'save_output' });
});

it('with the SSRF guard on, a loopback page is refused before any request and Claude is told', async () => {
  await expect(fetchPageTool(createLocalCrawler({ allowPrivateHosts: false })).run({ url: `${site.url}/landing` })).rejects.toThrow(
    /private or reserved address/,
  );
  fake.enqueue(toolUse('fetch_page', { url: `${site.url}/landing` }), save());
  const run = await newRun('seo-content', `An article about ${site.url}/landing`);
  const out = await generateRunOutput(stack.db, ai, run.id, { crawler: createLocalCrawler({ allowPrivateHosts: false }) });
  expect(out.toolCalls).toEqual([{ tool: 'fetch_page', ok: false }]);
  const [result] = toolResults(fake.requests[1]);
  expect(result.is_error).toBe(true);
  expect(result.content).toMatch(/fetch_page failed: .*private or reserved address/);
  expect(site.requests).toHaveLength(0);
});

it('cuts page text, and bounds the loop by turns: the last turn may only save', async () => {
  const url = `${site.url}/long`;
  // Claude keeps fetching whenever it may.
  fake.setResponder((req) => (req.body.tool_choice?.type === 'tool' ? save() : toolUse('fetch_page', { url })));
  const run = await newRun('launch-strategy', `Launch plan; competitor: ${url}`);
  const out = await generateRunOutput(stack.db, ai, run.id, { crawler: createLocalCrawler({ allowPrivateHosts: true }), maxTurns: 3 });
  expect(fake.requests).toHaveLength(3);
  expect(fake.requests.map((r) => r.body.tool_choice)).toEqual([{ type: 'any' }, { type: 'any' }, { type: 'tool', name: 'save_output' }]);
  // Still defined, so the earlier turns' fetch_page calls stay valid, but only save_output may be called.
  expect(toolNames(fake.requests[2])).toEqual(['fetch_page', 'save_output']);
  expect(out.toolCalls).toEqual([
    { tool: 'fetch_page', ok: true },
    { tool: 'fetch_page', ok: true },
  ]);
  const [result] = toolResults(fake.requests[1]);
  expect(result.content).toContain(`(text cut at ${PAGE_TEXT_CHARS} characters)`);
  expect(result.content.length).toBeLessThan(PAGE_TEXT_CHARS + 300);
  expect(await stack.db.aiUsage.count({ where: { runId: run.id } })).toBe(3);
});

it('bounds the loop by total tokens: past the budget the next call may only save', async () => {
  fake.setResponder((req) => (req.body.tool_choice?.type === 'tool' ? save() : toolUse('fetch_page', { url: `${site.url}/landing` })));
  const run = await newRun('page-cro', `Audit ${site.url}/landing`);
  // Default fake usage: 1,000 in + 500 out a call.
  await generateRunOutput(stack.db, ai, run.id, { crawler: createLocalCrawler({ allowPrivateHosts: true }), maxTurns: 6, maxTotalTokens: 2500 });
  expect(fake.requests.map((r) => r.body.tool_choice?.type)).toEqual(['any', 'any', 'tool']);
});

it('fails with the budget error mid-loop once the client’s daily AI budget is spent, without calling Claude again', async () => {
  // One call costs $0.007 at the default model's price (1,000 in, 500 out); the budget is $0.005.
  await stack.db.client.update({ where: { id: clientId }, data: { aiDailyBudgetUsd: 0.005 } });
  await stack.db.aiUsage.deleteMany({ where: { clientId } });
  fake.setResponder(() => toolUse('fetch_page', { url: `${site.url}/landing` }));
  const run = await newRun('page-cro', `Audit ${site.url}/landing`);
  const err = await generateRunOutput(stack.db, ai, run.id, { crawler: createLocalCrawler({ allowPrivateHosts: true }) }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe('AIBudgetExceeded');
  expect(fake.requests).toHaveLength(1);
  expect(await stack.db.output.count({ where: { runId: run.id } })).toBe(0);
});

it('an invalid final answer is sent back as an error and corrected within the loop', async () => {
  fake.enqueue(save({ title: 'No body' }), save());
  const run = await newRun('page-cro', 'Audit our homepage (copy pasted below): Automation that pays for itself.');
  const out = await generateRunOutput(stack.db, ai, run.id, { crawler: createLocalCrawler({ allowPrivateHosts: true }) });
  expect(out.title).toBe(AUDIT.title);
  const [result] = toolResults(fake.requests[1]);
  expect(result.is_error).toBe(true);
  expect(result.content).toMatch(/save_output input was rejected/);
});
