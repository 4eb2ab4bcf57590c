// /api/v1/clients/:clientId/audit — the client's audit log (client admins), newest first.
import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { clientScope, scopedClientId } from '../tenancy';
import { query, uuid } from '../validate';

export const auditListQuery = pageQuery
  .extend({
    action: z.string().trim().min(1).max(100).optional(),
    entityType: z.string().trim().min(1).max(100).optional(),
    entityId: z.string().trim().min(1).max(100).optional(),
    actorId: uuid.optional(),
  })
  .strict();

export function auditRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  r.get('/', clientScope('admin'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(auditListQuery, req);
    const rows = await deps.db.auditLog.findMany({
      where: {
        clientId,
        ...(q.action ? { action: q.action } : {}),
        ...(q.entityType ? { entityType: q.entityType } : {}),
        ...(q.entityId ? { entityId: q.entityId } : {}),
        ...(q.actorId ? { actorId: q.actorId } : {}),
        ...cursorWhere(decodeCursor(q.cursor)),
      },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    res.json(page(rows, q.limit));
  });
  return r;
}
