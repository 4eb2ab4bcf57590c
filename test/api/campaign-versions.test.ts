// Editing campaigns and templates through the API: what adds a sequence version and what does not,
// validation (400, nothing changes), tenancy (404), closed campaigns and impossible migrations (409),
// audit rows; migrate-leads as a background job (202, its status URL, a repeated request, a job of
// several pages and runs); and the migration's backfill of version 1 for campaigns from before versions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, addUser, createClientWithUser, createLead } from '../harness/fixtures';
import { awaitAdminRun } from '../harness/admin-runs';
import { recordHistory } from '../harness/histories';
import { expectConforms } from './conformance';
import { DEFAULT_TEMPLATES } from '../../src/engines/content/templates';
import { startLeadMigration } from '../../src/lifecycle/lead-migrations';
import type { LeadMigrationResult } from '../../workflows/definitions/lead-migration';

let stack: TestStack;
let clientId: string;
let auth: Record<string, string>;
let key: string;
beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
  key = c.key;
});
afterAll(async () => {
  await stack?.stop();
});

const base = () => `/api/v1/clients/${clientId}/campaigns`;
const TWO = {
  version: 1,
  touches: [
    { number: 1, day: 0, channel: 'email', kind: 'email_intro' },
    { number: 2, day: 3, channel: 'mail', kind: 'mail', fallback: { channel: 'email', kind: 'email_breakup', threadWith: 1 } },
  ],
};

async function draft(name = 'Edit me') {
  const res = await request(stack.app).post(base()).set(auth).send({ name, sequence: TWO }).expect(201);
  return res.body.campaign as { id: string; sequenceVersion: number };
}

it('writes version 1 with the campaign: its plan and copy for every touch and fallback kind', async () => {
  const c = await draft();
  const res = await request(stack.app).get(`${base()}/${c.id}/versions`).set(auth).expect(200);
  expect(res.body.currentVersion).toBe(1);
  expect(res.body.versions).toHaveLength(1);
  const [v1] = res.body.versions;
  expect(v1).toMatchObject({ version: 1, current: true, sequence: TWO, createdBy: null, leads: { total: 0, pending: 0, running: 0, ended: 0 } });
  expect(v1.copy).toEqual({
    '1': { email_intro: DEFAULT_TEMPLATES.email_intro },
    '2': { mail: DEFAULT_TEMPLATES.mail, email_breakup: DEFAULT_TEMPLATES.email_breakup },
  });
});

it('adds a version for a new sequence or copy, none for a name or permission mode, and audits each edit', async () => {
  const c = await draft();
  const renamed = await request(stack.app).patch(`${base()}/${c.id}`).set(auth).send({ name: 'Renamed', permissionMode: 'manual' }).expect(200);
  expect(renamed.body.campaign).toMatchObject({ name: 'Renamed', permissionMode: 'manual', sequenceVersion: 1 });
  expect(renamed.body.version).toBeNull();

  const copy = { '2': { email_breakup: { subject: 'Last note', body: 'Hi {{firstName|there}}, closing the loop.' } } };
  const edited = await request(stack.app).patch(`${base()}/${c.id}`).set(auth).send({ copy }).expect(200);
  expect(edited.body.campaign.sequenceVersion).toBe(2);
  expect(edited.body.version.copy['2']).toEqual({ mail: DEFAULT_TEMPLATES.mail, email_breakup: copy['2'].email_breakup });
  expect(edited.body.version.copy['1']).toEqual({ email_intro: DEFAULT_TEMPLATES.email_intro });

  // The same copy again changes nothing: no version 3.
  const same = await request(stack.app).patch(`${base()}/${c.id}`).set(auth).send({ copy }).expect(200);
  expect(same.body.version).toBeNull();
  expect(same.body.campaign.sequenceVersion).toBe(2);

  // A new plan keeps the copy of touches it keeps (touch 2's break-up) and defaults the new kinds.
  const plan = { version: 1, touches: [TWO.touches[0], { number: 2, day: 5, channel: 'email', kind: 'email_breakup', threadWith: 1 }] };
  const replanned = await request(stack.app).patch(`${base()}/${c.id}`).set(auth).send({ sequence: plan }).expect(200);
  expect(replanned.body.campaign).toMatchObject({ sequenceVersion: 3, sequence: plan });
  expect(replanned.body.version.copy['2']).toEqual({ email_breakup: copy['2'].email_breakup });

  const one = await request(stack.app).get(`${base()}/${c.id}/versions/2`).set(auth).expect(200);
  expect(one.body.version).toMatchObject({ version: 2, current: false, sequence: TWO });
  await request(stack.app).get(`${base()}/${c.id}/versions/9`).set(auth).expect(404);

  const audit = await stack.db.auditLog.findMany({ where: { entityId: c.id, action: 'campaign.edit' }, orderBy: { createdAt: 'asc' } });
  expect(audit.map((a) => (a.after as { sequenceVersion: number }).sequenceVersion)).toEqual([1, 2, 2, 3]);
});

