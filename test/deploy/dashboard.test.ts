// Every metric the Grafana dashboard and the Prometheus alert rules query must be one the scraped
// job really exposes: `agency_os_*` and the process/nodejs defaults from the registry in
// src/observability/metrics.ts (histograms as _bucket/_sum/_count, counters as registered, with
// `_total`), `temporal_*` from the worker series seen in a real scrape (./temporal-series.ts). The
// expressions are parsed with Prometheus's own PromQL grammar (@prometheus-io/lezer-promql), so a
// query that does not parse fails too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { enableProcessMetrics, registry, stateRegistry } from '../../src/observability/metrics';
import { TEMPORAL_SERIES } from './temporal-series';

const ROOT_DIR = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT_DIR, path), 'utf8');

interface Selector {
  expr: string;
  name: string;
  /** The job label's matcher, when the selector has one. */
  job?: { op: '=' | '=~' | '!=' | '!~'; value: string };
}

/**
 * The vector selectors of a PromQL expression. Grafana's `$__…` interval variables become a
 * duration first (Prometheus never sees them). Throws on a syntax error or a selector whose metric
 * is not named literally (`{__name__=~…}` would escape this check).
 */
function selectors(expr: string): Selector[] {
  const promql = expr.replace(/\$__\w+/g, '5m');
  const out: Selector[] = [];
  const cursor = parser.parse(promql).cursor();
  do {
    if (cursor.type.isError) throw new Error(`PromQL syntax error at ${cursor.from} in: ${expr}`);
    if (cursor.name !== 'VectorSelector') continue;
    const node = cursor.node;
    const ident = node.getChild('Identifier');
    if (!ident) throw new Error(`a selector without a literal metric name in: ${expr}`);
    const selector: Selector = { expr, name: promql.slice(ident.from, ident.to) };
    for (const m of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
      const label = m.getChild('LabelName');
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      if (!label || !op || !value || promql.slice(label.from, label.to) !== 'job') continue;
      selector.job = { op: promql.slice(op.from, op.to) as '=' | '=~' | '!=' | '!~', value: JSON.parse(promql.slice(value.from, value.to)) as string };
    }
    out.push(selector);
  } while (cursor.next());
  return out;
}

/** The series names a registry's metrics write (prom-client appends nothing to counters: ours end in _total). */
async function seriesOf(reg: typeof registry): Promise<string[]> {
  const metrics = await reg.getMetricsAsJSON();
  return metrics.flatMap((m) => {
    const type = String(m.type);
    if (type === 'histogram') return [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
    if (type === 'summary') return [m.name, `${m.name}_sum`, `${m.name}_count`];
    return [m.name];
  });
}

interface Jobs {
  /** job name → the series its targets expose (`up` is Prometheus's own, for every job). */
  exposed: Map<string, Set<string>>;
}

async function jobs(): Promise<Jobs> {
  enableProcessMetrics();
  const own = await seriesOf(registry);
  const state = await seriesOf(stateRegistry);
  const prom = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string }> };
  const known: Record<string, string[]> = {
    // GET /metrics: the process registry (defaults included) and the database-state gauges.
    'agency-os-api': [...own, ...state],
    // ROLE=worker's metrics port: Temporal Core's series and the process registry, no state gauges.
    'agency-os-worker': [...TEMPORAL_SERIES, ...own],
    // The Temporal server's own series are not checked here: panels and rules only ask `up` of it.
    'temporal-server': [],
  };
  const exposed = new Map<string, Set<string>>();
  for (const { job_name } of prom.scrape_configs) {
    expect([job_name, job_name in known]).toEqual([job_name, true]);
    exposed.set(job_name, new Set(['up', ...known[job_name]]));
  }
  return { exposed };
}

