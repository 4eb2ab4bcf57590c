// Invitations (issue 13, item 1): an owner invites an email address; only the invitee gets a token
// (by email: the sandbox outbox offline, Postmark when configured) and redeems it for their own key,
// or with their own key when they already have an account. The inviter never holds a credential of
// the invitee's; the answer does not reveal whether the address has an account; tokens are single
// use, expire and can be revoked; a key someone else may have held dies with its membership.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createApiKey } from '../../src/engines/api-keys';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { POSTMARK_FAKE_TOKEN, startPostmarkFake, type PostmarkFake } from '../fakes/postmark-fake';
import { expectConforms } from './conformance';

let stack: TestStack;
let A: Awaited<ReturnType<typeof createClientWithUser>>;
let admin: Record<string, string>;
beforeAll(async () => {
  stack = await startTestStack();
  A = await createClientWithUser(stack.db);
  admin = { Authorization: `Bearer ${stack.adminKey}` };
});
afterAll(async () => {
  await stack?.stop();
});

const TOKEN_RE = /aos_inv_[A-Za-z0-9_-]{43}/;
const email = () => `person-${randomBytes(4).toString('hex')}@Example.COM`;
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const members = (clientId = A.client.id) => `/api/v1/clients/${clientId}/members`;
const invitations = (clientId = A.client.id) => `/api/v1/clients/${clientId}/invitations`;

async function call(method: 'get' | 'post' | 'delete', path: string, headers: Record<string, string>, body?: object) {
  const req = request(stack.app)[method](path).set(headers);
  const res = method === 'get' || method === 'delete' ? await req : await req.send(body ?? {});
  expectConforms(method, path, res);
  return res;
}

const invite = (address: string, role = 'member', auth: Record<string, string> = A.auth, clientId = A.client.id) =>
  call('post', members(clientId), auth, { email: address, role });
const accept = (token: string, headers: Record<string, string> = {}, extra: object = {}) =>
  call('post', '/api/v1/invitations/accept', headers, { token, ...extra });

type OutboxRow = { recipient: string; payload: { text: string; subject?: string; headers?: Record<string, string>; metadata: Record<string, string> } };

/** The invitation email as the client's outbox shows it to `auth`. */
async function outboxEmail(invitationId: string, auth: Record<string, string>, clientId = A.client.id): Promise<OutboxRow> {
  const res = await call('get', `/api/v1/clients/${clientId}/outbox?channel=email&limit=200`, auth);
  expect(res.status).toBe(200);
  const row = (res.body.data as OutboxRow[]).find((m) => m.payload.metadata?.invitationId === invitationId);
  if (!row) throw new Error(`no outbox email for invitation ${invitationId}`);
  return row;
}

/** The token, as the invitee reads it in their mailbox (offline: the outbox, seen by a platform admin). */
async function tokenFor(invitationId: string, clientId = A.client.id): Promise<string> {
  const m = TOKEN_RE.exec((await outboxEmail(invitationId, admin, clientId)).payload.text);
  if (!m) throw new Error('no token in the invitation email');
  return m[0];
}

/** Every key path of a JSON value, values ignored: the "shape" of an answer. */
function shape(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => shape(x, `${at}[]`));
  if (v && typeof v === 'object')
    return Object.entries(v)
      .flatMap(([k, x]) => [`${at}.${k}`, ...shape(x, `${at}.${k}`)])
      .sort();
  return [];
}

