// AI spend: GET /api/v1/admin/costs/ai (platform admins: every client, by day, skill, model and
// client) and GET /api/v1/clients/:clientId/costs/ai (the client's own, with today's budget).
import { z } from 'zod';
import { aiCostReport, dailySpend } from '../../engines/ai/spend-limiter';
import type { ApiDeps } from '../deps';
import { scopedClientId } from '../tenancy';
import { uuid } from '../validate';
import { ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

export const daysQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }).strict();
export const adminQuery = daysQuery.extend({ clientId: uuid.optional() }).strict();

/** Mounted at /api/v1/admin/costs behind authenticate + requirePlatformAdmin. */
const line = { costUsd: z.number(), calls: z.number(), inputTokens: z.number(), outputTokens: z.number() };
const report = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  total: z.object(line),
  byDay: z.array(z.object({ day: z.string(), ...line })),
  bySkill: z.array(z.object({ skill: z.string(), ...line })),
  byModel: z.array(z.object({ model: z.string(), ...line })),
  byClient: z.array(z.object({ clientId: z.string(), clientName: z.string().nullable(), ...line })).optional(),
});
const today = z.object({ clientId: z.string(), day: z.string(), budgetUsd: z.number(), spentUsd: z.number(), remainingUsd: z.number() });

export const adminAiCostRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/admin/costs/ai',
    summary: 'AI spend by day, skill, model and client',
    tag: 'admin',
    access: { kind: 'platform-admin' },
    query: adminQuery,
    responses: { 200: ok(report) },
    handler: async ({ query, res, deps }) => {
      const q = query;
      res.json(await aiCostReport(deps.db, { days: q.days, clientId: q.clientId }));
    },
  }),
];

export const adminAiCostsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/admin/costs', adminAiCostRoutes);

/** Mounted under /api/v1/clients/:clientId/costs (authenticated; tenant-scoped here). */
export const clientAiCostRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/clients/{clientId}/costs/ai',
    summary: "The client's AI spend and today's budget",
    tag: 'costs',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: daysQuery,
    responses: { 200: ok(report.extend({ clientId: z.string(), today })) },
    handler: async ({ query, req, res, deps }) => {
      const clientId = scopedClientId(req);
      const q = query;
      const [report, today] = await Promise.all([aiCostReport(deps.db, { days: q.days, clientId }), dailySpend(deps.db, clientId)]);
      res.json({ clientId, today, ...report });
    },
  }),
];

export const clientAiCostsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/clients/{clientId}/costs', clientAiCostRoutes);
