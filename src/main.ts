// `npm start`: embedded PostgreSQL and Temporal dev server when no external ones are configured,
// migrations, search attributes, then the API and the worker. Demo data (a client and a
// platform-admin key) is created only on the embedded database; production gets its first admin
// from `npm run admin -- create`. Ctrl-C stops everything this process started, in reverse order.
// Everything done at start is safe when several replicas start at once on an empty database.
import { connectTemporal, temporalClient } from './lifecycle/temporal';
import { ConfigError, loadConfig, type Config } from './config';
import { createDb, type Db } from './db/client';
import { applyMigrations } from './db/migrate';
import { createLogger, redactUrl, resolveLogFormat, type Logger } from './logger';
import { seedDemo } from './seed';
import { syncSkills } from './engines/skill-runs/library';
import { syncPlaybooks } from './engines/playbooks/library';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { installTemporalRuntime } from '../temporal/pino-logger';
import { registerSchedules } from '../temporal/schedules';
import { join } from 'node:path';
import { freePort } from './net/free-port';
import { enableProcessMetrics } from './observability/metrics';
import { startTracing } from './observability/tracing';
import { startApiRole, startWorkerRole, type Infrastructure, type Stop } from './composition';

const DATABASE_NAME = 'agency_os';
const VERSION = process.env.npm_package_version ?? '0.1.0';

async function run(config: Config, logger: Logger, stops: Stop[]): Promise<void> {
  const wantsApi = config.ROLE !== 'worker';
  const wantsWorker = config.ROLE !== 'api';
  if (config.ROLE !== 'all' && (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS)) {
    throw new Error(`ROLE=${config.ROLE} needs DATABASE_URL and TEMPORAL_ADDRESS (embedded servers run only with ROLE=all)`);
  }
  if (config.ROLE !== 'all' && !config.SIGNING_SECRET) {
    // A secret generated per replica would make one replica's unsubscribe links and callbacks
    // unverifiable by the others.
    throw new Error(`ROLE=${config.ROLE} needs SIGNING_SECRET (32+ characters), the same for every replica`);
  }

  // Before anything touches Temporal's native runtime (the dev server launcher does). A worker's
  // runtime exports its metrics on a loopback port the worker metrics server reads (and guards).
  const coreMetricsPort = wantsWorker && config.WORKER_METRICS_PORT ? await freePort() : undefined;
  installTemporalRuntime(logger, coreMetricsPort ? { prometheusBindAddress: `127.0.0.1:${coreMetricsPort}` } : undefined);

  // Before the Temporal client and the API that carry traces. Stopped last (stops run in reverse):
  // what the other parts record while they stop is flushed too.
  const tracing = await startTracing(config, { version: VERSION });
  if (tracing) {
    stops.push({ name: 'tracing', stop: () => tracing.shutdown() });
    logger.info({ service: tracing.provider.resource.attributes['service.name'] }, 'tracing on: spans exported over OTLP');
  }

  let databaseUrl = config.DATABASE_URL;
  const embeddedDatabase = !databaseUrl;
  if (!databaseUrl) {
    // Loaded only here: production (ROLE=api|worker) never needs the development servers' packages.
    const { ensureDatabase, startEmbeddedPostgres } = await import('./db/embedded-postgres');
    const pg = await startEmbeddedPostgres({
      dataDir: join(config.DATA_DIR, 'postgres'),
      port: config.PG_PORT,
      onLog: (line) => logger.debug({ component: 'postgres' }, line),
    });
    stops.push({ name: 'embedded PostgreSQL', stop: pg.stop });
    await ensureDatabase(pg.url('postgres'), DATABASE_NAME);
    databaseUrl = pg.url(DATABASE_NAME);
    logger.info({ port: pg.port }, 'embedded PostgreSQL started');
  }
  const { applied } = await applyMigrations(databaseUrl);
  logger.info({ applied, database: redactUrl(databaseUrl) }, 'migrations up to date');

  let address = config.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!address) {
    const { startDevServer } = await import('../temporal/dev-server');
    const dev = await startDevServer({
      dataDir: join(config.DATA_DIR, 'temporal'),
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      namespace: config.TEMPORAL_NAMESPACE,
      cliPath: config.TEMPORAL_CLI_PATH,
    });
    stops.push({ name: 'Temporal dev server', stop: dev.stop });
    address = dev.address;
    uiUrl = dev.uiUrl;
    logger.info({ address }, 'Temporal dev server started');
  }
  const connection = await connectTemporal(address);
  stops.push({ name: 'Temporal client', stop: () => connection.close() });
  const added = await registerSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
  if (added.length) logger.info({ added }, 'search attributes registered');
  const temporal = temporalClient(connection, config.TEMPORAL_NAMESPACE, tracing);
  if (wantsWorker) {
    const schedules = await registerSchedules(temporal, { taskQueue: config.TEMPORAL_TASK_QUEUE, timeZone: config.SCHEDULE_TIME_ZONE });
    logger.info(schedules, 'sweep schedules registered');
  }

  const db: Db = createDb(databaseUrl);
  stops.push({ name: 'database pool', stop: () => db.$disconnect() });
  const seeded = embeddedDatabase ? await seedDemo(db) : { created: false as const };
  const skills = await syncSkills(db);
  logger.info(skills, 'skills synced from skills/');
  // A changed folder never replaces a version made through the API: say so, an operator may want to publish it.
  if (skills.kept.length) logger.warn({ kept: skills.kept }, 'skills/ folders changed but the API edits of these skills were kept');
  // After the skills: a playbook's steps name them.
  const playbooks = await syncPlaybooks(db);
  logger.info(playbooks, 'playbooks synced from playbooks/');

  const infra: Infrastructure = { config, logger, db, databaseUrl, temporal, temporalAddress: address, tracing, version: VERSION };
  if (wantsWorker) await startWorkerRole(infra, stops, { coreMetricsPort, withApi: wantsApi });

  if (wantsApi) {
    await startApiRole(infra, stops);
    const apiUrl = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}/api/v1`;
    const lines = ['', 'Agency OS is running', `  API          ${apiUrl}`];
    if (uiUrl) lines.push(`  Temporal UI  ${uiUrl}`);
    if (seeded.created) {
      // Printed to the terminal, never to the log stream: the key is shown this once and not stored.
      lines.push(`  Demo client  ${seeded.clientId}`, `  Demo API key ${seeded.apiKey}   (shown on first start only)`);
    } else if (!embeddedDatabase && (await db.user.count({ where: { isPlatformAdmin: true, deletedAt: null } })) === 0) {
      lines.push('  No platform admin yet: npm run admin -- create --email <you@example.com>');
    }
    lines.push('  Ctrl-C stops everything.', '');
    process.stdout.write(lines.join('\n') + '\n');
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL, undefined, resolveLogFormat(config.LOG_FORMAT, process.stdout.isTTY));
  enableProcessMetrics();
  const stops: Stop[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const s of stops.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, `stopping ${s.name} failed`);
      }
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        process.stderr.write('forced exit\n');
        process.exit(130);
      }
      logger.info({ signal }, 'shutting down');
      void shutdown(0);
    });
  }
  try {
    await run(config, logger, stops);
  } catch (err) {
    // One clear line; stacks go to the debug log only.
    logger.debug({ err }, 'start-up failed');
    process.stderr.write(`Agency OS failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
  }
}

void main();
