// /api/v1/clients/:clientId/resources — sending domains, numbers and seats with their daily caps.
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { scopedClientId } from '../tenancy';
import { uuid } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import { defaultDailyLimit } from '../../engines/allocator';
import { SendResourceSchema } from '../openapi/models';
import { created, noContent, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

// Direct mail has no provider cap; this keeps a runaway campaign from printing thousands of letters.
const MAIL_DAILY_LIMIT = 200;

export const createBody = z
  .object({
    channel: z.enum(['email', 'sms', 'linkedin', 'voice', 'mail']),
    identifier: z.string().trim().min(1).max(200),
    dailyLimit: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const listQuery = pageQuery.extend({ channel: z.enum(['email', 'sms', 'linkedin', 'voice', 'mail']).optional() });

const base = '/api/v1/clients/{clientId}/resources';

export const sendResourceRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: base,
    summary: "The client's sending resources and their daily caps",
    tag: 'resources',
    access: { kind: 'client', role: 'viewer' },
    params: z.object({ clientId: uuid }),
    query: listQuery,
    responses: { 200: ok(pageOf(SendResourceSchema)) },
    handler: async ({ query, req, res, deps }) => {
      const { db } = deps;
      const clientId = scopedClientId(req);
      const q = query;
      const rows = await db.sendResource.findMany({
        where: { clientId, deletedAt: null, ...(q.channel ? { channel: q.channel } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      res.json(page(rows, q.limit));
    },
  }),
  defineRoute({
    method: 'post',
    path: base,
    summary: 'Add a sending resource',
    tag: 'resources',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid }),
    body: createBody,
    responses: { 201: created(z.object({ resource: SendResourceSchema })) },
    handler: async ({ body, req, res, deps }) => {
      const { db } = deps;
      const clientId = scopedClientId(req);
      const input = body();
      const exists = await db.sendResource.findFirst({ where: { clientId, channel: input.channel, identifier: input.identifier, deletedAt: null } });
      if (exists) throw new HttpError(409, 'DUPLICATE_RESOURCE', 'this resource already exists');
      const resource = await db.sendResource.upsert({
        where: { clientId_channel_identifier: { clientId, channel: input.channel, identifier: input.identifier } },
        create: {
          clientId,
          channel: input.channel,
          identifier: input.identifier,
          dailyLimit: input.dailyLimit ?? defaultDailyLimit(input.channel) ?? MAIL_DAILY_LIMIT,
        },
        update: { deletedAt: null, active: true, dailyLimit: input.dailyLimit ?? defaultDailyLimit(input.channel) ?? MAIL_DAILY_LIMIT },
      });
      await recordAudit(db, { clientId, ...actorOf(req), action: 'resource.create', entityType: 'send_resource', entityId: resource.id, after: resource });
      res.status(201).json({ resource });
    },
  }),
  defineRoute({
    method: 'delete',
    path: `${base}/{resourceId}`,
    summary: 'Remove a sending resource (soft delete)',
    tag: 'resources',
    access: { kind: 'client', role: 'admin' },
    params: z.object({ clientId: uuid, resourceId: uuid }),
    responses: { 204: noContent },
    handler: async ({ params, req, res, deps }) => {
      const { db } = deps;
      const { clientId, resourceId } = params;
      const resource = await db.sendResource.findFirst({ where: { id: resourceId, clientId, deletedAt: null } });
      if (!resource) throw notFound('resource');
      await db.sendResource.update({ where: { id: resourceId }, data: { deletedAt: new Date(), active: false } });
      await recordAudit(db, { clientId, ...actorOf(req), action: 'resource.delete', entityType: 'send_resource', entityId: resourceId, before: resource });
      res.status(204).end();
    },
  }),
];

export const sendResourcesRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/clients/{clientId}/resources', sendResourceRoutes);
