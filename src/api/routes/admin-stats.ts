// GET /api/v1/admin/stats — command-centre KPIs across every client (platform admins).
import { Router } from 'express';
import { z } from 'zod';
import { platformStats } from '../../engines/reports';
import type { ApiDeps } from '../deps';
import { query } from '../validate';

export function adminStatsRouter(deps: ApiDeps): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    query(z.object({}).strict(), req);
    res.json(await platformStats(deps.db));
  });
  return r;
}
