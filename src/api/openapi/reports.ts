// /api/v1/clients/{clientId}/reports and /audit
import { z } from 'zod';
import { auditListQuery } from '../routes/audit';
import { campaignReportParams, overviewQuery } from '../routes/reports';
import { uuid } from '../validate';
import { AuditLogSchema, CampaignStatusSchema, MetricsSchema, RatesSchema } from './models';
import { dateTime, ok, pageOf, type ApiOperation } from './spec';

const counts = z.record(z.string(), z.number().int());

export const reportOperations: ApiOperation[] = [
  {
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
  },
  {
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
  },
  {
    method: 'get',
    path: '/api/v1/clients/{clientId}/audit',
    summary: "The client's audit log, newest first",
    tag: 'audit',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid }),
    query: auditListQuery,
    responses: { 200: ok(pageOf(AuditLogSchema)) },
  },
];
