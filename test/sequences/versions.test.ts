// Sequence versions in time-skipped days: an edit of a running campaign adds version 2 (touch 3 with
// new copy, two business days later); a lead already in sequence keeps version 1's copy and day for
// touch 3, a migrated lead takes version 2's from its next untouched touch, and a lead enrolled after
// the edit starts on version 2.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, createClientWithUser, createLead } from '../harness/fixtures';
import { awaitAdminRun } from '../harness/admin-runs';
import { recordHistory } from '../harness/histories';
import { expectConforms } from '../api/conformance';
import { localDay, sequenceHandle, timeline } from './helpers';
import { SEQUENCE_MIGRATION_PATCH } from '../../workflows/lead-sequence';
import { workflowIds } from '../../workflows/ids';
import type { TimelineEntry } from '../../workflows/definitions/sequence';
import type { LeadMigrationResult } from '../../workflows/definitions/lead-migration';

let stack: TestStack;
beforeAll(async () => {
  // Monday 4 May 2026, 09:00 in Sydney (AEST): no public holiday for two weeks.
  stack = await startTestStack({ timeSkipping: true, startAt: '2026-05-03T23:00:00Z' });
});
afterAll(async () => {
  await stack?.stop();
});

const V1 = {
  version: 1 as const,
  touches: [
    { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
    { number: 2, day: 2, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
    { number: 3, day: 4, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
  ],
};
const V2 = { ...V1, touches: [V1.touches[0], V1.touches[1], { ...V1.touches[2], day: 6 }] };
const V2_COPY = { '3': { email_followup: { body: 'Second version, touch three, for {{firstName|there}}.' } } };

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('keeps a running lead on its version, moves a migrated one at its next untouched touch, and starts new ones on the latest', async () => {
  const { client, auth, key } = await createClientWithUser(stack.db);
  await addResources(stack.db, client.id);
  const pinned = await createLead(stack.db, client.id, { firstName: 'Pinned' });
  const moved = await createLead(stack.db, client.id, { firstName: 'Moved' });
  const base = `/api/v1/clients/${client.id}/campaigns`;

  const created = await request(stack.app).post(base).set(auth).send({ name: 'Versions', sequence: V1, permissionMode: 'autopilot' }).expect(201);
  const campaignId: string = created.body.campaign.id;
  expect(created.body.campaign.sequenceVersion).toBe(1);
  await request(stack.app)
    .post(`${base}/${campaignId}/leads`)
    .set(auth)
    .send({ leadIds: [pinned.id, moved.id] })
    .expect(200);
  await request(stack.app).post(`${base}/${campaignId}/start`).set(auth).expect(200);

  // Touch 1 goes out on Monday for both (time stands still while nobody awaits a result).
  for (const lead of [pinned, moved]) {
    await sequenceHandle(stack.temporal, campaignId, lead.id);
    await until(
      () => timeline(stack.temporal, campaignId, lead.id),
      (s) => s.timeline.some((e) => e.touch === 1 && e.status === 'sent'),
    );
  }

  // Version 2: touch 3 two business days later, with new copy.
  const edited = await request(stack.app).patch(`${base}/${campaignId}`).set(auth).send({ sequence: V2, copy: V2_COPY }).expect(200);
  expect(edited.body.campaign.sequenceVersion).toBe(2);
  expect(edited.body.version).toMatchObject({ version: 2, sequence: V2 });
  expect(edited.body.version.copy['3'].email_followup.body).toBe(V2_COPY['3'].email_followup.body);
  // Version 1 is untouched: its touch 3 keeps its day and the copy it was created with.
  const v1 = await request(stack.app).get(`${base}/${campaignId}/versions/1`).set(auth).expect(200);
  expect(v1.body.version.sequence.touches[2].day).toBe(4);
  expect(v1.body.version.copy['3'].email_followup.body).toMatch(/^Hi \{\{firstName\|there\}\},\n\nFloating this back up/);
  expect(v1.body.version.leads).toEqual({ total: 2, pending: 0, running: 2, ended: 0 });

  // Migrating the second lead only: it moves at touch 2 (not attempted yet: it waits for Wednesday).
  // The request answers 202 at once; a background workflow sends the update.
  const migrate = async () => {
    const path = `${base}/${campaignId}/migrate-leads`;
    const started = await request(stack.app)
      .post(path)
      .set(auth)
      .send({ toVersion: 2, leadIds: [moved.id] })
      .expect(202);
    expectConforms('post', path, started);
    expect(started.body.status).toBe('running');
    return awaitAdminRun<LeadMigrationResult>(stack.app, key, started.body.statusUrl);
  };
  const migrated = await migrate();
  expect(migrated).toMatchObject({ status: 'completed' });
  expect(migrated.result).toEqual({ toVersion: 2, migrated: 1, alreadyOnVersion: 0, notRunning: 0, notRunningLeadIds: [], pages: 1 });
  // Asking again (another request) is a no-op for the lead.
  const again = await migrate();
  expect(again.result).toMatchObject({ migrated: 0, alreadyOnVersion: 1 });
  await until(
    () => timeline(stack.temporal, campaignId, moved.id),
    (s) => s.sequenceVersion === 2,
  );

  // A lead enrolled after the edit starts on version 2.
  const late = await createLead(stack.db, client.id, { firstName: 'Late' });
  await request(stack.app)
    .post(`${base}/${campaignId}/leads`)
    .set(auth)
    .send({ leadIds: [late.id] })
    .expect(200);
  await sequenceHandle(stack.temporal, campaignId, late.id);
  await until(
    () => stack.db.campaignEnrollment.findUniqueOrThrow({ where: { campaignId_leadId: { campaignId, leadId: late.id } } }),
    (e) => e.status === 'active',
  );

  const versions = await request(stack.app).get(`${base}/${campaignId}/versions`).set(auth).expect(200);
  expect(versions.body.currentVersion).toBe(2);
  // Running or already ended: reading a finished migration's result lets the time-skipping server
  // move its clock, and on a busy machine the pinned lead may reach its last touch meanwhile.
  type Leads = { total: number; pending: number; running: number; ended: number };
  const rows = versions.body.versions.map((v: { version: number; current: boolean; leads: Leads }) => [
    v.version,
    v.current,
    { total: v.leads.total, pending: v.leads.pending, started: v.leads.running + v.leads.ended },
  ]);
  expect(rows).toEqual([
    [1, false, { total: 1, pending: 0, started: 1 }],
    [2, true, { total: 2, pending: 0, started: 2 }],
  ]);

  // One at a time: each result() lets the test server skip time while it waits.
  const results = [];
  for (const l of [pinned, moved, late]) results.push(await (await sequenceHandle(stack.temporal, campaignId, l.id)).result());
  const sentDays = (t: TimelineEntry[]) => t.filter((e) => e.status === 'sent').map((e) => [e.touch, localDay(e.at)]);
  // Pinned to version 1: touch 3 on day 4 (Friday).
  expect(sentDays(results[0].timeline)).toEqual([
    [1, '2026-05-04'],
    [2, '2026-05-06'],
    [3, '2026-05-08'],
  ]);
  // Migrated: touch 3 on version 2's day 6 (the Tuesday after), counted from its own start.
  expect(sentDays(results[1].timeline)).toEqual([
    [1, '2026-05-04'],
    [2, '2026-05-06'],
    [3, '2026-05-12'],
  ]);
  expect(results[1].sequenceVersion).toBe(2);

  const touch3 = async (leadId: string) => {
    const row = await stack.db.activity.findFirstOrThrow({ where: { campaignId, leadId, touchNumber: 3, action: 'sent' } });
    return (row.metadata as { body: string }).body;
  };
  expect(await touch3(pinned.id)).toMatch(/^Hi Pinned,\n\nFloating this back up/);
  expect(await touch3(moved.id)).toMatch(/^Second version, touch three, for Moved\./);
  expect(await touch3(late.id)).toMatch(/^Second version, touch three, for Late\./);

  const enrollments = await stack.db.campaignEnrollment.findMany({ where: { campaignId }, select: { leadId: true, sequenceVersion: true } });
  expect(Object.fromEntries(enrollments.map((e) => [e.leadId, e.sequenceVersion]))).toEqual({ [pinned.id]: 1, [moved.id]: 2, [late.id]: 2 });

  // The migrated run carries the patch marker before its new schedule.
  const history = await stack.temporal.workflow.getHandle(workflowIds.sequence(campaignId, moved.id)).fetchHistory();
  const patches = (history.events ?? []).flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_patch') return [];
    return Object.values(m.details ?? {}).map((d) => (JSON.parse(Buffer.from(d.payloads![0].data!).toString('utf8')) as { id: string }).id);
  });
  expect(patches).toContain(SEQUENCE_MIGRATION_PATCH);
  recordHistory(workflowIds.sequence(campaignId, moved.id), 'lead-sequence-migrated', stack.env!.connection.options.address);

  const audit = await stack.db.auditLog.findMany({ where: { entityId: campaignId, action: { in: ['campaign.edit', 'campaign.migrate_leads'] } } });
  expect(audit.map((a) => a.action).sort()).toEqual(['campaign.edit', 'campaign.migrate_leads', 'campaign.migrate_leads']);
});
