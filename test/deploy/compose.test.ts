// The compose stack must not publish the Temporal Web UI (no login of its own: anyone reaching it
// can list, signal or terminate every tenant's workflows) beyond the host's loopback by default.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface PortLong {
  target: number;
  published?: string | number;
  host_ip?: string;
}
interface Service {
  image?: string;
  ports?: Array<string | PortLong>;
}

const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

/** Compose's `${VAR:-default}` / `${VAR-default}` / `${VAR}` interpolation with an empty environment. */
function withDefaults(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
}

/** The host address a published port binds to ('' = every interface), per compose's short syntax. */
function hostIp(port: string | PortLong): string {
  if (typeof port !== 'string') return port.host_ip ?? '';
  const parts = withDefaults(port).split(':');
  // HOST_IP:HOST_PORT:CONTAINER_PORT has three parts; HOST_PORT:CONTAINER_PORT and CONTAINER_PORT bind everywhere.
  return parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
}

describe('docker-compose.yml', () => {
  it('publishes the Temporal Web UI on 127.0.0.1 only by default', () => {
    const ui = compose.services['temporal-ui'];
    expect(ui).toBeDefined();
    expect(ui.ports?.length).toBeGreaterThan(0);
    for (const port of ui.ports ?? []) expect(hostIp(port)).toBe('127.0.0.1');
  });

  it('does not publish the Temporal frontend (gRPC) at all', () => {
    expect(compose.services.temporal.ports ?? []).toEqual([]);
  });

  it('keeps every image pinned to a version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.image || service.image.startsWith('agency-os:')) continue;
      expect([name, service.image]).toEqual([name, expect.stringMatching(/:v?[0-9][\w.-]*$/)]);
    }
  });
});

// `docker compose config`-style checks (Docker is not available here): references resolve, the
// Temporal images are the current ones, health checks ask the services' real state, and Prometheus
// and Grafana are wired to what the services expose.
interface FullService extends Service {
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
  entrypoint?: string[];
  secrets?: string[];
}
const full = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, FullService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
};
const ROOT_DIR = join(__dirname, '../..');
const deps = (s: FullService) =>
  Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }])) : (s.depends_on ?? {});
const hostMounts = (s: FullService) => (s.volumes ?? []).map((v) => v.split(':')).filter(([src]) => src.startsWith('./'));

