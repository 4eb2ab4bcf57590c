// What one API operation is, for the OpenAPI document, the docs page, the response-conformance check
// and the tenancy test matrix: its path, who may call it (access), the zod schemas of its inputs
// (the route files' own) and of its responses. Route groups list their operations in this shape.
import { z, type ZodObject, type ZodType } from 'zod';
import type { MembershipRole } from '../../db/client';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/**
 * Who may call an operation:
 * - public: no API key (health, docs, provider webhooks that verify their own credentials);
 * - user: any key; the objects are the caller's own (API keys);
 * - platform-admin: platform admins only;
 * - client: a member of the client the request names (path, body or query) with at least `role`;
 *   another tenant's client or object is a 404.
 */
export type Access = { kind: 'public' } | { kind: 'user' } | { kind: 'platform-admin' } | { kind: 'client'; role: MembershipRole };

export interface ResponseSpec {
  description: string;
  /** JSON body schema; omit for empty bodies (204). */
  schema?: ZodType;
  /** A non-JSON body (HTML page, TwiML, a file in one of several formats), besides or instead of JSON. */
  contentType?: string | readonly string[];
}

export interface ApiOperation {
  method: Method;
  /** Full path in OpenAPI form: /api/v1/clients/{clientId}/campaigns */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  params?: ZodObject;
  query?: ZodObject;
  /** JSON request body. */
  body?: ZodType;
  /** Other request body media types (CSV, form posts). */
  otherBodies?: Record<string, ZodType>;
  responses: Record<number, ResponseSpec>;
  /** Health checks are not rate limited. */
  rateLimited?: boolean;
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error has this shape.' });

export const dateTime = z.iso.datetime({ offset: true });
export const nullableDateTime = dateTime.nullable();
export const id = z.uuid();

/** A cursor page: `nextCursor` is null on the last page; pass it back as `cursor` for the next. */
export const pageOf = <T extends ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

/** Anything JSON (stored JSON columns, provider payloads). */
export const anyJson = z.unknown();

export const ok = (schema: ZodType, description = 'OK'): ResponseSpec => ({ description, schema });
export const created = (schema: ZodType, description = 'Created'): ResponseSpec => ({ description, schema });
export const noContent: ResponseSpec = { description: 'Done; no body.' };

export function operationId(op: Pick<ApiOperation, 'method' | 'path'>): string {
  const words = op.path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `by-${seg.slice(1, -1)}` : seg))
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [op.method, ...words].map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
}

/** "client:member", "platform-admin", … */
export function accessLabel(a: Access): string {
  return a.kind === 'client' ? `client:${a.role}` : a.kind;
}
