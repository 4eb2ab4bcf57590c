// Webhook benchmark, one process layout for every measurement: the API and the Temporal worker run in
// this process on loopback; webhook processing runs as the worker role runs it in production, in its
// own process (bench/inbox-worker.ts), woken by the inbox row's NOTIFY; autocannon runs as a child process. Real PostgreSQL (embedded) and a real
// Temporal dev server, started as the test harness starts them.
//   1. open loop at 50 req/s: one reply per lead with a running sequence, from the webhook POST to the
//      sequence workflow's close time (as Temporal recorded it); first, on a quiet system;
//   2. throughput, in alternating rounds summed per route (BENCH_ROUNDS, default 3): a bare Express 5
//      JSON route vs the real Postmark inbound route (Basic auth, zod, inbox INSERT … ON CONFLICT,
//      2xx; processing in the worker-role process: match, classify, effects, stop).
//      Processing waits while the burst lasts (up to its deferral limit) and drains after it, so the
//      drain time and the sustained rate (requests over load + drain) are printed beside the ratio.
// Last line: `webhooks: ratio=<ours/bare req per s> p99_ms=<ingest p99> stop_p99_ms=<p99> non2xx=<n>`.
// Bounded: fixed durations and request counts, loopback only. Run: npm run bench:webhooks
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import { temporal as proto } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { buildActivityDeps } from '../src/composition';
import { createApp } from '../src/api/app';
import type { ApiDeps } from '../src/api/deps';
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config';
import { createDb, type Db } from '../src/db/client';
import { createSqlPool } from '../src/db/sql';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { addLeadsToCampaign, createCampaign } from '../src/engines/campaigns';
import { notifyLeadsAdded, startCampaignWorkflow, transitionCampaign } from '../src/lifecycle/campaigns';
import { createLogger } from '../src/logger';
import { freePort } from '../src/net/free-port';
import { buildWorkflowBundle } from '../src/worker';
import { findTemporalCli } from '../temporal/cli';
import { installTemporalRuntime } from '../temporal/pino-logger';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { workflowIds } from '../workflows/ids';
import { addCredits } from '../src/engines/credits';

const run = promisify(execFile);
const EventType = proto.api.enums.v1.EventType;

const count = (name: string, dflt: number) => Math.max(1, Math.min(Number(process.env[name] ?? dflt) || dflt, dflt * 10));
const WARMUP = 300;
const SECONDS = count('BENCH_SECONDS', 5);
const ROUNDS = count('BENCH_ROUNDS', 3);
const CONNECTIONS = count('BENCH_CONNECTIONS', 10);
const STOP_LEADS = count('BENCH_STOP_LEADS', 150);
const STOP_RATE_PER_S = 50;
const USER = 'bench-hook';
const PASSWORD = 'bench-hook-password-0123456789';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

interface CannonResult {
  requests: { total: number };
  duration: number;
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function cannon(url: string, body: string, opts: { amount?: number; seconds?: number; auth?: boolean; ids?: boolean }): Promise<CannonResult> {
  const length = opts.seconds !== undefined ? ['-d', String(opts.seconds)] : ['-a', String(opts.amount ?? WARMUP)];
  const args = [require.resolve('autocannon/autocannon.js'), '-j', '-c', String(CONNECTIONS), ...length, '-m', 'POST', '-H', 'Content-Type=application/json'];
  if (opts.auth) args.push('-H', `Authorization=${AUTH}`);
  if (opts.ids) args.push('-I');
  args.push('-b', body, url);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
  return JSON.parse(stdout) as CannonResult;
}

const perSecond = (r: CannonResult) => r.requests.total / Math.max(r.duration, 0.001);

/** Rounds summed; the latency is the worst round's p99. */
function total(rounds: CannonResult[]): CannonResult {
  const sum = (f: (r: CannonResult) => number) => rounds.reduce((a, r) => a + f(r), 0);
  return {
    requests: { total: sum((r) => r.requests.total) },
    duration: sum((r) => r.duration),
    latency: { p99: Math.max(...rounds.map((r) => r.latency.p99)) },
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
  };
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
}

function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (!addr || typeof addr === 'string') return reject(new Error('no address'));
      resolve({ server, url: `http://127.0.0.1:${addr.port}` });
    });
    server.once('error', reject);
  });
}

function inbound(email: string, threadId: string, messageId: string) {
  return {
    MessageID: messageId,
    From: email,
    FromName: 'Lead',
    FromFull: { Email: email, Name: 'Lead', MailboxHash: '' },
    To: 'replies@inbound.agency.example',
    Subject: 'Re: A note',
    Date: new Date().toUTCString(),
    TextBody: 'Thursday at 10am works for me.',
    StrippedTextReply: 'Thursday at 10am works for me.',
    Headers: [
      { Name: 'In-Reply-To', Value: threadId },
      { Name: 'References', Value: threadId },
    ],
    Attachments: [],
  };
}