/** Why a selector asks for a series no scraped job it selects exposes, or null when it is fine. */
function problem(s: Selector, { exposed }: Jobs): string | null {
  const all = [...exposed.keys()];
  const selected = !s.job
    ? all
    : all.filter((j) => {
        const re = new RegExp(`^(?:${s.job!.value})$`);
        return s.job!.op === '=' ? j === s.job!.value : s.job!.op === '!=' ? j !== s.job!.value : s.job!.op === '=~' ? re.test(j) : !re.test(j);
      });
  if (selected.length === 0) return `${s.name}: job matcher ${s.job!.op}"${s.job!.value}" selects no scraped job`;
  const having = selected.filter((j) => exposed.get(j)!.has(s.name));
  if (having.length === 0) return `${s.name} is exposed by none of ${selected.join(', ')}`;
  return null;
}

const dashboard = JSON.parse(read('deploy/grafana/dashboards/agency-os.json')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
const dashboardExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));

function ruleExprs(): Array<{ where: string; expr: string }> {
  const prom = parse(read('deploy/prometheus/prometheus.yml')) as { rule_files?: string[] };
  return (prom.rule_files ?? []).flatMap((inContainer) => {
    // Rule files are mounted into the Prometheus container from deploy/prometheus/.
    const file = `deploy/prometheus/${inContainer.split('/').pop()!}`;
    const rules = parse(read(file)) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
    return rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `${file} ${r.alert ?? r.record}`, expr: String(r.expr) })));
  });
}

describe('metric names in the dashboard and the alert rules', () => {
  let exposedJobs: Jobs;
  beforeAll(async () => {
    exposedJobs = await jobs();
  });

  it('are all series the scraped jobs expose', () => {
    const exprs = [...dashboardExprs, ...ruleExprs()];
    expect(ruleExprs().length).toBeGreaterThan(0);
    const problems = exprs.flatMap(({ where, expr }) => {
      const found = selectors(expr);
      if (found.length === 0) return [`${where}: no metric in ${expr}`];
      return found
        .map((s) => problem(s, exposedJobs))
        .filter((p): p is string => p !== null)
        .map((p) => `${where}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  it('cover the areas the dashboard is for', () => {
    const names = new Set(dashboardExprs.flatMap(({ expr }) => selectors(expr).map((s) => s.name)));
    for (const name of [
      'agency_os_http_request_duration_seconds_count',
      'agency_os_http_request_duration_seconds_bucket',
      'agency_os_webhook_events_accepted_total',
      'agency_os_webhook_events_processed_total',
      'agency_os_inbox_backlog',
      'agency_os_inbox_oldest_pending_age_seconds',
      'agency_os_sends_total',
      'agency_os_review_queue_pending',
      'agency_os_webhook_delivery_attempts_total',
      'agency_os_webhook_deliveries_failed_total',
      'agency_os_ai_spend_usd_total',
      'temporal_workflow_task_schedule_to_start_latency_bucket',
      'temporal_activity_schedule_to_start_latency_bucket',
      'temporal_worker_task_slots_available',
      'temporal_sticky_cache_size',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect([name, names.has(name)]).toEqual([name, true]);
    }
  });

  it('rejects the names guessed before the metrics existed', () => {
    const guessed = [
      'sum by (status_code) (rate(http_requests_total{job="agency-os-api"}[5m]))',
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="agency-os-api"}[5m])))',
      'sum(rate(temporal_workflow_completed{job="agency-os-worker"}[5m]))',
      'sum(rate(temporal_workflow_failed{job="agency-os-worker"}[5m]))',
      'sum by (activity_type) (rate(temporal_activity_execution_failed{job="agency-os-worker"}[5m]))',
      'sum by (operation) (rate(service_requests{job="temporal-server"}[5m]))',
      // Real names on the wrong job: the state gauges are the API's, Temporal's series the worker's.
      'agency_os_inbox_backlog{job="agency-os-worker"}',
      'temporal_sticky_cache_size{job="agency-os-api"}',
    ];
    for (const expr of guessed) {
      const problems = selectors(expr).map((s) => problem(s, exposedJobs));
      expect([expr, problems.some((p) => p !== null)]).toEqual([expr, true]);
    }
    expect(() => selectors('sum(rate(agency_os_sends_total[5m])')).toThrow(/syntax error/);
    expect(() => selectors('{__name__=~"agency_os_.*"}')).toThrow(/literal metric name/);
  });
});
