// Per-API-key, per-user and per-IP request limits: fixed one-minute windows held in this process (one
// API replica's view; enough to stop a runaway script or a key-guessing loop). The user limit covers
// all of a user's keys together (a user can mint many keys); it is checked once the key is verified
// (see authenticate). IPv6 clients are counted by /56, the prefix a home or office usually gets,
// so rotating through one's own addresses does not reset the count. The client IP is the socket's
// unless TRUST_PROXY names the proxy in front (then X-Forwarded-For, as Express reads it). Over the limit is a 429
// in the usual error shape with Retry-After. Exempt: health checks (probes must never flap). Provider
// webhooks never reach this middleware: the app mounts them before it (providers deliver in bursts
// from few addresses, a 429 would only delay replies and bounces, and each webhook route refuses bad
// credentials before touching the database).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
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
    readonly windowMs: number = WINDOW_MS,
  ) {}

  /** Counts a hit against `limit` (or a per-key `limit` given here, e.g. a skill's own). */
  hit(key: string, limit: number = this.limit): { allowed: boolean; remaining: number; resetMs: number } {
    const t = this.now();
    const start = t - (t % this.windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      if (this.windows.size >= SWEEP_AT) this.sweep(start);
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return { allowed: w.count <= limit, remaining: Math.max(0, limit - w.count), resetMs: start + this.windowMs - t };
  }

  private sweep(current: number): void {
    for (const [k, w] of this.windows) if (w.start < current) this.windows.delete(k);
  }
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail included). */
function ipv6Groups(ip: string): number[] | null {
  let s = ip.toLowerCase().split('%')[0];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = s.includes('::') ? 8 - h.length - t.length : 0;
  const groups = [...h, ...Array<string>(Math.max(0, fill)).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

/** What the per-IP limit counts: an IPv4 address (IPv4-mapped ones too), or an IPv6 /56. */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (isIP(ip) !== 6) return ip;
  const g = ipv6Groups(ip);
  if (!g) return ip;
  return `${g
    .slice(0, 3)
    .map((x) => x.toString(16))
    .join(':')}:${(g[3] & 0xff00).toString(16)}::/56`;
}

type Scope = 'ip' | 'key' | 'user';
const SCOPE_NAMES: Record<Scope, string> = { ip: 'address', key: 'API key', user: 'user' };

function refuse(scope: Scope, limit: number, resetMs: number): never {
  const retryAfter = String(Math.max(1, Math.ceil(resetMs / 1000)));
  throw new HttpError(
    429,
    'RATE_LIMITED',
    `too many requests for this ${SCOPE_NAMES[scope]}: at most ${limit} per minute`,
    { scope, limit, retryAfterSeconds: Number(retryAfter) },
    { 'Retry-After': retryAfter },
  );
}

function setLimitHeaders(res: Response, limit: number, result: ReturnType<FixedWindowCounter['hit']>): void {
  res.setHeader('RateLimit-Limit', String(limit));
  res.setHeader('RateLimit-Remaining', String(result.remaining));
  res.setHeader('RateLimit-Reset', String(Math.ceil(result.resetMs / 1000)));
}

/** The per-user limit, for authenticate to call once it knows the user; null when off. */
export function userRateLimit(perUser: number, now?: () => number): ((req: Request, res: Response) => void) | null {
  if (perUser <= 0) return null;
  const byUser = new FixedWindowCounter(perUser, now);
  return (req, res) => {
    const userId = req.caller?.userId;
    if (!userId || EXEMPT.test(req.originalUrl.split('?')[0])) return;
    const result = byUser.hit(userId);
    if (!result.allowed) refuse('user', perUser, result.resetMs);
    // The headers describe the tightest limit: replace the key/IP figures when this one is lower.
    const shown = Number(res.getHeader('RateLimit-Remaining') ?? Infinity);
    if (result.remaining < shown) setLimitHeaders(res, perUser, result);
  };
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
    if (byIp) checks.push({ scope: 'ip', result: byIp.hit(addressKey(req.ip)), limit: byIp.limit });
    const key = byKey ? keyOf(req) : null;
    if (byKey && key) checks.push({ scope: 'key', result: byKey.hit(key), limit: byKey.limit });
    if (checks.length === 0) return next();
    // Headers describe the tightest limit (draft-ietf-httpapi-ratelimit-headers names).
    const tightest = checks.reduce((a, b) => (b.result.remaining < a.result.remaining ? b : a));
    setLimitHeaders(res, tightest.limit, tightest.result);
    const refused = checks.find((c) => !c.result.allowed);
    if (!refused) return next();
    refuse(refused.scope, refused.limit, refused.result.resetMs);
  };
}
