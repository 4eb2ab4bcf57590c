// npm run chaos [-- --leads 400 --kills 20 --interval 3 --latency-ms 400 --temporal-restarts 1]
// Crash test from outside: a campaign sends every lead's first touch through the real Postmark
// driver to a slow local fake while the worker process (bench/chaos-worker.ts) is SIGKILLed every
// few seconds and restarted, and the Temporal dev server is stopped and started again mid-run.
// Afterwards every lead must have exactly one email at the provider and no workflow may have failed.
//   sends       emails the provider accepted
//   duplicates  emails beyond the first per lead (must be 0)
//   missing     leads with no email (must be 0)
// Kills come at random moments 0.5–1.5 intervals after each worker process starts polling, held back
// (up to 10 s) until some send is in flight.
//   stranded_p99_s  for every send caught by a kill (its ledger row reserved or sending at the
//               moment of the kill), the time until the ledger showed it sent; the 99th percentile
// Exit code 0 = PASS. Not part of `npm test` (it takes minutes).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { startEmailCampaign } from './email-campaign';
import { Client } from '@temporalio/client';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { createDb } from '../src/db/client';
import { createLogger } from '../src/logger';
import { buildWorkflowBundle } from '../src/worker';
import { connectTemporal } from '../src/lifecycle/temporal';
import { startDevServer, type DevServerHandle } from '../temporal/dev-server';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { installTemporalRuntime } from '../temporal/pino-logger';
import { freePort } from '../src/net/free-port';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN } from '../test/fakes/postmark-fake';

const { values: args } = parseArgs({
  options: {
    leads: { type: 'string', default: '400' },
    kills: { type: 'string', default: '20' },
    /** Seconds between kills. */
    interval: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '400' },
    'temporal-restarts': { type: 'string', default: '1' },
    /** How long to wait, after the last kill, for every first touch. */
    'recovery-minutes': { type: 'string', default: '10' },
  },
});
const LEADS = Number(args.leads);
const KILLS = Number(args.kills);
const INTERVAL_MS = Number(args.interval) * 1000;
const RESTARTS = Number(args['temporal-restarts']);

