// Route × caller × tenant matrix, generated from the OpenAPI operation list (src/api/openapi), so a new
// route is covered as soon as it is documented (and openapi.test.ts fails until it is). For every
// authenticated operation it checks:
//   - no key → 401;
//   - each client role (viewer < member < admin < owner) → 403 below the operation's role, admitted at
//     or above it (admitted = not 401/403/404 and no server error);
//   - a platform admin → admitted everywhere;
//   - the owner of another client, with this client's ids → 404 (never 403);
//   - the owner of another client, with their own client in the path but this client's objects → 404;
//   - a user without any membership → 404 on client routes.
// Every response is also checked against its documented schema, and every admitted mutation that
// changed something must have left an audit row carrying its request id.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { MembershipRole } from '../../src/db/client';
import { createApiKey } from '../../src/engines/api-keys';
import { allOperations } from '../../src/api/openapi/operations';
import type { ApiOperation } from '../../src/api/openapi/spec';
import { startTestStack, type TestStack } from '../harness/stack';
import { addUser, createClientWithUser, createLead } from '../harness/fixtures';
import { expectConforms } from './conformance';
import { encryptSecret, generateEndpointSecret } from '../../src/engines/webhooks-out/secret';
import { startReplyRecovery, startSelfTest, startSkillDigest } from '../../src/lifecycle/admin-runs';
import { startLeadMigration } from '../../src/lifecycle/lead-migrations';
import { parseSkillSource } from '../../src/engines/skill-runs/library';
import { createSkill } from '../../src/engines/skill-runs/skill-store';

const ROLES: MembershipRole[] = ['viewer', 'member', 'admin', 'owner'];
const RANK: Record<MembershipRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

interface Tenant {
  clientId: string;
  ownerId: string;
  keys: Record<MembershipRole, { userId: string; key: string }>;
}

interface Caller {
  name: string;
  key?: string;
  userId?: string;
  role?: MembershipRole;
  platformAdmin?: boolean;
  /** Objects come from tenant A, the path's client from this tenant (cross-object case). */
  pathTenant?: 'A' | 'B';
  expect: (op: ApiOperation) => 'admitted' | 401 | 403 | 404 | 'skip';
}

let stack: TestStack;
let A: Tenant;
let B: Tenant;
let outsider: { userId: string; key: string };
let adminUserId: string;

async function tenant(): Promise<Tenant> {
  const { client, user, key } = await createClientWithUser(stack.db);
  const keys = { owner: { userId: user.id, key } } as Tenant['keys'];
  for (const role of ['viewer', 'member', 'admin'] as const) {
    const u = await addUser(stack.db, client.id, role);
    keys[role] = { userId: u.user.id, key: u.key };
  }
  return { clientId: client.id, ownerId: user.id, keys };
}

beforeAll(async () => {
  // The limiter is not under test here; this file makes several hundred requests in a burst.
  stack = await startTestStack({ env: { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_KEY: '0' } });
  A = await tenant();
  B = await tenant();
  const lone = await stack.db.user.create({ data: { email: `outsider-${randomBytes(4).toString('hex')}@test.example` } });
  outsider = { userId: lone.id, key: (await createApiKey(stack.db, { userId: lone.id, name: 'outsider' })).key };
  adminUserId = (await stack.db.user.findFirstOrThrow({ where: { isPlatformAdmin: true, email: { startsWith: 'admin-' } } })).id;
  // POST /playbook-runs names it in the body.
  await matrixPlaybook();
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  // DELETE /clients/{clientId} is in the matrix: keep both tenants alive for the next case.
  await stack.db.client.updateMany({ where: { id: { in: [A.clientId, B.clientId] } }, data: { deletedAt: null } });
});

const tag = () => randomBytes(4).toString('hex');
const SEQUENCE = { version: 1, touches: [{ number: 1, day: 0, channel: 'email', kind: 'email_intro' }] };

