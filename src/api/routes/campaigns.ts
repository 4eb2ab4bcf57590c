// /api/v1/clients/:clientId/campaigns — create (draft), read with live state, lifecycle
// transitions through the campaign workflow's update, adding leads, edits that add sequence versions
// (running leads stay on theirs), the versions with their leads, and migrating leads to a newer one
// (a background job: 202 with a status URL).
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { CampaignSchema, CampaignSequenceVersionSchema, CampaignStateSchema } from '../openapi/models';
import { created, noContent, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';
import type { Db } from '../../db/client';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import {
  addLeadsToCampaign,
  assertCampaignMayActivate,
  CampaignClosedError,
  createCampaign,
  editCampaign,
  listVersions,
  withActivationLock,
} from '../../engines/campaigns';
import { SequenceDefinitionSchema } from '../../engines/sequence-plan';
import { SequenceCopySchema } from '../../engines/sequence-versions';
import { campaignLiveState, notifyLeadsAdded, startCampaignWorkflow, TransitionRefused, transitionCampaign } from '../../lifecycle/campaigns';
import { leadMigrationStatus, leadMigrationWorkflowId, startLeadMigration } from '../../lifecycle/lead-migrations';

export const createBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    sequence: SequenceDefinitionSchema.optional(),
    permissionMode: z.enum(['autopilot', 'copilot', 'manual']).optional(),
    industry: z.string().trim().max(100).optional(),
    aiPersonalisation: z.boolean().optional(),
  })
  .strict();
export const idParams = z.object({ clientId: uuid, campaignId: uuid });
export const actionParams = idParams.extend({ action: z.enum(['start', 'pause', 'resume', 'cancel']) });
export const MAX_ENROLL_LEADS = 10_000;
export const addLeadsBody = z.object({ leadIds: z.array(uuid).min(1).max(MAX_ENROLL_LEADS) }).strict();
export const listQuery = pageQuery.extend({ status: z.enum(['draft', 'active', 'paused', 'completed', 'cancelled']).optional() });
export const editBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    permissionMode: z.enum(['autopilot', 'copilot', 'manual']).optional(),
    /** A new plan: adds a sequence version (leads already in sequence stay on theirs). */
    sequence: SequenceDefinitionSchema.optional(),
    /** Copy per touch: touch number → kind (the touch's, or its fallback's) → {subject?, body}; adds a version. */
    copy: SequenceCopySchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change: give name, permissionMode, sequence or copy' });
export const versionParams = idParams.extend({ version: z.coerce.number().int().min(1).max(1_000_000) });
export const migrationParams = idParams.extend({ migrationId: uuid });
export const migrateBody = z
  .object({
    /** The version to move to: an existing one, newer than the leads' own. */
    toVersion: z.number().int().min(1).max(1_000_000),
    /** Only these leads (default: every running sequence on an older version). */
    leadIds: z.array(uuid).min(1).max(MAX_ENROLL_LEADS).optional(),
  })
  .strict();

const CAMPAIGNS = '/api/v1/clients/{clientId}/campaigns';
const clientParams = z.object({ clientId: uuid });
const counts = z.object({ enrollments: z.record(z.string(), z.number()), touchesSent: z.record(z.string(), z.number()) });
const VersionWithLeadsSchema = CampaignSequenceVersionSchema.extend({
  current: z.boolean(),
  /** The campaign's enrolments pinned to this version, by state. */
  leads: z.object({ total: z.number().int(), pending: z.number().int(), running: z.number().int(), ended: z.number().int() }),
});
const MigrationCountsSchema = z
  .object({
    toVersion: z.number().int(),
    migrated: z.number().int().describe('sequences that took the version (their enrolments now pin it)'),
    alreadyOnVersion: z.number().int().describe('named leads already on the version'),
    notRunning: z.number().int().describe('leads with no running sequence in the campaign (never enrolled, pending, ended)'),
    notRunningLeadIds: z.array(z.string()).describe('the first 100 of them'),
    pages: z.number().int(),
  })
  .meta({ id: 'LeadMigrationCounts' });
