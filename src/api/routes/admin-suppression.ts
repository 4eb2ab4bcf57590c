// /api/v1/admin/suppression — the global suppression list (applies to every client): list, add
// (idempotent; re-adding a removed entry restores it) and remove (soft delete).
import { z } from 'zod';
import { recordAudit } from '../../engines/audit';
import { parsePhone } from '../../engines/compliance/phone';
import { GLOBAL_SCOPE, normalizeEmail, normalizePhone, suppress } from '../../engines/compliance/suppression';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { likeLiteral, uuid } from '../validate';
import { SuppressionSchema } from '../openapi/models';
import { created, noContent, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

const kind = z.enum(['email', 'phone', 'domain']);
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const suppressionListQuery = pageQuery
  .extend({
    kind: kind.optional(),
    q: z.string().trim().min(1).max(320).optional(),
  })
  .strict();
export const addSuppressionBody = z
  .object({
    kind,
    value: z.string().trim().min(1).max(320),
    reason: z.string().trim().min(1).max(200).default('manual'),
  })
  .strict()
  .superRefine((b, ctx) => {
    const ok =
      b.kind === 'email'
        ? z.email().safeParse(b.value).success
        : b.kind === 'domain'
          ? DOMAIN.test(b.value)
          : /^\+?[\d\s().-]{6,20}$/.test(b.value) && parsePhone(b.value) !== null;
    if (!ok) ctx.addIssue({ code: 'custom', path: ['value'], message: `not a valid ${b.kind}` });
  });
export const suppressionParams = z.object({ suppressionId: uuid });

const admin = { kind: 'platform-admin' } as const;

export const adminSuppressionRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/admin/suppression',
    summary: 'The global suppression list',
    tag: 'admin',
    access: admin,
    query: suppressionListQuery,
    responses: { 200: ok(pageOf(SuppressionSchema)) },
    handler: async ({ query, res, deps }) => {
      const { db } = deps;
      const q = query;
      const rows = await db.suppression.findMany({
        where: {
          scope: GLOBAL_SCOPE,
          deletedAt: null,
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.q ? { value: { contains: likeLiteral(q.q.toLowerCase()) } } : {}),
          ...cursorWhere(decodeCursor(q.cursor)),
        },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      res.json(page(rows, q.limit));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/admin/suppression',
    summary: 'Suppress an email, phone or domain for every client',
    tag: 'admin',
    access: admin,
    body: addSuppressionBody,
    responses: { 201: created(z.object({ suppression: SuppressionSchema })) },
    handler: async ({ body, req, res, deps }) => {
      const { db } = deps;
      const input = body();
      await suppress(db, { clientId: null, kind: input.kind, value: input.value, reason: input.reason, source: `admin:${req.caller!.userId}` });
      const value = input.kind === 'phone' ? normalizePhone(input.value) : normalizeEmail(input.value);
      const row = await db.suppression.findUniqueOrThrow({ where: { scope_kind_value: { scope: GLOBAL_SCOPE, kind: input.kind, value } } });
      await recordAudit(db, { ...actorOf(req), action: 'suppression.add', entityType: 'suppression', entityId: row.id, after: row });
      res.status(201).json({ suppression: row });
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/admin/suppression/{suppressionId}',
    summary: 'Lift a global suppression',
    tag: 'admin',
    access: admin,
    params: suppressionParams,
    responses: { 204: noContent },
    handler: async ({ params, req, res, deps }) => {
      const { db } = deps;
      const { suppressionId } = params;
      const row = await db.suppression.findFirst({ where: { id: suppressionId, scope: GLOBAL_SCOPE, deletedAt: null } });
      if (!row) throw notFound('suppression');
      const after = await db.suppression.update({ where: { id: suppressionId }, data: { deletedAt: new Date() } });
      await recordAudit(db, { ...actorOf(req), action: 'suppression.remove', entityType: 'suppression', entityId: suppressionId, before: row, after });
      res.status(204).end();
    },
  }),
];

export const adminSuppressionRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1/admin/suppression', adminSuppressionRoutes);