/** Fresh objects for path parameters, in the client that owns them. */
async function fixture(param: string, op: ApiOperation, clientId: string, keyOwner: string | undefined): Promise<string> {
  const db = stack.db;
  switch (param) {
    case 'clientId':
      return clientId;
    case 'campaignId':
      // With its version 1, as createCampaign writes it (GET …/versions/{version} reads it).
      lastCampaign = (
        await db.campaign.create({
          data: { clientId, name: `c-${tag()}`, sequence: SEQUENCE, versions: { create: { clientId, version: 1, sequence: SEQUENCE, copy: {} } } },
        })
      ).id;
      return lastCampaign;
    case 'migrationId':
      // A migration of the campaign made just before (nobody is on an older version: it ends at once).
      return (await startLeadMigration(stack.temporal, stack.taskQueue, { clientId, campaignId: lastCampaign!, toVersion: 1, requestId: tag() })).id;
    case 'leadId':
      return (await createLead(db, clientId)).id;
    case 'approvalId': {
      const campaign = await db.campaign.create({ data: { clientId, name: `c-${tag()}`, sequence: SEQUENCE } });
      const lead = await createLead(db, clientId);
      const row = await db.approvalRequest.create({
        data: {
          clientId,
          campaignId: campaign.id,
          leadId: lead.id,
          workflowId: `sequence:${campaign.id}:${lead.id}`,
          touchNumber: 1,
          channel: 'email',
          draft: { subject: 'Hi', text: 'Hello' },
          expiresAt: new Date(Date.now() + 86_400_000),
        },
      });
      return row.id;
    }
    case 'replyId':
      return (await inboundMessage(clientId)).id;
    case 'reviewId': {
      const m = await inboundMessage(clientId);
      return (
        await db.replyReview.create({
          data: { clientId, leadId: m.leadId, messageId: m.id, channel: 'email', text: m.body, intent: 'question', confidence: 0.4, reason: 'low_confidence' },
        })
      ).id;
    }
    case 'meetingId': {
      const lead = await createLead(db, clientId);
      return (await db.meeting.create({ data: { clientId, leadId: lead.id, status: 'proposed', source: 'manual' } })).id;
    }
    case 'resourceId':
      return (await db.sendResource.create({ data: { clientId, channel: 'email', identifier: `m-${tag()}.example`, dailyLimit: 50 } })).id;
    case 'userId':
      return (await addUser(db, clientId, 'member')).user.id;
    case 'jobId':
      return op.path.startsWith('/api/v1/onboarding')
        ? (await db.onboardingJob.create({ data: { clientId, websiteUrl: 'https://example.com' } })).id
        : (await db.campaignGenerationJob.create({ data: { clientId } })).id;
    case 'id':
      return (await db.campaignTemplate.create({ data: { clientId, name: `t-${tag()}`, sequence: SEQUENCE, messaging: {} } })).id;
    case 'keyId':
      return (await createApiKey(db, { userId: keyOwner ?? A.ownerId, name: `k-${tag()}` })).id;
    case 'channelId':
      return (
        await db.userChannel.create({
          data: { userId: keyOwner ?? A.ownerId, channel: 'telegram', externalId: `tg-${tag()}`, chatId: '1', linkedAt: new Date() },
        })
      ).id;
    case 'runId':
      return (await db.skillRun.create({ data: { clientId, skillSlug: 'copywriting', message: 'Write homepage copy' } })).id;
    case 'playbookRunId':
      // A run without a workflow: commands to it are refused (409), a cancel ends the row.
      return (
        await db.playbookRun.create({
          data: {
            clientId,
            playbookSlug: MATRIX_PLAYBOOK,
            playbookVersion: 1,
            request: 'A campaign',
            steps: { create: [{ key: 'brief', position: 0, skillSlug: 'matrix-skill', instruction: 'Write a brief.', checkpoint: 'Approve?' }] },
          },
        })
      ).id;
    case 'outputId':
      return (await skillOutput(clientId)).id;
    case 'documentId':
      return (await db.clientContextDocument.create({ data: { clientId, path: `docs/d-${tag()}.md`, content: 'Context.' } })).id;
    case 'slug': {
      if (op.path.startsWith('/api/v1/playbooks')) return (await matrixPlaybook()).slug;
      // Under /clients/{clientId}/skills: a skill of the objects' client; under /skills: a built-in.
      const slug = `matrix-${tag()}`;
      await createSkill(db, { clientId: op.path.startsWith('/api/v1/clients/') ? clientId : null, slug, data: skillData(slug), createdBy: null });
      return slug;
    }
    case 'version':
      return '1';
    case 'suppressionId':
      return (await db.suppression.create({ data: { scope: 'global', kind: 'email', value: `s-${tag()}@example.com`, reason: 'test' } })).id;
    case 'invitationId':
      return (
        await db.invitation.create({
          data: {
            clientId,
            email: `i-${tag()}@test.example`,
            role: 'viewer',
            tokenHash: randomBytes(32).toString('hex'),
            expiresAt: new Date(Date.now() + 86_400_000),
          },
        })
      ).id;
    case 'endpointId': {
      const endpoint = await db.webhookEndpoint.create({
        data: {
          clientId,
          url: 'https://receiver.invalid/hook',
          eventTypes: [],
          secretEncrypted: encryptSecret(generateEndpointSecret(), stack.config.SIGNING_SECRET!),
        },
      });
      lastEndpoint = endpoint.id;
      return endpoint.id;
    }
    case 'deliveryId': {
      // A finished delivery of the endpoint made just before (path parameters are built in order).
      const event = await db.outboundEvent.create({ data: { clientId, type: 'webhook.test', data: {}, dispatchedAt: new Date() } });
      const delivery = await db.webhookDelivery.create({
        data: {
          clientId,
          endpointId: lastEndpoint!,
          eventId: event.id,
          eventType: event.type,
          workflowId: `delivery:${lastEndpoint}:${event.id}`,
          status: 'failed',
        },
      });
      return delivery.id;
    }
    case 'testId':
      return (await startSelfTest(stack.temporal, stack.taskQueue, 'matrix')).id;
    case 'recoveryId':
      return (await startReplyRecovery(stack.temporal, stack.taskQueue, { maxEvents: 1, pullProviders: false })).id;
    case 'buildId':
      return (await startSkillDigest(stack.temporal, stack.taskQueue)).id;
    case 'action':
      return 'pause';
    case 'decision':
      return 'reject';
    case 'token':
      return 'not-a-token';
    default:
      throw new Error(`no matrix fixture for path parameter {${param}} of ${op.method.toUpperCase()} ${op.path}: add one`);
  }
}

