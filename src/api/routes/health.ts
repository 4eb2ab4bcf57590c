// Liveness (the process answers) and readiness (the database and Temporal answer, for real).
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { ErrorBody, ok } from '../openapi/spec';
import { defineRoute, routerFor, type Route } from '../route-table';

const CHECK_TIMEOUT_MS = 2_000;

const check = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });

interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

async function timed(fn: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    // Only the error's first line: driver messages can be long but carry no secrets beyond host:port.
    const message = err instanceof Error ? (err.message.split('\n').filter(Boolean).pop() ?? 'failed') : 'failed';
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export const healthRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/health',
    summary: 'Process health and version',
    tag: 'health',
    access: { kind: 'public' },
    rateLimited: false,
    responses: { 200: ok(z.object({ status: z.literal('ok'), version: z.string(), uptimeSeconds: z.number().int() })) },
    handler: ({ res, deps }) => {
      res.json({ status: 'ok', version: deps.version, uptimeSeconds: Math.round(process.uptime()) });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/health/live',
    summary: 'Liveness: the process answers',
    tag: 'health',
    access: { kind: 'public' },
    rateLimited: false,
    responses: { 200: ok(z.object({ status: z.literal('ok') })) },
    handler: ({ res }) => {
      res.json({ status: 'ok' });
    },
  }),
  defineRoute({
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
    handler: async ({ res, deps }) => {
      const [database, temporal] = await Promise.all([
        timed(() => deps.db.$queryRaw`SELECT 1`),
        timed(() =>
          deps.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
            deps.temporal.connection.workflowService.describeNamespace({ namespace: deps.temporal.options.namespace }),
          ),
        ),
      ]);
      const checks = { database, temporal };
      const failed = Object.entries(checks)
        .filter(([, c]) => !c.ok)
        .map(([name]) => name);
      if (failed.length === 0) {
        res.json({ status: 'ready', checks });
        return;
      }
      res.status(503).json({
        error: { code: 'NOT_READY', message: `not ready: ${failed.join(', ')} unavailable`, details: { failed, checks } },
      });
    },
  }),
];

export const healthRouter = (deps: ApiDeps) => routerFor(deps, '/api/v1', healthRoutes);
