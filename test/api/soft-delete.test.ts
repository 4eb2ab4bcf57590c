// Soft delete: deleted leads, campaigns and resources stay in the database (deletedAt) but vanish from
// every read; client admins and platform admins restore leads and campaigns; nobody else can.
import request from 'supertest';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser, createLead } from '../harness/fixtures';
import { expectConforms } from './conformance';

let stack: TestStack;
let clientId: string;
let owner: Record<string, string>;
let member: Record<string, string>;
let clientAdmin: Record<string, string>;
const platformAdmin = () => ({ Authorization: `Bearer ${stack.adminKey}` });

beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  owner = c.auth;
  member = (await addUser(stack.db, clientId, 'member')).auth;
  clientAdmin = (await addUser(stack.db, clientId, 'admin')).auth;
});
afterAll(async () => {
  await stack?.stop();
});

async function call(method: 'get' | 'post' | 'delete', path: string, headers: Record<string, string>, body?: object) {
  const req = request(stack.app)[method](path).set(headers);
  const res = method === 'post' ? await req.send(body ?? {}) : await req;
  expectConforms(method, path, res);
  return res;
}

const ids = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((r) => r.id);
const SEQUENCE = { version: 1, touches: [{ number: 1, day: 0, channel: 'email', kind: 'email_intro' }] };

describe('leads', () => {
  it('vanish when deleted and come back when an admin restores them', async () => {
    const lead = await createLead(stack.db, clientId);
    const base = `/api/v1/clients/${clientId}/leads`;
    expect((await call('delete', `${base}/${lead.id}`, member)).status).toBe(204);
    expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).deletedAt).not.toBeNull();
    expect((await call('get', `${base}/${lead.id}`, owner)).status).toBe(404);
    expect(ids(await call('get', `${base}?limit=200`, owner))).not.toContain(lead.id);
    expect((await call('delete', `${base}/${lead.id}`, member)).status).toBe(404);

    // Restoring is for client admins (and platform admins), not members.
    expect((await call('post', `${base}/${lead.id}/restore`, member)).status).toBe(403);
    const restored = await call('post', `${base}/${lead.id}/restore`, clientAdmin);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ restored: true, lead: { id: lead.id, deletedAt: null } });
    expect((await call('get', `${base}/${lead.id}`, owner)).status).toBe(200);
    // Restoring a live lead changes nothing.
    expect((await call('post', `${base}/${lead.id}/restore`, platformAdmin())).body.restored).toBe(false);
    const actions = (await stack.db.auditLog.findMany({ where: { entityId: lead.id }, orderBy: { createdAt: 'asc' } })).map((r) => r.action);
    expect(actions).toEqual(['lead.delete', 'lead.restore']);
  });

  it("cannot be restored through another client's path", async () => {
    const lead = await createLead(stack.db, clientId, { deletedAt: new Date() });
    const other = await createClientWithUser(stack.db);
    expect((await call('post', `/api/v1/clients/${other.client.id}/leads/${lead.id}/restore`, other.auth)).status).toBe(404);
    expect((await call('post', `/api/v1/clients/${clientId}/leads/${lead.id}/restore`, other.auth)).status).toBe(404);
    expect((await stack.db.lead.findUniqueOrThrow({ where: { id: lead.id } })).deletedAt).not.toBeNull();
  });
});

describe('campaigns', () => {
  it('refuses to delete a running campaign; a deleted one vanishes until restored', async () => {
    const running = await stack.db.campaign.create({ data: { clientId, name: 'Running', sequence: SEQUENCE, status: 'active' } });
    const base = `/api/v1/clients/${clientId}/campaigns`;
    const refused = await call('delete', `${base}/${running.id}`, member);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CAMPAIGN_RUNNING');

    const draft = await stack.db.campaign.create({ data: { clientId, name: 'Draft', sequence: SEQUENCE } });
    expect((await call('delete', `${base}/${draft.id}`, member)).status).toBe(204);
    expect((await call('get', `${base}/${draft.id}`, owner)).status).toBe(404);
    expect(ids(await call('get', `${base}?limit=200`, owner))).not.toContain(draft.id);
    expect((await call('post', `${base}/${draft.id}/start`, owner)).status).toBe(404);
    expect((await call('get', `/api/v1/clients/${clientId}/reports/campaigns/${draft.id}`, owner)).status).toBe(404);

    expect((await call('post', `${base}/${draft.id}/restore`, member)).status).toBe(403);
    const restored = await call('post', `${base}/${draft.id}/restore`, platformAdmin());
    expect(restored.body).toMatchObject({ restored: true, campaign: { id: draft.id, deletedAt: null } });
    expect((await call('get', `${base}/${draft.id}`, owner)).status).toBe(200);
  });
});

