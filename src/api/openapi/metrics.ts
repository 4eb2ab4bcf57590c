// Prometheus scrape endpoint (not under /api/v1: Prometheus's conventional path).
import type { ApiOperation } from './spec';

export const metricsOperations: ApiOperation[] = [
  {
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
  },
];
