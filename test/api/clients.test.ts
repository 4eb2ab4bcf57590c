// Clients: the caller's list (all for platform admins), creation by a platform admin (the owner is invited),
// settings changes by client admins (billing by platform admins only), the ICP read, soft delete by
// an owner and restore by a platform admin.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser } from '../harness/fixtures';
import { expectConforms } from './conformance';

let stack: TestStack;
let admin: Record<string, string>;
beforeAll(async () => {
  stack = await startTestStack();
  admin = { Authorization: `Bearer ${stack.adminKey}` };
});
afterAll(async () => {
  await stack?.stop();
});

async function call(method: 'get' | 'post' | 'patch' | 'delete', path: string, headers: Record<string, string>, body?: object) {
  const req = request(stack.app)[method](path).set(headers);
  const res = method === 'get' || method === 'delete' ? await req : await req.send(body ?? {});
  expectConforms(method, path, res);
  return res;
}

describe('GET /api/v1/clients', () => {
  it("lists the caller's clients with their role; platform admins see every client", async () => {
    const a = await createClientWithUser(stack.db);
    const b = await createClientWithUser(stack.db);
    await stack.db.membership.create({ data: { clientId: b.client.id, userId: a.user.id, role: 'viewer' } });
    const c = await createClientWithUser(stack.db);
    const mine = await call('get', '/api/v1/clients', a.auth);
    const roles = Object.fromEntries(mine.body.data.map((x: { id: string; role: string }) => [x.id, x.role]));
    expect(roles).toEqual({ [a.client.id]: 'owner', [b.client.id]: 'viewer' });
    const all = await call('get', '/api/v1/clients?limit=200', admin);
    const ids = all.body.data.map((x: { id: string }) => x.id);
    expect(ids).toEqual(expect.arrayContaining([a.client.id, b.client.id, c.client.id]));
    const found = await call('get', `/api/v1/clients?q=${encodeURIComponent(c.client.name.toUpperCase())}`, admin);
    expect(found.body.data.map((x: { id: string }) => x.id)).toEqual([c.client.id]);
  });
});

describe('POST /api/v1/clients', () => {
  it('creates a client and invites its owner, who joins by accepting; the creator gets no credential', async () => {
    const ownerEmail = `founder-${randomBytes(3).toString('hex')}@brand.example`;
    const res = await call('post', '/api/v1/clients', admin, {
      name: 'Brand & Co',
      owner: { email: ownerEmail, name: 'Founder' },
      timeZone: 'Australia/Perth',
      state: 'WA',
    });
    expect(res.status).toBe(201);
    expect(res.body.client).toMatchObject({ name: 'Brand & Co', slug: 'brand-co', timeZone: 'Australia/Perth', subscriptionStatus: 'trialing' });
    expect(res.body.ownerInvitation).toMatchObject({ email: ownerEmail, role: 'owner', name: 'Founder', status: 'pending', clientId: res.body.client.id });
    expect(JSON.stringify(res.body)).not.toMatch(/aos_|secret|initialKey/);
    expect(await stack.db.user.count({ where: { email: ownerEmail } })).toBe(0);
    // The founder redeems the emailed token (offline: in the sandbox outbox) for their own key.
    const outbox = await call('get', `/api/v1/clients/${res.body.client.id}/outbox?channel=email`, admin);
    const token = /aos_inv_[A-Za-z0-9_-]{43}/.exec(outbox.body.data[0].payload.text)![0];
    const accepted = await call('post', '/api/v1/invitations/accept', {}, { token });
    expect(accepted.body).toMatchObject({ userCreated: true, member: { email: ownerEmail, role: 'owner', name: 'Founder' } });
    const got = await call('get', `/api/v1/clients/${res.body.client.id}`, { Authorization: `Bearer ${accepted.body.secret}` });
    expect(got.body.client.role).toBe('owner');
    // A second client of the same name gets a distinct slug; a given slug that is taken is a 409.
    const again = await call('post', '/api/v1/clients', admin, { name: 'Brand & Co', owner: { email: ownerEmail } });
    expect(again.body.client.slug).toMatch(/^brand-co-[0-9a-f]{6}$/);
    expect(again.body.ownerInvitation).toMatchObject({ email: ownerEmail, status: 'pending' });
    const taken = await call('post', '/api/v1/clients', admin, { name: 'X', slug: 'brand-co', owner: { email: ownerEmail } });
    expect(taken.status).toBe(409);
    expect(await stack.db.auditLog.count({ where: { clientId: res.body.client.id, action: 'client.create' } })).toBe(1);
  });

  it('is for platform admins only and validates everything', async () => {
    const a = await createClientWithUser(stack.db);
    expect((await call('post', '/api/v1/clients', a.auth, { name: 'Mine', owner: { email: 'me@x.example' } })).status).toBe(403);
    const before = await stack.db.client.count();
    for (const body of [
      {},
      { name: 'No owner' },
      { name: 'Bad tz', owner: { email: 'a@b.example' }, timeZone: 'Mars/Olympus' },
      { name: 'Bad', owner: { email: 'nope' } },
      { name: 'Bad', owner: { email: 'a@b.example' }, country: 'australia' },
    ]) {
      const res = await call('post', '/api/v1/clients', admin, body);
      expect(res.status).toBe(400);
    }
    expect(await stack.db.client.count()).toBe(before);
  });
});

