// Reports from the activities log (meetings from the meetings table): campaign metrics per channel and per touch (events without a
// touch number are tied to their send), the client overview, the command-centre stats and client
// health for platform admins.
import request from 'supertest';
import type { Prisma } from '../../src/db/client';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser, createLead } from '../harness/fixtures';
import { expectConforms } from './conformance';
import { adjustBalanceTo } from '../../src/engines/credits';

let stack: TestStack;
let clientId: string;
let auth: Record<string, string>;
let campaignId: string;
const admin = () => ({ Authorization: `Bearer ${stack.adminKey}` });

async function get(path: string, headers: Record<string, string>) {
  const res = await request(stack.app).get(path).set(headers);
  expectConforms('get', path, res);
  return res;
}

const SEQUENCE = { version: 1, touches: [{ number: 1, day: 0, channel: 'email', kind: 'email_intro' }] };
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

beforeAll(async () => {
  stack = await startTestStack();
  const c = await createClientWithUser(stack.db);
  clientId = c.client.id;
  auth = c.auth;
  const campaign = await stack.db.campaign.create({ data: { clientId, name: 'Spring', sequence: SEQUENCE, status: 'active' } });
  campaignId = campaign.id;
  const [l1, l2, l3] = await Promise.all([createLead(stack.db, clientId), createLead(stack.db, clientId, { alsTier: 'warm' }), createLead(stack.db, clientId)]);
  const rows: Prisma.ActivityCreateManyInput[] = [];
  const add = (leadId: string, channel: 'email' | 'sms', action: string, minutesAgo: number, extra: Partial<Prisma.ActivityCreateManyInput> = {}) =>
    rows.push({ clientId, campaignId, leadId, channel, action, createdAt: at(minutesAgo), ...extra });
  // Touch 1 (email) to all three; touch 2 (sms) to two of them.
  add(l1.id, 'email', 'sent', 100, { touchNumber: 1, providerMessageId: 'pm-1' });
  add(l2.id, 'email', 'sent', 100, { touchNumber: 1, providerMessageId: 'pm-2' });
  add(l3.id, 'email', 'sent', 100, { touchNumber: 1, providerMessageId: 'pm-3' });
  add(l1.id, 'sms', 'sent', 50, { touchNumber: 2, providerMessageId: 'sm-1' });
  add(l2.id, 'sms', 'sent', 50, { touchNumber: 2, providerMessageId: 'sm-2' });
  // Provider events carry the message id, not the touch.
  add(l1.id, 'email', 'delivered', 99, { providerMessageId: 'pm-1' });
  add(l2.id, 'email', 'delivered', 99, { providerMessageId: 'pm-2' });
  add(l1.id, 'email', 'opened', 90, { providerMessageId: 'pm-1' });
  add(l1.id, 'email', 'opened', 80, { providerMessageId: 'pm-1' }); // a second open is the same lead
  add(l1.id, 'email', 'clicked', 85, { providerMessageId: 'pm-1' });
  add(l3.id, 'email', 'bounced', 98, { providerMessageId: 'pm-3' });
  // A reply without a message id: tied to the lead's latest send before it (touch 2).
  add(l1.id, 'sms', 'replied', 40, { metadata: { intent: 'meeting_request' } });
  add(l2.id, 'sms', 'unsubscribed', 30);
  add(l2.id, 'email', 'skipped', 20, { touchNumber: 3 }); // not a metric
  await stack.db.activity.createMany({ data: rows });
  // Meetings come from the meetings table: l1's meeting request was only proposed (no meeting yet),
  // l3 booked one (tied to its latest send, the email touch 1); a cancelled one does not count.
  await stack.db.meeting.createMany({
    data: [
      { clientId, campaignId, leadId: l1.id, status: 'proposed', source: 'reply', createdAt: at(39) },
      { clientId, campaignId, leadId: l3.id, status: 'booked', source: 'calcom', externalId: 'r-1', createdAt: at(20) },
      { clientId, campaignId, leadId: l2.id, status: 'cancelled', source: 'calcom', externalId: 'r-2', createdAt: at(19) },
    ],
  });
  // Another campaign's and another client's activity do not count.
  const other = await stack.db.campaign.create({ data: { clientId, name: 'Other', sequence: SEQUENCE } });
  await stack.db.activity.create({ data: { clientId, campaignId: other.id, leadId: l1.id, channel: 'email', action: 'sent', touchNumber: 1 } });
});
afterAll(async () => {
  await stack?.stop();
});

