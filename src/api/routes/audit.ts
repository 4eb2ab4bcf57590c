// /api/v1/clients/:clientId/audit — the client's audit log (client admins), newest first.
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { scopedClientId } from '../tenancy';
import { uuid } from '../validate';
import { AuditLogSchema } from '../openapi/models';
import { ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

export const auditListQuery = pageQuery
  .extend({
    action: z.string().trim().min(1).max(100).optional(),
    entityType: z.string().trim().min(1).max(100).optional(),
    entityId: z.string().trim().min(1).max(100).optional(),
    actorId: uuid.optional(),
  })
  .strict();

export const auditRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/clients/{clientId}/audit',
    summary: "The client's audit log, newest first",
    tag: 'audit',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid }),
    query: auditListQuery,
    responses: { 200: ok(pageOf(AuditLogSchema)) },
    handler: async ({ query, req, res, deps }) => {
      const clientId = scopedClientId(req);
      const q = query;
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
    },
  }),
];

export const auditRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/clients/{clientId}/audit', auditRoutes);
