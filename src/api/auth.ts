// Bearer API-key authentication and the caller's identity (memberships, platform admin).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db, MembershipRole } from '../db/client';
import { verifyApiKey } from '../engines/api-keys';
import { HttpError } from './errors';

export interface Caller {
  userId: string;
  keyId: string;
  /** Set when the key is bound to a membership: keys made with it are bound to the same one. */
  keyMembershipId: string | null;
  isPlatformAdmin: boolean;
  roles: Map<string, MembershipRole>;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthenticateOptions {
  /** Runs once the caller is known (the per-user rate limit); throws to refuse. */
  afterAuth?: ((req: Request, res: Response) => void) | null;
}

export function authenticate(db: Db, opts: AuthenticateOptions = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'missing bearer API key', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const check = await verifyApiKey(db, m[1]);
    if (!check.ok) {
      const message = check.reason === 'revoked' ? 'API key revoked' : check.reason === 'expired' ? 'API key expired' : 'invalid API key';
      throw new HttpError(401, 'UNAUTHENTICATED', message, undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    const user = await db.user.findFirst({
      where: { id: check.userId, deletedAt: null },
      // A membership of a soft-deleted client grants nothing until the client is restored.
      include: { memberships: { where: { deletedAt: null, client: { deletedAt: null } } } },
    });
    if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'invalid API key');
    req.caller = {
      userId: user.id,
      keyId: check.keyId,
      keyMembershipId: check.membershipId,
      isPlatformAdmin: user.isPlatformAdmin,
      roles: new Map(user.memberships.map((mb) => [mb.clientId, mb.role])),
    };
    opts.afterAuth?.(req, res);
    // Recorded at minute resolution so every request does not write.
    const cutoff = new Date(Date.now() - LAST_USED_RESOLUTION_MS);
    await db.apiKey.updateMany({
      where: { id: check.keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: cutoff } }] },
      data: { lastUsedAt: new Date() },
    });
    next();
  };
}

/** Authenticates when an Authorization header is present (and refuses a bad key); passes without one. */
export function optionalAuthenticate(db: Db): RequestHandler {
  const required = authenticate(db);
  return (req, res, next) => (req.headers.authorization === undefined ? next() : required(req, res, next));
}

export const requirePlatformAdmin: RequestHandler = (req, _res, next) => {
  if (!req.caller?.isPlatformAdmin) throw new HttpError(403, 'FORBIDDEN', 'platform admin only');
  next();
};