const zero = { sent: 0, delivered: 0, opened: 0, clicked: 0, replied: 0, bounced: 0, unsubscribed: 0, complained: 0, meetings: 0 };

describe('GET /reports/campaigns/{campaignId}', () => {
  it('counts distinct leads per outcome, per channel and per touch', async () => {
    const res = await get(`/api/v1/clients/${clientId}/reports/campaigns/${campaignId}`, auth);
    expect(res.status).toBe(200);
    expect(res.body.campaign).toMatchObject({ id: campaignId, name: 'Spring', status: 'active' });
    expect(res.body.totals).toEqual({ ...zero, sent: 3, delivered: 2, opened: 1, clicked: 1, replied: 1, bounced: 1, unsubscribed: 1, meetings: 1 });
    expect(res.body.rates).toMatchObject({ replyRate: 0.3333, bounceRate: 0.3333, deliveryRate: 0.6667 });
    expect(res.body.byChannel).toEqual([
      { channel: 'email', ...zero, sent: 3, delivered: 2, opened: 1, clicked: 1, bounced: 1, meetings: 1 },
      { channel: 'sms', ...zero, sent: 2, replied: 1, unsubscribed: 1 },
    ]);
    expect(res.body.byTouch).toEqual([
      { touchNumber: 1, ...zero, sent: 3, delivered: 2, opened: 1, clicked: 1, bounced: 1, meetings: 1 },
      { touchNumber: 2, ...zero, sent: 2, replied: 1, unsubscribed: 1 },
    ]);
  });

  it('is readable by viewers and hidden from other tenants', async () => {
    const viewer = await addUser(stack.db, clientId, 'viewer');
    expect((await get(`/api/v1/clients/${clientId}/reports/campaigns/${campaignId}`, viewer.auth)).status).toBe(200);
    const other = await createClientWithUser(stack.db);
    expect((await get(`/api/v1/clients/${clientId}/reports/campaigns/${campaignId}`, other.auth)).status).toBe(404);
    expect((await get(`/api/v1/clients/${other.client.id}/reports/campaigns/${campaignId}`, other.auth)).status).toBe(404);
    expect((await get(`/api/v1/clients/${clientId}/reports/campaigns/not-a-uuid`, auth)).status).toBe(400);
  });

  it('reports an empty campaign as zeros', async () => {
    const empty = await stack.db.campaign.create({ data: { clientId, name: 'Empty', sequence: SEQUENCE } });
    const res = await get(`/api/v1/clients/${clientId}/reports/campaigns/${empty.id}`, auth);
    expect(res.body).toMatchObject({ totals: zero, byChannel: [], byTouch: [], rates: { replyRate: null } });
  });
});

describe('GET /reports/overview', () => {
  it("summarises the client's leads, campaigns and outreach in the window", async () => {
    const res = await get(`/api/v1/clients/${clientId}/reports/overview?days=7`, auth);
    expect(res.status).toBe(200);
    expect(res.body.days).toBe(7);
    expect(res.body.leads).toMatchObject({ total: 3, byTier: { hot: 2, warm: 1 } });
    expect(res.body.campaigns).toMatchObject({ total: 3, byStatus: { active: 1, draft: 2 } });
    // The other campaign's send reaches a lead already counted: distinct leads, whole client.
    expect(res.body.activity.totals).toMatchObject({ sent: 3, replied: 1, meetings: 1, bounced: 1 });
    for (const days of ['0', '367', 'week']) expect((await get(`/api/v1/clients/${clientId}/reports/overview?days=${days}`, auth)).status).toBe(400);
  });
});

