// /api/v1/keys — the caller's own API keys: create (the secret is shown once), list, read, revoke and
// rotate (the old key keeps working for a grace period so deployments can switch over). Another
// user's key is a 404; platform admins may also revoke any key (incident response).
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { ApiKey, Db } from '../../db/client';
import { createApiKey, KeyBindingError } from '../../engines/api-keys';
import { recordAudit } from '../../engines/audit';
import { actorOf } from '../actor';
import type { ApiDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { cursorWhere, decodeCursor, newestFirst, page, pageQuery } from '../pagination';
import { body, params, query, uuid } from '../validate';

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

export function keysRouter(deps: ApiDeps): Router {
  const r = Router();
  const { db } = deps;

  /** The caller's key (any key for a platform admin when `anyUser`); others' keys do not exist. */
  const load = async (req: Request, keyId: string, anyUser = false) => {
    const caller = req.caller!;
    const k = await db.apiKey.findUnique({ where: { id: keyId } });
    if (!k || (k.userId !== caller.userId && !(anyUser && caller.isPlatformAdmin))) throw notFound('API key');
    return k;
  };

  r.post('/', async (req, res) => {
    const input = body(createKeyBody, req);
    const caller = req.caller!;
    // A key made with a bound key is bound to the same membership: whoever held the first key must
    // not get a lasting one by making another.
    const created = await db
      .$transaction((tx) =>
        createApiKey(tx as unknown as Db, {
          userId: caller.userId,
          name: input.name,
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
          membershipId: caller.keyMembershipId,
        }),
      )
      .catch(bindingFailure);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    await recordAudit(db, { ...actorOf(req), action: 'api_key.create', entityType: 'api_key', entityId: row.id, after: keyView(row) });
    res.status(201).json({ key: keyView(row), secret: created.key });
  });

  r.get('/', async (req, res) => {
    const q = query(keyListQuery, req);
    const rows = await db.apiKey.findMany({
      where: { userId: req.caller!.userId, ...statusWhere(q.status, new Date()), AND: [cursorWhere(decodeCursor(q.cursor))] },
      orderBy: newestFirst,
      take: q.limit + 1,
    });
    const p = page(rows, q.limit);
    res.json({ data: p.data.map(keyView), nextCursor: p.nextCursor });
  });

  r.get('/:keyId', async (req, res) => {
    const { keyId } = params(keyParams, req);
    res.json({ key: keyView(await load(req, keyId)) });
  });

  r.post('/:keyId/revoke', async (req, res) => {
    const { keyId } = params(keyParams, req);
    body(z.object({}).strict(), req);
    const before = await load(req, keyId, true);
    if (before.revokedAt) {
      res.json({ key: keyView(before) });
      return;
    }
    const after = await db.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    await recordAudit(db, { ...actorOf(req), action: 'api_key.revoke', entityType: 'api_key', entityId: keyId, before: keyView(before), after: keyView(after) });
    res.json({ key: keyView(after) });
  });

  r.post('/:keyId/rotate', async (req, res) => {
    const { keyId } = params(keyParams, req);
    const input = body(rotateKeyBody, req);
    const old = await load(req, keyId);
    if (keyStatus(old) !== 'active' || old.replacedById) {
      throw new HttpError(409, 'KEY_NOT_ACTIVE', `only an active key can be rotated (this one is ${old.replacedById ? 'already rotated' : keyStatus(old)})`);
    }
    const graceHours = input.graceHours ?? DEFAULT_GRACE_HOURS;
    const graceUntil = new Date(Date.now() + graceHours * 3_600_000);
    const out = await db.$transaction(async (tx) => {
      const created = await createApiKey(tx as unknown as Db, {
        userId: old.userId,
        name: input.name ?? old.name,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        membershipId: old.membershipId,
      });
      // Guarded: two concurrent rotations of one key leave one successor, not two.
      const moved = await tx.apiKey.updateMany({
        where: { id: old.id, replacedById: null, revokedAt: null },
        data: { graceUntil, replacedById: created.id },
      });
      if (moved.count === 0) throw new HttpError(409, 'KEY_NOT_ACTIVE', 'the key was rotated or revoked meanwhile');
      return { created, previous: await tx.apiKey.findUniqueOrThrow({ where: { id: old.id } }), key: await tx.apiKey.findUniqueOrThrow({ where: { id: created.id } }) };
    }).catch(bindingFailure);
    await recordAudit(db, {
      ...actorOf(req),
      action: 'api_key.rotate',
      entityType: 'api_key',
      entityId: old.id,
      before: keyView(old),
      after: { previous: keyView(out.previous), replacement: keyView(out.key) },
    });
    res.status(201).json({ key: keyView(out.key), secret: out.created.key, previous: keyView(out.previous) });
  });

  return r;
}
