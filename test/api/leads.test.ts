// Leads API: one, bulk JSON, bulk CSV (all-or-nothing unless partial), dedupe, suppression,
// filters with cursor pages, the timeline, soft delete — against the real stack.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { suppress } from '../../src/engines/compliance/suppression';

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

const base = () => `/api/v1/clients/${clientId}/leads`;

it('creates one lead, starts its enrichment and refuses a duplicate', async () => {
  const res = await request(stack.app).post(base()).set(auth).send({ email: 'Ana@Acme.example', firstName: 'Ana', companyName: 'Acme' }).expect(201);
  expect(res.body.lead).toMatchObject({ email: 'ana@acme.example', status: 'new', clientId });
  expect(res.body.enrichment.workflowId).toMatch(/^enrich:/);
  const dup = await request(stack.app).post(base()).set(auth).send({ email: 'ana@acme.example' }).expect(409);
  expect(dup.body.error).toMatchObject({ code: 'DUPLICATE_LEAD', details: { existingLeadId: res.body.lead.id } });
  const audit = await stack.db.auditLog.findFirst({ where: { entityId: res.body.lead.id, action: 'lead.create' } });
  expect(audit).not.toBeNull();
});

it('rejects bad input with the zod issues and changes nothing', async () => {
  const before = await stack.db.lead.count({ where: { clientId } });
  const res = await request(stack.app).post(base()).set(auth).send({ email: 'not-an-email', companySize: -3, extra: 1 }).expect(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  const paths = res.body.error.details.map((d: { path: string[] }) => d.path.join('.'));
  expect(paths).toEqual(expect.arrayContaining(['email', 'companySize']));
  await request(stack.app).post(base()).set(auth).send({ firstName: 'No contact' }).expect(400);
  expect(await stack.db.lead.count({ where: { clientId } })).toBe(before);
});

it('refuses a suppressed contact with the reason', async () => {
  await suppress(stack.db, { clientId: null, kind: 'email', value: 'gone@nope.example', reason: 'unsubscribe' });
  const res = await request(stack.app).post(base()).set(auth).send({ email: 'gone@nope.example' }).expect(422);
  expect(res.body.error.message).toMatch(/suppressed email \(unsubscribe\)/);
});

it('imports CSV all-or-nothing, with row numbers and fields on every error', async () => {
  const csv = ['Email,First Name,Company,Employees', 'b1@bulk.example,Bo,Bulk,10', 'broken,Cy,Bulk,x', 'b3@bulk.example,Di,"Bulk, Inc",12'].join('\r\n');
  const bad = await request(stack.app).post(`${base()}/bulk`).set(auth).set('Content-Type', 'text/csv').send(csv).expect(400);
  expect(bad.body.error.code).toBe('IMPORT_INVALID');
  expect(bad.body.error.details.errors).toEqual([
    { row: 2, line: 3, field: 'email', column: 'Email', message: 'must be an email address' },
    { row: 2, line: 3, field: 'companySize', column: 'Employees', message: expect.any(String) },
  ]);
  expect(await stack.db.lead.count({ where: { clientId, email: { endsWith: '@bulk.example' } } })).toBe(0);

  const partial = await request(stack.app).post(`${base()}/bulk?partial=true`).set(auth).set('Content-Type', 'text/csv').send(csv).expect(201);
  expect(partial.body.imported).toBe(2);
  expect(partial.body.errors).toHaveLength(2);
  const inc = await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'b3@bulk.example' } });
  expect(inc.companyName).toBe('Bulk, Inc');
});

it('imports JSON in bulk, reporting duplicates within the file and against existing leads', async () => {
  const res = await request(stack.app)
    .post(`${base()}/bulk`)
    .set(auth)
    .send({ leads: [{ email: 'j1@json.example' }, { email: 'J1@json.example' }, { email: 'ana@acme.example' }, { phone: '0412 000 111', country: 'AU' }] })
    .expect(201);
  expect(res.body.imported).toBe(2);
  expect(res.body.duplicates.map((d: { row: number }) => d.row)).toEqual([2, 3]);
  const phoneLead = await stack.db.lead.findFirstOrThrow({ where: { clientId, phone: '+61412000111' } });
  expect(phoneLead.email).toBeNull();
  await request(stack.app).post(`${base()}/bulk`).set(auth).send({ leads: [] }).expect(400);
});

it('accepts 10,000 rows and refuses more', async () => {
  const rows = Array.from({ length: 10_001 }, (_, i) => `${i}@many.example`);
  await request(stack.app)
    .post(`${base()}/bulk`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(['email', ...rows].join('\n'))
    .expect(413);
  const ok = await request(stack.app)
    .post(`${base()}/bulk`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(['email', ...rows.slice(0, 10_000)].join('\n'))
    .expect(201);
  expect(ok.body.imported).toBe(10_000);
  // Heavy (many workflows or 10,000 rows): a busy CI machine needs more than the default minute.
}, 180_000);

it('lists with filters and cursor pages, gets one with its timeline, soft-deletes', async () => {
  const lead = await stack.db.lead.findFirstOrThrow({ where: { clientId, email: 'ana@acme.example' } });
  await stack.db.lead.update({ where: { id: lead.id }, data: { alsTier: 'hot', status: 'scored' } });
  const hot = await request(stack.app).get(`${base()}?tier=hot`).set(auth).expect(200);
  expect(hot.body.data.map((l: { id: string }) => l.id)).toEqual([lead.id]);
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: request.Response = await request(stack.app)
      .get(`${base()}?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
      .set(auth)
      .expect(200);
    for (const l of res.body.data) seen.add(l.id);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  // Every lead exactly once across the pages (background enrichment changes statuses meanwhile,
  // so the whole list is paged rather than a status).
  expect(seen.size).toBe(await stack.db.lead.count({ where: { clientId, deletedAt: null } }));
  await request(stack.app).get(`${base()}?tier=scorching`).set(auth).expect(400);
  await request(stack.app).get(`${base()}?cursor=garbage`).set(auth).expect(400);

  const one = await request(stack.app).get(`${base()}/${lead.id}`).set(auth).expect(200);
  expect(one.body.lead.id).toBe(lead.id);
  expect(one.body.timeline).toEqual({ sequences: [], activities: [] });

  const viewer = await addUser(stack.db, clientId, 'viewer');
  await request(stack.app).delete(`${base()}/${lead.id}`).set(viewer.auth).expect(403);
  await request(stack.app).delete(`${base()}/${lead.id}`).set(auth).expect(204);
  await request(stack.app).get(`${base()}/${lead.id}`).set(auth).expect(404);
  expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).deletedAt).not.toBeNull();
});

it("hides another tenant's leads behind 404", async () => {
  const other = await createClientWithUser(stack.db);
  const lead = await stack.db.lead.findFirstOrThrow({ where: { clientId, deletedAt: null } });
  await request(stack.app).get(`${base()}/${lead.id}`).set(other.auth).expect(404);
  await request(stack.app).get(`/api/v1/clients/${other.client.id}/leads/${lead.id}`).set(other.auth).expect(404);
  await request(stack.app).get(base()).expect(401);
});
