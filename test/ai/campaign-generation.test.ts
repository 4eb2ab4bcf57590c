// Campaign generation end to end, offline: a confirmed ICP (from a real ICP discovery run on the
// test website) → campaignGenerationWorkflow (sequence builder, messaging per channel, splitter)
// → campaign templates → launch, which creates the campaign and starts its campaignWorkflow.
import request from 'supertest';
import { recordHistory } from '../harness/histories';
import { startTestStack, type TestStack } from '../harness/stack';
import { startTestSite, type TestSite } from './helpers/site';
import { newClient, userWithRole, waitFor } from './helpers/tenants';
import { estimatedLength } from '../../src/engines/skills/campaign/merge-fields';
import { renderTouch, DEFAULT_TEMPLATES } from '../../src/engines/content/templates';
import { SequenceDefinitionSchema, TOUCH_KINDS } from '../../src/engines/sequence-plan';

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

async function confirmedClient() {
  const client = await newClient(stack.db, { name: 'Brightwave Digital', permissionMode: 'autopilot' });
  const member = await userWithRole(stack.db, client.id, 'member');
  const { jobId } = (await api().post('/api/v1/onboarding/analyze').set(member.auth).send({ clientId: client.id, websiteUrl: site.url }).expect(202)).body;
  await waitFor(
    async () => (await api().get(`/api/v1/onboarding/status/${jobId}`).set(member.auth)).body,
    (b) => b.status === 'awaiting_confirmation',
    45_000,
    'ICP draft',
  );
  await api().post('/api/v1/onboarding/confirm').set(member.auth).send({ jobId }).expect(200);
  return { client, member };
}

