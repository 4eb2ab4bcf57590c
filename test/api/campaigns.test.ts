// Campaigns API: draft with a validated sequence, live state from the workflow's query, lifecycle
// through the workflow's update (repeat = no-op, impossible = 409), adding leads, resources, outbox.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addResources, addUser, createClientWithUser, createLead } from '../harness/fixtures';
import { leadCalendar, windowClosedNow, windowOpenNow } from '../harness/clock';

let stack: TestStack;
let clientId: string;
let auth: Record<string, string>;
beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
});
afterAll(async () => {
  await stack?.stop();
});

const base = () => `/api/v1/clients/${clientId}/campaigns`;

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('validates the sequence definition', async () => {
  const res = await request(stack.app)
    .post(base())
    .set(auth)
    .send({ name: 'bad', sequence: { version: 1, touches: [{ number: 1, day: 0, channel: 'sms', kind: 'email_intro' }] } })
    .expect(400);
  expect(res.body.error.details[0].message).toMatch(/cannot be sent by sms/);
  await request(stack.app).post(base()).set(auth).send({}).expect(400);
  expect(await stack.db.campaign.count({ where: { clientId } })).toBe(0);
});

it('runs the lifecycle through the workflow', async () => {
  const created = await request(stack.app).post(base()).set(auth).send({ name: 'Launch', industry: 'Software' }).expect(201);
  const id = created.body.campaign.id;
  expect(created.body.campaign.status).toBe('draft');
  // SaaS timing compresses the plan's gaps.
  expect(created.body.campaign.sequence.touches.at(-1).day).toBeLessThan(14);

  const draft = await request(stack.app).get(`${base()}/${id}`).set(auth).expect(200);
  expect(draft.body.live).toMatchObject({ status: 'draft', enrolled: 0 });

  await request(stack.app).post(`${base()}/${id}/resume`).set(auth).expect(409);
  await request(stack.app).post(`${base()}/${id}/explode`).set(auth).expect(400);

  const started = await request(stack.app).post(`${base()}/${id}/start`).set(auth).expect(200);
  expect(started.body.campaign.status).toBe('active');
  expect(started.body.live.status).toBe('active');
  const again = await request(stack.app).post(`${base()}/${id}/start`).set(auth).expect(200);
  expect(again.body.campaign.status).toBe('active');

  await request(stack.app).post(`${base()}/${id}/pause`).set(auth).expect(200);
  expect((await stack.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe('paused');
  await request(stack.app).post(`${base()}/${id}/resume`).set(auth).expect(200);

  const viewer = await addUser(stack.db, clientId, 'viewer');
  await request(stack.app).post(`${base()}/${id}/pause`).set(viewer.auth).expect(403);
  await request(stack.app).get(`${base()}/${id}`).set(viewer.auth).expect(200);

  const cancelled = await request(stack.app).post(`${base()}/${id}/cancel`).set(auth).expect(200);
  expect(cancelled.body.campaign.status).toBe('cancelled');
  const refused = await request(stack.app).post(`${base()}/${id}/start`).set(auth).expect(409);
  expect(refused.body.error.code).toBe('INVALID_TRANSITION');
  await request(stack.app)
    .post(`${base()}/${id}/leads`)
    .set(auth)
    .send({ leadIds: [created.body.campaign.id] })
    .expect(409);

  const audit = await stack.db.auditLog.findMany({ where: { entityId: id }, orderBy: { createdAt: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['campaign.create', 'campaign.start', 'campaign.pause', 'campaign.resume', 'campaign.cancel']);
});

it('enrols added leads, sends through the sandbox inside the window, waits outside it, and shows both in the timeline', async () => {
  await addResources(stack.db, clientId);
  // The client's window (set through the API) is the same for both leads; their zones put "now"
  // inside it for one and outside it for the other, whatever the hour of the run.
  const open = windowOpenNow();
  const closed = windowClosedNow();
  await request(stack.app).patch(`/api/v1/clients/${clientId}`).set(auth).send({ sendWindow: open.sendWindow }).expect(200);
  const lead = await createLead(stack.db, clientId, { alsTier: 'cold', ...leadCalendar(open) });
  const later = await createLead(stack.db, clientId, { alsTier: 'cold', ...leadCalendar(closed) });
  const foreign = await createLead(stack.db, (await createClientWithUser(stack.db)).client.id);
  const id = (await request(stack.app).post(base()).set(auth).send({ name: 'Now' }).expect(201)).body.campaign.id;
  await request(stack.app)
    .post(`${base()}/${id}/leads`)
    .set(auth)
    .send({ leadIds: ['nope'] })
    .expect(400);
  const added = await request(stack.app)
    .post(`${base()}/${id}/leads`)
    .set(auth)
    .send({ leadIds: [lead.id, later.id, foreign.id] })
    .expect(200);
  expect(added.body).toEqual({ added: 2, alreadyEnrolled: 0, notFound: [foreign.id] });
  const repeat = await request(stack.app)
    .post(`${base()}/${id}/leads`)
    .set(auth)
    .send({ leadIds: [lead.id] })
    .expect(200);
  expect(repeat.body).toEqual({ added: 0, alreadyEnrolled: 1, notFound: [] });
  await request(stack.app).post(`${base()}/${id}/start`).set(auth).expect(200);

  const firstTouch = (leadId: string, status: string) =>
    waitFor(
      () =>
        request(stack.app)
          .get(`/api/v1/clients/${clientId}/leads/${leadId}`)
          .set(auth)
          .then((r) => r.body.timeline.sequences[0]?.state?.timeline?.[0]),
      (t) => t?.status === status,
    );
  const sent = await firstTouch(lead.id, 'sent');
  expect(sent).toMatchObject({ status: 'sent', channel: 'email' });
  const outbox = await request(stack.app).get(`/api/v1/clients/${clientId}/outbox?channel=email`).set(auth).expect(200);
  expect(outbox.body.data.map((m: { recipient: string }) => m.recipient)).toEqual([lead.email]);
  expect(outbox.body.data[0]).toMatchObject({ recipient: lead.email, channel: 'email', provider: 'postmark' });

  const waiting = await firstTouch(later.id, 'waiting');
  expect(waiting).toMatchObject({ status: 'waiting', reason: 'outside_hours' });
  // It waits for 08:00 on the lead's clock.
  const until = new Date(waiting.until);
  expect(until.getTime()).toBeGreaterThan(Date.now());
  expect(new Intl.DateTimeFormat('en-GB', { timeZone: closed.timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(until)).toBe('08:00');

  const live = await request(stack.app).get(`${base()}/${id}`).set(auth).expect(200);
  expect(live.body.live).toMatchObject({ status: 'active', enrolled: 2 });
  expect(live.body.counts.enrollments).toEqual({ active: 2 });
  await request(stack.app).post(`${base()}/${id}/cancel`).set(auth).expect(200);
});

it('manages send resources with the admin role', async () => {
  const member = await addUser(stack.db, clientId, 'member');
  const r = `/api/v1/clients/${clientId}/resources`;
  await request(stack.app).post(r).set(member.auth).send({ channel: 'email', identifier: 'x.example' }).expect(403);
  const created = await request(stack.app).post(r).set(auth).send({ channel: 'email', identifier: 'send.example' }).expect(201);
  expect(created.body.resource.dailyLimit).toBe(50);
  await request(stack.app).post(r).set(auth).send({ channel: 'email', identifier: 'send.example' }).expect(409);
  await request(stack.app).post(r).set(auth).send({ channel: 'fax', identifier: 'x' }).expect(400);
  const listed = await request(stack.app).get(r).set(member.auth).expect(200);
  expect(listed.body.data.map((x: { identifier: string }) => x.identifier)).toContain('send.example');
  await request(stack.app).delete(`${r}/${created.body.resource.id}`).set(auth).expect(204);
  await request(stack.app).delete(`${r}/${created.body.resource.id}`).set(auth).expect(404);
});
