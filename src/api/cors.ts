// CORS for browser dashboards: only the origins listed in CORS_ORIGINS (comma-separated; `*` for any)
// get CORS headers; with none configured the API sends none, so browsers on other origins are refused.
// Credentials are never allowed: callers send a bearer key, not cookies.
import type { RequestHandler } from 'express';

const ALLOW_METHODS = 'GET, POST, PATCH, PUT, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, X-Request-Id';
const EXPOSE_HEADERS = 'X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';
const MAX_AGE_SECONDS = '600';

export function parseOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

export function cors(originsSetting: string | undefined): RequestHandler {
  const origins = parseOrigins(originsSetting);
  const any = origins.includes('*');
  const allowed = new Set(origins.map((o) => o.toLowerCase()));
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origins.length === 0 || !origin) return next();
    // The answer depends on Origin, so caches must key on it.
    res.vary('Origin');
    if (!any && !allowed.has(origin.toLowerCase())) return next();
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
      res.setHeader('Access-Control-Max-Age', MAX_AGE_SECONDS);
      res.status(204).end();
      return;
    }
    next();
  };
}