describe('other rows', () => {
  it('keeps removed sending resources and memberships as soft-deleted rows', async () => {
    const resource = await stack.db.sendResource.create({ data: { clientId, channel: 'sms', identifier: '+61255550999', dailyLimit: 100 } });
    expect((await call('delete', `/api/v1/clients/${clientId}/resources/${resource.id}`, clientAdmin)).status).toBe(204);
    expect((await stack.db.sendResource.findUniqueOrThrow({ where: { id: resource.id } })).deletedAt).not.toBeNull();
    expect(ids(await call('get', `/api/v1/clients/${clientId}/resources`, owner))).not.toContain(resource.id);

    const gone = await addUser(stack.db, clientId, 'viewer');
    expect((await call('delete', `/api/v1/clients/${clientId}/members/${gone.user.id}`, owner)).status).toBe(204);
    expect((await stack.db.membership.findFirstOrThrow({ where: { clientId, userId: gone.user.id } })).deletedAt).not.toBeNull();
  });

  it('hides a deleted client everywhere, platform admins included, until it is restored', async () => {
    const c = await createClientWithUser(stack.db);
    await stack.db.client.update({ where: { id: c.client.id }, data: { deletedAt: new Date() } });
    expect((await call('get', `/api/v1/clients/${c.client.id}/campaigns`, platformAdmin())).status).toBe(404);
    expect((await call('get', `/api/v1/clients/${c.client.id}/costs/ai`, platformAdmin())).status).toBe(404);
    expect(ids(await call('get', '/api/v1/clients?limit=200', platformAdmin()))).not.toContain(c.client.id);
    await call('post', `/api/v1/admin/clients/${c.client.id}/restore`, platformAdmin());
    expect((await call('get', `/api/v1/clients/${c.client.id}/campaigns`, c.auth)).status).toBe(200);
  });

  it("answers 404 for a deleted client's runs, outputs, feedback and templates, as for its other routes", async () => {
    const c = await createClientWithUser(stack.db);
    const cid = c.client.id;
    const run = await stack.db.skillRun.create({ data: { clientId: cid, skillSlug: 'copywriting', message: 'x', status: 'completed' } });
    const output = await stack.db.output.create({ data: { clientId: cid, runId: run.id, skillSlug: 'copywriting', title: 'T', content: 'secret copy' } });
    await stack.db.feedback.create({ data: { clientId: cid, outputId: output.id, skillSlug: 'copywriting', overall: 4 } });
    await stack.db.campaignTemplate.create({ data: { clientId: cid, name: 'T', sequence: SEQUENCE, messaging: {} } });
    // Alive, the owner sees all of it.
    expect((await call('get', `/api/v1/outputs/${output.id}`, c.auth)).status).toBe(200);
    expect((await call('get', `/api/v1/feedback?clientId=${cid}`, c.auth)).body.data).toHaveLength(1);
    const link = new URL((await call('post', `/api/v1/outputs/${output.id}/download-url`, c.auth, {})).body.url as string);
    const download = `${link.pathname}${link.search}`;
    expect((await call('get', download, {})).status).toBe(200);

    await stack.db.client.update({ where: { id: cid }, data: { deletedAt: new Date() } });
    for (const who of [c.auth, platformAdmin()]) {
      const gone: Array<[string, number]> = [];
      for (const [method, path, body] of [
        ['get', `/api/v1/runs/${run.id}`],
        ['post', `/api/v1/runs/${run.id}/cancel`],
        ['get', `/api/v1/outputs/${output.id}`],
        ['get', download],
        ['post', `/api/v1/outputs/${output.id}/download-url`, {}],
        ['get', `/api/v1/outputs?clientId=${cid}`],
        ['get', `/api/v1/runs?clientId=${cid}`],
        ['post', `/api/v1/runs/${run.id}/retry`],
        ['get', `/api/v1/feedback?clientId=${cid}`],
        ['post', '/api/v1/feedback', { outputId: output.id, overall: 5 }],
        ['get', `/api/v1/campaigns/templates?clientId=${cid}`],
      ] as Array<['get' | 'post', string, object?]>) {
        gone.push([`${method} ${path}`, (await call(method, path, who, body)).status]);
      }
      expect(gone).toEqual(gone.map(([route]) => [route, 404]));
      // Lists across the caller's clients leave it out.
      expect((await call('get', '/api/v1/outputs?limit=200', who)).body.data.map((o: { outputId: string }) => o.outputId)).not.toContain(output.id);
      expect((await call('get', '/api/v1/runs?limit=200', who)).body.data.map((r: { runId: string }) => r.runId)).not.toContain(run.id);
      expect((await call('get', '/api/v1/feedback?limit=200', who)).body.data.map((f: { clientId: string }) => f.clientId)).not.toContain(cid);
    }
    expect(await stack.db.feedback.count({ where: { outputId: output.id } })).toBe(1);
  });
});
