// The composition root: what each role is made of, wired once. main.ts connects the infrastructure
// (database, Temporal, tracing) and asks for the roles it runs; the worker role is the Temporal
// worker with its activities' dependencies, its metrics, the client-webhook dispatcher and webhook
// processing; the API role is the Express app on its port. Tests and benchmarks build the same
// dependencies through `apiDeps` and `buildActivityDeps`, so nothing is wired twice.
import type { Server } from 'node:http';
import type { Client as TemporalClient } from '@temporalio/client';
import type { ActivityDeps, ActivityLifecycle } from '../activities/deps';
import { createApp } from './api/app';
import type { ApiDeps } from './api/deps';
import type { Config } from './config';
import type { Db } from './db/client';
import { createSqlPool } from './db/sql';
import { normalizePhone } from './engines/compliance/suppression';
import { createChannelProviders } from './integrations/channel-registry';
import { HttpDncrDriver, SandboxDncrDriver, type DncrDriver } from './integrations/dncr/dncr';
import { PrismaSandboxRecorder } from './integrations/sandbox/prisma-recorder';
import { notifyLeadsAdded, startCampaignWorkflow } from './lifecycle/campaigns';
import { wakeCreditWaiters } from './lifecycle/credits';
import { startEnrichment } from './lifecycle/enrichment';
import { startInboxProcessing } from './lifecycle/inbox-processing';
import { replyProcessingDeps } from './lifecycle/replies';
import { telegramBotDeps } from './lifecycle/telegram-bot';
import { dispatchOutbound } from './lifecycle/webhook-deliveries';
import { startWebhookDispatcher } from './lifecycle/webhook-dispatcher';
import type { Logger } from './logger';
import type { Tracing } from './observability/tracing';
import { startWorkerMetricsServer } from './observability/worker-metrics';
import { resolveSigningSecret } from './shared/signing-secret';
import { createWorker } from './worker';
import { startWorkerHealthServer } from './worker-health';

/** What every role is built on: connected once per process. */
export interface Infrastructure {
  config: Config;
  logger: Logger;
  db: Db;
  databaseUrl: string;
  temporal: TemporalClient;
  temporalAddress: string;
  tracing: Tracing | null;
  version: string;
}

/** Something a role started, stopped in reverse order of starting. */
export interface Stop {
  name: string;
  stop: () => Promise<unknown>;
}

