// /api/v1/clients/:clientId/reports — campaign metrics per channel and per touch, and the client's
// overview (leads, campaigns, outreach results, AI spend) over a window of days.
import { Router } from 'express';
import { z } from 'zod';
import { campaignReport, clientOverview } from '../../engines/reports';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { clientScope, scopedClientId } from '../tenancy';
import { params, query, uuid } from '../validate';

export const campaignReportParams = z.object({ clientId: uuid, campaignId: uuid });
export const overviewQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }).strict();

export function reportsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db } = deps;

  r.get('/campaigns/:campaignId', clientScope('viewer'), async (req, res) => {
    const { clientId, campaignId } = params(campaignReportParams, req);
    const campaign = await db.campaign.findFirst({ where: { id: campaignId, clientId, deletedAt: null }, select: { id: true, name: true, status: true } });
    if (!campaign) throw notFound('campaign');
    res.json({ campaign, ...(await campaignReport(db, campaignId)) });
  });

  r.get('/overview', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(overviewQuery, req);
    res.json(await clientOverview(db, clientId, q.days));
  });

  return r;
}
