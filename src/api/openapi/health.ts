// Health checks (public, not rate limited).
import { z } from 'zod';
import { ErrorBody, ok, type ApiOperation } from './spec';

const check = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });

export const healthOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/v1/health',
    summary: 'Process health and version',
    tag: 'health',
    access: { kind: 'public' },
    rateLimited: false,
    responses: { 200: ok(z.object({ status: z.literal('ok'), version: z.string(), uptimeSeconds: z.number().int() })) },
  },
  {
    method: 'get',
    path: '/api/v1/health/live',
    summary: 'Liveness: the process answers',
    tag: 'health',
    access: { kind: 'public' },
    rateLimited: false,
    responses: { 200: ok(z.object({ status: z.literal('ok') })) },
  },
  {
    method: 'get',
    path: '/api/v1/health/ready',
    summary: 'Readiness: PostgreSQL and Temporal answer',
    tag: 'health',
    access: { kind: 'public' },
    rateLimited: false,
    responses: {
      200: ok(z.object({ status: z.literal('ready'), checks: z.object({ database: check, temporal: check }) })),
      503: { description: 'A dependency is unavailable (error.details names it).', schema: ErrorBody },
    },
  },
];
