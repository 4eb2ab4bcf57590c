// npm run bench:sequences [-- N]: throughput of N six-touch sequences with zero delays and real
// activities (PostgreSQL + real provider drivers against local fakes) against a baseline of N
// workflows running six no-op activities, on one dev server and one worker, in the same run.
// Also: history events per sequence, and worker RSS per cached (sleeping) sequence.
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { createDb } from '../src/db/client';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { buildActivityDeps } from '../src/composition';
import { createActivities } from '../activities';
import { findTemporalCli } from '../temporal/cli';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { freePort } from '../src/net/free-port';
import { workflowIds } from '../workflows/ids';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN } from '../test/fakes/postmark-fake';
import { startTwilioFake, TWILIO_FAKE_SID, TWILIO_FAKE_TOKEN } from '../test/fakes/twilio-fake';
import { startHeyReachFake, HEYREACH_FAKE_KEY, HEYREACH_FAKE_CAMPAIGN } from '../test/fakes/heyreach-fake';
import { startVapiFake, VAPI_FAKE_KEY, VAPI_FAKE_NUMBER } from '../test/fakes/vapi-fake';
import type { LeadSequenceInput } from '../workflows/definitions/sequence';
import { addCredits } from '../src/engines/credits';

const N = Number(process.argv[2] ?? 200);
const CACHED = Number(process.argv[3] ?? 300);

const PLAN: LeadSequenceInput['touches'] = [
  { number: 1, day: 0, channel: 'email', kind: 'email_intro' },
  { number: 2, day: 0, channel: 'linkedin', kind: 'linkedin_connect' },
  { number: 3, day: 0, channel: 'email', kind: 'email_followup', threadWith: 1 },
  { number: 4, day: 0, channel: 'sms', kind: 'sms' },
  { number: 5, day: 0, channel: 'voice', kind: 'voice' },
  { number: 6, day: 0, channel: 'email', kind: 'email_breakup', threadWith: 1 },
];

