// API keys: created for yourself and shown once, listed without secrets, revoked at once, rotated
// with a grace period for the old key; expired and revoked keys are refused; keys never reach logs.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { createClientWithUser } from '../harness/fixtures';
import { expectConforms } from './conformance';

let stack: TestStack;
let auth: Record<string, string>;
let userId: string;
let clientId: string;
beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  auth = c.auth;
  userId = c.user.id;
  clientId = c.client.id;
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const HOUR = 3_600_000;

async function call(method: 'get' | 'post', path: string, headers: Record<string, string>, body?: object) {
  const req = request(stack.app)[method](path).set(headers);
  const res = method === 'get' ? await req : await req.send(body ?? {});
  expectConforms(method, path, res);
  return res;
}

async function newKey(name = 'ci') {
  const res = await call('post', '/api/v1/keys', auth, { name });
  expect(res.status).toBe(201);
  return res.body as { key: { id: string; prefix: string }; secret: string };
}

describe('creating and listing keys', () => {
  it('returns the secret once; the list and reads never show it or its hash', async () => {
    const created = await newKey('deploy bot');
    expect(created.secret).toMatch(/^aos_[a-z0-9]{12}_[A-Za-z0-9_-]{32,}$/);
    expect(created.secret).toContain(created.key.prefix);
    expect(created.key).toMatchObject({ name: 'deploy bot', status: 'active', revokedAt: null, graceUntil: null });

    // The new key works, and using it is recorded (minute resolution).
    await request(stack.app).get(`/api/v1/clients/${clientId}`).set(bearer(created.secret)).expect(200);
    const list = await call('get', '/api/v1/keys?limit=200', auth);
    expect(list.status).toBe(200);
    const row = list.body.data.find((k: { id: string }) => k.id === created.key.id);
    expect(row.lastUsedAt).not.toBeNull();
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.secret);
    expect(text).not.toMatch(/"hash"/);
    const one = await call('get', `/api/v1/keys/${created.key.id}`, auth);
    expect(JSON.stringify(one.body)).not.toContain(created.secret);
  });

  it('pages with a cursor and filters by status', async () => {
    for (let i = 0; i < 3; i++) await newKey(`page ${i}`);
    const first = await call('get', '/api/v1/keys?limit=2', auth);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call('get', `/api/v1/keys?limit=2&cursor=${first.body.nextCursor}`, auth);
    const ids = [...first.body.data, ...second.body.data].map((k: { id: string }) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    const active = await call('get', '/api/v1/keys?status=active&limit=200', auth);
    expect(active.body.data.every((k: { status: string }) => k.status === 'active')).toBe(true);
    expect((await call('get', '/api/v1/keys?status=bogus', auth)).status).toBe(400);
  });

  it('validates the body and changes nothing on a 400', async () => {
    const before = await stack.db.apiKey.count({ where: { userId } });
    for (const body of [{}, { name: '' }, { name: 'x', expiresAt: '2001-01-01T00:00:00Z' }, { name: 'x', expiresAt: 'tomorrow' }, { name: 'x', extra: 1 }]) {
      const res = await call('post', '/api/v1/keys', auth, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(await stack.db.apiKey.count({ where: { userId } })).toBe(before);
  });

  it('needs a key to manage keys', async () => {
    expect((await request(stack.app).get('/api/v1/keys')).status).toBe(401);
  });
});

describe('revoked and expired keys', () => {
  it('refuses a revoked key at once and records who revoked it', async () => {
    const k = await newKey('to revoke');
    const res = await call('post', `/api/v1/keys/${k.key.id}/revoke`, auth);
    expect(res.status).toBe(200);
    expect(res.body.key.status).toBe('revoked');
    const refused = await request(stack.app).get('/api/v1/keys').set(bearer(k.secret)).expect(401);
    expect(refused.body.error.message).toBe('API key revoked');
    // Revoking again changes nothing.
    const again = await call('post', `/api/v1/keys/${k.key.id}/revoke`, auth);
    expect(again.body.key.revokedAt).toBe(res.body.key.revokedAt);
    const audit = await stack.db.auditLog.findMany({ where: { entityId: k.key.id, action: 'api_key.revoke' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: userId, entityType: 'api_key' });
    expect(JSON.stringify(audit)).not.toContain(k.secret);
  });

  it('refuses a key past its expiry', async () => {
    const res = await call('post', '/api/v1/keys', auth, { name: 'short', expiresAt: new Date(Date.now() + HOUR).toISOString() });
    expect(res.status).toBe(201);
    await request(stack.app).get('/api/v1/keys').set(bearer(res.body.secret)).expect(200);
    await stack.db.apiKey.update({ where: { id: res.body.key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const refused = await request(stack.app).get('/api/v1/keys').set(bearer(res.body.secret)).expect(401);
    expect(refused.body.error.message).toBe('API key expired');
    expect((await call('get', `/api/v1/keys/${res.body.key.id}`, auth)).body.key.status).toBe('expired');
  });

  it("answers 404 for another user's key; a platform admin may revoke it", async () => {
    const other = await createClientWithUser(stack.db);
    const theirs = (await request(stack.app).post('/api/v1/keys').set(other.auth).send({ name: 'theirs' }).expect(201)).body;
    expect((await call('get', `/api/v1/keys/${theirs.key.id}`, auth)).status).toBe(404);
    expect((await call('post', `/api/v1/keys/${theirs.key.id}/revoke`, auth)).status).toBe(404);
    expect((await call('post', `/api/v1/keys/${theirs.key.id}/rotate`, auth)).status).toBe(404);
    await request(stack.app).get('/api/v1/keys').set(bearer(theirs.secret)).expect(200);
    const byAdmin = await call('post', `/api/v1/keys/${theirs.key.id}/revoke`, bearer(stack.adminKey));
    expect(byAdmin.status).toBe(200);
    await request(stack.app).get('/api/v1/keys').set(bearer(theirs.secret)).expect(401);
  });
});

describe('rotation', () => {
  it('issues a new key; the old one works until its grace period ends (24 h by default)', async () => {
    const old = await newKey('rotating');
    const started = Date.now();
    const res = await call('post', `/api/v1/keys/${old.key.id}/rotate`, auth);
    expect(res.status).toBe(201);
    expect(res.body.secret).not.toBe(old.secret);
    expect(res.body.key).toMatchObject({ name: 'rotating', status: 'active' });
    expect(res.body.previous).toMatchObject({ id: old.key.id, status: 'grace', replacedById: res.body.key.id });
    const grace = Date.parse(res.body.previous.graceUntil) - started;
    expect(grace).toBeGreaterThan(24 * HOUR - 60_000);
    expect(grace).toBeLessThan(24 * HOUR + 60_000);

    // Both keys work during the grace period.
    await request(stack.app).get('/api/v1/keys').set(bearer(old.secret)).expect(200);
    await request(stack.app).get('/api/v1/keys').set(bearer(res.body.secret)).expect(200);
    // A key in its grace period cannot be rotated again.
    const twice = await call('post', `/api/v1/keys/${old.key.id}/rotate`, auth);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('KEY_NOT_ACTIVE');

    // The grace period ends: the old key is refused, the new one still works.
    await stack.db.apiKey.update({ where: { id: old.key.id }, data: { graceUntil: new Date(Date.now() - 1000) } });
    const refused = await request(stack.app).get('/api/v1/keys').set(bearer(old.secret)).expect(401);
    expect(refused.body.error.message).toBe('API key expired');
    await request(stack.app).get('/api/v1/keys').set(bearer(res.body.secret)).expect(200);

    const audit = await stack.db.auditLog.findFirstOrThrow({ where: { entityId: old.key.id, action: 'api_key.rotate' } });
    expect(JSON.stringify(audit)).not.toContain(res.body.secret);
    expect(audit.after).toMatchObject({ replacement: { id: res.body.key.id } });
  });

  it('takes graceHours (0 ends the old key at once; at most 168)', async () => {
    const a = await newKey('two hours');
    const two = await call('post', `/api/v1/keys/${a.key.id}/rotate`, auth, { graceHours: 2, name: 'renamed' });
    expect(two.body.key.name).toBe('renamed');
    expect(Math.abs(Date.parse(two.body.previous.graceUntil) - Date.now() - 2 * HOUR)).toBeLessThan(60_000);

    const b = await newKey('now');
    const now = await call('post', `/api/v1/keys/${b.key.id}/rotate`, auth, { graceHours: 0 });
    expect(now.status).toBe(201);
    await request(stack.app).get('/api/v1/keys').set(bearer(b.secret)).expect(401);

    const c = await newKey('too long');
    for (const graceHours of [169, -1, 'soon']) {
      const bad = await call('post', `/api/v1/keys/${c.key.id}/rotate`, auth, { graceHours });
      expect(bad.status).toBe(400);
    }
    expect((await stack.db.apiKey.findUniqueOrThrow({ where: { id: c.key.id } })).graceUntil).toBeNull();
  });

  it('refuses to rotate a revoked key', async () => {
    const k = await newKey('revoked first');
    await call('post', `/api/v1/keys/${k.key.id}/revoke`, auth);
    expect((await call('post', `/api/v1/keys/${k.key.id}/rotate`, auth)).status).toBe(409);
  });
});

describe('logs', () => {
  it('never contain a key, a rotated key or the Authorization header', async () => {
    const k = await newKey('logged?');
    await request(stack.app).get('/api/v1/keys').set(bearer(k.secret)).set('X-Request-Id', 'keys-redaction').expect(200);
    const rotated = await call('post', `/api/v1/keys/${k.key.id}/rotate`, bearer(k.secret));
    const all = stack.logLines.join('');
    expect(all).not.toContain(k.secret);
    expect(all).not.toContain(rotated.body.secret);
    expect(all).not.toContain(stack.adminKey);
    const line = stack.logLines.map((l) => JSON.parse(l)).find((l) => l.req?.id === 'keys-redaction');
    expect(line.req.headers.authorization).toBe('[redacted]');
  });
});
