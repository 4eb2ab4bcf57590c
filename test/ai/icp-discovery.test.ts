// ICP discovery end to end, offline (no ANTHROPIC_API_KEY: every skill uses its heuristics): the
// API starts icpDiscoveryWorkflow on a real Temporal server, which scrapes the test website and
// runs the eight skills against real PostgreSQL; then the edit and confirm flows, and tenancy.
import request from 'supertest';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';
import { startTestSite, type TestSite } from './helpers/site';
import { newClient, userWithRole, waitFor } from './helpers/tenants';
import { ICP_SKILL_STEPS } from '../../workflows/definitions/icp';
import { ICP_STEPS } from '../../src/engines/skills/icp/pipeline';
import { ICP_SKILLS } from '../../src/engines/skills/registry';

let stack: TestStack;
let site: TestSite;
beforeAll(async () => {
  site = await startTestSite();
  stack = await startTestStack({ env: { ICP_SCRAPER_ALLOW_PRIVATE_HOSTS: 'true' } });
});
afterAll(async () => {
  await stack?.stop();
  await site?.close();
});

const api = () => request(stack.app);

async function analyze(auth: Record<string, string>, clientId: string) {
  const res = await api().post('/api/v1/onboarding/analyze').set(auth).send({ clientId, websiteUrl: site.url }).expect(202);
  return res.body as { jobId: string; workflowId: string };
}

async function untilAwaiting(auth: Record<string, string>, jobId: string) {
  return waitFor(
    async () => (await api().get(`/api/v1/onboarding/status/${jobId}`).set(auth).expect(200)).body,
    (b) => b.status === 'awaiting_confirmation' || b.status === 'failed',
    45_000,
    'the ICP to await confirmation',
  );
}

it('keeps the workflow step list and the skill registry in the same order', () => {
  expect([...ICP_SKILL_STEPS]).toEqual([...ICP_STEPS]);
  expect(ICP_SKILLS.map((s) => s.slug)).toEqual([...ICP_STEPS]);
});

