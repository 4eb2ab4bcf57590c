// /api/v1/clients/:clientId/reports — campaign metrics per channel and per touch, and the client's
// overview (leads, campaigns, outreach results, AI spend) over a window of days.
import { z } from 'zod';
import { campaignReport, clientOverview } from '../../engines/reports';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { scopedClientId } from '../tenancy';
import { uuid } from '../validate';
import { CampaignStatusSchema, MetricsSchema, RatesSchema } from '../openapi/models';
import { dateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

export const campaignReportParams = z.object({ clientId: uuid, campaignId: uuid });
export const overviewQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }).strict();

const counts = z.record(z.string(), z.number().int());

export const reportRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/clients/{clientId}/reports/campaigns/{campaignId}',
    summary: 'Campaign metrics in total, per channel and per touch',
    description: 'Distinct leads per outcome. Touch null collects events that could not be tied to a touch.',
    tag: 'reports',
    access: { kind: 'client', role: 'viewer' },
    params: campaignReportParams,
    responses: {
      200: ok(
        z.object({
          campaign: z.object({ id: z.string(), name: z.string(), status: CampaignStatusSchema }),
          campaignId: z.string(),
          totals: MetricsSchema,
          rates: RatesSchema,
          byChannel: z.array(MetricsSchema.extend({ channel: z.string() })),
          byTouch: z.array(MetricsSchema.extend({ touchNumber: z.number().int().nullable() })),
          generatedAt: dateTime,
        }),
      ),
    },
    handler: async ({ params, res, deps }) => {
      const { db } = deps;
      const { clientId, campaignId } = params;
      const campaign = await db.campaign.findFirst({ where: { id: campaignId, clientId, deletedAt: null }, select: { id: true, name: true, status: true } });
      if (!campaign) throw notFound('campaign');
      res.json({ campaign, ...(await campaignReport(db, campaignId)) });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/clients/{clientId}/reports/overview',
    summary: "The client's leads, campaigns, outreach results and AI spend over the last `days` days",
    tag: 'reports',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: overviewQuery,
    responses: {
      200: ok(
        z.object({
          clientId: z.string(),
          from: dateTime,
          to: dateTime,
          days: z.number().int(),
          leads: z.object({ total: z.number().int(), byTier: counts, byStatus: counts }),
          campaigns: z.object({ total: z.number().int(), byStatus: counts }),
          activity: z.object({ totals: MetricsSchema, rates: RatesSchema, byChannel: z.array(MetricsSchema.extend({ channel: z.string() })) }),
          aiSpendUsd: z.number(),
          pendingApprovals: z.number().int(),
          generatedAt: dateTime,
        }),
      ),
    },
    handler: async ({ query, req, res, deps }) => {
      const { db } = deps;
      const clientId = scopedClientId(req);
      const q = query;
      res.json(await clientOverview(db, clientId, q.days));
    },
  }),
];

export const reportsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/clients/{clientId}/reports', reportRoutes);