let lastEndpoint: string | undefined;
let lastCampaign: string | undefined;

const MATRIX_PLAYBOOK = 'matrix-playbook';
const MATRIX_STEPS = [{ key: 'brief', skill: 'matrix-skill', instruction: 'Write a brief.', inputs: [], parallel: null, checkpoint: 'Approve?' }];
async function matrixPlaybook() {
  // A built-in skill for its step, made once (a second create would be refused as taken).
  if (!(await stack.db.skill.findFirst({ where: { slug: 'matrix-skill', clientId: null } }))) {
    await createSkill(stack.db, { clientId: null, slug: 'matrix-skill', data: skillData('matrix-skill'), createdBy: null });
  }
  return stack.db.playbook.upsert({
    where: { slug: MATRIX_PLAYBOOK },
    create: { slug: MATRIX_PLAYBOOK, name: 'Matrix', description: 'A playbook for the matrix.', steps: MATRIX_STEPS, contentHash: 'x', source: 'api' },
    update: {},
  });
}

/** Request bodies/queries where `{}` would fail validation before the access check (the client is in the body). */
const INPUTS: Record<string, (clientId: string, ids: Record<string, string>) => { body?: object; query?: Record<string, string> }> = {
  'post /api/v1/onboarding/analyze': (clientId) => ({ body: { clientId, websiteUrl: 'http://127.0.0.1:9/' } }),
  'post /api/v1/onboarding/edit': (clientId) => ({ body: { jobId: onboardingJobs.get(clientId)!, edits: {} } }),
  'post /api/v1/onboarding/confirm': (clientId) => ({ body: { jobId: onboardingJobs.get(clientId)! } }),
  'post /api/v1/campaigns/generate': (clientId) => ({ body: { clientId } }),
  'get /api/v1/campaigns/templates': (clientId) => ({ query: { clientId } }),
  'post /api/v1/runs': (clientId) => ({ body: { skill: 'copywriting', clientId, message: 'Write homepage copy' } }),
  // Skills: a new slug each time, and a real change for updates (so the audit row is checked).
  'post /api/v1/skills': () => ({ body: { slug: `matrix-new-${tag()}`, skillMd: skillMd(`New ${tag()}`) } }),
  'put /api/v1/skills/{slug}': () => ({ body: { skillMd: skillMd(`Changed ${tag()}`) } }),
  'post /api/v1/clients/{clientId}/skills': () => ({ body: { slug: `matrix-new-${tag()}`, skillMd: skillMd(`New ${tag()}`), rules: '# Rules\n1. Be brief.' } }),
  'put /api/v1/clients/{clientId}/skills/{slug}': () => ({ body: { skillMd: skillMd(`Changed ${tag()}`), files: { 'examples/one.md': 'An example.' } } }),
  'post /api/v1/playbook-runs': (clientId) => ({ body: { playbook: MATRIX_PLAYBOOK, clientId, request: 'A launch campaign' } }),
  'post /api/v1/playbook-runs/{playbookRunId}/checkpoint': () => ({ body: { decision: 'approve' } }),
  // The skill has no feedback, so an admitted caller gets 409 (nothing to improve) and no run starts.
  'post /api/v1/skills/{slug}/improvements': (clientId) => ({ body: { clientId } }),
  // Platform-admin writes that change something (so the audit row is checked).
  'post /api/v1/playbooks': () => ({
    body: { slug: `matrix-${tag()}`, name: 'Matrix', description: 'A playbook for the matrix.', steps: MATRIX_STEPS },
  }),
  'put /api/v1/playbooks/{slug}': () => ({ body: { name: `Matrix ${tag()}`, description: 'A playbook for the matrix.', steps: MATRIX_STEPS } }),
  // An IP literal: a public host without a DNS lookup.
  'post /api/v1/clients/{clientId}/webhook-endpoints': () => ({ body: { url: 'https://93.184.215.14/hook', eventTypes: ['reply.received'] } }),
  'patch /api/v1/clients/{clientId}/webhook-endpoints/{endpointId}': () => ({ body: { description: 'matrix' } }),
  'post /api/v1/feedback': (clientId) => ({ body: { outputId: outputsByClient.get(clientId)!, overall: 4 } }),
  // Real changes, so the admitted calls must leave an audit row.
  'patch /api/v1/clients/{clientId}/campaigns/{campaignId}': () => ({ body: { name: `Matrix ${tag()}` } }),
  'patch /api/v1/campaigns/templates/{id}': () => ({ body: { name: `Matrix ${tag()}` } }),
  // Version 1 has nothing older: a 409 once admitted, which changes nothing.
  'post /api/v1/clients/{clientId}/campaigns/{campaignId}/migrate-leads': () => ({ body: { toVersion: 1 } }),
  'patch /api/v1/clients/{clientId}/leads/{leadId}': () => ({ body: { title: `Matrix ${tag()}` } }),
  'put /api/v1/clients/{clientId}/icp': () => ({
    body: { industries: ['Software'], companySizes: ['11-50'], titles: ['Founder'], locations: ['AU'], rescore: false },
  }),
  // Platform-admin writes with a body that does something (so the audit row is checked).
  'post /api/v1/admin/clients/{clientId}/credits/top-ups': () => ({ body: { amount: 5 } }),
  'put /api/v1/admin/clients/{clientId}/plan': () => ({ body: { plan: 'velocity' } }),
};
const outputsByClient = new Map<string, string>();
const skillMd = (name: string) => `---\nname: ${name}\ntype: content\ndescription: A skill for the tenancy matrix.\ntriggers:\n  - matrix\n---\nDo it well.\n`;
const skillData = (slug: string) => parseSkillSource(slug, { skillMd: skillMd('Matrix'), rules: null, files: {} });
const inboundMessage = async (clientId: string) => {
  const lead = await createLead(stack.db, clientId);
  return stack.db.inboundMessage.create({
    data: {
      clientId,
      leadId: lead.id,
      channel: 'email',
      body: 'Could you tell me more?',
      intent: 'question',
      confidence: 0.4,
      actions: ['review'],
      receivedAt: new Date(),
    },
  });
};
const skillOutput = (clientId: string) =>
  stack.db.output.create({ data: { clientId, runId: randomBytes(16).toString('hex'), skillSlug: 'copywriting', title: 'Copy', content: '# Copy' } });