describe('ICP discovery, offline', () => {
  it('scrapes the site, runs the eight skills with progress, then edits and confirms the ICP', async () => {
    const client = await newClient(stack.db, { name: 'Brightwave Digital', permissionMode: 'autopilot' });
    const member = await userWithRole(stack.db, client.id, 'member');
    const { jobId, workflowId } = await analyze(member.auth, client.id);
    expect(workflowId).toBe(`icp:${client.id}:${jobId}`);

    const status = await untilAwaiting(member.auth, jobId);
    expect(status).toMatchObject({ status: 'awaiting_confirmation', step: 'awaiting_confirmation', percent: 100, source: 'workflow' });
    expect(status.completedSteps).toEqual(['scrape', ...ICP_STEPS]);
    expect(status.partial.scrape.pages).toBeGreaterThanOrEqual(7);
    expect(status.partial['website-parser']).toMatchObject({ companyName: 'Brightwave Digital', mode: 'offline' });
    expect(status.partial['service-extractor'].services).toEqual(expect.arrayContaining(['SEO', 'Google Ads (PPC)', 'Website design & development']));
    expect(status.partial['portfolio-extractor'].companies).toBe(8);
    expect(status.partial['company-size-estimator']).toMatchObject({ employeeEstimate: 18, range: '11-50' });
    expect(new Date(status.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    // Operators can find it by client and skill in the Web UI.
    const described = await stack.temporal.workflow.getHandle(workflowId).describe();
    expect(described.searchAttributes.ClientId).toEqual([client.id]);
    expect(described.searchAttributes.SkillSlug).toEqual(['icp-discovery']);

    const result = (await api().get(`/api/v1/onboarding/result/${jobId}`).set(member.auth).expect(200)).body;
    expect(result.icp).toMatchObject({
      industries: ['Dental', 'Health Care', 'Legal'],
      companySizes: ['11-50'],
      locations: ['Australia'],
      valueProp: expect.stringMatching(/^Brightwave Digital helps dental practices/),
    });
    expect(result.icp.titles).toEqual(expect.arrayContaining(['Practice Owner', 'Practice Manager', 'Managing Partner']));
    expect(result.icp.alsWeights).toEqual({ dataQuality: 1.1, authority: 1.25, companyFit: 1.1, timing: 0.9, risk: 1.2 });
    expect(result.analysis['industry-classifier'].industries[0]).toMatchObject({ industry: 'dental', companyCount: 3, isPrimary: true });
    expect(Object.values(result.runs).every((r) => (r as { mode: string }).mode === 'offline')).toBe(true);
    // Pages were stored; the one robots.txt disallows was not fetched.
    expect(result.pages.map((p: { url: string }) => new URL(p.url).pathname)).toEqual(expect.arrayContaining(['/', '/services.html', '/portfolio.html']));
    expect(site.requests).not.toContain('/private.html');
    expect(await stack.db.scrapedPage.count({ where: { jobId, url: { contains: 'private' } } })).toBe(0);

    // Edit (stays awaiting confirmation), then confirm with one more edit.
    const edited = (
      await api()
        .post('/api/v1/onboarding/edit')
        .set(member.auth)
        .send({ jobId, edits: { titles: ['Practice Owner', 'Practice Manager'], alsWeights: { timing: 1 } } })
        .expect(200)
    ).body;
    expect(edited.icp.titles).toEqual(['Practice Owner', 'Practice Manager']);
    expect(edited.icp.alsWeights.timing).toBe(1);
    const stillWaiting = (await api().get(`/api/v1/onboarding/status/${jobId}`).set(member.auth).expect(200)).body;
    expect(stillWaiting.status).toBe('awaiting_confirmation');

    const confirmed = (
      await api()
        .post('/api/v1/onboarding/confirm')
        .set(member.auth)
        .send({ jobId, edits: { industries: ['Dental', 'Health Care'], locations: ['Australia', 'New Zealand'] } })
        .expect(200)
    ).body;
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.icp).toMatchObject({
      industries: ['Dental', 'Health Care'],
      titles: ['Practice Owner', 'Practice Manager'],
      locations: ['Australia', 'New Zealand'],
      alsWeights: { dataQuality: 1.1, authority: 1.25, companyFit: 1.1, timing: 1, risk: 1.2 },
    });

    const saved = await stack.db.client.findUniqueOrThrow({ where: { id: client.id } });
    expect(saved).toMatchObject({
      icpIndustries: ['Dental', 'Health Care'],
      icpCompanySizes: ['11-50'],
      icpTitles: ['Practice Owner', 'Practice Manager'],
      icpLocations: ['Australia', 'New Zealand'],
      icpValueProp: confirmed.icp.valueProp,
      alsWeights: confirmed.icp.alsWeights,
      websiteUrl: site.url,
    });
    expect(saved.icpPainPoints.length).toBeGreaterThan(0);
    expect(saved.icpConfirmedAt).not.toBeNull();
    const job = await stack.db.onboardingJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: 'confirmed', step: 'done' });
    expect(await stack.db.auditLog.count({ where: { clientId: client.id, action: { in: ['icp.analyze', 'icp.edited', 'icp.confirmed'] } } })).toBe(3);

    const final = await stack.temporal.workflow.getHandle(workflowId).result();
    expect(final).toMatchObject({ status: 'confirmed', step: 'done' });
    const after = (await api().get(`/api/v1/onboarding/status/${jobId}`).set(member.auth).expect(200)).body;
    expect(after).toMatchObject({ status: 'confirmed', source: 'database', percent: 100 });
    const again = await api().post('/api/v1/onboarding/confirm').set(member.auth).send({ jobId }).expect(409);
    expect(again.body.error.code).toBe('NOT_AWAITING_CONFIRMATION');
    recordHistory(workflowId, 'icp-discovery-confirmed');
  });

  it('checks tenancy and input on every route', async () => {
    const client = await newClient(stack.db);
    const other = await newClient(stack.db);
    const member = await userWithRole(stack.db, client.id, 'member');
    const viewer = await userWithRole(stack.db, client.id, 'viewer');
    const foreign = await userWithRole(stack.db, other.id, 'owner');

    await api().post('/api/v1/onboarding/analyze').send({ clientId: client.id, websiteUrl: site.url }).expect(401);
    expect(
      (await api().post('/api/v1/onboarding/analyze').set(viewer.auth).send({ clientId: client.id, websiteUrl: site.url }).expect(403)).body.error.code,
    ).toBe('FORBIDDEN');
    await api().post('/api/v1/onboarding/analyze').set(foreign.auth).send({ clientId: client.id, websiteUrl: site.url }).expect(404);

    const bad = await api().post('/api/v1/onboarding/analyze').set(member.auth).send({ clientId: 'nope', websiteUrl: 'ftp://x' }).expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.details.map((d: { path: string[] }) => d.path[0]).sort()).toEqual(['clientId', 'websiteUrl']);

    const { jobId } = await analyze(member.auth, client.id);
    // The viewer reads; a foreign tenant sees nothing.
    await api().get(`/api/v1/onboarding/status/${jobId}`).set(viewer.auth).expect(200);
    await api().get(`/api/v1/onboarding/status/${jobId}`).set(foreign.auth).expect(404);
    await api().get(`/api/v1/onboarding/result/${jobId}`).set(foreign.auth).expect(404);
    await api().post('/api/v1/onboarding/confirm').set(foreign.auth).send({ jobId }).expect(404);
    await api().get('/api/v1/onboarding/status/not-a-uuid').set(member.auth).expect(400);
    await api().get('/api/v1/onboarding/status/00000000-0000-4000-8000-000000000000').set(member.auth).expect(404);

    await untilAwaiting(member.auth, jobId);
    await api().post('/api/v1/onboarding/confirm').set(viewer.auth).send({ jobId }).expect(403);
    const badEdit = await api()
      .post('/api/v1/onboarding/confirm')
      .set(member.auth)
      .send({ jobId, edits: { industries: [], colour: 'red' } })
      .expect(400);
    expect(badEdit.body.error.details.map((d: { path: string[] }) => d.path.join('.'))).toEqual(expect.arrayContaining(['edits.industries', 'edits']));
    // The platform admin may act for any client.
    const ok = await api()
      .post('/api/v1/onboarding/confirm')
      .set({ Authorization: `Bearer ${stack.adminKey}` })
      .send({ jobId })
      .expect(200);
    expect(ok.body.icp.industries).toEqual(['Dental', 'Health Care', 'Legal']);
  });

  it('fails the job with a clear error when the website cannot be read', async () => {
    const client = await newClient(stack.db);
    const member = await userWithRole(stack.db, client.id, 'member');
    const res = await api()
      .post('/api/v1/onboarding/analyze')
      .set(member.auth)
      .send({ clientId: client.id, websiteUrl: `${site.url}/missing.html` })
      .expect(202);
    const status = await untilAwaiting(member.auth, res.body.jobId);
    expect(status.status).toBe('failed');
    expect(status.error).toMatch(/could not fetch .*missing\.html: HTTP 404/);
    await expect(stack.temporal.workflow.getHandle(res.body.workflowId).result()).rejects.toThrow(/Workflow execution failed/);
    const job = await stack.db.onboardingJob.findUniqueOrThrow({ where: { id: res.body.jobId } });
    expect(job.status).toBe('failed');
    expect((await api().get(`/api/v1/onboarding/result/${res.body.jobId}`).set(member.auth).expect(409)).body.error.code).toBe('NOT_READY');
  });
});
