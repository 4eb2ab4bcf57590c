// The route table: each API operation is declared once, with `defineRoute` — method, OpenAPI path,
// summary, access, zod schemas of its inputs and responses, and its handler. Express routers
// (`routerFor`) and the OpenAPI document (openapi/operations.ts → document.ts) are both built from
// these declarations, so a route cannot be served undocumented or documented with other inputs or
// access than it enforces.
//
// The mounter, per route, in this order:
//   1. access: `user`/`platform-admin`/`client` need a caller (401; the prefix's `authenticate`
//      sets it); `platform-admin` is 403 for others; `client` with `{clientId}` in the path runs
//      clientScope(role) (another tenant's client 404, a lower role 403). A `client` route that names
//      its client in the body, query or object calls `ctx.authorizeClient(clientId)` with the same role;
//   2. the route's own `before` middleware (webhook credentials, special body parsers);
//   3. params, then query, parsed with their schemas (a ZodError → 400 VALIDATION_ERROR, errors.ts);
//   4. the handler. The JSON body is parsed when the handler calls `ctx.body()`: handlers first prove
//      that the object named in the path is the caller's, so another tenant's object is a 404
//      whatever the body says.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z, ZodObject, ZodType } from 'zod';
import type { MembershipRole } from '../db/client';
import { requirePlatformAdmin } from './auth';
import type { ApiDeps } from './deps';
import { HttpError, notFound } from './errors';
import type { ApiOperation } from './openapi/spec';
import { clientScope, roleAtLeast } from './tenancy';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  /** The request body parsed with the route's `body` schema (400 with the zod issues when it fails). */
  body: () => B;
  /** For `client` routes whose client is not in the path: 404 unless the caller is a member of
   * `clientId` (or a platform admin), 403 below the route's declared role. */
  authorizeClient: (clientId: string, what?: string) => void;
  req: Request;
  res: Response;
  deps: ApiDeps;
}

type EmptyObject = ZodObject<Record<string, never>>;

export interface RouteSpec<P extends ZodObject, Q extends ZodObject, B extends ZodType> extends Omit<ApiOperation, 'params' | 'query' | 'body'> {
  params?: P;
  query?: Q;
  body?: B;
  /** Middleware between the access check and parsing (webhook credentials, raw or form bodies). */
  before?: (deps: ApiDeps) => RequestHandler[];
  handler: (ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<void> | void;
}

/** One declared operation, its types erased: what the mounter and the document builder need. */
export interface Route extends ApiOperation {
  before?: (deps: ApiDeps) => RequestHandler[];
  run: (req: Request, res: Response, deps: ApiDeps) => Promise<void>;
}

export function authorizeClientRole(req: Request, clientId: string, min: MembershipRole, what = 'client'): void {
  const caller = req.caller;
  if (!caller) throw new HttpError(401, 'UNAUTHENTICATED', 'missing bearer API key');
  if (caller.isPlatformAdmin) return;
  const role = caller.roles.get(clientId);
  if (!role) throw notFound(what);
  if (!roleAtLeast(role, min)) throw new HttpError(403, 'FORBIDDEN', `requires the ${min} role`);
}

export function defineRoute<P extends ZodObject = EmptyObject, Q extends ZodObject = EmptyObject, B extends ZodType = ZodType<unknown>>(
  spec: RouteSpec<P, Q, B>,
): Route {
  const { handler, ...op } = spec;
  const access = spec.access;
  return {
    ...op,
    run: async (req, res, deps) => {
      const params = (spec.params ? spec.params.parse(req.params ?? {}) : {}) as z.infer<P>;
      const query = (spec.query ? spec.query.parse(req.query ?? {}) : {}) as z.infer<Q>;
      const body = () => (spec.body ? spec.body.parse(req.body ?? {}) : req.body) as z.infer<B>;
      const authorizeClient = (clientId: string, what?: string) => {
        if (access.kind !== 'client') throw new Error(`${spec.method} ${spec.path}: authorizeClient on a ${access.kind} route`);
        authorizeClientRole(req, clientId, access.role, what);
      };
      await handler({ params, query, body, authorizeClient, req, res, deps });
    },
  };
}

const requireCaller: RequestHandler = (req, _res, next) => {
  if (!req.caller) throw new HttpError(401, 'UNAUTHENTICATED', 'missing bearer API key', undefined, { 'WWW-Authenticate': 'Bearer' });
  next();
};

function accessMiddleware(route: Route): RequestHandler[] {
  const a = route.access;
  switch (a.kind) {
    case 'public':
      return [];
    case 'user':
      return [requireCaller];
    case 'platform-admin':
      return [requireCaller, requirePlatformAdmin];
    case 'client':
      return route.path.includes('{clientId}') ? [requireCaller, clientScope(a.role)] : [requireCaller];
  }
}

/** `/api/v1/clients/{clientId}/meetings/{meetingId}` under `/api/v1/clients/{clientId}/meetings` → `/:meetingId`. */
function expressPath(mount: string, path: string): string {
  if (path !== mount && !path.startsWith(`${mount}/`)) throw new Error(`route ${path} is not under its mount point ${mount}`);
  return (path.slice(mount.length) || '/').replace(/\{(\w+)\}/g, ':$1');
}

/**
 * An Express router serving `routes`, to be mounted at `mount` (in OpenAPI form; the app mounts it at
 * the same path with `:param`s). Routes register in list order: a literal segment (`/leads/import`)
 * must come before the parameter it would otherwise match (`/leads/{leadId}`).
 */
export function routerFor(deps: ApiDeps, mount: string, routes: readonly Route[]): Router {
  const r = Router({ mergeParams: true });
  for (const route of routes) {
    r[route.method](expressPath(mount, route.path), ...accessMiddleware(route), ...(route.before?.(deps) ?? []), (req: Request, res: Response) =>
      route.run(req, res, deps),
    );
  }
  return r;
}