it('answers 400 with the issues for a bad sequence or copy, and changes nothing', async () => {
  const c = await draft();
  const bad = async (body: object) => (await request(stack.app).patch(`${base()}/${c.id}`).set(auth).send(body).expect(400)).body.error;
  const badKind = await bad({ sequence: { version: 1, touches: [{ number: 1, day: 0, channel: 'sms', kind: 'email_intro' }] } });
  expect(badKind.details[0]).toMatchObject({ path: ['sequence', 'touches', '0', 'kind'], message: expect.stringMatching(/cannot be sent by sms/) });
  const noTouch = await bad({ copy: { '7': { email_intro: { body: 'Hi' } } } });
  expect(noTouch.details[0]).toMatchObject({ path: ['copy', '7'], message: 'the sequence has no touch 7' });
  const wrongKind = await bad({ copy: { '1': { sms: { body: 'Hi' } } } });
  expect(wrongKind.details[0]).toMatchObject({ path: ['copy', '1', 'sms'] });
  await bad({ copy: { '1': { email_intro: { body: '' } } } });
  await bad({});
  await bad({ name: 'x', status: 'active' });
  const after = await stack.db.campaign.findUniqueOrThrow({ where: { id: c.id } });
  expect(after).toMatchObject({ name: 'Edit me', sequenceVersion: 1 });
  expect(await stack.db.campaignSequenceVersion.count({ where: { campaignId: c.id } })).toBe(1);
});

it("answers 404 for another client's campaign, and 409 for a closed one", async () => {
  const c = await draft();
  const other = await createClientWithUser(stack.db);
  await request(stack.app).patch(`/api/v1/clients/${other.client.id}/campaigns/${c.id}`).set(other.auth).send({ name: 'Mine' }).expect(404);
  await request(stack.app).patch(`${base()}/${c.id}`).set(other.auth).send({ name: 'Mine' }).expect(404);
  await request(stack.app).get(`/api/v1/clients/${other.client.id}/campaigns/${c.id}/versions`).set(other.auth).expect(404);
  await request(stack.app).post(`/api/v1/clients/${other.client.id}/campaigns/${c.id}/migrate-leads`).set(other.auth).send({ toVersion: 1 }).expect(404);

  await request(stack.app).post(`${base()}/${c.id}/cancel`).set(auth).expect(200);
  const closed = await request(stack.app).patch(`${base()}/${c.id}`).set(auth).send({ name: 'Too late' }).expect(409);
  expect(closed.body.error.code).toBe('CAMPAIGN_CLOSED');
  await request(stack.app).post(`${base()}/${c.id}/migrate-leads`).set(auth).send({ toVersion: 1 }).expect(409);
});