it("the issue's exploit: the inviter gets no credential, and cannot make one for the invitee", async () => {
  const address = email();
  const res = await invite(address);
  expect(res.status).toBe(202);
  // No key, secret or user id: only the pending invitation.
  expect(JSON.stringify(res.body)).not.toMatch(/aos_|secret|initialKey|userId/);
  expect(res.body.invitation).toMatchObject({ email: address.toLowerCase(), role: 'member', status: 'pending', clientId: A.client.id });
  expect(Date.parse(res.body.invitation.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
  // Nobody was created or added yet, so no key of the invitee exists at all.
  expect(await stack.db.user.findUnique({ where: { email: address.toLowerCase() } })).toBeNull();
  // The client's outbox shows the owner that the email went out, not the token in it.
  const seen = await outboxEmail(res.body.invitation.id, A.auth);
  expect(seen.recipient).toBe(address.toLowerCase());
  expect(JSON.stringify(seen)).not.toMatch(TOKEN_RE);
  // The token is not in the invitation row (only its hash), the audit log or the logs.
  const row = await stack.db.invitation.findUniqueOrThrow({ where: { id: res.body.invitation.id } });
  const token = await tokenFor(res.body.invitation.id);
  expect(JSON.stringify(row)).not.toContain(token);
  expect(JSON.stringify(await stack.db.auditLog.findMany({ where: { clientId: A.client.id } }))).not.toContain(token);
  expect(stack.logLines.join('')).not.toContain(token);

  // The invitee redeems it for their own key.
  const redeemed = await accept(token, {}, { name: 'New Person', keyName: 'laptop' });
  expect(redeemed.status).toBe(201);
  expect(redeemed.body).toMatchObject({
    userCreated: true,
    client: { id: A.client.id },
    member: { email: address.toLowerCase(), role: 'member', name: 'New Person' },
    key: { name: 'laptop', status: 'active', expiresAt: null },
  });
  const secret: string = redeemed.body.secret;
  expect(secret).toMatch(/^aos_/);
  const mine = await request(stack.app).get('/api/v1/clients').set(bearer(secret)).expect(200);
  expect(mine.body.data.map((c: { id: string; role: string }) => [c.id, c.role])).toEqual([[A.client.id, 'member']]);
  expect(JSON.stringify(await stack.db.auditLog.findMany())).not.toContain(secret);

  // The invitee's own key is theirs: removing them ends their access to A, and the key goes on
  // working for them alone (e.g. when another client invites them later).
  const userId = redeemed.body.member.userId;
  await request(stack.app).delete(`${members()}/${userId}`).set(A.auth).expect(204);
  await request(stack.app).get(`/api/v1/clients/${A.client.id}/leads`).set(bearer(secret)).expect(404);
  const B = await createClientWithUser(stack.db);
  const again = await invite(address, 'owner', B.auth, B.client.id);
  const joined = await accept(await tokenFor(again.body.invitation.id, B.client.id), bearer(secret));
  expect(joined.status).toBe(201);
  await request(stack.app).get(`/api/v1/clients/${B.client.id}/leads`).set(bearer(secret)).expect(200);
  await request(stack.app).get(`/api/v1/clients/${A.client.id}/leads`).set(bearer(secret)).expect(404);
});

it('an existing user is only invited: no membership until they accept with their own key', async () => {
  const other = await createClientWithUser(stack.db);
  const res = await invite(other.user.email.toUpperCase(), 'viewer');
  expect(res.status).toBe(202);
  // Not a member yet: the client is not theirs to see.
  await request(stack.app).get(`/api/v1/clients/${A.client.id}/leads`).set(other.auth).expect(404);
  expect(await stack.db.membership.count({ where: { clientId: A.client.id, userId: other.user.id } })).toBe(0);
  const listed = await call('get', `${invitations()}?status=pending`, A.auth);
  expect(listed.body.data.map((i: { id: string }) => i.id)).toContain(res.body.invitation.id);

  const token = await tokenFor(res.body.invitation.id);
  // Without a key, or with someone else's, the token alone does not let anyone in.
  const anonymous = await accept(token);
  expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'SIGN_IN_REQUIRED']);
  const stranger = await addUser(stack.db, other.client.id, 'member');
  const wrong = await accept(token, stranger.auth);
  expect([wrong.status, wrong.body.error.code]).toEqual([403, 'WRONG_ACCOUNT']);
  expect(await stack.db.membership.count({ where: { clientId: A.client.id, userId: { in: [other.user.id, stranger.user.id] } } })).toBe(0);

  const ok = await accept(token, other.auth);
  expect(ok.status).toBe(201);
  expect(ok.body).toMatchObject({ userCreated: false, key: null, secret: null, member: { userId: other.user.id, role: 'viewer' } });
  await request(stack.app).get(`/api/v1/clients/${A.client.id}/leads`).set(other.auth).expect(200);
  await request(stack.app).post(`/api/v1/clients/${A.client.id}/leads`).set(other.auth).send({ email: 'x@y.example' }).expect(403);
  expect(await stack.db.apiKey.count({ where: { userId: other.user.id } })).toBe(1);
  const audit = await stack.db.auditLog.findMany({
    where: { clientId: A.client.id, entityId: { in: [res.body.invitation.id, other.user.id] } },
    orderBy: { createdAt: 'asc' },
  });
  expect(audit.map((a) => [a.action, a.actorId])).toEqual([
    ['invitation.create', A.user.id],
    ['invitation.accept', other.user.id],
    ['member.add', other.user.id],
  ]);
  // Inviting a member again is a 409 (the member list shows them anyway).
  expect((await invite(other.user.email, 'admin')).body.error.code).toBe('ALREADY_MEMBER');
});