describe('docker-compose.yml (stack wiring)', () => {
  it('refers only to services, named volumes and repository files that exist', () => {
    for (const [name, s] of Object.entries(full.services)) {
      for (const dep of Object.keys(deps(s))) expect([name, dep, dep in full.services]).toEqual([name, dep, true]);
      for (const v of s.volumes ?? []) {
        const [src] = v.split(':');
        if (src.startsWith('./')) expect([name, src, existsSync(join(ROOT_DIR, src))]).toEqual([name, src, true]);
        else if (!src.startsWith('/')) expect([name, src, src in (full.volumes ?? {})]).toEqual([name, src, true]);
      }
    }
    // Only secrets without a safe default are required.
    const required = [...readFileSync(join(ROOT_DIR, 'docker-compose.yml'), 'utf8').matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]);
    expect([...new Set(required)].sort()).toEqual(['GRAFANA_ADMIN_PASSWORD', 'METRICS_TOKEN', 'SIGNING_SECRET']);
  });

  it('runs temporalio/server with its schema set up by admin-tools (not the deprecated auto-setup)', () => {
    const images = Object.values(full.services).map((s) => s.image ?? '');
    expect(images.some((i) => i.includes('auto-setup'))).toBe(false);
    const server = full.services.temporal;
    const version = /^temporalio\/server:(\d+\.\d+\.\d+)$/.exec(server.image ?? '')?.[1];
    expect(version).toBeDefined();
    const schema = Object.entries(deps(server)).find(([dep]) => full.services[dep].image?.startsWith('temporalio/admin-tools:'));
    expect(schema?.[1].condition).toBe('service_completed_successfully');
    expect(full.services[schema![0]].image).toBe(`temporalio/admin-tools:${version}`);
    // The app waits for the namespace, which a one-shot admin-tools service creates.
    for (const role of ['api', 'worker']) {
      expect(deps(full.services[role])).toMatchObject({
        'temporal-namespace': { condition: 'service_completed_successfully' },
        temporal: { condition: 'service_healthy' },
      });
    }
    expect(full.services['temporal-namespace'].image).toBe(`temporalio/admin-tools:${version}`);
  });

  it('health checks ask the API readiness and the worker state endpoints, with the image own tools', () => {
    const api = full.services.api;
    expect(api.environment?.ROLE).toBe('api');
    expect(api.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/api/v1/health/ready');
    const worker = full.services.worker;
    expect(worker.environment?.ROLE).toBe('worker');
    expect(worker.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${worker.environment?.WORKER_HEALTH_PORT}/health/ready`);
    // The runtime image has node but no curl/pgrep.
    for (const s of [api, worker]) expect(s.healthcheck?.test.slice(0, 2)).toEqual(['CMD', 'node']);
  });

  it('has Prometheus scrape the API, every worker replica and the Temporal server, with the metrics token', () => {
    const mounts = new Map(hostMounts(full.services.prometheus).map(([src, dest]) => [dest, src]));
    const promConfig = mounts.get('/etc/prometheus/prometheus.yml')!;
    interface Job {
      job_name: string;
      metrics_path?: string;
      authorization?: { type?: string; credentials?: string; credentials_file?: string };
      dns_sd_configs?: Array<{ names: string[]; port: number }>;
      static_configs?: Array<{ targets: string[] }>;
    }
    const prom = parse(readFileSync(join(ROOT_DIR, promConfig), 'utf8')) as { scrape_configs: Job[]; rule_files?: string[] };
    const job = (name: string) => prom.scrape_configs.find((j) => j.job_name === name)!;
    expect(job('agency-os-api').dns_sd_configs).toEqual([expect.objectContaining({ names: ['api'], type: 'A', port: 3000 })]);
    const metricsPort = Number(full.services.worker.environment?.WORKER_METRICS_PORT);
    expect(metricsPort).toBe(9464);
    expect(job('agency-os-worker').dns_sd_configs).toEqual([expect.objectContaining({ names: ['worker'], type: 'A', port: metricsPort })]);
    const temporalMetrics = String(full.services.temporal.environment?.PROMETHEUS_ENDPOINT).split(':')[1];
    expect(job('temporal-server').static_configs).toEqual([{ targets: [`temporal:${temporalMetrics}`] }]);

    // The app's endpoints: /metrics (src/api/routes/metrics.ts, src/observability/worker-metrics.ts),
    // bound on every interface of the container (HOST defaults to 127.0.0.1, unreachable from Prometheus).
    for (const role of ['api', 'worker']) expect([role, full.services[role].environment?.HOST]).toEqual([role, '0.0.0.0']);
    // With METRICS_TOKEN required by the app, each app scrape sends it as a bearer token read from a
    // compose secret that carries the same variable into the Prometheus container.
    expect(full.services.api.environment?.METRICS_TOKEN).toBe('${METRICS_TOKEN:?set METRICS_TOKEN (16+ characters)}');
    expect(full.services.worker.environment?.METRICS_TOKEN).toBe(full.services.api.environment?.METRICS_TOKEN);
    for (const name of ['agency-os-api', 'agency-os-worker']) {
      const j = job(name);
      expect([name, j.metrics_path]).toEqual([name, '/metrics']);
      expect([name, j.authorization?.type ?? 'Bearer', j.authorization?.credentials]).toEqual([name, 'Bearer', undefined]);
      const secret = /^\/run\/secrets\/([\w-]+)$/.exec(j.authorization?.credentials_file ?? '')?.[1];
      expect([name, secret]).toEqual([name, expect.any(String)]);
      expect(full.services.prometheus.secrets).toContain(secret);
      expect(full.secrets?.[secret!]).toEqual({ environment: 'METRICS_TOKEN' });
    }
    // Every rule file Prometheus loads is mounted from the repository.
    expect(prom.rule_files?.length).toBeGreaterThan(0);
    for (const file of prom.rule_files ?? []) {
      const src = mounts.get(file);
      expect([file, src !== undefined && existsSync(join(ROOT_DIR, src))]).toEqual([file, true]);
    }
  });

  it('provisions Grafana with the Prometheus data source and the committed dashboard', () => {
    const mounts = new Map(hostMounts(full.services.grafana).map(([src, dest]) => [dest, src]));
    const provisioning = mounts.get('/etc/grafana/provisioning')!;
    const datasources = parse(readFileSync(join(ROOT_DIR, provisioning, 'datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    expect(datasources.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', url: 'http://prometheus:9090' })]);
    const providers = parse(readFileSync(join(ROOT_DIR, provisioning, 'dashboards/agency-os.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    const dashboardsDir = mounts.get(providers.providers[0].options.path)!;
    expect(dashboardsDir).toBeDefined();

    const dashboard = JSON.parse(readFileSync(join(ROOT_DIR, dashboardsDir, 'agency-os.json'), 'utf8')) as {
      uid: string;
      panels: Array<{ id: number; title: string; datasource: { uid: string }; targets: Array<{ expr: string; datasource: { uid: string } }> }>;
    };
    expect(dashboard.uid).toBe('agency-os-overview');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    expect(new Set(dashboard.panels.map((p) => p.title)).size).toBe(dashboard.panels.length);
    const prom = parse(readFileSync(join(ROOT_DIR, 'deploy/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string }> };
    const jobs = prom.scrape_configs.map((j) => j.job_name);
    const exprs = dashboard.panels.flatMap((p) => {
      expect([p.title, p.datasource.uid]).toEqual([p.title, 'prometheus']);
      expect(p.targets.length).toBeGreaterThan(0);
      return p.targets.map((t) => t.expr);
    });
    // Every job a query names is one Prometheus scrapes, and both app targets have panels.
    for (const expr of exprs) {
      for (const [, name] of expr.matchAll(/job="([^"]+)"/g)) expect([expr, jobs.includes(name)]).toEqual([expr, true]);
    }
    expect(exprs.some((e) => e.includes('agency-os-api'))).toBe(true);
    expect(exprs.some((e) => e.includes('agency-os-worker'))).toBe(true);
  });
});
