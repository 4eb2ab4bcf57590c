// Memberships: an owner invites people by email (invitations.test.ts has the flow), changes roles and
// removes members; a client never loses its last owner; every change is audited.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { expectConforms } from './conformance';

let stack: TestStack;
let clientId: string;
let owner: { auth: Record<string, string>; userId: string };
beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  owner = { auth: c.auth, userId: c.user.id };
});
afterAll(async () => {
  await stack?.stop();
});

const base = () => `/api/v1/clients/${clientId}/members`;
const email = () => `person-${randomBytes(4).toString('hex')}@Example.COM`;

async function call(method: 'get' | 'post' | 'patch' | 'delete', path: string, headers: Record<string, string>, body?: object) {
  const req = request(stack.app)[method](path).set(headers);
  const res = method === 'get' || method === 'delete' ? await req : await req.send(body ?? {});
  expectConforms(method, path, res);
  return res;
}

it('invites instead of adding: the answer is a pending invitation, nobody becomes a member yet', async () => {
  const address = email();
  const res = await call('post', base(), owner.auth, { email: address, role: 'member', name: 'New Person' });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ invitation: expect.objectContaining({ email: address.toLowerCase(), role: 'member', name: 'New Person', status: 'pending' }) });
  expect(await stack.db.user.count({ where: { email: address.toLowerCase() } })).toBe(0);
  const audit = await stack.db.auditLog.findFirstOrThrow({ where: { clientId, action: 'invitation.create', entityId: res.body.invitation.id } });
  expect(audit.actorId).toBe(owner.userId);
  // Invitation flows (accepting, existing users, tokens) are in invitations.test.ts.
});

it('lists members for any role, pages them, and filters by role', async () => {
  const viewer = await addUser(stack.db, clientId, 'viewer');
  const list = await call('get', `${base()}?limit=1`, viewer.auth);
  expect(list.status).toBe(200);
  expect(list.body.data).toHaveLength(1);
  expect(list.body.nextCursor).toEqual(expect.any(String));
  const owners = await call('get', `${base()}?role=owner`, viewer.auth);
  expect(owners.body.data.map((m: { userId: string }) => m.userId)).toEqual([owner.userId]);
  expect((await call('get', `${base()}/${owner.userId}`, viewer.auth)).body.member.role).toBe('owner');
});

it('lets only owners manage members', async () => {
  const admin = await addUser(stack.db, clientId, 'admin');
  const target = await addUser(stack.db, clientId, 'member');
  expect((await call('post', base(), admin.auth, { email: email(), role: 'viewer' })).status).toBe(403);
  expect((await call('patch', `${base()}/${target.user.id}`, admin.auth, { role: 'admin' })).status).toBe(403);
  expect((await call('delete', `${base()}/${target.user.id}`, admin.auth)).status).toBe(403);
  // A platform admin may.
  const res = await call('patch', `${base()}/${target.user.id}`, { Authorization: `Bearer ${stack.adminKey}` }, { role: 'admin' });
  expect(res.body.member.role).toBe('admin');
});

it('changes roles, keeps the last owner, and audits before/after', async () => {
  const m = await addUser(stack.db, clientId, 'member');
  const res = await call('patch', `${base()}/${m.user.id}`, owner.auth, { role: 'admin' });
  expect(res.status).toBe(200);
  expect(res.body.member.role).toBe('admin');
  const audit = await stack.db.auditLog.findFirstOrThrow({ where: { clientId, action: 'member.change_role', entityId: m.user.id } });
  expect(audit).toMatchObject({ before: { role: 'member' }, after: { role: 'admin' } });
  // The new role applies to the member's very next request.
  await request(stack.app).get(`/api/v1/clients/${clientId}/audit`).set(m.auth).expect(200);

  const lastOwner = await call('patch', `${base()}/${owner.userId}`, owner.auth, { role: 'admin' });
  expect(lastOwner.status).toBe(409);
  expect(lastOwner.body.error.code).toBe('LAST_OWNER');
  expect((await call('delete', `${base()}/${owner.userId}`, owner.auth)).body.error.code).toBe('LAST_OWNER');

  // With a second owner, the first may step down.
  const second = await addUser(stack.db, clientId, 'owner');
  expect((await call('patch', `${base()}/${owner.userId}`, second.auth, { role: 'admin' })).body.member.role).toBe('admin');
  expect((await call('patch', `${base()}/${owner.userId}`, second.auth, { role: 'owner' })).body.member.role).toBe('owner');
  for (const bad of [{}, { role: 'king' }, { role: 'admin', extra: true }]) {
    expect((await call('patch', `${base()}/${m.user.id}`, owner.auth, bad)).status).toBe(400);
  }
  expect((await stack.db.membership.findFirstOrThrow({ where: { clientId, userId: m.user.id } })).role).toBe('admin');
});

it('removes a member (soft): their key stops reaching the client at once; accepting a new invitation restores the row', async () => {
  const m = await addUser(stack.db, clientId, 'member');
  await request(stack.app).get(`/api/v1/clients/${clientId}/leads`).set(m.auth).expect(200);
  expect((await call('delete', `${base()}/${m.user.id}`, owner.auth)).status).toBe(204);
  await request(stack.app).get(`/api/v1/clients/${clientId}/leads`).set(m.auth).expect(404);
  const row = await stack.db.membership.findFirstOrThrow({ where: { clientId, userId: m.user.id } });
  expect(row.deletedAt).not.toBeNull();
  expect((await call('get', `${base()}/${m.user.id}`, owner.auth)).status).toBe(404);
  expect((await call('delete', `${base()}/${m.user.id}`, owner.auth)).status).toBe(404);
  // Their own key is theirs: it keeps working, just not here.
  await request(stack.app).get('/api/v1/keys').set(m.auth).expect(200);

  const again = await call('post', base(), owner.auth, { email: m.user.email, role: 'viewer' });
  expect(again.status).toBe(202);
  const outbox = await request(stack.app)
    .get(`/api/v1/clients/${clientId}/outbox?channel=email&limit=200`)
    .set({ Authorization: `Bearer ${stack.adminKey}` })
    .expect(200);
  const mail = outbox.body.data.find((x: { payload: { metadata: { invitationId?: string } } }) => x.payload.metadata.invitationId === again.body.invitation.id);
  const token = /aos_inv_[A-Za-z0-9_-]{43}/.exec(mail.payload.text)![0];
  await request(stack.app).post('/api/v1/invitations/accept').set(m.auth).send({ token }).expect(201);
  const restored = await stack.db.membership.findFirstOrThrow({ where: { clientId, userId: m.user.id } });
  expect(restored).toMatchObject({ id: row.id, deletedAt: null, role: 'viewer' });
  expect(await stack.db.auditLog.count({ where: { clientId, entityId: m.user.id, action: { in: ['member.remove', 'member.add'] } } })).toBe(2);
});

it("answers 404 for another client's member", async () => {
  const other = await createClientWithUser(stack.db);
  expect((await call('get', `${base()}/${other.user.id}`, owner.auth)).status).toBe(404);
  expect((await call('patch', `${base()}/${other.user.id}`, owner.auth, { role: 'viewer' })).status).toBe(404);
  expect((await call('delete', `${base()}/${other.user.id}`, owner.auth)).status).toBe(404);
  expect((await call('get', `/api/v1/clients/${other.client.id}/members`, owner.auth)).status).toBe(404);
});