async function seedClient(db: Db, tag: string) {
  const client = await db.client.create({
    data: {
      name: `Bench ${tag}`,
      slug: `bench-${tag}-${randomUUID().slice(0, 8)}`,
      subscriptionStatus: 'active',
      tier: 'dominance',
      permissionMode: 'copilot',
      senderEmail: 'sam@bench.agency.example',
      postalAddress: '1 Bench St',
    },
  });
  // Credits come through the ledger (src/engines/credits.ts), as in the product.
  await addCredits(db, { clientId: client.id, kind: 'top_up', amount: 100_000, key: `top_up:${client.id}:bench` });
  await db.sendResource.create({ data: { clientId: client.id, channel: 'email', identifier: `mail-${tag}.agency.example`, dailyLimit: 10_000 } });
  return client;
}

async function seedLeadWithSend(db: Db, clientId: string, campaignId: string, i: number) {
  const lead = await db.lead.create({
    data: {
      clientId,
      email: `lead-${i}-${randomUUID().slice(0, 6)}@prospect.example`,
      firstName: 'Jordan',
      companyName: 'Prospect',
      status: 'scored',
      alsTier: 'cold',
      timeZone: 'Australia/Sydney',
      country: 'AU',
    },
  });
  const threadId = `<${randomUUID().replace(/-/g, '')}@mail.bench.example>`;
  await db.sendLedger.create({
    data: {
      clientId,
      campaignId,
      leadId: lead.id,
      idempotencyKey: `bench:${lead.id}:touch:0`,
      channel: 'email',
      touchNumber: 0,
      state: 'sent',
      providerMessageId: randomUUID(),
      threadId,
      sentAt: new Date(),
    },
  });
  return { lead, threadId };
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
    const temporalPort = await freePort();
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', port: temporalPort, ui: false },
    });
    stops.push(() => env.teardown());
    await registerSearchAttributes(env.connection, 'default');

    const taskQueue = 'bench-webhooks';
    const configEnv = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      DATA_DIR: dir,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PUBLIC_URL: 'http://127.0.0.1',
      SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef0123456789',
      POSTMARK_WEBHOOK_USER: USER,
      POSTMARK_WEBHOOK_PASSWORD: PASSWORD,
    };
    const config = loadConfig(configEnv);
    const db = createDb(databaseUrl, { max: 20 });
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

    // Processing as the worker role runs it, in its own process.
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'inbox-worker.ts')], {
      env: { ...process.env, BENCH_INBOX_WORKER: JSON.stringify({ databaseUrl, temporalAddress: `127.0.0.1:${temporalPort}`, taskQueue, env: configEnv }) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const childLines = createInterface({ input: child.stdout });
    const waiting: { line: string; resolve: () => void }[] = [];
    childLines.on('line', (line) => {
      const i = waiting.findIndex((w) => w.line === line);
      if (i >= 0) waiting.splice(i, 1)[0].resolve();
    });
    const childSays = (line: string) => new Promise<void>((resolve) => waiting.push({ line, resolve }));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    stops.push(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    await Promise.race([childSays('ready'), exited.then(() => Promise.reject(new Error('the processing process exited')))]);
    /** Every accepted row processed: notifications may still be on their way when the processor is idle. */
    const drained = async () => {
      for (;;) {
        const idle = childSays('idle');
        child.stdin.write('idle?\n');
        await idle;
        if ((await db.webhookEvent.count({ where: { status: 'pending', attempts: 0 } })) === 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    // As the API role wires it (src/composition.ts): the inbox INSERT on its own pg pool.
    const inboxSql = createSqlPool(databaseUrl);
    stops.push(() => inboxSql.end());
    const deps: ApiDeps = { config, logger, db, inboxSql: inboxSql.query, temporal, taskQueue, version: 'bench' };
    const ours = await listen(createApp(deps));
    stops.push(() => new Promise((r) => ours.server.close(r)));
    const bareApp = express();
    bareApp.use(express.json({ limit: '256kb' }));
    bareApp.post('/hook', (_req, res) => {
      res.status(200).json({ received: true });
    });
    const bare = await listen(bareApp);
    stops.push(() => new Promise((r) => bare.server.close(r)));

    const hookUrl = `${ours.url}/api/v1/webhooks/postmark`;
    // 1. Webhook → sequence closed, open loop at STOP_RATE_PER_S. First, on a quiet system: after the
    // throughput rounds the machine has just run flat out and the inbox holds tens of thousands of rows,
    // which says more about the benchmark than about a reply arriving in production.
    console.log(`stop latency: ${STOP_LEADS} running sequences, one reply each at ${STOP_RATE_PER_S}/s…`);
    const c2 = await seedClient(db, 'stop');
    const camp2 = await createCampaign(db, { clientId: c2.id, name: 'stop latency' });
    const leads = [];
    for (let i = 0; i < STOP_LEADS; i++) leads.push(await seedLeadWithSend(db, c2.id, camp2.id, i));
    await startCampaignWorkflow(temporal, taskQueue, { clientId: c2.id, id: camp2.id });
    await addLeadsToCampaign(db, { clientId: c2.id, campaignId: camp2.id, leadIds: leads.map((l) => l.lead.id) });
    await notifyLeadsAdded(temporal, camp2.id, leads.length);
    await transitionCampaign(temporal, camp2.id, 'start');
    const enrollDeadline = Date.now() + 120_000;
    while ((await db.campaignEnrollment.count({ where: { campaignId: camp2.id, status: 'active' } })) < STOP_LEADS) {
      if (Date.now() > enrollDeadline) throw new Error('sequences did not all start');
      await new Promise((r) => setTimeout(r, 200));
    }
    // Every sequence at its first wait and the campaign idle: no history grew over half a second.
    const quietFrom = performance.now();
    const watched = [workflowIds.campaign(camp2.id), ...leads.map((l) => workflowIds.sequence(camp2.id, l.lead.id))].map((id) =>
      temporal.workflow.getHandle(id),
    );
    const lengths = () => Promise.all(watched.map(async (h) => (await h.describe()).historyLength));
    for (let before = await lengths(); ;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await lengths();
      if (now.every((n, i) => n === before[i])) break;
      if (performance.now() - quietFrom > 120_000) throw new Error('sequences did not settle');
      before = now;
    }
    console.log(`  sequences settled ${((performance.now() - quietFrom) / 1000).toFixed(1)} s after they all started`);

    const sentAt: number[] = [];
    const statuses: number[] = [];
    const started = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < leads.length; i++) {
      const due = started + (i * 1000) / STOP_RATE_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sentAt[i] = Date.now();
      const payload = JSON.stringify(inbound(leads[i].lead.email!, leads[i].threadId, randomUUID()));
      inflight.push(
        fetch(hookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: AUTH }, body: payload })
          .then(async (res) => {
            statuses[i] = res.status;
            await res.arrayBuffer();
          })
          .catch(() => {
            statuses[i] = 0;
          }),
      );
    }
    await Promise.all(inflight);
    const histogram: Record<string, number> = {};
    for (const st of statuses) histogram[st] = (histogram[st] ?? 0) + 1;
    console.log(`  responses: ${JSON.stringify(histogram)}`);
    const closeDeadline = Date.now() + 60_000;
    const stopMs: number[] = [];
    for (let i = 0; i < leads.length; i++) {
      const handle = temporal.workflow.getHandle(workflowIds.sequence(camp2.id, leads[i].lead.id));
      for (;;) {
        const d = await handle.describe();
        if (d.closeTime) {
          stopMs.push(d.closeTime.getTime() - sentAt[i]);
          break;
        }
        if (Date.now() > closeDeadline) {
          const byStatus = await db.webhookEvent.groupBy({ by: ['status', 'lastError'], _count: { _all: true } });
          console.log(JSON.stringify(byStatus));
          throw new Error(`sequence of lead ${i} did not close`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await drained();
    const stopNon2xx = statuses.filter((s) => s < 200 || s >= 300).length;
    // Where the time went: webhook → inbox row processed (signals sent) → workflow closed.
    const rows = await db.webhookEvent.findMany({ where: { clientId: c2.id }, select: { leadId: true, processedAt: true } });
    const processedAt = new Map(rows.map((r) => [r.leadId, r.processedAt?.getTime() ?? NaN]));
    const toSignal = leads.map((l, i) => (processedAt.get(l.lead.id) ?? NaN) - sentAt[i]);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    console.log(`  webhook → signalled: p50 ${median(toSignal)} ms, p99 ${p99(toSignal)} ms`);
    // From each sequence's history: when Temporal recorded the stop signal (the end of our path), and
    // for the slowest, what the workflow did between that and closing.
    const eventMs = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) =>
      Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
    const toStopRecorded: number[] = [];
    let slowestTrail = '';
    const slowest = stopMs.indexOf(Math.max(...stopMs));
    for (let i = 0; i < leads.length; i++) {
      const events = (await temporal.workflow.getHandle(workflowIds.sequence(camp2.id, leads[i].lead.id)).fetchHistory()).events ?? [];
      const stop = events.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'stop');
      if (!stop) continue;
      toStopRecorded.push(eventMs(stop) - sentAt[i]);
      if (i === slowest) {
        slowestTrail = events
          .filter((e) => eventMs(e) >= eventMs(stop))
          .map((e) => `${EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '').toLowerCase() ?? e.eventType}+${eventMs(e) - eventMs(stop)}`)
          .join(' ');
      }
    }
    console.log(`  webhook → stop signal in the sequence's history: p50 ${median(toStopRecorded)} ms, p99 ${p99(toStopRecorded)} ms`);
    console.log(`  slowest sequence after its stop signal (ms): ${slowestTrail}`);
    console.log(`  webhook → sequence closed: p50 ${median(stopMs)} ms, p99 ${p99(stopMs)} ms, max ${Math.max(...stopMs)} ms`);

    // 2. Throughput. Every request is a new reply (`[<id>]` → a unique MessageID) to one lead's thread.
    const c1 = await seedClient(db, 'throughput');
    const camp1 = await createCampaign(db, { clientId: c1.id, name: 'throughput' });
    const t = await seedLeadWithSend(db, c1.id, camp1.id, 0);
    const body = JSON.stringify(inbound(t.lead.email!, t.threadId, 'bench-[<id>]'));
    console.log(`throughput: ${ROUNDS} rounds of ${SECONDS} s per route, alternating, at ${CONNECTIONS} connections…`);
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const u = process.cpuUsage(since);
      return (u.user + u.system) / 1000;
    };
    await cannon(`${bare.url}/hook`, body, { amount: WARMUP });
    const warm = await cannon(hookUrl, body, { amount: WARMUP, auth: true, ids: true });
    await drained();
    // Alternating rounds, summed: a drift in the machine's speed during the run falls on both routes.
    const bareRounds: CannonResult[] = [];
    const oursRounds: CannonResult[] = [];
    let bareCpu = 0;
    let oursCpu = 0;
    let drainMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let cpu = process.cpuUsage();
      bareRounds.push(await cannon(`${bare.url}/hook`, body, { seconds: SECONDS }));
      bareCpu += cpuMs(cpu);
      cpu = process.cpuUsage();
      oursRounds.push(await cannon(hookUrl, body, { seconds: SECONDS, auth: true, ids: true }));
      const drainStart = performance.now();
      await drained();
      drainMs += performance.now() - drainStart;
      oursCpu += cpuMs(cpu);
      console.log(
        `  round ${round + 1}: bare ${perSecond(bareRounds[round]).toFixed(0)} req/s, ours ${perSecond(oursRounds[round]).toFixed(0)} req/s (ratio ${(perSecond(oursRounds[round]) / perSecond(bareRounds[round])).toFixed(2)})`,
      );
    }
    const bareResult = total(bareRounds);
    const oursResult = total(oursRounds);
    const processed = await db.webhookEvent.count({ where: { status: 'processed' } });
    const notProcessed = await db.webhookEvent.groupBy({ by: ['status', 'lastError'], where: { status: { not: 'processed' } }, _count: { _all: true } });
    if (notProcessed.length) console.log(`  not processed: ${JSON.stringify(notProcessed).slice(0, 1000)}`);
    console.log(
      `  bare ${perSecond(bareResult).toFixed(0)} req/s (p99 ${bareResult.latency.p99} ms); ours ${perSecond(oursResult).toFixed(0)} req/s (p99 ${oursResult.latency.p99} ms); ` +
        `background processing drained ${(drainMs / ROUNDS).toFixed(0)} ms after each round; ${processed} rows processed; ` +
        `sustained ${(oursResult.requests.total / (oursResult.duration + drainMs / 1000)).toFixed(0)} req/s over load + drain; ` +
        `the API process's CPU per request: bare ${(bareCpu / bareResult.requests.total).toFixed(2)} ms, ours ${(oursCpu / oursResult.requests.total).toFixed(2)} ms (ingest; processing runs in the worker-role process)`,
    );

    const non2xx = oursResult.non2xx + oursResult.errors + oursResult.timeouts + warm.non2xx + warm.errors + stopNon2xx;
    const ratio = perSecond(oursResult) / perSecond(bareResult);
    return `webhooks: ratio=${ratio.toFixed(2)} p99_ms=${oursResult.latency.p99} stop_p99_ms=${Math.round(p99(stopMs))} non2xx=${non2xx}`;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (summary) => {
    // The summary is the last line, after every server has stopped.
    console.log(summary);
    process.exit(0);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
