// The request-duration histogram, labelled by the route pattern the request hit
// (`/api/v1/clients/{clientId}/leads`), never by its URL: ids in URLs would make a series per
// tenant and object. Patterns are the app's mounted routes (the list the OpenAPI test checks); a
// request no route serves (404, or refused before its route, e.g. 401) is labelled by the pattern
// its path fits, else `unmatched`.
import type { Express, Request, RequestHandler } from 'express';
import { httpRequestDuration } from '../observability/metrics';
import { mountedRoutes } from './openapi/mounted-routes';

export interface Pattern {
  method: string;
  path: string;
  regex: RegExp;
  params: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The app's mounted route patterns, for routeLabel (read once routes are mounted). */
export function routePatterns(app: Express): Pattern[] {
  return (
    mountedRoutes(app)
      .map((r) => {
        const parts = r.path.split(/(\{\w+\})/).map((p) => (/^\{\w+\}$/.test(p) ? '[^/]+' : escape(p)));
        return { method: r.method.toUpperCase(), path: r.path, regex: new RegExp(`^${parts.join('')}/?$`), params: (r.path.match(/\{/g) ?? []).length };
      })
      // Static segments before parameters, as a reader would pick (`/leads/bulk` over `/leads/{leadId}`).
      .sort((a, b) => a.params - b.params)
  );
}

const toOpenApi = (p: string) => p.replace(/:(\w+)/g, '{$1}');

/** The route pattern label of a finished request. */
export function routeLabel(patterns: Pattern[], req: Pick<Request, 'method' | 'originalUrl'> & { route?: { path?: unknown } }): string {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const path = req.originalUrl.split('?')[0];
  const routePath = typeof req.route?.path === 'string' ? toOpenApi(req.route.path) : undefined;
  let fallback: string | undefined;
  for (const p of patterns) {
    if (p.method !== method || !p.regex.test(path)) continue;
    if (!routePath || p.path.endsWith(routePath === '/' ? '' : routePath)) return p.path;
    fallback ??= p.path;
  }
  return fallback ?? 'unmatched';
}

/** Times every request of `app` into agency_os_http_request_duration_seconds. */
export function requestMetrics(app: Express): RequestHandler {
  let patterns: Pattern[] | undefined;
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      // Routes are mounted after this middleware: read them on the first finished request.
      patterns ??= routePatterns(app);
      httpRequestDuration.observe(
        { method: req.method, route: routeLabel(patterns, req), status: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}
