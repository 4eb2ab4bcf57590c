// GET /metrics — this process's Prometheus metrics (text exposition). Outside the API-key auth and
// the rate limits (Prometheus has no API key and scrapes on a schedule); with METRICS_TOKEN set it
// needs `Authorization: Bearer <METRICS_TOKEN>`. Labels carry no tenant data (see
// src/observability/metrics.ts). Database-state gauges are read here, at most once per few seconds.
import { refreshState } from '../../engines/state-metrics';
import { exposition, scrapeAllowed } from '../../observability/metrics';
import type { ApiDeps } from '../deps';
import { HttpError } from '../errors';
import { defineRoute, routerFor, type Route } from '../route-table';

export const metricsRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics of this process (text exposition format)',
    description:
      'No API key and no rate limit. When METRICS_TOKEN is configured, `Authorization: Bearer <METRICS_TOKEN>` is required (401 otherwise). ' +
      'Labels carry no tenant data (route patterns, providers, channels, outcomes). See the README, "Observability".',
    tag: 'health',
    access: { kind: 'public' },
    rateLimited: false,
    responses: { 200: { description: 'Prometheus text format 0.0.4', contentType: 'text/plain' } },
    handler: async ({ req, res, deps }) => {
      if (!scrapeAllowed(req.headers.authorization, deps.config.METRICS_TOKEN)) {
        throw new HttpError(401, 'UNAUTHENTICATED', 'the metrics need Authorization: Bearer <METRICS_TOKEN>', undefined, { 'WWW-Authenticate': 'Bearer' });
      }
      try {
        await refreshState(deps.db);
      } catch (err) {
        // Counted in agency_os_metrics_state_query_failures_total; the rest of the scrape still answers.
        req.log.warn({ err }, 'metrics: database state query failed');
      }
      const { contentType, body } = await exposition({ state: true });
      res.setHeader('Content-Type', contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(body);
    },
  }),
];

export const metricsRouter = (deps: ApiDeps) => routerFor(deps, '/metrics', metricsRoutes);
