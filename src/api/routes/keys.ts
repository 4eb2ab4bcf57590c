// /api/v1/keys — the caller's own API keys: create (the secret is shown once), list, read, revoke and
// rotate (the old key keeps working for a grace period so deployments can switch over). Another
// user's key is a 404; platform admins may also revoke any key (incident response).
import type { Request } from 'express';
import { z } from 'zod';
import type { ApiKey, Db } from '../../db/client';
import { createApiKey, KeyBindingError } from '../../engines/api-keys';
import { recordAudit } from '../../engines/audit';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { ApiKeySchema } from '../openapi/models';
import { created, ok, pageOf } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';
import { uuid } from '../validate';

export const DEFAULT_GRACE_HOURS = 24;
export const MAX_GRACE_HOURS = 168;

const futureInstant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
  .refine((s) => Date.parse(s) > Date.now(), 'must be in the future');

export const createKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    expiresAt: futureInstant.optional(),
  })
  .strict();
export const rotateKeyBody = z
  .object({
    graceHours: z.number().min(0).max(MAX_GRACE_HOURS).optional(),
    name: z.string().trim().min(1).max(100).optional(),
    expiresAt: futureInstant.optional(),
  })
  .strict();
export const keyParams = z.object({ keyId: uuid });
export const keyListQuery = pageQuery.extend({ status: z.enum(['active', 'grace', 'revoked', 'expired']).optional() }).strict();

export type KeyStatus = 'active' | 'grace' | 'revoked' | 'expired';

export function keyStatus(k: Pick<ApiKey, 'revokedAt' | 'expiresAt' | 'graceUntil'>, now = new Date()): KeyStatus {
  if (k.revokedAt && k.revokedAt <= now) return 'revoked';
  if ((k.expiresAt && k.expiresAt <= now) || (k.graceUntil && k.graceUntil <= now)) return 'expired';
  return k.graceUntil ? 'grace' : 'active';
}

/** Everything about a key except its hash. */
export function keyView(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    status: keyStatus(k),
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
    graceUntil: k.graceUntil,
    replacedById: k.replacedById,
  };
}

