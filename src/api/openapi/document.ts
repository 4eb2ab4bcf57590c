// Builds the OpenAPI 3.1 document from the operation list with @asteasolutions/zod-to-openapi. Every
// operation also documents the error shape as its default response (400 validation, 401, 403, 404,
// 409, 413, 429, 503 all use it).
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { accessLabel, ErrorBody, operationId, type ApiOperation } from './spec';

export type OpenAPIObject = ReturnType<OpenApiGeneratorV31['generateDocument']>;

const SECURITY = 'bearerApiKey';

function describeAccess(op: ApiOperation): string {
  switch (op.access.kind) {
    case 'public':
      return 'No API key.';
    case 'user':
      return 'Any API key; only your own objects.';
    case 'platform-admin':
      return 'Platform admins only (others: 403).';
    case 'client':
      return `Role **${op.access.role}** or higher on the client (platform admins: any client). Another tenant's client or object: 404; a lower role: 403.`;
  }
}

function responsesOf(op: ApiOperation): Record<string, ResponseConfig> {
  const out: Record<string, ResponseConfig> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const content: NonNullable<ResponseConfig['content']> = {};
    if (r.schema) content['application/json'] = { schema: r.schema };
    for (const type of r.contentType === undefined ? [] : typeof r.contentType === 'string' ? [r.contentType] : r.contentType)
      content[type] = { schema: z.string() };
    out[status] = { description: r.description, ...(Object.keys(content).length ? { content } : {}) };
  }
  const headers = op.rateLimited === false ? undefined : z.object({ 'Retry-After': z.string().optional().describe('Seconds to wait (429 only)') });
  out.default = {
    description: 'An error ({error:{code,message,details}}).',
    content: { 'application/json': { schema: ErrorBody } },
    ...(headers ? { headers } : {}),
  };
  return out;
}

export function buildOpenApiDocument(operations: readonly ApiOperation[], version: string): OpenAPIObject {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', SECURITY, {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`aos_…`), sent as `Authorization: Bearer <key>`.',
  });
  for (const op of operations) {
    const bodyContent: Record<string, { schema: z.ZodType }> = {};
    if (op.body) bodyContent['application/json'] = { schema: op.body };
    for (const [type, schema] of Object.entries(op.otherBodies ?? {})) bodyContent[type] = { schema };
    registry.registerPath({
      method: op.method,
      path: op.path,
      operationId: operationId(op),
      summary: op.summary,
      description: [op.description, describeAccess(op)].filter(Boolean).join('\n\n'),
      tags: [op.tag],
      security: op.access.kind === 'public' ? [] : [{ [SECURITY]: [] }],
      'x-access': accessLabel(op.access),
      request: {
        ...(op.params ? { params: op.params } : {}),
        ...(op.query ? { query: op.query } : {}),
        ...(Object.keys(bodyContent).length ? { body: { content: bodyContent, required: false } } : {}),
      },
      responses: responsesOf(op),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Agency OS API',
      version,
      description:
        'Durable-workflow orchestration for a marketing agency. Every list is cursor-paginated (`limit`, `cursor` → `nextCursor`) ' +
        'and answers `{data, nextCursor}`; one resource is wrapped in its name (`{campaign}`); reports and status views are plain ' +
        'objects; work that runs in a workflow answers 202 with `statusUrl` (and `Location`); ' +
        'every error is `{error:{code,message,details}}`; every response carries `X-Request-Id`. Requests are limited per API key, ' +
        'per user (all their keys) and per IP (IPv6 by /56) (429 with `Retry-After`).',
    },
  });
}

let cached: { version: string; doc: OpenAPIObject } | undefined;

/** The document for the running API (built once per process). */
export function openApiDocument(operations: readonly ApiOperation[], version: string): OpenAPIObject {
  if (!cached || cached.version !== version) cached = { version, doc: buildOpenApiDocument(operations, version) };
  return cached.doc;
}