it('answers alike whether or not the address has an account', async () => {
  const existing = await createClientWithUser(stack.db);
  const disabled = await stack.db.user.create({ data: { email: `gone-${randomBytes(3).toString('hex')}@test.example`, deletedAt: new Date() } });
  const answers = [await invite(email(), 'admin'), await invite(existing.user.email, 'admin'), await invite(disabled.email, 'admin')];
  for (const r of answers) {
    expect(r.status).toBe(202);
    expect(shape(r.body)).toEqual(shape(answers[0].body));
    expect(r.body.invitation).toMatchObject({ role: 'admin', status: 'pending', name: null, acceptedAt: null, revokedAt: null, invitedById: A.user.id });
  }
  // The emails (as the client's outbox shows them) are alike too.
  const seen = await Promise.all(answers.map((r) => outboxEmail(r.body.invitation.id, A.auth)));
  expect(new Set(seen.map((m) => m.payload.text)).size).toBe(1);
  expect(new Set(seen.map((m) => JSON.stringify(shape(m)))).size).toBe(1);
  // The invitee's email has no List-Unsubscribe (it is not outreach) and says what to do.
  const full = await outboxEmail(answers[0].body.invitation.id, admin);
  expect(full.payload.text).toContain('/api/v1/invitations/accept');
  expect(full.payload.headers?.['List-Unsubscribe']).toBeUndefined();
});

