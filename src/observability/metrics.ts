// The service's Prometheus metrics, defined once (prom-client). Code that does the work increments
// them where it happens; the API serves this process's registry at GET /metrics and a worker-only
// process on its metrics port (src/observability/worker-metrics.ts). Labels are bounded sets only
// (provider, channel, outcome, route pattern, status): never a client, lead or any other id, so a
// scrape tells nothing about a tenant and series stay few. The README's "Observability" section
// lists the series and the alert each deserves. Bottom layer: imports nothing of the service.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
/** Database-state gauges: served by the API only (N workers would each report the same rows). */
export const stateRegistry = new Registry();

export const httpRequestDuration = new Histogram({
  name: 'agency_os_http_request_duration_seconds',
  help: 'API request duration by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const webhookEventsAccepted = new Counter({
  name: 'agency_os_webhook_events_accepted_total',
  help: 'Provider webhooks written to the inbox (duplicate: a redelivery of a row already there).',
  labelNames: ['provider', 'duplicate'] as const,
  registers: [registry],
});

export const webhookEventsProcessed = new Counter({
  name: 'agency_os_webhook_events_processed_total',
  help: 'Inbox rows processed, by provider and outcome (processed, ignored, pending: left for a retry or the sweep, failed).',
  labelNames: ['provider', 'outcome'] as const,
  registers: [registry],
});

export const sends = new Counter({
  name: 'agency_os_sends_total',
  help: 'Outreach touches by channel and outcome (sent, rejected, unknown, wait_for_room, no_credits, transient_error, skipped, drafted).',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

export const webhookDeliveryAttempts = new Counter({
  name: 'agency_os_webhook_delivery_attempts_total',
  help: 'Outbound webhook POSTs to client endpoints, by outcome (succeeded, retry, gone, endpoint_unavailable).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookDeliveriesFailed = new Counter({
  name: 'agency_os_webhook_deliveries_failed_total',
  help: 'Outbound webhook deliveries given up (retry window over, or the endpoint went away).',
  registers: [registry],
});

export const aiSpend = new Counter({
  name: 'agency_os_ai_spend_usd_total',
  help: 'Claude spend recorded (USD), by model and purpose.',
  labelNames: ['model', 'purpose'] as const,
  registers: [registry],
});

export const aiTokens = new Counter({
  name: 'agency_os_ai_tokens_total',
  help: 'Claude tokens recorded, by model and direction (input, output).',
  labelNames: ['model', 'direction'] as const,
  registers: [registry],
});

// Database state, read at scrape time (src/engines/state-metrics.ts): set by whoever serves the scrape.
export const inboxBacklog = new Gauge({
  name: 'agency_os_inbox_backlog',
  help: 'Webhook inbox rows not yet processed (pending or failed and to be retried), by provider.',
  labelNames: ['provider'] as const,
  registers: [stateRegistry],
});

export const inboxDeadLetters = new Gauge({
  name: 'agency_os_inbox_dead_letters',
  help: 'Webhook inbox rows that failed every attempt and are no longer retried, by provider.',
  labelNames: ['provider'] as const,
  registers: [stateRegistry],
});

export const inboxOldestAge = new Gauge({
  name: 'agency_os_inbox_oldest_pending_age_seconds',
  help: 'Age of the oldest webhook inbox row not yet tried (0 when none waits): processing has stalled when it grows.',
  registers: [stateRegistry],
});

export const reviewQueueSize = new Gauge({
  name: 'agency_os_review_queue_pending',
  help: 'Replies waiting for a person (reply reviews still pending).',
  registers: [stateRegistry],
});

export const stateQueryFailures = new Counter({
  name: 'agency_os_metrics_state_query_failures_total',
  help: 'Scrapes whose database-state query failed or timed out (the state gauges then keep their last values).',
  registers: [registry],
});

/** A label value from an open set, cut to a bounded alphabet and length (an odd model name cannot blow up a series). */
export function boundedLabel(value: string | null | undefined, fallback = 'unknown'): string {
  const v = (value ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._:-]/g, '_')
    .slice(0, 64);
  return v || fallback;
}

let processMetrics = false;

/**
 * Process CPU, memory, event-loop lag and GC (standard names, as every Node exporter has them). Turned
 * on by the process entry at start and by the first scrape, not on import: each call starts an
 * event-loop monitor and a GC observer, which a test run importing this module per file would pile up.
 */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

/** The text exposition of this process's metrics (with the database-state gauges when `state`), and its content type. */
export async function exposition(opts: { state: boolean }): Promise<{ contentType: string; body: string }> {
  enableProcessMetrics();
  const body = await registry.metrics();
  return { contentType: registry.contentType, body: opts.state ? joinExpositions(body, await stateRegistry.metrics()) : body };
}

/**
 * Whether a scrape may read the metrics: always when no token is configured (METRICS_TOKEN unset),
 * else only with `Authorization: Bearer <token>` (compared in constant time).
 */
export function scrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!m) return false;
  const given = createHash('sha256').update(m[1].trim()).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}

/** Two text expositions as one (metric names never overlap: ours are agency_os_*, process_*, nodejs_*). */
export function joinExpositions(...parts: string[]): string {
  return parts
    .filter((p) => p.trim() !== '')
    .map((p) => (p.endsWith('\n') ? p : `${p}\n`))
    .join('');
}