const migrationUrl = (clientId: string, campaignId: string, migrationId: string) =>
  `/api/v1/clients/${clientId}/campaigns/${campaignId}/migrations/${migrationId}`;

function assertOpen(c: { status: string }, what: string): void {
  if (c.status === 'completed' || c.status === 'cancelled') throw new HttpError(409, 'CAMPAIGN_CLOSED', `cannot ${what} a ${c.status} campaign`);
}

async function load(db: Db, clientId: string, campaignId: string) {
  const c = await db.campaign.findFirst({ where: { id: campaignId, clientId, deletedAt: null } });
  if (!c) throw notFound('campaign');
  return c;
}

async function withCounts(db: Db, campaignId: string) {
  const [byStatus, sent] = await Promise.all([
    db.campaignEnrollment.groupBy({ by: ['status'], where: { campaignId }, _count: { _all: true } }),
    db.activity.groupBy({ by: ['channel'], where: { campaignId, action: 'sent' }, _count: { _all: true } }),
  ]);
  return {
    enrollments: Object.fromEntries(byStatus.map((b) => [b.status, b._count._all])),
    touchesSent: Object.fromEntries(sent.map((s) => [s.channel, s._count._all])),
  };
}

export const campaignRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: CAMPAIGNS,
    summary: 'Create a draft campaign (and its workflow)',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: clientParams,
    body: createBody,
    responses: { 201: created(z.object({ campaign: CampaignSchema })) },
    handler: async ({ params: { clientId }, body, req, res, deps }) => {
      const campaign = await createCampaign(deps.db, { clientId, ...body() });
      await startCampaignWorkflow(deps.temporal, deps.taskQueue, { clientId, id: campaign.id });
      await recordAudit(deps.db, { clientId, ...actorOf(req), action: 'campaign.create', entityType: 'campaign', entityId: campaign.id, after: campaign });
      res.status(201).json({ campaign });
    },
  }),
  defineRoute({
    method: 'get',
    path: CAMPAIGNS,
    summary: "List the client's campaigns",
    tag: 'campaigns',
    access: { kind: 'client', role: 'viewer' },
    params: clientParams,
    query: listQuery,
    responses: { 200: ok(pageOf(CampaignSchema)) },
    handler: async ({ params: { clientId }, query: q, res, deps: { db } }) => {
      const rows = await db.campaign.findMany({
        where: { clientId, deletedAt: null, ...(q.status ? { status: q.status } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      res.json(page(rows, q.limit));
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CAMPAIGNS}/{campaignId}`,
    summary: 'A campaign with its live state and counts',
    tag: 'campaigns',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ campaign: CampaignSchema, live: CampaignStateSchema.nullable(), counts })) },
    handler: async ({ params: { clientId, campaignId }, res, deps }) => {
      const campaign = await load(deps.db, clientId, campaignId);
      const [live, tallies] = await Promise.all([campaignLiveState(deps.temporal, campaignId), withCounts(deps.db, campaignId)]);
      res.json({ campaign, live, counts: tallies });
    },
  }),
  defineRoute({
    method: 'patch',
    path: `${CAMPAIGNS}/{campaignId}`,
    summary: 'Edit a campaign: a new sequence or copy adds a version (running leads stay on theirs)',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: editBody,
    responses: { 200: ok(z.object({ campaign: CampaignSchema, version: CampaignSequenceVersionSchema.nullable() })) },
    handler: async ({ params: { clientId, campaignId }, body, req, res, deps: { db } }) => {
      const campaign = await load(db, clientId, campaignId);
      const edit = body();
      assertOpen(campaign, 'edit');
      let out;
      try {
        out = await editCampaign(db, { clientId, campaignId, actorId: actorOf(req).actorId, edit });
      } catch (err) {
        if (err instanceof CampaignClosedError) throw new HttpError(409, 'CAMPAIGN_CLOSED', err.message);
        throw err;
      }
      if (!out) throw notFound('campaign');
      const { before, after, version } = out;
      const view = (c: typeof before) => ({ name: c.name, permissionMode: c.permissionMode, sequenceVersion: c.sequenceVersion });
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'campaign.edit',
        entityType: 'campaign',
        entityId: campaignId,
        before: view(before),
        after: { ...view(after), ...(version ? { sequence: version.sequence, copy: version.copy } : {}) },
      });
      res.json({ campaign: after, version: version ?? null });
    },
  }),
  // Soft delete: only a campaign that is not running (draft, completed, cancelled) — cancel it first, so
  // no sequence is left half-sent by a delete. Restorable by a client admin or platform admin.
  defineRoute({
    method: 'delete',
    path: `${CAMPAIGNS}/{campaignId}`,
    summary: 'Soft-delete a campaign that is not running (draft, completed or cancelled)',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    responses: { 204: noContent },
    handler: async ({ params: { clientId, campaignId }, req, res, deps: { db } }) => {
      const before = await load(db, clientId, campaignId);
      if (before.status === 'active' || before.status === 'paused') {
        throw new HttpError(409, 'CAMPAIGN_RUNNING', `cancel the ${before.status} campaign before deleting it`);
      }
      const after = await db.campaign.update({ where: { id: campaignId }, data: { deletedAt: new Date() } });
      await recordAudit(db, { clientId, ...actorOf(req), action: 'campaign.delete', entityType: 'campaign', entityId: campaignId, before, after });
      res.status(204).end();
    },
  }),
  defineRoute({
    method: 'post',
    path: `${CAMPAIGNS}/{campaignId}/restore`,
    summary: 'Restore a soft-deleted campaign',
    tag: 'campaigns',
    access: { kind: 'client', role: 'admin' },
    params: idParams,
    body: z.object({}).strict(),
    responses: { 200: ok(z.object({ campaign: CampaignSchema, restored: z.boolean() })) },
    handler: async ({ params: { clientId, campaignId }, body, req, res, deps: { db } }) => {
      const before = await db.campaign.findFirst({ where: { id: campaignId, clientId } });
      if (!before) throw notFound('campaign');
      body();
      if (!before.deletedAt) {
        res.json({ campaign: before, restored: false });
        return;
      }
      const campaign = await db.campaign.update({ where: { id: campaignId }, data: { deletedAt: null } });
      await recordAudit(db, { clientId, ...actorOf(req), action: 'campaign.restore', entityType: 'campaign', entityId: campaignId, before, after: campaign });
      res.json({ campaign, restored: true });
    },
  }),
  // Before `{action}`: the literal segment must win.
  defineRoute({
    method: 'post',
    path: `${CAMPAIGNS}/{campaignId}/leads`,
    summary: 'Enrol leads in the campaign',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: addLeadsBody,
    responses: { 200: ok(z.object({ added: z.number().int(), alreadyEnrolled: z.number().int(), notFound: z.array(z.string()) })) },
    handler: async ({ params: { clientId, campaignId }, body, req, res, deps }) => {
      const campaign = await load(deps.db, clientId, campaignId);
      if (campaign.status === 'completed' || campaign.status === 'cancelled') {
        throw new HttpError(409, 'CAMPAIGN_CLOSED', `cannot add leads to a ${campaign.status} campaign`);
      }
      const { leadIds } = body();
      const result = await addLeadsToCampaign(deps.db, { clientId, campaignId, leadIds });
      if (result.added > 0) await notifyLeadsAdded(deps.temporal, campaignId, result.added);
      await recordAudit(deps.db, {
        clientId,
        ...actorOf(req),
        action: 'campaign.add_leads',
        entityType: 'campaign',
        entityId: campaignId,
        after: { added: result.added },
      });
      res.json(result);
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CAMPAIGNS}/{campaignId}/versions`,
    summary: "The campaign's sequence versions (plan and copy), each with the leads on it",
    tag: 'campaigns',
    access: { kind: 'client', role: 'viewer' },
    params: idParams,
    responses: { 200: ok(z.object({ currentVersion: z.number().int(), versions: z.array(VersionWithLeadsSchema) })) },
    handler: async ({ params: { clientId, campaignId }, res, deps: { db } }) => {
      const campaign = await load(db, clientId, campaignId);
      const versions = await listVersions(db, campaignId);
      res.json({ currentVersion: campaign.sequenceVersion, versions: versions.map((v) => ({ ...v, current: v.version === campaign.sequenceVersion })) });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CAMPAIGNS}/{campaignId}/versions/{version}`,
    summary: 'One sequence version (plan and copy) with the leads on it',
    tag: 'campaigns',
    access: { kind: 'client', role: 'viewer' },
    params: versionParams,
    responses: { 200: ok(z.object({ version: VersionWithLeadsSchema })) },
    handler: async ({ params: { clientId, campaignId, version }, res, deps: { db } }) => {
      const campaign = await load(db, clientId, campaignId);
      const v = (await listVersions(db, campaignId)).find((x) => x.version === version);
      if (!v) throw notFound('sequence version');
      res.json({ version: { ...v, current: v.version === campaign.sequenceVersion } });
    },
  }),
  // Before `{action}`: the literal segment must win.
  defineRoute({
    method: 'post',
    path: `${CAMPAIGNS}/{campaignId}/migrate-leads`,
    summary: 'Start moving running sequences to a newer version from their next untouched touch',
    description:
      "The checks (version exists, is newer than the named leads') answer at once; the sequences are updated by a background " +
      'workflow, so this answers 202 with `statusUrl` (also `Location`). A repeat of the same request (same `X-Request-Id`, ' +
      'version and leads) starts nothing and answers the migration it started, with its current status.',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: idParams,
    body: migrateBody,
    responses: {
      202: {
        description: 'Started (or, for a repeated request, the migration it started); poll `statusUrl`.',
        schema: z.object({
          migrationId: z.string(),
          workflowId: z.string(),
          status: z.enum(['running', 'completed', 'failed']),
          statusUrl: z.string(),
        }),
      },
    },
    handler: async ({ params: { clientId, campaignId }, body, req, res, deps }) => {
      const { db } = deps;
      const campaign = await load(db, clientId, campaignId);
      const { toVersion, leadIds } = body();
      assertOpen(campaign, 'migrate leads of');
      const target = await db.campaignSequenceVersion.findUnique({ where: { campaignId_version: { campaignId, version: toVersion } }, select: { id: true } });
      if (!target)
        throw new HttpError(409, 'VERSION_NOT_FOUND', `the campaign has no sequence version ${toVersion}`, { currentVersion: campaign.sequenceVersion });
      if (toVersion === 1) throw new HttpError(409, 'VERSION_NOT_NEWER', 'version 1 is the first: no lead is on an older one');
      const ids = leadIds ? [...new Set(leadIds)] : undefined;
      if (ids) {
        // Named leads on a later version would go back: refused whole, nothing changes.
        const newer = await db.campaignEnrollment.findMany({
          where: { campaignId, leadId: { in: ids }, sequenceVersion: { gt: toVersion } },
          select: { leadId: true },
        });
        if (newer.length > 0) {
          throw new HttpError(409, 'VERSION_NOT_NEWER', `version ${toVersion} is older than the version some of these leads are on`, {
            leadIds: newer.map((e) => e.leadId),
          });
        }
      }
      const { requestId } = actorOf(req);
      let run;
      try {
        run = await startLeadMigration(deps.temporal, deps.taskQueue, { clientId, campaignId, toVersion, ...(ids ? { leadIds: ids } : {}), requestId });
      } catch (err) {
        req.log.warn({ err }, 'lead migration could not start');
        throw new HttpError(503, 'TEMPORAL_UNAVAILABLE', 'could not start the lead migration workflow');
      }
      let status: 'running' | 'completed' | 'failed' = 'running';
      if (run.started) {
        await recordAudit(db, {
          clientId,
          ...actorOf(req),
          action: 'campaign.migrate_leads',
          entityType: 'campaign',
          entityId: campaignId,
          after: { toVersion, leadIds: ids ?? null, migrationId: run.id, workflowId: run.workflowId },
        });
      } else {
        status = (await leadMigrationStatus(deps.temporal, campaignId, run.id))?.status ?? 'completed';
      }
      const statusUrl = migrationUrl(clientId, campaignId, run.id);
      res.status(202).location(statusUrl).json({ migrationId: run.id, workflowId: run.workflowId, status, statusUrl });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${CAMPAIGNS}/{campaignId}/migrations/{migrationId}`,
    summary: 'Where a lead migration is: running (with its counts so far), completed (with its counts) or failed',
    tag: 'campaigns',
    access: { kind: 'client', role: 'viewer' },
    params: migrationParams,
    responses: {
      200: ok(
        z.object({
          migrationId: z.string(),
          workflowId: z.string(),
          status: z.enum(['running', 'completed', 'failed']),
          progress: MigrationCountsSchema.nullable().optional().describe('running only: the counts so far (null when the workflow cannot be asked right now)'),
          result: MigrationCountsSchema.optional().describe('completed only'),
          reason: z.string().optional().describe('failed only: failed, timed_out, terminated or cancelled'),
        }),
      ),
    },
    handler: async ({ params: { clientId, campaignId, migrationId }, res, deps }) => {
      await load(deps.db, clientId, campaignId);
      const out = await leadMigrationStatus(deps.temporal, campaignId, migrationId);
      if (!out) throw notFound('migration');
      res.json({ migrationId, workflowId: leadMigrationWorkflowId(campaignId, migrationId), ...out });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${CAMPAIGNS}/{campaignId}/{action}`,
    summary: 'Start, pause, resume or cancel (a repeat is a no-op; an impossible move is 409)',
    tag: 'campaigns',
    access: { kind: 'client', role: 'member' },
    params: actionParams,
    responses: { 200: ok(z.object({ campaign: CampaignSchema, live: CampaignStateSchema })) },
    handler: async ({ params: { clientId, campaignId, action }, req, res, deps }) => {
      const before = await load(deps.db, clientId, campaignId);
      const transition = async () => {
        try {
          return await transitionCampaign(deps.temporal, campaignId, action);
        } catch (err) {
          if (err instanceof TransitionRefused) throw new HttpError(409, 'INVALID_TRANSITION', err.message, { status: before.status, action });
          throw err;
        }
      };
      // The plan's limits (channels, active campaigns) hold before a campaign becomes active: 409.
      // Checked and applied under the client's activation lock, so concurrent starts count each other.
      const state =
        (action === 'start' || action === 'resume') && before.status !== 'active'
          ? await withActivationLock(deps.db, clientId, async () => {
              await assertCampaignMayActivate(deps.db, before);
              return transition();
            })
          : await transition();
      const campaign = await load(deps.db, clientId, campaignId);
      if (campaign.status !== before.status) {
        await recordAudit(deps.db, {
          clientId,
          ...actorOf(req),
          action: `campaign.${action}`,
          entityType: 'campaign',
          entityId: campaignId,
          before: { status: before.status },
          after: { status: campaign.status },
        });
      }
      res.json({ campaign, live: state });
    },
  }),
];

export const campaignsRouter = (deps: ApiDeps) => routerFor(deps, CAMPAIGNS, campaignRoutes);
