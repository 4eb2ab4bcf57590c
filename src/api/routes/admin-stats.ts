// GET /api/v1/admin/stats — command-centre KPIs across every client (platform admins).
import { z } from 'zod';
import { platformStats } from '../../engines/reports';
import type { ApiDeps } from '../deps';
import { dateTime, nullableDateTime, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

const admin = { kind: 'platform-admin' } as const;

export const adminStatsRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/admin/stats',
    summary: 'Command-centre KPIs ("today" is the UTC day)',
    tag: 'admin',
    access: admin,
    query: z.object({}).strict(),
    responses: {
      200: ok(
        z.object({
          day: z.string(),
          clients: z.object({ total: z.number().int(), active: z.number().int(), deleted: z.number().int() }),
          activeCampaigns: z.number().int(),
          leadsByTier: z.record(z.string(), z.number().int()),
          sendsToday: z.number().int(),
          repliesToday: z.number().int(),
          aiSpendTodayUsd: z.number(),
          pendingApprovals: z.number().int(),
          webhookInbox: z.object({ pending: z.number().int(), failed: z.number().int(), oldestPendingAt: nullableDateTime }),
          generatedAt: dateTime,
        }),
      ),
    },
    handler: async ({ res, deps }) => {
      res.json(await platformStats(deps.db));
    },
  }),
];

export const adminStatsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/admin/stats', adminStatsRoutes);