function statusWhere(status: KeyStatus | undefined, now: Date) {
  switch (status) {
    case 'revoked':
      return { revokedAt: { not: null } };
    case 'expired':
      return { revokedAt: null, OR: [{ expiresAt: { lte: now } }, { graceUntil: { lte: now } }] };
    case 'grace':
      return { revokedAt: null, graceUntil: { gt: now }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
    case 'active':
      return { revokedAt: null, graceUntil: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
    default:
      return {};
  }
}

/** A key made with (or rotated from) a bound key whose membership ended meanwhile. */
function bindingFailure(err: unknown): never {
  if (err instanceof KeyBindingError) throw new HttpError(401, 'UNAUTHENTICATED', 'API key revoked');
  throw err;
}

const secret = z.string().describe('The key itself: shown once, never again.');
const keyEnvelope = z.object({ key: ApiKeySchema });

/** The caller's key (any key for a platform admin when `anyUser`); others' keys do not exist. */
async function load(db: Db, req: Request, keyId: string, anyUser = false) {
  const caller = req.caller!;
  const k = await db.apiKey.findUnique({ where: { id: keyId } });
  if (!k || (k.userId !== caller.userId && !(anyUser && caller.isPlatformAdmin))) throw notFound('API key');
  return k;
}

const KEYS = '/api/v1/keys';

export const keyRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: KEYS,
    summary: 'Create an API key for yourself (the secret is returned once)',
    tag: 'keys',
    access: { kind: 'user' },
    body: createKeyBody,
    responses: { 201: created(z.object({ key: ApiKeySchema, secret })) },
    handler: async ({ body, req, res, deps: { db } }) => {
      const input = body();
      const caller = req.caller!;
      // A key made with a bound key is bound to the same membership: whoever held the first key must
      // not get a lasting one by making another.
      const made = await db
        .$transaction((tx) =>
          createApiKey(tx as unknown as Db, {
            userId: caller.userId,
            name: input.name,
            expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
            membershipId: caller.keyMembershipId,
          }),
        )
        .catch(bindingFailure);
      const row = await db.apiKey.findUniqueOrThrow({ where: { id: made.id } });
      await recordAudit(db, { ...actorOf(req), action: 'api_key.create', entityType: 'api_key', entityId: row.id, after: keyView(row) });
      res.status(201).json({ key: keyView(row), secret: made.key });
    },
  }),
  defineRoute({
    method: 'get',
    path: KEYS,
    summary: 'Your API keys (never their secrets)',
    tag: 'keys',
    access: { kind: 'user' },
    query: keyListQuery,
    responses: { 200: ok(pageOf(ApiKeySchema)) },
    handler: async ({ query: q, req, res, deps: { db } }) => {
      const rows = await db.apiKey.findMany({
        where: { userId: req.caller!.userId, ...statusWhere(q.status, new Date()), AND: [cursorWhere(decodeCursor(q.cursor))] },
        orderBy: newestFirst,
        take: q.limit + 1,
      });
      const p = page(rows, q.limit);
      res.json({ data: p.data.map(keyView), nextCursor: p.nextCursor });
    },
  }),
  defineRoute({
    method: 'get',
    path: `${KEYS}/{keyId}`,
    summary: 'One of your API keys',
    tag: 'keys',
    access: { kind: 'user' },
    params: keyParams,
    responses: { 200: ok(keyEnvelope) },
    handler: async ({ params, req, res, deps: { db } }) => {
      res.json({ key: keyView(await load(db, req, params.keyId)) });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${KEYS}/{keyId}/revoke`,
    summary: 'Revoke a key at once (platform admins: any key)',
    tag: 'keys',
    access: { kind: 'user' },
    params: keyParams,
    body: z.object({}).strict(),
    responses: { 200: ok(keyEnvelope) },
    handler: async ({ params: { keyId }, body, req, res, deps: { db } }) => {
      const before = await load(db, req, keyId, true);
      body();
      if (before.revokedAt) {
        res.json({ key: keyView(before) });
        return;
      }
      const after = await db.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
      await recordAudit(db, {
        ...actorOf(req),
        action: 'api_key.revoke',
        entityType: 'api_key',
        entityId: keyId,
        before: keyView(before),
        after: keyView(after),
      });
      res.json({ key: keyView(after) });
    },
  }),
  defineRoute({
    method: 'post',
    path: `${KEYS}/{keyId}/rotate`,
    summary: 'Replace a key; the old one keeps working for graceHours (default 24, at most 168)',
    tag: 'keys',
    access: { kind: 'user' },
    params: keyParams,
    body: rotateKeyBody,
    responses: { 201: created(z.object({ key: ApiKeySchema, secret, previous: ApiKeySchema })) },
    handler: async ({ params: { keyId }, body, req, res, deps: { db } }) => {
      const old = await load(db, req, keyId);
      const input = body();
      if (keyStatus(old) !== 'active' || old.replacedById) {
        throw new HttpError(409, 'KEY_NOT_ACTIVE', `only an active key can be rotated (this one is ${old.replacedById ? 'already rotated' : keyStatus(old)})`);
      }
      const graceHours = input.graceHours ?? DEFAULT_GRACE_HOURS;
      const graceUntil = new Date(Date.now() + graceHours * 3_600_000);
      const out = await db
        .$transaction(async (tx) => {
          const made = await createApiKey(tx as unknown as Db, {
            userId: old.userId,
            name: input.name ?? old.name,
            expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
            membershipId: old.membershipId,
          });
          // Guarded: two concurrent rotations of one key leave one successor, not two.
          const moved = await tx.apiKey.updateMany({
            where: { id: old.id, replacedById: null, revokedAt: null },
            data: { graceUntil, replacedById: made.id },
          });
          if (moved.count === 0) throw new HttpError(409, 'KEY_NOT_ACTIVE', 'the key was rotated or revoked meanwhile');
          return {
            made,
            previous: await tx.apiKey.findUniqueOrThrow({ where: { id: old.id } }),
            key: await tx.apiKey.findUniqueOrThrow({ where: { id: made.id } }),
          };
        })
        .catch(bindingFailure);
      await recordAudit(db, {
        ...actorOf(req),
        action: 'api_key.rotate',
        entityType: 'api_key',
        entityId: old.id,
        before: keyView(old),
        after: { previous: keyView(out.previous), replacement: keyView(out.key) },
      });
      res.status(201).json({ key: keyView(out.key), secret: out.made.key, previous: keyView(out.previous) });
    },
  }),
];

export const keysRouter = (deps: ApiDeps) => routerFor(deps, KEYS, keyRoutes);
