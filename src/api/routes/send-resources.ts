// /api/v1/clients/:clientId/resources — sending domains, numbers and seats with their daily caps.
import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { clientScope, scopedClientId } from '../tenancy';
import { body, params, query } from '../validate';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { actorOf } from '../actor';
import { recordAudit } from '../../engines/audit';
import { defaultDailyLimit } from '../../engines/allocator';
import { uuid } from '../validate';

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

export function sendResourcesRouter(deps: ApiDeps): Router {
  const r = Router({ mergeParams: true });
  const { db } = deps;
  r.get('/', clientScope('viewer'), async (req, res) => {
    const clientId = scopedClientId(req);
    const q = query(listQuery, req);
    const rows = await db.sendResource.findMany({
      where: { clientId, deletedAt: null, ...(q.channel ? { channel: q.channel } : {}), ...cursorWhere(decodeCursor(q.cursor)) },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    res.json(page(rows, q.limit));
  });
  r.post('/', clientScope('admin'), async (req, res) => {
    const clientId = scopedClientId(req);
    const input = body(createBody, req);
    const exists = await db.sendResource.findFirst({ where: { clientId, channel: input.channel, identifier: input.identifier, deletedAt: null } });
    if (exists) throw new HttpError(409, 'DUPLICATE_RESOURCE', 'this resource already exists');
    const resource = await db.sendResource.upsert({
      where: { clientId_channel_identifier: { clientId, channel: input.channel, identifier: input.identifier } },
      create: { clientId, channel: input.channel, identifier: input.identifier, dailyLimit: input.dailyLimit ?? defaultDailyLimit(input.channel) ?? MAIL_DAILY_LIMIT },
      update: { deletedAt: null, active: true, dailyLimit: input.dailyLimit ?? defaultDailyLimit(input.channel) ?? MAIL_DAILY_LIMIT },
    });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'resource.create', entityType: 'send_resource', entityId: resource.id, after: resource });
    res.status(201).json({ resource });
  });
  r.delete('/:resourceId', clientScope('admin'), async (req, res) => {
    const { clientId, resourceId } = params(z.object({ clientId: uuid, resourceId: uuid }), req);
    const resource = await db.sendResource.findFirst({ where: { id: resourceId, clientId, deletedAt: null } });
    if (!resource) throw notFound('resource');
    await db.sendResource.update({ where: { id: resourceId }, data: { deletedAt: new Date(), active: false } });
    await recordAudit(db, { clientId, ...actorOf(req), action: 'resource.delete', entityType: 'send_resource', entityId: resourceId, before: resource });
    res.status(204).end();
  });
  return r;
}
