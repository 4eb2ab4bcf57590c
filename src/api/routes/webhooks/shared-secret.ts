// Shared-secret authentication (WEBHOOK_SHARED_SECRET) for providers without request signing:
// missing → 401, wrong → 403, not configured → 401 (nothing can be verified, so nothing is accepted).
import type { RequestHandler } from 'express';
import type { ApiDeps } from '../../deps';
import { HttpError } from '../../errors';
import { checkSharedSecret, Secret } from './auth';

export function requireSharedSecret(deps: ApiDeps, provider: string): RequestHandler {
  const secret = deps.config.WEBHOOK_SHARED_SECRET ? new Secret(deps.config.WEBHOOK_SHARED_SECRET) : null;
  return (req, _res, next) => {
    if (!secret) throw new HttpError(401, 'WEBHOOK_NOT_CONFIGURED', `${provider} webhook secret is not configured`);
    const check = checkSharedSecret(req, secret);
    if (check === 'missing') throw new HttpError(401, 'UNAUTHENTICATED', 'webhook secret required (X-Webhook-Secret)');
    if (check === 'wrong') throw new HttpError(403, 'FORBIDDEN', 'invalid webhook secret');
    next();
  };
}