describe('platform admin views', () => {
  it('GET /admin/stats gives the command-centre KPIs', async () => {
    await stack.db.webhookEvent.create({ data: { provider: 'postmark', dedupeKey: 'k-1', eventType: 'inbound', payload: {} } });
    await stack.db.aiUsage.create({ data: { clientId, model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0.25, purpose: 'test' } });
    const res = await get('/api/v1/admin/stats', admin());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ activeCampaigns: 1, sendsToday: expect.any(Number), aiSpendTodayUsd: 0.25, webhookInbox: { pending: 1 } });
    expect(res.body.clients.total).toBeGreaterThanOrEqual(1);
    expect(res.body.leadsByTier.hot).toBeGreaterThanOrEqual(2);
    expect((await get('/api/v1/admin/stats', auth)).status).toBe(403);
  });

  it('manages the global suppression list, which every client then honours', async () => {
    const post = async (body: object) => {
      const res = await request(stack.app).post('/api/v1/admin/suppression').set(admin()).send(body);
      expectConforms('post', '/api/v1/admin/suppression', res);
      return res;
    };
    const added = await post({ kind: 'email', value: '  Blocked@Example.COM ', reason: 'legal request' });
    expect(added.status).toBe(201);
    expect(added.body.suppression).toMatchObject({ scope: 'global', clientId: null, kind: 'email', value: 'blocked@example.com' });
    expect((await post({ kind: 'email', value: 'blocked@example.com' })).body.suppression.id).toBe(added.body.suppression.id);
    for (const bad of [
      { kind: 'email', value: 'not-an-email' },
      { kind: 'domain', value: 'no spaces.example' },
      { kind: 'phone', value: '((()))' },
      { kind: 'fax', value: '1' },
    ]) {
      expect((await post(bad)).status).toBe(400);
    }
    expect((await request(stack.app).post('/api/v1/admin/suppression').set(auth).send({ kind: 'email', value: 'z@y.example' })).status).toBe(403);
    // A client cannot import the suppressed address.
    await request(stack.app).post(`/api/v1/clients/${clientId}/leads`).set(auth).send({ email: 'blocked@example.com' }).expect(422);
    const list = await get('/api/v1/admin/suppression?kind=email&q=blocked', admin());
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([added.body.suppression.id]);
    const del = await request(stack.app).delete(`/api/v1/admin/suppression/${added.body.suppression.id}`).set(admin());
    expect(del.status).toBe(204);
    expect((await get('/api/v1/admin/suppression?q=blocked', admin())).body.data).toEqual([]);
    expect((await request(stack.app).delete(`/api/v1/admin/suppression/${added.body.suppression.id}`).set(admin())).status).toBe(404);
    expect(await stack.db.auditLog.count({ where: { entityId: added.body.suppression.id, action: { in: ['suppression.add', 'suppression.remove'] } } })).toBe(
      3,
    );
  });

  it('GET /admin/clients rates each client healthy, warning or critical', async () => {
    const healthy = await createClientWithUser(stack.db);
    const broke = await createClientWithUser(stack.db);
    await adjustBalanceTo(stack.db, { clientId: broke.client.id, target: 0 });
    const bouncy = await createClientWithUser(stack.db);
    const lead = await createLead(stack.db, bouncy.client.id);
    const camp = await stack.db.campaign.create({ data: { clientId: bouncy.client.id, name: 'B', sequence: SEQUENCE } });
    await stack.db.activity.createMany({
      data: [
        ...Array.from({ length: 40 }, () => ({ clientId: bouncy.client.id, campaignId: camp.id, leadId: lead.id, channel: 'email' as const, action: 'sent' })),
        ...Array.from({ length: 3 }, () => ({
          clientId: bouncy.client.id,
          campaignId: camp.id,
          leadId: lead.id,
          channel: 'email' as const,
          action: 'bounced',
        })),
      ],
    });
    const res = await get('/api/v1/admin/clients?limit=200', admin());
    const by = Object.fromEntries(res.body.data.map((c: { id: string; health: unknown }) => [c.id, c.health]));
    expect(by[healthy.client.id]).toMatchObject({ level: 'healthy', reasons: [] });
    expect(by[broke.client.id]).toMatchObject({ level: 'critical', reasons: ['no credits left'] });
    expect(by[bouncy.client.id]).toMatchObject({ level: 'critical', sent30d: 40, bounced30d: 3, bounceRate30d: 0.075 });
    expect(by[bouncy.client.id].lastSendAt).not.toBeNull();
    const critical = await get('/api/v1/admin/clients?limit=200&health=critical', admin());
    expect(critical.body.data.every((c: { health: { level: string } }) => c.health.level === 'critical')).toBe(true);
  });
});