describe('GET/PATCH /api/v1/clients/{clientId}', () => {
  it('lets client admins change settings and audits before/after', async () => {
    const a = await createClientWithUser(stack.db);
    const clientAdmin = await addUser(stack.db, a.client.id, 'admin');
    const member = await addUser(stack.db, a.client.id, 'member');
    const path = `/api/v1/clients/${a.client.id}`;
    expect((await call('patch', path, member.auth, { name: 'Nope' })).status).toBe(403);
    const res = await call('patch', path, clientAdmin.auth, { name: 'Renamed', permissionMode: 'manual', websiteUrl: 'https://renamed.example' });
    expect(res.status).toBe(200);
    expect(res.body.client).toMatchObject({ name: 'Renamed', permissionMode: 'manual', role: 'admin' });
    const audit = await stack.db.auditLog.findFirstOrThrow({ where: { clientId: a.client.id, action: 'client.update' } });
    expect(audit).toMatchObject({ actorId: clientAdmin.user.id, before: { name: a.client.name }, after: { name: 'Renamed' } });
    expect((await call('get', path, member.auth)).body.client.name).toBe('Renamed');
  });

  it('keeps billing fields for platform admins', async () => {
    const a = await createClientWithUser(stack.db);
    const path = `/api/v1/clients/${a.client.id}`;
    const refused = await call('patch', path, a.auth, { creditsRemaining: 1_000_000 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/creditsRemaining/);
    const ok = await call('patch', path, admin, { creditsRemaining: 5, subscriptionStatus: 'past_due', aiDailyBudgetUsd: 2.5 });
    expect(ok.body.client).toMatchObject({ creditsRemaining: 5, subscriptionStatus: 'past_due', aiDailyBudgetUsd: 2.5, role: null });
  });

  it('answers 400 for an empty or invalid change and leaves the client as it was', async () => {
    const a = await createClientWithUser(stack.db);
    const path = `/api/v1/clients/${a.client.id}`;
    for (const body of [{}, { timeZone: 'Nowhere/Else' }, { name: '' }, { slug: 'x' }, { websiteUrl: 'ftp://x.example' }]) {
      expect((await call('patch', path, a.auth, body)).status).toBe(400);
    }
    const after = await stack.db.client.findUniqueOrThrow({ where: { id: a.client.id } });
    expect(after.updatedAt).toEqual(a.client.updatedAt);
  });

  it('serves the ICP read-only', async () => {
    const a = await createClientWithUser(stack.db);
    await stack.db.client.update({
      where: { id: a.client.id },
      data: { icpIndustries: ['Hospitality'], icpTitles: ['Owner'], icpConfirmedAt: new Date(), alsWeights: { authority: 30 } },
    });
    const job = await stack.db.onboardingJob.create({
      data: { clientId: a.client.id, websiteUrl: 'https://brand.example', status: 'confirmed', confirmedAt: new Date() },
    });
    const viewer = await addUser(stack.db, a.client.id, 'viewer');
    const res = await call('get', `/api/v1/clients/${a.client.id}/icp`, viewer.auth);
    expect(res.body).toMatchObject({
      confirmed: true,
      industries: ['Hospitality'],
      titles: ['Owner'],
      alsWeights: { authority: 30 },
      latestJob: { id: job.id, status: 'confirmed' },
    });
  });
});

describe('DELETE /api/v1/clients/{clientId} and restore', () => {
  it('soft-deletes (owner only): the client and everything under it disappear until a platform admin restores it', async () => {
    const a = await createClientWithUser(stack.db);
    const clientAdmin = await addUser(stack.db, a.client.id, 'admin');
    const path = `/api/v1/clients/${a.client.id}`;
    expect((await call('delete', path, clientAdmin.auth)).status).toBe(403);
    expect((await call('delete', path, a.auth)).status).toBe(204);
    expect((await stack.db.client.findUniqueOrThrow({ where: { id: a.client.id } })).deletedAt).not.toBeNull();

    for (const p of [path, `${path}/campaigns`, `${path}/leads`, `${path}/icp`, `${path}/members`]) {
      expect((await call('get', p, a.auth)).status).toBe(404);
      expect((await call('get', p, admin)).status).toBe(404);
    }
    expect((await call('get', '/api/v1/clients', a.auth)).body.data).toEqual([]);
    const deleted = await call('get', '/api/v1/admin/clients?include=deleted&limit=200', admin);
    expect(deleted.body.data.map((c: { id: string }) => c.id)).toContain(a.client.id);

    expect((await call('post', `/api/v1/admin/clients/${a.client.id}/restore`, a.auth)).status).toBe(403);
    const restored = await call('post', `/api/v1/admin/clients/${a.client.id}/restore`, admin);
    expect(restored.body).toMatchObject({ restored: true, client: { id: a.client.id, deletedAt: null } });
    expect((await call('get', path, a.auth)).status).toBe(200);
    const actions = (await stack.db.auditLog.findMany({ where: { clientId: a.client.id }, orderBy: { createdAt: 'asc' } })).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['client.delete', 'client.restore']));
  });
});