const onboardingJobs = new Map<string, string>();

interface Sent {
  status: number;
  requestId: string;
  body: { error?: { code: string; message: string }; restored?: boolean };
}

async function send(op: ApiOperation, caller: Caller): Promise<Sent> {
  const objectsClient = A.clientId;
  const pathClient = caller.pathTenant === 'B' ? B.clientId : A.clientId;
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const ids: Record<string, string> = {};
  // Keys and chat channels are the caller's own, except for callers from elsewhere: they get someone else's.
  const keyOwner = caller.role || caller.platformAdmin ? caller.userId : A.ownerId;
  for (const n of names) ids[n] = await fixture(n, op, n === 'clientId' ? pathClient : objectsClient, keyOwner);
  if (!outputsByClient.has(objectsClient)) outputsByClient.set(objectsClient, (await skillOutput(objectsClient)).id);
  if (!onboardingJobs.has(objectsClient)) {
    onboardingJobs.set(objectsClient, (await stack.db.onboardingJob.create({ data: { clientId: objectsClient, websiteUrl: 'https://example.com' } })).id);
  }
  const path = op.path.replace(/\{(\w+)\}/g, (_m, n: string) => ids[n]);
  const input = INPUTS[`${op.method} ${op.path}`]?.(objectsClient, ids) ?? {};
  const requestId = `matrix-${tag()}${tag()}`;
  let req = request(stack.app)[op.method](path).set('X-Request-Id', requestId);
  if (caller.key) req = req.set('Authorization', `Bearer ${caller.key}`);
  if (input.query) req = req.query(input.query);
  const res = op.method === 'get' || op.method === 'delete' ? await req : await req.send(input.body ?? {});
  expectConforms(op.method, path, res);
  return { status: res.status, body: res.body, requestId };
}

