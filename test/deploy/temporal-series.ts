// The Temporal SDK worker series (Core runtime's Prometheus exporter, configured in
// temporal/pino-logger.ts with `countersTotalSuffix` and `useSecondsForDurations`) that the Grafana
// dashboard and the Prometheus alert rules may use. Nothing in this repository registers them, so
// they are listed here with where each was seen:
// - SEEN_AFTER_WORK: in the real scrape of a `ROLE=worker` process after it ran a workflow with an
//   activity (test/observability/metrics.test.ts asserts every one of them).
// - ONLY_ONCE_MOVED: counters the exporter writes only once they have moved (a workflow, activity or
//   workflow task failed, a sticky-cache miss), so that clean run cannot show them. Their names are the
//   README's "Observability" list (Temporal's SDK metrics reference,
//   https://docs.temporal.io/references/sdk-metrics), and each base name is a string in the Core
//   binary this project ships (@temporalio/core-bridge/releases/*/index.node).
// Histograms are listed by base name; their `_bucket`, `_sum` and `_count` series come with them.
export const TEMPORAL_HISTOGRAMS = ['temporal_workflow_task_schedule_to_start_latency', 'temporal_activity_schedule_to_start_latency'] as const;

export const SEEN_AFTER_WORK = [
  ...TEMPORAL_HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_sticky_cache_size',
  // The workflow's second task (after its activity) finds the run in the worker's cache.
  'temporal_sticky_cache_hit_total',
  'temporal_workflow_completed_total',
] as const;

export const ONLY_ONCE_MOVED = [
  'temporal_sticky_cache_miss_total',
  'temporal_workflow_failed_total',
  'temporal_activity_execution_failed_total',
  'temporal_workflow_task_execution_failed_total',
] as const;

export const TEMPORAL_SERIES: ReadonlySet<string> = new Set<string>([...SEEN_AFTER_WORK, ...ONLY_ONCE_MOVED]);
