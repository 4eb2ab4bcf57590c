// /api/v1/clients/:clientId/campaigns — create (draft), read with live state, lifecycle
// transitions through the campaign workflow's update, adding leads.
import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { clientScope, scopedClientId } from '../tenancy';
import { body, params, query, uuid } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import { addLeadsToCampaign, assertCampaignMayActivate, createCampaign } from '../../engines/campaigns';
import { SequenceDefinitionSchema } from '../../engines/sequence-plan';
import { campaignLiveState, notifyLeadsAdded, startCampaignWorkflow, TransitionRefused, transitionCampaign } from '../../lifecycle/campaigns';

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
export const MAX_ENROL_LEADS = 10_000;
export const addLeadsBody = z.object({ leadIds: z.array(uuid).min(1).max(MAX_ENROL_LEADS) }).strict();
export const listQuery = pageQuery.extend({ status: z.enum(['draft', 'active', 'paused', 'completed', 'cancelled']).optional() });

export function campaignsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db } = deps;

  const load = async (clientId: string, campaignId: string) => {
    const c = await db.campaign.findFirst({ where: { id: campaignId, clientId, deletedAt: null } });
    if (!c) throw notFound('campaign');
    return c;
  };

  const withCounts = async (campaignId: string) => {
    const [byStatus, sent] = await Promise.all([
      db.campaignEnrollment.groupBy({ by: ['status'], where: { campaignId }, _count: { _all: true } }),
      db.activity.groupBy({ by: ['channel'], where: { campaignId, action: 'sent' }, _count: { _all: true } }),
    ]);
    return {
      enrollments: Object.fromEntries(byStatus.map((b) => [b.status, b._count._all])),
      touchesSent: Object.fromEntries(sent.map((s) => [s.channel, s._count._all])),
    };
  };

  r.post('/', clientScope('member'), async (req, res) => {
    const clientId = scopedClientId(req);
    const input = body(createBody, req);
    const campaign = await createCampaign(db, { clientId, ...input });
    await startCampaignWorkflow(deps.temporal, deps.taskQueue, { clientId, id: campaign.id });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'campaign.create', entityType: 'campaign', entityId: campaign.id, after: campaign });
    res.status(201).json({ campaign });
  });

  r.get('/', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(listQuery, req);
    const rows = await db.campaign.findMany({
      where: { clientId, deletedAt: null, ...(q.status ? { status: q.status } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    res.json(page(rows, q.limit));
  });

  r.get('/:campaignId', clientScope('viewer'), async (req, res) => {
    const { clientId, campaignId } = params(idParams, req);
    const campaign = await load(clientId, campaignId);
    const [live, counts] = await Promise.all([campaignLiveState(deps.temporal, campaignId), withCounts(campaignId)]);
    res.json({ campaign, live, counts });
  });

  // Soft delete: only a campaign that is not running (draft, completed, cancelled) — cancel it first, so
  // no sequence is left half-sent by a delete. Restorable by a client admin or platform admin.
  r.delete('/:campaignId', clientScope('member'), async (req, res) => {
    const { clientId, campaignId } = params(idParams, req);
    const before = await load(clientId, campaignId);
    if (before.status === 'active' || before.status === 'paused') {
      throw new HttpError(409, 'CAMPAIGN_RUNNING', `cancel the ${before.status} campaign before deleting it`);
    }
    const after = await db.campaign.update({ where: { id: campaignId }, data: { deletedAt: new Date() } });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'campaign.delete', entityType: 'campaign', entityId: campaignId, before, after });
    res.status(204).end();
  });

  r.post('/:campaignId/restore', clientScope('admin'), async (req, res) => {
    const { clientId, campaignId } = params(idParams, req);
    body(z.object({}).strict(), req);
    const before = await db.campaign.findFirst({ where: { id: campaignId, clientId } });
    if (!before) throw notFound('campaign');
    if (!before.deletedAt) {
      res.json({ campaign: before, restored: false });
      return;
    }
    const campaign = await db.campaign.update({ where: { id: campaignId }, data: { deletedAt: null } });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'campaign.restore', entityType: 'campaign', entityId: campaignId, before, after: campaign });
    res.json({ campaign, restored: true });
  });

  r.post('/:campaignId/:action', clientScope('member'), async (req, res, next) => {
    if (req.params.action === 'leads') return next();
    const { clientId, campaignId, action } = params(actionParams, req);
    const before = await load(clientId, campaignId);
    // The plan's limits (channels, active campaigns) hold before a campaign becomes active: 409.
    if ((action === 'start' || action === 'resume') && before.status !== 'active') await assertCampaignMayActivate(db, before);
    let state;
    try {
      state = await transitionCampaign(deps.temporal, campaignId, action);
    } catch (err) {
      if (err instanceof TransitionRefused) throw new HttpError(409, 'INVALID_TRANSITION', err.message, { status: before.status, action });
      throw err;
    }
    const campaign = await load(clientId, campaignId);
    if (campaign.status !== before.status) {
      await recordAudit(db, { clientId, ...actorOf(req), action: `campaign.${action}`, entityType: 'campaign', entityId: campaignId, before: { status: before.status }, after: { status: campaign.status } });
    }
    res.json({ campaign, live: state });
  });

  r.post('/:campaignId/leads', clientScope('member'), async (req, res) => {
    const { clientId, campaignId } = params(idParams, req);
    const campaign = await load(clientId, campaignId);
    if (campaign.status === 'completed' || campaign.status === 'cancelled') {
      throw new HttpError(409, 'CAMPAIGN_CLOSED', `cannot add leads to a ${campaign.status} campaign`);
    }
    const { leadIds } = body(addLeadsBody, req);
    const result = await addLeadsToCampaign(db, { clientId, campaignId, leadIds });
    if (result.added > 0) await notifyLeadsAdded(deps.temporal, campaignId, result.added);
    await recordAudit(db, { clientId, ...actorOf(req), action: 'campaign.add_leads', entityType: 'campaign', entityId: campaignId, after: { added: result.added } });
    res.json(result);
  });

  return r;
}