const clientRoute = (op: ApiOperation) => op.access.kind === 'client';
const hasClientInPath = (op: ApiOperation) => op.path.includes('{clientId}');
const hasObjectIds = (op: ApiOperation) => [...op.path.matchAll(/\{(\w+)\}/g)].some((m) => m[1] !== 'clientId');

function roleCaller(role: MembershipRole): Caller {
  return {
    name: role,
    role,
    expect: (op) => {
      if (op.access.kind === 'platform-admin') return 403;
      if (op.access.kind === 'client') return RANK[role] >= RANK[op.access.role] ? 'admitted' : 403;
      return 'admitted';
    },
  };
}

const callers: Caller[] = [
  { name: 'no key', expect: () => 401 },
  ...ROLES.map(roleCaller),
  { name: 'platform admin', platformAdmin: true, expect: () => 'admitted' },
  {
    name: 'owner of another client (this client in the path)',
    expect: (op) =>
      clientRoute(op) ? 404 : op.access.kind === 'platform-admin' ? 403 : op.path.includes('{keyId}') || op.path.includes('{channelId}') ? 404 : 'skip',
  },
  {
    name: "owner of another client (their client in the path, this client's objects)",
    pathTenant: 'B',
    expect: (op) => (clientRoute(op) && hasClientInPath(op) && hasObjectIds(op) ? 404 : 'skip'),
  },
  { name: 'user without memberships', expect: (op) => (clientRoute(op) ? 404 : op.access.kind === 'platform-admin' ? 403 : 'skip') },
];

function keyOf(c: Caller): { key?: string; userId?: string } {
  if (c.name === 'no key') return {};
  if (c.platformAdmin) return { key: stack.adminKey, userId: adminUserId };
  if (c.role) return A.keys[c.role];
  if (c.name.startsWith('owner of another client')) return B.keys.owner;
  return outsider;
}

const authenticated = allOperations.filter((op) => op.access.kind !== 'public');

describe.each(
  authenticated.map(
    (op) => [`${op.method.toUpperCase()} ${op.path} (${op.access.kind === 'client' ? `client:${op.access.role}` : op.access.kind})`, op] as const,
  ),
)('%s', (_name, op) => {
  it.each(callers.map((c) => [c.name, c] as const))('%s', async (_caller, c) => {
    const want = c.expect(op);
    if (want === 'skip') return;
    const res = await send(op, { ...c, ...keyOf(c) });
    const got = `${res.status} ${res.body?.error?.code ?? ''}`.trim();
    if (want === 'admitted') {
      expect([401, 403, 404].includes(res.status) || res.status >= 500 ? got : 'admitted').toBe('admitted');
      const changed = op.method !== 'get' && res.status < 300 && res.body?.restored !== false;
      if (changed) expect(await stack.db.auditLog.count({ where: { requestId: res.requestId } })).toBeGreaterThan(0);
    } else {
      expect(got).toMatch(new RegExp(`^${want}\\b`));
    }
  });
});

it('covers every authenticated operation and every role', () => {
  expect(authenticated.length).toBeGreaterThan(50);
  const roles = new Set(authenticated.flatMap((op) => (op.access.kind === 'client' ? [op.access.role] : [])));
  expect([...roles].sort()).toEqual(['admin', 'member', 'owner', 'viewer']);
});
