// The worker's Prometheus port (WORKER_METRICS_PORT). The Temporal SDK's own worker metrics come from
// its Core runtime's exporter (schedule-to-start latency, task slots, sticky cache, polls…), which
// listens on an internal loopback port and has no authentication: this server answers the scrape
// with that exporter's text, plus this process's own metrics when no API in the process serves them
// (ROLE=worker), behind the same optional METRICS_TOKEN as GET /metrics.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { exposition, joinExpositions, scrapeAllowed } from './metrics';

const CORE_TIMEOUT_MS = 2_000;

export interface WorkerMetricsOptions {
  host: string;
  port: number;
  /** The Core runtime's exporter, e.g. http://127.0.0.1:40123/metrics. */
  coreUrl: string;
  /** Add this process's own metrics (true when the process runs no API). */
  includeProcess: boolean;
  token?: string;
  logger: Pick<Logger, 'warn'>;
}

export interface WorkerMetricsServer {
  port: number;
  stop(): Promise<void>;
}

async function coreText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(CORE_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`Temporal runtime metrics answered ${res.status}`);
  return res.text();
}

export async function startWorkerMetricsServer(opts: WorkerMetricsOptions): Promise<WorkerMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: scrape GET /metrics\n');
      return;
    }
    if (!scrapeAllowed(req.headers.authorization, opts.token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }).end('the metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    void (async () => {
      const own = opts.includeProcess ? await exposition({ state: false }) : null;
      let core = '';
      try {
        core = await coreText(opts.coreUrl);
      } catch (err) {
        // The process's own series still answer; the missing temporal_* series are the signal.
        opts.logger.warn({ err }, 'worker metrics: the Temporal runtime exporter did not answer');
      }
      res.writeHead(200, { 'Content-Type': own?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(joinExpositions(core, own?.body ?? ''));
    })().catch((err: unknown) => {
      opts.logger.warn({ err }, 'worker metrics: scrape failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