it('refuses reused, expired, revoked, replaced, unknown and malformed tokens, and changes nothing', async () => {
  const first = await invite(email());
  const used = await tokenFor(first.body.invitation.id);
  expect((await accept(used)).status).toBe(201);
  const reused = await accept(used);
  expect([reused.status, reused.body.error.code]).toEqual([410, 'INVITATION_USED']);

  const late = await invite(email());
  await stack.db.invitation.update({ where: { id: late.body.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const expired = await accept(await tokenFor(late.body.invitation.id));
  expect([expired.status, expired.body.error.code]).toEqual([410, 'INVITATION_EXPIRED']);
  expect((await call('get', `${invitations()}/${late.body.invitation.id}`, A.auth)).body.invitation.status).toBe('expired');

  // Inviting the same address again replaces the pending invitation: the first token stops working.
  const address = email();
  const one = await invite(address);
  const oneToken = await tokenFor(one.body.invitation.id);
  const two = await invite(address);
  const replaced = await accept(oneToken);
  expect([replaced.status, replaced.body.error.code]).toEqual([410, 'INVITATION_REVOKED']);
  // An admin revokes the second one.
  const clientAdmin = await addUser(stack.db, A.client.id, 'admin');
  const revoked = await call('post', `${invitations()}/${two.body.invitation.id}/revoke`, clientAdmin.auth, {});
  expect(revoked.status).toBe(200);
  expect(revoked.body.invitation.status).toBe('revoked');
  const afterRevoke = await accept(await tokenFor(two.body.invitation.id));
  expect([afterRevoke.status, afterRevoke.body.error.code]).toEqual([410, 'INVITATION_REVOKED']);
  expect(await stack.db.auditLog.count({ where: { action: 'invitation.revoke', entityId: two.body.invitation.id, actorId: clientAdmin.user.id } })).toBe(1);
  // Revoking an accepted invitation changes nothing.
  expect((await call('post', `${invitations()}/${first.body.invitation.id}/revoke`, A.auth, {})).body.invitation.status).toBe('accepted');

  const unknown = await accept(`aos_inv_${randomBytes(32).toString('base64url')}`);
  expect([unknown.status, unknown.body.error.code]).toEqual([404, 'INVITATION_NOT_FOUND']);
  expect((await accept('not-a-token')).status).toBe(400);
  expect((await accept(oneToken, {}, { extra: 1 })).status).toBe(400);
  const badKey = await accept(oneToken, bearer('aos_nope'));
  expect(badKey.status).toBe(401);
  expect(await stack.db.user.count({ where: { email: address.toLowerCase() } })).toBe(0);
});

it('lets only owners invite, and admins list and revoke', async () => {
  const roles = {
    viewer: await addUser(stack.db, A.client.id, 'viewer'),
    member: await addUser(stack.db, A.client.id, 'member'),
    admin: await addUser(stack.db, A.client.id, 'admin'),
  };
  const before = await stack.db.invitation.count();
  for (const u of Object.values(roles)) expect((await invite(email(), 'viewer', u.auth)).status).toBe(403);
  // Nor can they invite someone as owner, or anything else a lower role could misuse.
  expect((await invite(email(), 'owner', roles.admin.auth)).status).toBe(403);
  expect(await stack.db.invitation.count()).toBe(before);
  for (const u of [roles.viewer, roles.member]) expect((await call('get', invitations(), u.auth)).status).toBe(403);
  expect((await call('get', invitations(), roles.admin.auth)).status).toBe(200);
  // Another tenant's owner sees none of A's invitations.
  const B = await createClientWithUser(stack.db);
  const mine = await invite(email());
  expect((await call('get', `${invitations()}/${mine.body.invitation.id}`, B.auth)).status).toBe(404);
  expect((await call('get', `${invitations(B.client.id)}/${mine.body.invitation.id}`, B.auth)).status).toBe(404);
  expect((await call('post', `${invitations(B.client.id)}/${mine.body.invitation.id}/revoke`, B.auth, {})).status).toBe(404);
  // A platform admin may invite.
  expect((await invite(email(), 'viewer', admin)).status).toBe(202);
});

it('a key someone else may have held dies with the membership it came from, with every key made or rotated from it', async () => {
  // The shape the migration gives an old "initial key" (handed to the inviter): bound to the membership.
  const user = await stack.db.user.create({ data: { email: `legacy-${randomBytes(3).toString('hex')}@test.example` } });
  const membership = await stack.db.membership.create({ data: { clientId: A.client.id, userId: user.id, role: 'member', acceptedAt: new Date() } });
  const initial = await createApiKey(stack.db, {
    userId: user.id,
    name: 'initial key 0a1b',
    expiresAt: new Date(Date.now() + 86_400_000),
    membershipId: membership.id,
  });
  // The holder makes a lasting key with it, and rotates that: both stay bound.
  const minted = await call('post', '/api/v1/keys', bearer(initial.key), { name: 'forever' });
  expect(minted.status).toBe(201);
  const rotated = await call('post', `/api/v1/keys/${minted.body.key.id}/rotate`, bearer(minted.body.secret), { graceHours: 24 });
  expect(rotated.status).toBe(201);
  const ids = [initial.id, minted.body.key.id, rotated.body.key.id];
  // Nor may such a key link a chat account, which would outlive it.
  const link = await call('post', '/api/v1/me/telegram/link-code', bearer(minted.body.secret), {});
  expect([link.status, link.body.error.code]).toEqual([403, 'KEY_NOT_OWN']);
  expect((await stack.db.apiKey.findMany({ where: { id: { in: ids } } })).map((k) => k.membershipId)).toEqual([membership.id, membership.id, membership.id]);
  // The person's own key (made outside that chain) is not bound.
  const own = await createApiKey(stack.db, { userId: user.id, name: 'own' });

  await request(stack.app).delete(`${members()}/${user.id}`).set(A.auth).expect(204);
  for (const key of [initial.key, minted.body.secret, rotated.body.secret]) {
    const res = await request(stack.app).get('/api/v1/keys').set(bearer(key));
    expect([res.status, res.body.error.message]).toEqual([401, 'API key revoked']);
  }
  expect(await stack.db.apiKey.count({ where: { id: { in: ids }, revokedAt: null } })).toBe(0);
  // Joining another client later (or A again) does not bring them back.
  const B = await createClientWithUser(stack.db);
  const inv = await invite(user.email, 'owner', B.auth, B.client.id);
  expect((await accept(await tokenFor(inv.body.invitation.id, B.client.id), bearer(own.key))).status).toBe(201);
  await request(stack.app).get(`/api/v1/clients/${B.client.id}/leads`).set(bearer(own.key)).expect(200);
  for (const key of [initial.key, minted.body.secret, rotated.body.secret]) {
    await request(stack.app).get(`/api/v1/clients/${B.client.id}/leads`).set(bearer(key)).expect(401);
  }
});

it("a bound key does not work while its membership's client is deleted", async () => {
  const C = await createClientWithUser(stack.db);
  const user = await stack.db.user.create({ data: { email: `bound-${randomBytes(3).toString('hex')}@test.example` } });
  const membership = await stack.db.membership.create({ data: { clientId: C.client.id, userId: user.id, role: 'admin' } });
  const key = await createApiKey(stack.db, { userId: user.id, name: 'bound', membershipId: membership.id });
  await request(stack.app).get('/api/v1/keys').set(bearer(key.key)).expect(200);
  await stack.db.client.update({ where: { id: C.client.id }, data: { deletedAt: new Date() } });
  await request(stack.app).get('/api/v1/keys').set(bearer(key.key)).expect(401);
  await stack.db.client.update({ where: { id: C.client.id }, data: { deletedAt: null } });
  await request(stack.app).get('/api/v1/keys').set(bearer(key.key)).expect(200);
});

it("the migration binds existing initial keys, and the keys made after them, to the user's first membership", async () => {
  const sql = readdirSync(join(__dirname, '../../prisma/migrations')).find((d) => d.endsWith('_invitations'))!;
  const text = readFileSync(join(__dirname, '../../prisma/migrations', sql, 'migration.sql'), 'utf8');
  const dataPart = text.slice(text.indexOf('-- Existing credentials'));
  const user = await stack.db.user.create({ data: { email: `old-${randomBytes(3).toString('hex')}@test.example` } });
  const gone = await stack.db.user.create({ data: { email: `old-gone-${randomBytes(3).toString('hex')}@test.example` } });
  const m = await stack.db.membership.create({ data: { clientId: A.client.id, userId: user.id, role: 'member', createdAt: new Date(Date.now() - 10_000) } });
  const mGone = await stack.db.membership.create({
    data: { clientId: A.client.id, userId: gone.id, role: 'member', createdAt: new Date(Date.now() - 10_000), deletedAt: new Date() },
  });
  const at = (ms: number) => new Date(Date.now() - ms);
  const earlier = await stack.db.apiKey.create({
    data: { userId: user.id, name: 'before', prefix: randomBytes(6).toString('hex'), hash: 'x', createdAt: at(60_000) },
  });
  const initial = await stack.db.apiKey.create({
    data: { userId: user.id, name: 'initial key 1f2e', prefix: randomBytes(6).toString('hex'), hash: 'x', expiresAt: at(-86_400_000), createdAt: at(9_000) },
  });
  const later = await stack.db.apiKey.create({
    data: { userId: user.id, name: 'later', prefix: randomBytes(6).toString('hex'), hash: 'x', createdAt: at(5_000) },
  });
  const goneKey = await stack.db.apiKey.create({
    data: { userId: gone.id, name: 'initial key 9999', prefix: randomBytes(6).toString('hex'), hash: 'x', expiresAt: at(-86_400_000), createdAt: at(9_000) },
  });
  for (const statement of dataPart.split(/;\s*\n/).filter((s) => s.replace(/--.*$/gm, '').trim())) await stack.db.$executeRawUnsafe(statement);
  const rows = await stack.db.apiKey.findMany({ where: { id: { in: [earlier.id, initial.id, later.id, goneKey.id] } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  expect(byId.get(earlier.id)).toMatchObject({ membershipId: null, revokedAt: null });
  expect(byId.get(initial.id)).toMatchObject({ membershipId: m.id, revokedAt: null });
  expect(byId.get(later.id)).toMatchObject({ membershipId: m.id, revokedAt: null });
  expect(byId.get(goneKey.id)?.membershipId).toBe(mGone.id);
  expect(byId.get(goneKey.id)?.revokedAt).not.toBeNull();
});

describe('with Postmark configured', () => {
  let pm: PostmarkFake;
  let pmStack: TestStack;
  beforeAll(async () => {
    pm = await startPostmarkFake();
    pmStack = await startTestStack({
      env: { POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN, POSTMARK_BASE_URL: pm.url, SYSTEM_EMAIL_FROM: 'team@agency-os.example' },
    });
  });
  afterAll(async () => {
    await pmStack?.stop();
    await pm?.close();
  });

  it('sends the invitation through Postmark to the invitee; a refused email leaves no usable invitation', async () => {
    const c = await createClientWithUser(pmStack.db);
    const address = email();
    const res = await request(pmStack.app).post(`/api/v1/clients/${c.client.id}/members`).set(c.auth).send({ email: address, role: 'admin' });
    expect(res.status).toBe(202);
    const sent = pm.sent.find((m) => m.Metadata.invitationId === res.body.invitation.id)!;
    expect(sent).toMatchObject({ To: address.toLowerCase(), From: 'Agency OS <team@agency-os.example>', Metadata: { kind: 'invitation' } });
    const token = TOKEN_RE.exec(sent.TextBody ?? '')![0];
    expect(await pmStack.db.sandboxMessage.count()).toBe(0);
    const ok = await request(pmStack.app).post('/api/v1/invitations/accept').send({ token });
    expect(ok.status).toBe(201);
    expect(ok.body.member.role).toBe('admin');

    pm.failNext(500, { ErrorCode: 0, Message: 'down' }, 5);
    const failed = await request(pmStack.app).post(`/api/v1/clients/${c.client.id}/members`).set(c.auth).send({ email: email(), role: 'viewer' });
    expect([failed.status, failed.body.error.code]).toEqual([502, 'EMAIL_FAILED']);
    expect(await pmStack.db.invitation.count({ where: { clientId: c.client.id, revokedAt: null, acceptedAt: null } })).toBe(0);
  });
});