const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-chaos-'));
  chmodSync(dir, 0o755); // embedded PostgreSQL runs as `postgres` when we are root
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), throwaway: true });
  const url = pg.url('postgres');
  await applyMigrations(url);
  installTemporalRuntime(createLogger('fatal')); // before the dev server starts the SDK's runtime
  const temporalPort = await freePort();
  const uiPort = await freePort();
  const startTemporal = () => startDevServer({ dataDir: join(dir, 'temporal'), port: temporalPort, uiPort, namespace: 'default' });
  let server: DevServerHandle | undefined = await startTemporal();
  const connection = await connectTemporal(server.address);
  await registerSearchAttributes(connection, 'default');
  const temporal = new Client({ connection, namespace: 'default' });
  const postmark = await startPostmarkFake();
  postmark.setLatency(Number(args['latency-ms']));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await buildWorkflowBundle()).code);
  const taskQueue = `chaos-${randomUUID().slice(0, 8)}`;

  // The worker process, restarted whenever it is gone (killed by us, or dead on its own).
  let child: ChildProcess | undefined;
  /** Resolves when the current worker process polls its task queue. */
  let ready: Promise<void> = Promise.resolve();
  let finished = false;
  let spawns = 0;
  const spawnWorker = () => {
    spawns++;
    const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'chaos-worker.ts')], {
      env: {
        ...process.env,
        CHAOS_TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        CHAOS_TASK_QUEUE: taskQueue,
        CHAOS_DATABASE_URL: url,
        CHAOS_BUNDLE_PATH: bundlePath,
        CHAOS_POSTMARK_URL: postmark.url,
        CHAOS_POSTMARK_TOKEN: POSTMARK_FAKE_TOKEN,
        CHAOS_SIGNING_SECRET: 'chaos-signing-secret-0123456789abcdef0123456789',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    ready = new Promise((resolve) => {
      proc.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      proc.on('exit', () => resolve());
    });
    proc.on('exit', () => {
      if (child === proc) child = undefined;
      if (!finished && child === undefined) setTimeout(() => !finished && child === undefined && (child = spawnWorker()), 200);
    });
    return proc;
  };
  child = spawnWorker();

  const db = createDb(url, { max: 5 });
  const { campaign, leads } = await startEmailCampaign(db, temporal, taskQueue, { name: 'Chaos', leads: LEADS });
  log(`campaign started: ${LEADS} leads, provider latency ${args['latency-ms']} ms; killing the worker every ${args.interval} s`);

  // When each first touch was first seen sent in the ledger (polled).
  const sentSeen = new Map<string, number>();
  const firstTouches = { campaignId: campaign.id, touchNumber: 1 };
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const rows = await db.sendLedger.findMany({ where: { ...firstTouches, state: 'sent' }, select: { idempotencyKey: true } }).catch(() => []);
      const now = Date.now();
      for (const r of rows) if (!sentSeen.has(r.idempotencyKey)) sentSeen.set(r.idempotencyKey, now);
      await sleep(250);
    }
  })();

  const caught: { key: string; killedAt: number }[] = [];
  let kills = 0;
  let restarts = 0;
  const restartEvery = RESTARTS > 0 ? Math.max(1, Math.floor(KILLS / (RESTARTS + 1))) : Infinity;
  while (kills < KILLS) {
    // Each kill lands while the worker is working: some time (0.5–1.5 × the interval) after it polls.
    await ready;
    await sleep(INTERVAL_MS * (0.5 + Math.random()));
    // Aim the kill at a moment with sends in flight (up to 10 s more), while any are left to send.
    const inFlightNow = () => db.sendLedger.findMany({ where: { ...firstTouches, state: { in: ['reserved', 'sending'] } }, select: { idempotencyKey: true } });
    let inFlight = await inFlightNow();
    for (let waited = 0; inFlight.length === 0 && waited < 10_000 && sentSeen.size < LEADS; waited += 100) {
      await sleep(100);
      inFlight = await inFlightNow();
    }
    const victim = child;
    if (victim) {
      const killedAt = Date.now();
      victim.kill('SIGKILL');
      kills++;
      for (const r of inFlight) caught.push({ key: r.idempotencyKey, killedAt });
      log(`kill ${kills}: ${inFlight.length} sends in flight, ${sentSeen.size}/${LEADS} sent so far`);
    }
    if (restarts < RESTARTS && kills % restartEvery === 0 && server) {
      await server.stop();
      log('Temporal stopped');
      await sleep(5_000);
      server = await startTemporal();
      restarts++;
      log('Temporal started again');
    }
  }

  const deadline = Date.now() + Number(args['recovery-minutes']) * 60_000;
  while (sentSeen.size < LEADS && Date.now() < deadline) await sleep(500);
  const allSentAt = sentSeen.size === LEADS ? Date.now() : null;
  await sleep(5_000); // a moment for a late duplicate to arrive
  polling = false;
  await poller;

  const perLead = leads.map((l) => postmark.sent.filter((m) => m.To.includes(l.email!)).length);
  const duplicates = perLead.reduce((n, k) => n + Math.max(0, k - 1), 0);
  const missing = perLead.filter((k) => k === 0).length;
  const stranded = caught.map((x) => ((sentSeen.get(x.key) ?? Date.now()) - x.killedAt) / 1000);
  const failed: string[] = [];
  for await (const wf of temporal.workflow.list({ query: `CampaignId = "${campaign.id}" AND ExecutionStatus = "Failed"` })) failed.push(wf.workflowId);
  const ok = allSentAt !== null && duplicates === 0 && missing === 0 && failed.length === 0;

  console.log('');
  console.log(`worker processes started: ${spawns}; Temporal restarts: ${restarts}; sends caught by a kill: ${caught.length}`);
  console.log(
    `stranded seconds: p50=${percentile(stranded, 50).toFixed(1)} p99=${percentile(stranded, 99).toFixed(1)} max=${percentile(stranded, 100).toFixed(1)}`,
  );
  console.log(`failed workflows: ${failed.length}${failed.length ? ` ${failed.slice(0, 5).join(', ')}` : ''}`);
  console.log(
    `chaos: sends=${postmark.sent.length} kills=${kills} temporal_restarts=${restarts} duplicates=${duplicates} missing=${missing} stranded_p99_s=${percentile(stranded, 99).toFixed(1)} failed_workflows=${failed.length}`,
  );
  console.log(ok ? 'PASS' : 'FAIL');

  finished = true;
  child?.kill('SIGKILL');
  await connection.close();
  await server?.stop();
  await db.$disconnect();
  await postmark.close();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