// Every hour of every day, so no touch waits for a window whenever the benchmark runs.
const ALWAYS_OPEN = { startHour: 0, endHour: 24, days: [0, 1, 2, 3, 4, 5, 6] };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-bench-'));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), throwaway: true });
  const url = pg.url('postgres');
  await applyMigrations(url);
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error('run bash temporal/setup-tools.sh first');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      port: await freePort(),
      ui: false,
      log: { format: 'pretty', level: process.env.BENCH_SERVER_LOG ?? 'error' },
    },
  });
  await registerSearchAttributes(env.connection, 'default');
  const [postmark, twilio, heyreach, vapi] = await Promise.all([startPostmarkFake(), startTwilioFake(), startHeyReachFake(), startVapiFake()]);
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef0123456789',
    POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN,
    POSTMARK_BASE_URL: postmark.url,
    TWILIO_ACCOUNT_SID: TWILIO_FAKE_SID,
    TWILIO_AUTH_TOKEN: TWILIO_FAKE_TOKEN,
    TWILIO_BASE_URL: twilio.url,
    HEYREACH_API_KEY: HEYREACH_FAKE_KEY,
    HEYREACH_BASE_URL: heyreach.url,
    HEYREACH_CAMPAIGN_ID: String(HEYREACH_FAKE_CAMPAIGN),
    VAPI_API_KEY: VAPI_FAKE_KEY,
    VAPI_BASE_URL: vapi.url,
    VAPI_ASSISTANT_ID: 'asst-bench',
  });
  const db = createDb(url, { max: Number(process.env.BENCH_DB_POOL ?? 40) });
  const client = new Client({ connection: env.connection });
  const logger = createLogger('error');
  const deps = buildActivityDeps({ config, db, logger, temporal: client, taskQueue, signingSecret: config.SIGNING_SECRET! });
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./bench-workflows'), logger: new DefaultLogger('ERROR') });
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: env.connection.options.address }),
    taskQueue,
    workflowBundle: bundle,
    activities: { ...createActivities(deps), noop: async (n: number) => n },
    maxCachedWorkflows: Math.max(CACHED + 100, 1000),
  });
  const running = worker.run();

  // Data: one client, resources with room for everything, N hot leads.
  const timeZone = 'UTC';
  const c = await db.client.create({
    data: {
      name: 'Bench',
      slug: `bench-${randomUUID()}`,
      sendWindow: ALWAYS_OPEN,
      subscriptionStatus: 'active',
      tier: 'dominance',
      permissionMode: 'autopilot',
      timeZone,
      country: 'ZZ',
      senderName: 'Bench',
      senderEmail: 'bench@bench.example',
      postalAddress: '1 Bench St',
    },
  });
  // Credits come through the ledger (src/engines/credits.ts), as in the product.
  await addCredits(db, { clientId: c.id, kind: 'top_up', amount: 10_000_000, key: `top_up:${c.id}:bench` });
  await db.sendResource.createMany({
    data: [
      { clientId: c.id, channel: 'email', identifier: 'bench.example', dailyLimit: 1_000_000 },
      { clientId: c.id, channel: 'sms', identifier: '+61255550199', dailyLimit: 1_000_000 },
      { clientId: c.id, channel: 'linkedin', identifier: '12345', dailyLimit: 1_000_000 },
      { clientId: c.id, channel: 'voice', identifier: VAPI_FAKE_NUMBER.id, dailyLimit: 1_000_000 },
    ],
  });
  const campaign = await db.campaign.create({
    data: { clientId: c.id, name: 'bench', status: 'active', permissionMode: 'autopilot', sequence: { version: 1, touches: PLAN } as unknown as object },
  });
  const leads = await db.lead.createManyAndReturn({
    data: Array.from({ length: N + CACHED }, (_, i) => ({
      clientId: c.id,
      email: `lead${i}@prospect-${i % 50}.example`,
      firstName: 'Lee',
      phone: `+614${String(10_000_000 + i).slice(-8)}`,
      linkedinUrl: `https://www.linkedin.com/in/lead-${i}`,
      companyName: 'Prospect',
      timeZone,
      country: 'ZZ',
      status: 'scored' as const,
      alsTier: 'hot' as const,
      alsScore: 90,
    })),
    select: { id: true },
  });
  await db.campaignEnrollment.createMany({
    data: leads.map((l) => ({ clientId: c.id, campaignId: campaign.id, leadId: l.id, sequenceVersion: 1, status: 'active' as const })),
  });

  const input = (leadId: string, touches = PLAN): LeadSequenceInput => ({
    version: 1,
    clientId: c.id,
    campaignId: campaign.id,
    leadId,
    sequenceVersion: 1,
    permissionMode: 'autopilot',
    tier: 'hot',
    touches,
  });

  // Warm-up (JIT, bundle, connections), not measured.
  await Promise.all(Array.from({ length: 10 }, (_, i) => client.workflow.execute('baselineWorkflow', { taskQueue, workflowId: `warm-${i}` })));

  // Baseline: N workflows × six no-op activities.
  let t0 = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => client.workflow.execute('baselineWorkflow', { taskQueue, workflowId: `baseline-${i}` })));
  const baselineSecs = (performance.now() - t0) / 1000;

  // Ours: N real sequences, six real sends each.
  t0 = performance.now();
  const results = await Promise.all(
    leads
      .slice(0, N)
      .map((l) => client.workflow.execute('leadSequenceWorkflow', { taskQueue, workflowId: workflowIds.sequence(campaign.id, l.id), args: [input(l.id)] })),
  );
  const oursSecs = (performance.now() - t0) / 1000;
  const sent = results.reduce((n, r) => n + (r as { timeline: { status: string }[] }).timeline.filter((e) => e.status === 'sent').length, 0);
  if (sent !== N * 6) throw new Error(`expected ${N * 6} sends, got ${sent}`);
  const history = await client.workflow.getHandle(workflowIds.sequence(campaign.id, leads[0].id)).fetchHistory();
  const eventsPerSequence = history.events?.length ?? 0;

  // Memory: CACHED sequences asleep before their first touch (due tomorrow), held in the cache.
  const later = PLAN.map((t) => ({ ...t, day: 1 }));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const sleeping = leads.slice(N, N + CACHED);
  await Promise.all(
    sleeping.map((l) =>
      client.workflow.start('leadSequenceWorkflow', { taskQueue, workflowId: workflowIds.sequence(campaign.id, l.id), args: [input(l.id, later)] }),
    ),
  );
  // Wait until each has run its first task (planSchedule done, timer started).
  for (const l of sleeping) {
    for (;;) {
      const h = await client.workflow.getHandle(workflowIds.sequence(campaign.id, l.id)).fetchHistory();
      if (h.events?.some((e) => e.timerStartedEventAttributes)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  global.gc?.();
  const rssPerCached = (process.memoryUsage().rss - rssBefore) / CACHED / 1024 / 1024;

  const ours = (N * 6) / oursSecs;
  const base = (N * 6) / baselineSecs;
  console.log(`baseline: ${N} workflows x 6 no-op activities in ${baselineSecs.toFixed(2)} s = ${base.toFixed(1)} activities/s`);
  console.log(
    `ours:     ${N} sequences x 6 real sends in ${oursSecs.toFixed(2)} s = ${ours.toFixed(1)} touches/s (${postmark.sent.length} emails, ${twilio.sent.length} sms)`,
  );
  console.log(`sequences: ratio=${(ours / base).toFixed(2)} events_per_sequence=${eventsPerSequence} rss_mb_per_cached=${rssPerCached.toFixed(3)}`);

  worker.shutdown();
  await running;
  await env.teardown();
  await db.$disconnect();
  await Promise.all([postmark.close(), twilio.close(), heyreach.close(), vapi.close()]);
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
