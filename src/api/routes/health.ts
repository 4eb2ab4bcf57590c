// Liveness (the process answers) and readiness (the database and Temporal answer, for real).
import { Router } from 'express';
import type { ApiDeps } from '../deps';

const CHECK_TIMEOUT_MS = 2_000;

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
    const message = err instanceof Error ? err.message.split('\n').filter(Boolean).pop() ?? 'failed' : 'failed';
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: ApiDeps): Router {
  const r = Router();
  const started = Date.now();
  r.get('/health', (_req, res) => {
    res.json({ status: 'ok', version: deps.version, uptimeSeconds: Math.round((Date.now() - started) / 1000) });
  });
  r.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/health/ready', async (_req, res) => {
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
  });
  return r;
}
