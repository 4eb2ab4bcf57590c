// Per-API-key and per-IP request limits: fixed one-minute windows held in this process (one API
// replica's view; enough to stop a runaway script or a key-guessing loop). Over the limit is a 429
// in the usual error shape with Retry-After. Exempt: health checks (probes must never flap). Provider
// webhooks never reach this middleware: the app mounts them before it (providers deliver in bursts
// from few addresses, a 429 would only delay replies and bounces, and each webhook route refuses bad
// credentials before touching the database).
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors';

const WINDOW_MS = 60_000;
// Sweep finished windows once the map holds this many entries, so a flood of distinct IPs or
// made-up keys cannot grow it without bound.
const SWEEP_AT = 10_000;

interface Window {
  start: number;
  count: number;
}

/** Counts hits per key in fixed windows; `hit` says whether this one is allowed. */
export class FixedWindowCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  hit(key: string): { allowed: boolean; remaining: number; resetMs: number } {
    const t = this.now();
    const start = t - (t % WINDOW_MS);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size >= SWEEP_AT) this.sweep(start);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= this.limit, remaining: Math.max(0, this.limit - w.count), resetMs: start + WINDOW_MS - t };
  }

  private sweep(current: number): void {
    for (const [k, w] of this.windows) if (w.start < current) this.windows.delete(k);
  }
}

export interface RateLimitOptions {
  perKey: number;
  perIp: number;
  now?: () => number;
}

const EXEMPT = /^\/api\/v1\/health(\/|$)/;

/** The presented bearer token, hashed: a limit per key that also covers made-up keys, without keeping them. */
function keyOf(req: Request): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m ? createHash('sha256').update(m[1]).digest('base64url') : null;
}

export function rateLimit(opts: RateLimitOptions): RequestHandler {
  const byIp = opts.perIp > 0 ? new FixedWindowCounter(opts.perIp, opts.now) : null;
  const byKey = opts.perKey > 0 ? new FixedWindowCounter(opts.perKey, opts.now) : null;
  return (req, res, next) => {
    if (EXEMPT.test(req.path)) return next();
    const checks: Array<{ scope: 'ip' | 'key'; result: ReturnType<FixedWindowCounter['hit']>; limit: number }> = [];
    if (byIp) checks.push({ scope: 'ip', result: byIp.hit(req.ip ?? 'unknown'), limit: byIp.limit });
    const key = byKey ? keyOf(req) : null;
    if (byKey && key) checks.push({ scope: 'key', result: byKey.hit(key), limit: byKey.limit });
    if (checks.length === 0) return next();
    // Headers describe the tightest limit (draft-ietf-httpapi-ratelimit-headers names).
    const tightest = checks.reduce((a, b) => (b.result.remaining < a.result.remaining ? b : a));
    res.setHeader('RateLimit-Limit', String(tightest.limit));
    res.setHeader('RateLimit-Remaining', String(tightest.result.remaining));
    res.setHeader('RateLimit-Reset', String(Math.ceil(tightest.result.resetMs / 1000)));
    const refused = checks.find((c) => !c.result.allowed);
    if (!refused) return next();
    const retryAfter = String(Math.max(1, Math.ceil(refused.result.resetMs / 1000)));
    throw new HttpError(
      429,
      'RATE_LIMITED',
      `too many requests for this ${refused.scope === 'key' ? 'API key' : 'address'}: at most ${refused.limit} per minute`,
      { scope: refused.scope, limit: refused.limit, retryAfterSeconds: Number(retryAfter) },
      { 'Retry-After': retryAfter },
    );
  };
}
