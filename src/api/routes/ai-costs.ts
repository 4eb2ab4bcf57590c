// AI spend: GET /api/v1/admin/costs/ai (platform admins: every client, by day, skill, model and
// client) and GET /api/v1/clients/:clientId/costs/ai (the client's own, with today's budget).
import { Router } from 'express';
import { z } from 'zod';
import { aiCostReport, dailySpend } from '../../engines/ai/spend-limiter';
import type { ApiDeps } from '../deps';
import { clientScope, scopedClientId } from '../tenancy';
import { query, uuid } from '../validate';

export const daysQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }).strict();
export const adminQuery = daysQuery.extend({ clientId: uuid.optional() }).strict();

/** Mounted at /api/v1/admin/costs behind authenticate + requirePlatformAdmin. */
export function adminAiCostsRouter(deps: ApiDeps): Router {
  const r = Router();
  r.get('/ai', async (req, res) => {
    const q = query(adminQuery, req);
    res.json(await aiCostReport(deps.db, { days: q.days, clientId: q.clientId }));
  });
  return r;
}

/** Mounted under /api/v1/clients/:clientId/costs (authenticated; tenant-scoped here). */
export function clientAiCostsRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  r.get('/ai', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(daysQuery, req);
    const [report, today] = await Promise.all([aiCostReport(deps.db, { days: q.days, clientId }), dailySpend(deps.db, clientId)]);
    res.json({ clientId, today, ...report });
  });
  return r;
}
