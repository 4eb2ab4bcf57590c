// Per-IP limit on failed webhook authentications. Webhooks are exempt from the API's request rate
// limit (providers deliver in bursts from few addresses), so this counts only failures: every
// 401/403 a webhook route answers. Past `perMinute` failures in a minute the IP gets 429 with
// Retry-After instead. Credentials are checked first, so a request with good ones is never refused
// by this, even from an address that is being limited.
import type { ErrorRequestHandler } from 'express';
import { HttpError } from '../../errors';
import { FixedWindowCounter } from '../../rate-limit';

export function limitAuthFailures(perMinute: number, now?: () => number): ErrorRequestHandler {
  const failures = perMinute > 0 ? new FixedWindowCounter(perMinute, now) : null;
  return (err, req, _res, next) => {
    if (!failures || !(err instanceof HttpError) || (err.status !== 401 && err.status !== 403)) return next(err);
    const hit = failures.hit(req.ip ?? 'unknown');
    if (hit.allowed) return next(err);
    const retryAfter = Math.max(1, Math.ceil(hit.resetMs / 1000));
    next(
      new HttpError(
        429,
        'RATE_LIMITED',
        `too many failed webhook authentications from this address: at most ${perMinute} per minute`,
        { scope: 'ip', limit: perMinute, retryAfterSeconds: retryAfter },
        { 'Retry-After': String(retryAfter) },
      ),
    );
  };
}
