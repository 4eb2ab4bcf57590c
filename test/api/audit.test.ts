// The audit log: one row per mutation with actor, key, request id, entity and before/after, served to
// client admins newest first with cursor pages and filters; other tenants' rows never show.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { expectConforms } from './conformance';

let stack: TestStack;
let clientId: string;
let owner: Awaited<ReturnType<typeof createClientWithUser>>;

beforeAll(async () => {
  stack = await startTestStack();
  owner = await createClientWithUser(stack.db);
  clientId = owner.client.id;
});
afterAll(async () => {
  await stack?.stop();
});

async function get(path: string, headers: Record<string, string>) {
  const res = await request(stack.app).get(path).set(headers);
  expectConforms('get', path, res);
  return res;
}

it('records who changed what, with before and after, for each mutation', async () => {
  const base = `/api/v1/clients/${clientId}`;
  await request(stack.app).patch(base).set(owner.auth).set('X-Request-Id', 'audit-patch').send({ name: 'Audited' }).expect(200);
  await request(stack.app)
    .post(`${base}/resources`)
    .set(owner.auth)
    .set('X-Request-Id', 'audit-resource')
    .send({ channel: 'email', identifier: 'audit.example' })
    .expect(201);
  await request(stack.app)
    .post(`${base}/members`)
    .set(owner.auth)
    .set('X-Request-Id', 'audit-member')
    .send({ email: 'audited@x.example', role: 'viewer' })
    .expect(202);
  await request(stack.app)
    .post(`${base}/leads`)
    .set(owner.auth)
    .set('X-Request-Id', 'audit-lead')
    .send({ email: 'lead@audit.example', firstName: 'A' })
    .expect(201);

  const res = await get(`${base}/audit`, owner.auth);
  expect(res.status).toBe(200);
  const byRequest = Object.fromEntries(res.body.data.map((r: { requestId: string }) => [r.requestId, r]));
  const keyId = (await stack.db.apiKey.findFirstOrThrow({ where: { userId: owner.user.id } })).id;
  expect(byRequest['audit-patch']).toMatchObject({
    clientId,
    actorId: owner.user.id,
    actorKeyId: keyId,
    action: 'client.update',
    entityType: 'client',
    entityId: clientId,
    before: { name: owner.client.name },
    after: { name: 'Audited' },
  });
  expect(byRequest['audit-resource']).toMatchObject({ action: 'resource.create', entityType: 'send_resource', after: { identifier: 'audit.example' } });
  // Adding a member is an invitation until the invitee accepts it.
  expect(byRequest['audit-member']).toMatchObject({
    action: 'invitation.create',
    entityType: 'invitation',
    after: { email: 'audited@x.example', role: 'viewer' },
  });
  expect(byRequest['audit-lead']).toMatchObject({ action: 'lead.create', entityType: 'lead', after: { email: 'lead@audit.example' } });
  // Newest first.
  const times = res.body.data.map((r: { createdAt: string }) => Date.parse(r.createdAt));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
});

it('pages with a cursor and filters by action, entity and actor', async () => {
  for (let i = 0; i < 5; i++) {
    await request(stack.app)
      .post(`/api/v1/clients/${clientId}/resources`)
      .set(owner.auth)
      .send({ channel: 'sms', identifier: `+6125555010${i}` })
      .expect(201);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await get(`/api/v1/clients/${clientId}/audit?limit=3&action=resource.create${cursor ? `&cursor=${cursor}` : ''}`, owner.auth);
    seen.push(...res.body.data.map((r: { id: string }) => r.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  expect(seen).toHaveLength(6);
  expect(new Set(seen).size).toBe(6);
  const byEntity = await get(`/api/v1/clients/${clientId}/audit?entityType=client&actorId=${owner.user.id}`, owner.auth);
  expect(byEntity.body.data.map((r: { action: string }) => r.action)).toEqual(['client.update']);
  expect((await get(`/api/v1/clients/${clientId}/audit?cursor=garbage`, owner.auth)).status).toBe(400);
  expect((await get(`/api/v1/clients/${clientId}/audit?limit=0`, owner.auth)).status).toBe(400);
  expect((await get(`/api/v1/clients/${clientId}/audit?actorId=nope`, owner.auth)).status).toBe(400);
});

it('is for client admins; other tenants get 404 and never see these rows', async () => {
  const member = await addUser(stack.db, clientId, 'member');
  const admin = await addUser(stack.db, clientId, 'admin');
  expect((await get(`/api/v1/clients/${clientId}/audit`, member.auth)).status).toBe(403);
  expect((await get(`/api/v1/clients/${clientId}/audit`, admin.auth)).status).toBe(200);
  const other = await createClientWithUser(stack.db);
  await request(stack.app).patch(`/api/v1/clients/${other.client.id}`).set(other.auth).send({ name: 'Theirs' }).expect(200);
  expect((await get(`/api/v1/clients/${clientId}/audit`, other.auth)).status).toBe(404);
  const theirs = await get(`/api/v1/clients/${other.client.id}/audit`, other.auth);
  expect(theirs.body.data.every((r: { clientId: string }) => r.clientId === other.client.id)).toBe(true);
});

it('keeps user-level changes (API keys) out of client logs but records them', async () => {
  const res = await request(stack.app).post('/api/v1/keys').set(owner.auth).set('X-Request-Id', 'audit-key').send({ name: 'k' }).expect(201);
  const row = await stack.db.auditLog.findFirstOrThrow({ where: { requestId: 'audit-key' } });
  expect(row).toMatchObject({ clientId: null, action: 'api_key.create', entityId: res.body.key.id, actorId: owner.user.id });
  const clientRows = await get(`/api/v1/clients/${clientId}/audit?limit=200`, owner.auth);
  expect(clientRows.body.data.map((r: { requestId: string }) => r.requestId)).not.toContain('audit-key');
});
