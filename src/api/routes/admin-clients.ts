// /api/v1/admin/clients — every client with a health indicator (subscription, credits, 30-day bounce
// rate, last send), and POST .../:clientId/restore to bring back a soft-deleted client.
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { healthOf, sendStats } from '../../engines/reports';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { uuid } from '../validate';
import { clientView } from './clients';
import { ClientSchema } from '../openapi/models';
import { nullableDateTime, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

export const adminClientListQuery = pageQuery
  .extend({
    include: z.enum(['live', 'deleted', 'all']).default('live'),
    health: z.enum(['healthy', 'warning', 'critical']).optional(),
  })
  .strict();
export const restoreClientParams = z.object({ clientId: uuid });

const admin = { kind: 'platform-admin' } as const;
const health = z
  .object({
    level: z.enum(['healthy', 'warning', 'critical']),
    reasons: z.array(z.string()),
    sent30d: z.number().int(),
    bounced30d: z.number().int(),
    bounceRate30d: z.number().nullable(),
    lastSendAt: nullableDateTime,
  })
  .meta({ id: 'ClientHealth' });

export const adminClientRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/admin/clients',
    summary: 'Every client with its owners and a health indicator',
    tag: 'admin',
    access: admin,
    query: adminClientListQuery,
    responses: {
      200: ok(pageOf(ClientSchema.extend({ owners: z.array(z.object({ userId: z.string(), email: z.string() })), health }))),
    },
    handler: async ({ query, res, deps }) => {
      const { db } = deps;
      const q = query;
      const deleted = q.include === 'live' ? { deletedAt: null } : q.include === 'deleted' ? { deletedAt: { not: null } } : {};
      const rows = await db.client.findMany({ where: { ...deleted, ...cursorWhere(decodeCursor(q.cursor)) }, orderBy: newestFirst, take: q.limit + 1 });
      const p = page(rows, q.limit);
      const stats = await sendStats(
        db,
        p.data.map((c) => c.id),
      );
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
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/admin/clients/{clientId}/restore',
    summary: 'Restore a soft-deleted client',
    tag: 'admin',
    access: admin,
    params: restoreClientParams,
    body: z.object({}).strict(),
    responses: { 200: ok(z.object({ client: ClientSchema, restored: z.boolean() })) },
    handler: async ({ params, body, req, res, deps }) => {
      const { db } = deps;
      const { clientId } = params;
      body();
      const before = await db.client.findUnique({ where: { id: clientId } });
      if (!before) throw notFound('client');
      if (!before.deletedAt) {
        res.json({ client: clientView(before), restored: false });
        return;
      }
      const after = await db.client.update({ where: { id: clientId }, data: { deletedAt: null } });
      await recordAudit(db, {
        clientId,
        ...actorOf(req),
        action: 'client.restore',
        entityType: 'client',
        entityId: clientId,
        before: clientView(before),
        after: clientView(after),
      });
      res.json({ client: clientView(after), restored: true });
    },
  }),
];

export const adminClientsRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/admin/clients', adminClientRoutes);