export function dncrDriver(config: Config): DncrDriver {
  if (config.DNCR_API_KEY && config.DNCR_BASE_URL) return new HttpDncrDriver(config.DNCR_BASE_URL, config.DNCR_API_KEY);
  const registered = (config.DNCR_SANDBOX_REGISTERED ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((p) => normalizePhone(p));
  return new SandboxDncrDriver(registered);
}

/** The activities' dependencies: real provider drivers where credentials are set, sandbox drivers
 * otherwise, and the lifecycle operations bound to Temporal. */
export function buildActivityDeps(a: {
  config: Config;
  db: Db;
  logger: Logger;
  temporal: TemporalClient;
  taskQueue: string;
  signingSecret: string;
}): ActivityDeps {
  const { db, temporal, taskQueue, config, logger } = a;
  const lifecycle: ActivityLifecycle = {
    startEnrichment: (batch) => startEnrichment(temporal, taskQueue, batch),
    startCampaignWorkflow: (c, resumeFrom) => startCampaignWorkflow(temporal, taskQueue, c, resumeFrom),
    notifyLeadsAdded: (campaignId, count) => notifyLeadsAdded(temporal, campaignId, count),
    wakeCreditWaiters: (clientId) => wakeCreditWaiters(temporal, db, clientId),
    dispatchOutbound: (opts) => dispatchOutbound({ db, temporal, taskQueue, windowSeconds: config.WEBHOOK_RETRY_WINDOW_SECONDS }, opts),
    replyProcessing: () => replyProcessingDeps({ db, temporal, config, logger }),
    telegramBot: () => telegramBotDeps({ db, temporal, taskQueue, config, logger }),
  };
  return {
    db,
    logger,
    config,
    temporal,
    taskQueue,
    lifecycle,
    channels: createChannelProviders(config, new PrismaSandboxRecorder(db)),
    dncr: dncrDriver(config),
    signingSecret: a.signingSecret,
    publicUrl: config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
  };
}

export function apiDeps(infra: Infrastructure): ApiDeps {
  const { config, logger, db, temporal, version, tracing } = infra;
  return { config, logger, db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, version, tracing: tracing !== null };
}

/**
 * The worker role: the Temporal worker, its metrics server (when the native runtime exports on
 * `coreMetricsPort`), the client-webhook dispatcher, webhook processing and, for ROLE=worker, the
 * health endpoint. Pushes what it starts onto `stops`. A worker that dies on its own takes the
 * process down (SIGTERM to itself) rather than leaving a half-alive service.
 */
export async function startWorkerRole(infra: Infrastructure, stops: Stop[], opts: { coreMetricsPort?: number; withApi: boolean }): Promise<void> {
  const { config, logger, db, databaseUrl, temporal, tracing } = infra;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const { worker, connection } = await createWorker({
    address: infra.temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    deps: buildActivityDeps({ config, db, logger, temporal, taskQueue, signingSecret: resolveSigningSecret(config) }),
    tracing,
  });
  const running = worker.run();
  stops.push({ name: 'worker connection', stop: () => connection.close() });
  stops.push({
    name: 'worker',
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  });
  if (opts.coreMetricsPort) {
    try {
      const metrics = await startWorkerMetricsServer({
        host: config.HOST,
        port: config.WORKER_METRICS_PORT,
        coreUrl: `http://127.0.0.1:${opts.coreMetricsPort}/metrics`,
        // With the API in this process, its GET /metrics serves the process's own series.
        includeProcess: !opts.withApi,
        token: config.METRICS_TOKEN,
        logger,
      });
      stops.push({ name: 'worker metrics server', stop: metrics.stop });
      logger.info({ port: metrics.port }, 'worker metrics listening');
    } catch (err) {
      // A worker without its metrics is a deployment mistake; `npm start` on a machine where the
      // port is taken still runs (the API's /metrics has the rest), and says so.
      if (!opts.withApi)
        throw new Error(`worker metrics port ${config.WORKER_METRICS_PORT}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      logger.warn(
        { port: config.WORKER_METRICS_PORT, err: err instanceof Error ? err.message : String(err) },
        'worker metrics port unavailable: Temporal worker metrics not served (set WORKER_METRICS_PORT, 0 for none)',
      );
    }
  }
  // Client webhooks: deliveries start as soon as events are committed (LISTEN/NOTIFY + a short poll).
  const dispatcher = startWebhookDispatcher({ databaseUrl, db, temporal, taskQueue, windowSeconds: config.WEBHOOK_RETRY_WINDOW_SECONDS, logger });
  stops.push({ name: 'webhook dispatcher', stop: () => dispatcher.stop() });
  // Accepted webhooks (any API replica's), woken by their inbox rows' NOTIFY; at start it also
  // takes the rows a previous process accepted but never tried.
  const inbox = startInboxProcessing({ databaseUrl, db, temporal, taskQueue, config, logger });
  // Work in hand is finished (up to 10 s) before the worker stops (stops run in reverse).
  stops.push({ name: 'webhook processing', stop: () => inbox.stop(10_000) });
  if (config.ROLE === 'worker' && config.WORKER_HEALTH_PORT !== 0) {
    const health = await startWorkerHealthServer({ host: config.HOST, port: config.WORKER_HEALTH_PORT, state: () => worker.getState() });
    stops.push({ name: 'worker health endpoint', stop: () => health.stop() });
    logger.info({ port: health.port }, 'worker health endpoint listening');
  }
  running.catch((err: unknown) => {
    logger.fatal({ err }, 'worker stopped unexpectedly');
    process.kill(process.pid, 'SIGTERM');
  });
}

/** The API role: the Express app listening on HOST:PORT. */
export async function startApiRole(infra: Infrastructure, stops: Stop[]): Promise<Server> {
  const { config } = infra;
  // Stopped after the server (stops run in reverse): requests in flight finish their INSERT first.
  const inboxSql = createSqlPool(infra.databaseUrl);
  stops.push({ name: 'inbox pool', stop: () => inboxSql.end() });
  const app = createApp({ ...apiDeps(infra), inboxSql: inboxSql.query });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  stops.push({
    name: 'API server',
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  return server;
}
