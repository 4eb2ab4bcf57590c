// Outbound webhook delivery benchmark: a burst of BENCH_EVENTS (default 1,000) events for one client
// with one endpoint, a receiver on loopback that verifies every signature with `standardwebhooks`,
// and the production path in between: emitEvent in its own transaction per event → NOTIFY → the
// worker's dispatcher → webhookDeliveryWorkflow per event → signed POST. Real PostgreSQL (embedded)
// and a real Temporal dev server, started as the test harness starts them; everything in this process.
// Figures: deliveries/s (events over the time from the first event's commit to the last first
// attempt) and the p50/p99 of event → first delivery attempt (the event row's createdAt to the
// receiver's arrival time; one machine, one clock).
// Last line: `deliveries: per_s=<n> p50_ms=<n> p99_ms=<n> verified=<n>/<n>`. Run: npm run bench:deliveries
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { buildActivityDeps } from '../src/composition';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { emitEvent } from '../src/engines/events';
import { encryptSecret, generateEndpointSecret } from '../src/engines/webhooks-out/secret';
import { startWebhookDispatcher } from '../src/lifecycle/webhook-dispatcher';
import { createLogger } from '../src/logger';
import { freePort } from '../src/net/free-port';
import { buildWorkflowBundle } from '../src/worker';
import { findTemporalCli } from '../temporal/cli';
import { installTemporalRuntime } from '../temporal/pino-logger';
import { registerSearchAttributes } from '../temporal/search-attributes';

const EVENTS = Math.max(1, Math.min(Number(process.env.BENCH_EVENTS ?? 1000) || 1000, 10_000));
const LEADS = 50;
const EMITTERS = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'agency-os-bench-'));
  chmodSync(dir, 0o755); // embedded PostgreSQL's `postgres` user must traverse it
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const logger = createLogger('silent');
    installTemporalRuntime(logger);
    console.log('starting PostgreSQL and the Temporal dev server…');
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), throwaway: true });
    stops.push(pg.stop);
    await ensureDatabase(pg.url('postgres'), 'bench');
    const databaseUrl = pg.url('bench');
    await applyMigrations(databaseUrl);
    const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
    if (!cli) throw new Error('Temporal CLI not found: run bash temporal/setup-tools.sh');
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', port: await freePort(), ui: false },
    });
    stops.push(() => env.teardown());
    await registerSearchAttributes(env.connection, 'default');

    const taskQueue = 'bench-deliveries';
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: dir,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PUBLIC_URL: 'http://127.0.0.1',
      SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef0123456789',
      CALLBACK_ALLOW_PRIVATE_HOSTS: 'true',
    });
    const db = createDb(databaseUrl, { max: 30 });
    stops.push(() => db.$disconnect());
    const temporal = env.client;
    console.log('bundling workflows and starting the worker…');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: await buildWorkflowBundle(),
      activities: createActivities(buildActivityDeps({ config, db, logger, temporal, taskQueue, signingSecret: config.SIGNING_SECRET! })),
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const dispatcher = startWebhookDispatcher({ databaseUrl, db, temporal, taskQueue, windowSeconds: config.WEBHOOK_RETRY_WINDOW_SECONDS, logger });
    stops.push(() => dispatcher.stop());

    // The client's receiver: first arrival per webhook-id, every signature verified.
    const secret = generateEndpointSecret();
    const verifier = new Webhook(secret);
    const firstArrival = new Map<string, number>();
    let verified = 0;
    let rejected = 0;
    let allArrived: () => void = () => undefined;
    const arrived = new Promise<void>((r) => (allArrived = r));
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = Date.now();
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          verifier.verify(body, req.headers as Record<string, string>);
          verified++;
        } catch {
          // Counted: the last line reports verified/total, so a bad signature shows there.
          rejected++;
        }
        const id = String(req.headers['webhook-id']);
        if (!firstArrival.has(id)) firstArrival.set(id, at);
        res.writeHead(200).end();
        if (firstArrival.size >= EVENTS) allArrived();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => server.close(r)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const client = await db.client.create({ data: { name: 'Bench agency', slug: 'bench-agency', subscriptionStatus: 'active' } });
    await db.webhookEndpoint.create({ data: { clientId: client.id, url, eventTypes: [], secretEncrypted: encryptSecret(secret, config.SIGNING_SECRET!) } });
    const leads: { id: string }[] = [];
    for (let i = 0; i < LEADS; i++) leads.push(await db.lead.create({ data: { clientId: client.id, email: `lead-${i}@bench.example`, firstName: 'Lead' } }));
    // Warm-up: one delivery through the whole path (bundle caches, connections).
    await db.$transaction((tx) => emitEvent(tx, { clientId: client.id, type: 'webhook.test', data: { warmup: true } }));
    while (firstArrival.size < 1) await new Promise((r) => setTimeout(r, 50));
    firstArrival.clear();
    verified = 0;

    console.log(`burst: ${EVENTS} events from ${EMITTERS} concurrent emitters, one transaction each…`);
    const createdAt = new Map<string, number>();
    let next = 0;
    const emitter = async () => {
      while (next < EVENTS) {
        const i = next++;
        const e = await db.$transaction(
          (tx) => emitEvent(tx, { clientId: client.id, type: 'reply.received', leadId: leads[i % LEADS].id, data: { intent: 'interested', n: i } }),
          // The worker's activities share the pool during the burst: wait for a connection, do not fail.
          { maxWait: 30_000, timeout: 30_000 },
        );
        createdAt.set(e.id, e.createdAt.getTime());
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: EMITTERS }, emitter));
    const emitted = Date.now();
    const timeout = new Promise<never>((_r, reject) =>
      setTimeout(() => reject(new Error(`only ${firstArrival.size} of ${EVENTS} arrived in 10 minutes`)), 600_000).unref(),
    );
    await Promise.race([arrived, timeout]);

    const lat = [...createdAt].map(([id, at]) => (firstArrival.get(id) ?? NaN) - at).sort((a, b) => a - b);
    const firstEvent = Math.min(...createdAt.values());
    const lastArrival = Math.max(...[...createdAt.keys()].map((id) => firstArrival.get(id) ?? 0));
    const perSecond = EVENTS / ((lastArrival - firstEvent) / 1000);
    const p50 = percentile(lat, 50);
    const p99 = percentile(lat, 99);
    console.log(`emitting took ${emitted - started} ms; last first-attempt ${lastArrival - firstEvent} ms after the first event`);
    console.log(`event → first delivery attempt: p50 ${p50} ms, p99 ${p99} ms, max ${lat[lat.length - 1]} ms`);
    return `deliveries: per_s=${perSecond.toFixed(0)} p50_ms=${p50} p99_ms=${p99} verified=${verified}/${verified + rejected}`;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (line) => {
    console.log(line);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