describe('campaign generation', () => {
  it('refuses to generate before an ICP is confirmed', async () => {
    const client = await newClient(stack.db);
    const member = await userWithRole(stack.db, client.id, 'member');
    const res = await api().post('/api/v1/campaigns/generate').set(member.auth).send({ clientId: client.id }).expect(409);
    expect(res.body.error.code).toBe('ICP_NOT_CONFIRMED');
  });

  it('generates one template per ICP industry, with industry timing and channel-safe copy, and launches one', async () => {
    const { client, member } = await confirmedClient();
    const viewer = await userWithRole(stack.db, client.id, 'viewer');
    const foreign = await userWithRole(stack.db, (await newClient(stack.db)).id, 'owner');
    await api().post('/api/v1/campaigns/generate').set(viewer.auth).send({ clientId: client.id }).expect(403);
    await api().post('/api/v1/campaigns/generate').set(foreign.auth).send({ clientId: client.id }).expect(404);

    const started = (await api().post('/api/v1/campaigns/generate').set(member.auth).send({ clientId: client.id }).expect(202)).body;
    expect(started.workflowId).toBe(`campaign-gen:${client.id}:${started.jobId}`);
    const done = await waitFor(
      async () => (await api().get(`/api/v1/campaigns/generate/${started.jobId}`).set(viewer.auth).expect(200)).body,
      (b) => b.status === 'completed' || b.status === 'failed',
      45_000,
      'generation',
    );
    expect(done.status).toBe('completed');
    expect(done.templateIds).toHaveLength(3);
    // The job row is marked done just before the workflow's last step: wait for the workflow itself.
    const progress = await stack.temporal.workflow.getHandle(started.workflowId).result();
    const described = await stack.temporal.workflow.getHandle(started.workflowId).describe();
    expect(described.searchAttributes).toMatchObject({ ClientId: [client.id], SkillSlug: ['campaign-generation'] });
    expect(progress.completedSteps).toEqual([
      'prepare',
      'sequence-builder',
      'messaging-generator:email',
      'messaging-generator:linkedin',
      'messaging-generator:sms',
      'messaging-generator:voice',
      'messaging-generator:mail',
      'campaign-splitter',
      'save-templates',
    ]);

    await api().get(`/api/v1/campaigns/templates?clientId=${client.id}`).set(foreign.auth).expect(404);
    await api().get('/api/v1/campaigns/templates').set(member.auth).expect(400);
    const list = (await api().get(`/api/v1/campaigns/templates?clientId=${client.id}`).set(viewer.auth).expect(200)).body;
    expect(list.data).toHaveLength(3);
    const byIndustry = Object.fromEntries(list.data.map((t: { industry: string }) => [t.industry, t]));
    expect(Object.keys(byIndustry).sort()).toEqual(['Dental', 'Health Care', 'Legal']);

    // The Growth Engine, retimed per industry by the sequence plan (healthcare and legal ×1.3).
    const days = (t: { sequence: unknown }) => SequenceDefinitionSchema.parse(t.sequence).touches.map((x) => x.day);
    expect(days(byIndustry.Dental)).toEqual([0, 2, 4, 7, 10, 14]);
    expect(days(byIndustry['Health Care'])).toEqual([0, 3, 5, 9, 13, 18]);
    expect(days(byIndustry.Legal)).toEqual([0, 3, 5, 9, 13, 18]);
    expect(SequenceDefinitionSchema.parse(byIndustry.Dental.sequence).touches.map((t) => t.channel)).toEqual([
      'email',
      'linkedin',
      'email',
      'sms',
      'voice',
      'mail',
    ]);

    for (const t of list.data) {
      const m = t.messaging;
      expect(m.targeting.industries).toEqual([t.industry]);
      // Every touch kind has copy that the content engine renders with a lead lacking every optional field.
      for (const kind of TOUCH_KINDS) {
        expect(m.templates[kind]).toBeDefined();
        const rendered = renderTouch(m.templates[kind], { senderName: 'Emma Walsh', agencyName: 'Brightwave Digital' });
        expect(rendered.body).not.toMatch(/\{\{|\}\}/);
      }
      expect(estimatedLength(m.templates.sms.body)).toBeLessThanOrEqual(160);
      expect(m.templates.sms.body).toContain('Reply STOP to opt out');
      expect(estimatedLength(m.templates.linkedin_connect.body)).toBeLessThanOrEqual(300);
      expect(m.channels.linkedin.inMail.body.length).toBeGreaterThan(50);
      expect(m.channels.voice.talkingPoints.length).toBeGreaterThanOrEqual(3);
      expect(m.templates.email_intro.subject).toBeTruthy();
      expect(m.templates.email_followup.subject).toMatch(/^Re: /);
      // The copy speaks to the segment's audience.
      expect(m.templates.email_intro.body).toContain(m.audience);
    }
    expect(byIndustry.Legal.messaging.audience).toBe('law firms');
    expect(byIndustry.Legal.messaging.templates.email_intro.body).not.toContain('dental practices');
    expect(Object.keys(DEFAULT_TEMPLATES).sort()).toEqual([...TOUCH_KINDS].sort());

    // Launch: member only, foreign tenants see nothing.
    const dental = byIndustry.Dental;
    await api().post(`/api/v1/campaigns/templates/${dental.id}/launch`).set(viewer.auth).expect(403);
    await api().post(`/api/v1/campaigns/templates/${dental.id}/launch`).set(foreign.auth).expect(404);
    const launched = (await api().post(`/api/v1/campaigns/templates/${dental.id}/launch`).set(member.auth).send({ aiPersonalisation: true }).expect(201)).body;
    expect(launched.campaign).toMatchObject({
      clientId: client.id,
      name: dental.name,
      status: 'draft',
      industry: 'Dental',
      templateId: dental.id,
      permissionMode: 'autopilot',
      aiPersonalisation: true,
      sequence: dental.sequence,
    });
    expect(launched.workflowId).toBe(`campaign:${launched.campaign.id}`);
    const campaignWf = await stack.temporal.workflow.getHandle(launched.workflowId).describe();
    expect(campaignWf.status.name).toBe('RUNNING');
    expect((await stack.db.campaignTemplate.findUniqueOrThrow({ where: { id: dental.id } })).launchedCampaignId).toBe(launched.campaign.id);

    const twice = (await api().post(`/api/v1/campaigns/templates/${dental.id}/launch`).set(member.auth).expect(200)).body;
    expect(twice).toMatchObject({ created: false, campaign: { id: launched.campaign.id } });
    expect(await stack.db.campaign.count({ where: { templateId: dental.id } })).toBe(1);

    recordHistory(started.workflowId, 'campaign-generation');
  });
});