it('refuses a migration to a version that does not exist or is not newer', async () => {
  const c = await draft();
  const lead = await createLead(stack.db, clientId);
  const missing = await request(stack.app).post(`${base()}/${c.id}/migrate-leads`).set(auth).send({ toVersion: 2 }).expect(409);
  expect(missing.body.error.code).toBe('VERSION_NOT_FOUND');
  const first = await request(stack.app).post(`${base()}/${c.id}/migrate-leads`).set(auth).send({ toVersion: 1 }).expect(409);
  expect(first.body.error.code).toBe('VERSION_NOT_NEWER');
  await request(stack.app).post(`${base()}/${c.id}/migrate-leads`).set(auth).send({ toVersion: 0 }).expect(400);

  // Versions 2 and 3; a lead on 3 cannot be sent back to 2.
  await request(stack.app)
    .patch(`${base()}/${c.id}`)
    .set(auth)
    .send({ copy: { '1': { email_intro: { body: 'Two' } } } })
    .expect(200);
  await request(stack.app)
    .patch(`${base()}/${c.id}`)
    .set(auth)
    .send({ copy: { '1': { email_intro: { body: 'Three' } } } })
    .expect(200);
  await stack.db.campaignEnrollment.create({ data: { clientId, campaignId: c.id, leadId: lead.id, sequenceVersion: 3, status: 'active' } });
  const back = await request(stack.app)
    .post(`${base()}/${c.id}/migrate-leads`)
    .set(auth)
    .send({ toVersion: 2, leadIds: [lead.id] })
    .expect(409);
  expect(back.body.error).toMatchObject({ code: 'VERSION_NOT_NEWER', details: { leadIds: [lead.id] } });
  // Nobody older than 3 is running: nothing to move; an unknown lead is reported, not an error.
  const stranger = '00000000-0000-4000-8000-000000000042';
  const path = `${base()}/${c.id}/migrate-leads`;
  const none = await request(stack.app)
    .post(path)
    .set(auth)
    .send({ toVersion: 3, leadIds: [lead.id, stranger] })
    .expect(202);
  expectConforms('post', path, none);
  expect(none.body).toMatchObject({ status: 'running', migrationId: expect.any(String), workflowId: expect.stringMatching(/^lead-migration:/) });
  expect(none.headers.location).toBe(none.body.statusUrl);
  const done = await awaitAdminRun<LeadMigrationResult>(stack.app, key, none.body.statusUrl);
  expect(done).toMatchObject({ status: 'completed', migrationId: none.body.migrationId });
  expect(done.result).toEqual({ toVersion: 3, migrated: 0, alreadyOnVersion: 1, notRunning: 1, notRunningLeadIds: [stranger], pages: 1 });
});

it('answers a repeated request with the migration it started, lets a viewer read it, and hides it from other clients', async () => {
  const c = await draft();
  await request(stack.app)
    .patch(`${base()}/${c.id}`)
    .set(auth)
    .send({ copy: { '1': { email_intro: { body: 'Two' } } } })
    .expect(200);
  const path = `${base()}/${c.id}/migrate-leads`;
  const requestId = `migrate-${Date.now()}`;
  const first = await request(stack.app).post(path).set(auth).set('X-Request-Id', requestId).send({ toVersion: 2 }).expect(202);
  const run = await awaitAdminRun<LeadMigrationResult>(stack.app, key, first.body.statusUrl);
  expect(run.result).toMatchObject({ migrated: 0, notRunning: 0, pages: 1 });
  // The same request again (a client retry): the same migration, with its status; nothing new starts.
  const again = await request(stack.app).post(path).set(auth).set('X-Request-Id', requestId).send({ toVersion: 2 }).expect(202);
  expectConforms('post', path, again);
  expect(again.body).toEqual({ ...first.body, status: 'completed' });
  // Another request is another migration.
  const other = await request(stack.app).post(path).set(auth).send({ toVersion: 2 }).expect(202);
  expect(other.body.migrationId).not.toBe(first.body.migrationId);
  await awaitAdminRun(stack.app, key, other.body.statusUrl);
  const audit = await stack.db.auditLog.findMany({ where: { entityId: c.id, action: 'campaign.migrate_leads' } });
  expect(audit).toHaveLength(2);
  expect(audit.find((a) => a.requestId === requestId)?.after).toMatchObject({ toVersion: 2, leadIds: null, migrationId: first.body.migrationId });

  const viewer = await addUser(stack.db, clientId, 'viewer');
  const read = await request(stack.app).get(first.body.statusUrl).set(viewer.auth).expect(200);
  expect(read.body).toMatchObject({ status: 'completed', result: run.result });
  await request(stack.app).post(path).set(viewer.auth).send({ toVersion: 2 }).expect(403);
  const outsider = await createClientWithUser(stack.db);
  await request(stack.app).get(first.body.statusUrl).set(outsider.auth).expect(404);
  await request(stack.app).get(`/api/v1/clients/${outsider.client.id}/campaigns/${c.id}/migrations/${first.body.migrationId}`).set(outsider.auth).expect(404);
  // Another campaign's id with this migration: no such migration.
  const elsewhere = await draft();
  await request(stack.app).get(`${base()}/${elsewhere.id}/migrations/${first.body.migrationId}`).set(auth).expect(404);
  await request(stack.app).get(`${base()}/${c.id}/migrations/not-a-uuid`).set(auth).expect(400);
});

