// /api/v1/admin/clients — every client with a health indicator (subscription, credits, 30-day bounce
// rate, last send), and POST .../:clientId/restore to bring back a soft-deleted client.
import { Router } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { healthOf, sendStats } from '../../engines/reports';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { body, params, query, uuid } from '../validate';
import { clientView } from './clients';

export const adminClientListQuery = pageQuery
  .extend({
    include: z.enum(['live', 'deleted', 'all']).default('live'),
    health: z.enum(['healthy', 'warning', 'critical']).optional(),
  })
  .strict();
export const restoreClientParams = z.object({ clientId: uuid });

export function adminClientsRouter(deps: ApiDeps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/', async (req, res) => {
    const q = query(adminClientListQuery, req);
    const deleted = q.include === 'live' ? { deletedAt: null } : q.include === 'deleted' ? { deletedAt: { not: null } } : {};
    const rows = await db.client.findMany({ where: { ...deleted, ...cursorWhere(decodeCursor(q.cursor)) }, orderBy: newestFirst, take: q.limit + 1 });
    const p = page(rows, q.limit);
    const stats = await sendStats(db, p.data.map((c) => c.id));
    const owners = await db.membership.findMany({
      where: { clientId: { in: p.data.map((c) => c.id) }, role: 'owner', deletedAt: null },
      select: { clientId: true, user: { select: { id: true, email: true } } },
    });
    const data = p.data
      .map((c) => ({
        ...clientView(c),
        owners: owners.filter((o) => o.clientId === c.id).map((o) => ({ userId: o.user.id, email: o.user.email })),
        health: healthOf(c, stats.get(c.id)!),
      }))
      // The filter applies within the page, so a filtered page may hold fewer rows than `limit`.
      .filter((c) => !q.health || c.health.level === q.health);
    res.json({ data, nextCursor: p.nextCursor });
  });

  r.post('/:clientId/restore', async (req, res) => {
    const { clientId } = params(restoreClientParams, req);
    body(z.object({}).strict(), req);
    const before = await db.client.findUnique({ where: { id: clientId } });
    if (!before) throw notFound('client');
    if (!before.deletedAt) {
      res.json({ client: clientView(before), restored: false });
      return;
    }
    const after = await db.client.update({ where: { id: clientId }, data: { deletedAt: null } });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'client.restore', entityType: 'client', entityId: clientId, before: clientView(before), after: clientView(after) });
    res.json({ client: clientView(after), restored: true });
  });

  return r;
}
