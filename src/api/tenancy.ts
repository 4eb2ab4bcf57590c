// Tenant scoping for /clients/:clientId/... routes. Another tenant's client is 404, never 403, so
// existence does not leak; a member whose role is too low gets 403.
import type { RequestHandler } from 'express';
import type { Db, MembershipRole } from '../db/client';
import type { Caller } from './auth';
import { HttpError, notFound } from './errors';
import { uuid } from './validate';

const RANK: Record<MembershipRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Permission matrix: viewer reads; member runs campaigns, leads, skills; admin manages
 * resources, keys and approvals; owner manages members. Platform admins may do anything. */
export function roleAtLeast(role: MembershipRole | undefined, min: MembershipRole): boolean {
  return role !== undefined && RANK[role] >= RANK[min];
}

declare module 'express-serve-static-core' {
  interface Request {
    clientId?: string;
  }
}

export function clientScope(min: MembershipRole): RequestHandler {
  return (req, _res, next) => {
    const caller = req.caller;
    if (!caller) throw new HttpError(401, 'UNAUTHENTICATED', 'missing bearer API key');
    const parsed = uuid.safeParse(req.params.clientId);
    if (!parsed.success) throw notFound('client');
    const clientId = parsed.data;
    const role = caller.roles.get(clientId);
    if (!caller.isPlatformAdmin) {
      if (!role) throw notFound('client');
      if (!roleAtLeast(role, min)) throw new HttpError(403, 'FORBIDDEN', `requires the ${min} role`);
    }
    req.clientId = clientId;
    next();
  };
}

/** 404 (naming `what`) unless the client exists and is not soft-deleted: platform admins included,
 * for routes that name their client in the body, the query or the object rather than the path. */
export async function requireLiveClientId(db: Db, clientId: string, what = 'client'): Promise<void> {
  const live = await db.client.findFirst({ where: { id: clientId, deletedAt: null }, select: { id: true } });
  if (!live) throw notFound(what);
}

/** A filter on `clientId` for lists across the caller's clients: soft-deleted clients never show,
 * for platform admins (every other client) as for members (their live memberships). */
export async function visibleClientIds(db: Db, caller: Caller): Promise<{ in: string[] } | { notIn: string[] }> {
  if (!caller.isPlatformAdmin) {
    const live = await db.client.findMany({ where: { id: { in: [...caller.roles.keys()] }, deletedAt: null }, select: { id: true } });
    return { in: live.map((c) => c.id) };
  }
  const deleted = await db.client.findMany({ where: { deletedAt: { not: null } }, select: { id: true } });
  return { notIn: deleted.map((c) => c.id) };
}

/** The client id set by clientScope (throws if a route forgot it). */
export function scopedClientId(req: { clientId?: string }): string {
  if (!req.clientId) throw new Error('route is missing clientScope()');
  return req.clientId;
}