it('pages through more running sequences than one page, across continue-as-new, and counts each', async () => {
  await addResources(stack.db, clientId);
  const created = await request(stack.app).post(base()).set(auth).send({ name: 'Paged', sequence: TWO, permissionMode: 'autopilot' }).expect(201);
  const campaignId: string = created.body.campaign.id;
  const running = await Promise.all(Array.from({ length: 5 }, (_, i) => createLead(stack.db, clientId, { firstName: `Run${i}` })));
  await request(stack.app)
    .post(`${base()}/${campaignId}/leads`)
    .set(auth)
    .send({ leadIds: running.map((l) => l.id) })
    .expect(200);
  await request(stack.app).post(`${base()}/${campaignId}/start`).set(auth).expect(200);
  const deadline = Date.now() + 30_000;
  while ((await stack.db.campaignEnrollment.count({ where: { campaignId, status: 'active' } })) < running.length) {
    if (Date.now() > deadline) throw new Error('sequences did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Two enrolments marked running whose sequences do not exist: not running, left on version 1.
  const lost = await Promise.all([createLead(stack.db, clientId), createLead(stack.db, clientId)]);
  for (const l of lost) await stack.db.campaignEnrollment.create({ data: { clientId, campaignId, leadId: l.id, sequenceVersion: 1, status: 'active' } });
  await request(stack.app)
    .patch(`${base()}/${campaignId}`)
    .set(auth)
    .send({ copy: { '1': { email_intro: { body: 'Second version' } } } })
    .expect(200);

  // Two per page and two pages per run: 7 enrolments are 4 pages over 2 runs.
  const run = await startLeadMigration(stack.temporal, stack.taskQueue, {
    clientId,
    campaignId,
    toVersion: 2,
    requestId: 'paged',
    pageSize: 2,
    pagesPerRun: 2,
  });
  const statusUrl = `${base()}/${campaignId}/migrations/${run.id}`;
  const done = await awaitAdminRun<LeadMigrationResult>(stack.app, key, statusUrl);
  expect(done.status).toBe('completed');
  expect({ ...done.result, notRunningLeadIds: [...done.result!.notRunningLeadIds].sort() }).toEqual({
    toVersion: 2,
    migrated: 5,
    alreadyOnVersion: 0,
    notRunning: 2,
    notRunningLeadIds: lost.map((l) => l.id).sort(),
    pages: 4,
  });
  const pins = await stack.db.campaignEnrollment.findMany({ where: { campaignId }, select: { leadId: true, sequenceVersion: true } });
  expect(Object.fromEntries(pins.map((p) => [p.leadId, p.sequenceVersion]))).toEqual(
    Object.fromEntries([...running.map((l) => [l.id, 2]), ...lost.map((l) => [l.id, 1])]),
  );
  const history = await stack.temporal.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
  expect((history.events ?? []).some((e) => e.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
  recordHistory(run.workflowId, 'lead-migration-paged', stack.env?.connection.options.address, run.runId);
  await request(stack.app).post(`${base()}/${campaignId}/cancel`).set(auth).expect(200);
});

it('edits a template before launch and refuses after it', async () => {
  const template = await stack.db.campaignTemplate.create({
    data: { clientId, name: 'Dental', sequence: TWO, messaging: { audience: 'Dentists', templates: { email_intro: { body: 'Old intro' } } } },
  });
  const url = `/api/v1/campaigns/templates/${template.id}`;
  await request(stack.app)
    .patch(url)
    .set(auth)
    .send({ templates: { email_intro: { body: '' } } })
    .expect(400);
  const edited = await request(stack.app)
    .patch(url)
    .set(auth)
    .send({ name: 'Dental clinics', templates: { email_intro: { subject: 'Chairs at {{companyName}}', body: 'New intro' } } })
    .expect(200);
  expect(edited.body.template).toMatchObject({
    name: 'Dental clinics',
    messaging: { audience: 'Dentists', templates: { email_intro: { subject: 'Chairs at {{companyName}}', body: 'New intro' } } },
  });
  const other = await createClientWithUser(stack.db);
  await request(stack.app).patch(url).set(other.auth).send({ name: 'Mine' }).expect(404);

  // Launched: the campaign's version 1 holds the edited copy, and the template is closed to edits.
  const launched = await request(stack.app).post(`${url}/launch`).set(auth).send({}).expect(201);
  const v1 = await stack.db.campaignSequenceVersion.findUniqueOrThrow({
    where: { campaignId_version: { campaignId: launched.body.campaign.id, version: 1 } },
  });
  expect((v1.copy as Record<string, Record<string, unknown>>)['1'].email_intro).toEqual({ subject: 'Chairs at {{companyName}}', body: 'New intro' });
  const refused = await request(stack.app).patch(url).set(auth).send({ name: 'Later' }).expect(409);
  expect(refused.body.error.code).toBe('TEMPLATE_LAUNCHED');
  expect(await stack.db.auditLog.count({ where: { entityId: template.id, action: 'campaign_template.edit' } })).toBe(1);
});

it("backfills version 1 for campaigns from before versions, with their template's copy", async () => {
  const template = await stack.db.campaignTemplate.create({
    data: { clientId, name: 'Legacy', sequence: TWO, messaging: { templates: { email_intro: { subject: 'S', body: 'Generated intro' }, mail: { body: 5 } } } },
  });
  const legacy = await stack.db.campaign.create({ data: { clientId, name: 'Legacy', sequence: TWO, templateId: template.id } });
  const plain = await stack.db.campaign.create({ data: { clientId, name: 'Plain', sequence: TWO } });
  const sql = readFileSync(join(__dirname, '../../prisma/migrations/20261221000000_campaign_sequence_versions/migration.sql'), 'utf8');
  const backfill = sql.slice(sql.indexOf('WITH defaults'));
  // Only the two rows without versions (every other campaign here has its version 1 already).
  await stack.db.$executeRawUnsafe(backfill.replace(/;\s*$/, ` WHERE c."id" IN ('${legacy.id}', '${plain.id}')`));
  const rows = await stack.db.campaignSequenceVersion.findMany({ where: { campaignId: { in: [legacy.id, plain.id] } } });
  const byCampaign = Object.fromEntries(rows.map((r) => [r.campaignId, r]));
  expect(byCampaign[legacy.id]).toMatchObject({ version: 1, sequence: TWO, createdBy: null });
  expect(byCampaign[legacy.id].copy).toEqual({
    '1': { email_intro: { subject: 'S', body: 'Generated intro' } },
    // A generated entry without a string body is not copy: the default, as sends did.
    '2': { mail: DEFAULT_TEMPLATES.mail, email_breakup: DEFAULT_TEMPLATES.email_breakup },
  });
  expect(byCampaign[plain.id].copy).toEqual({
    '1': { email_intro: DEFAULT_TEMPLATES.email_intro },
    '2': { mail: DEFAULT_TEMPLATES.mail, email_breakup: DEFAULT_TEMPLATES.email_breakup },
  });
});
