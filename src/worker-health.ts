// The worker's health endpoint (ROLE=worker has no API): GET /health/ready answers 200 only while the
// Temporal worker is RUNNING (polling its task queue), 503 otherwise (starting, draining, stopped or
// failed); GET /health/live answers 200 while the process serves requests. Container healthchecks use
// it, so a worker whose poller died is reported unhealthy even though its process is still there.
import { createServer, type Server } from 'node:http';
import type { State } from '@temporalio/worker';

export interface WorkerHealthServer {
  port: number;
  stop(): Promise<void>;
}

export async function startWorkerHealthServer(opts: { host: string; port: number; state: () => State }): Promise<WorkerHealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, { error: 'method not allowed' });
    if (path === '/health/live') return reply(200, { status: 'ok' });
    if (path === '/health/ready' || path === '/health') {
      const state = opts.state();
      return reply(state === 'RUNNING' ? 200 : 503, { status: state === 'RUNNING' ? 'ok' : 'unavailable', worker: state });
    }
    reply(404, { error: 'not found' });
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
