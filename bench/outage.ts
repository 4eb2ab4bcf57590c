// npm run outage [-- --minutes 20 --leads 30]: the database outage as measured from outside, in
// wall-clock time. A campaign is started with N leads (real worker, real Temporal dev server,
// embedded PostgreSQL, the real Postmark driver against the local fake); as soon as every lead is
// enrolled PostgreSQL is stopped for the given minutes, then started again. The run passes when
// every lead's first touch reached Postmark exactly once and no workflow of the campaign failed.
// Prints the figures: sends before the outage, time to recover, sends per lead, failed workflows.
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { startEmailCampaign } from './email-campaign';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { createDb } from '../src/db/client';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { buildActivityDeps } from '../src/composition';
import { createWorker } from '../src/worker';
import { campaignLiveState } from '../src/lifecycle/campaigns';
import { findTemporalCli } from '../temporal/cli';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { installTemporalRuntime } from '../temporal/pino-logger';
import { freePort } from '../src/net/free-port';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN } from '../test/fakes/postmark-fake';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '20' },
    leads: { type: 'string', default: '30' },
    /** How long to wait for recovery after the database is back before calling it failed. */
    'recovery-minutes': { type: 'string', default: '10' },
  },
});
const OUTAGE_MS = Number(args.minutes) * 60_000;
const LEADS = Number(args.leads);
const RECOVERY_MS = Number(args['recovery-minutes']) * 60_000;

const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error('run bash temporal/setup-tools.sh first');
  const dir = mkdtempSync(join(tmpdir(), 'aos-outage-'));
  chmodSync(dir, 0o755);
  const pgPort = await freePort();
  const startPg = () => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort, throwaway: true });
  let pg: EmbeddedPostgresHandle = await startPg();
  const url = pg.url('postgres');
  await applyMigrations(url);
  // Activity failures during the outage are expected; only fatal lines would matter here.
  const logger = createLogger('fatal');
  installTemporalRuntime(logger); // before anything starts the SDK's runtime
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', port: await freePort(), ui: false, log: { format: 'pretty', level: 'error' } },
  });
  await registerSearchAttributes(env.connection, 'default');
  const postmark = await startPostmarkFake();
  const taskQueue = `outage-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    SIGNING_SECRET: 'outage-signing-secret-0123456789abcdef0123456789',
    POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN,
    POSTMARK_BASE_URL: postmark.url,
  });
  const db = createDb(url, { max: 10 });
  const temporal = env.client;
  const deps = buildActivityDeps({ config, db, logger, temporal, taskQueue, signingSecret: config.SIGNING_SECRET! });
  const { worker, connection } = await createWorker({ address: env.connection.options.address, namespace: 'default', taskQueue, deps });
  const running = worker.run();

  const { campaign, leads } = await startEmailCampaign(db, temporal, taskQueue, { name: 'Outage', leads: LEADS });
  log(`campaign started with ${LEADS} leads`);
  for (;;) {
    const s = await campaignLiveState(temporal, campaign.id);
    if (s && s.enrolled >= LEADS) break;
    await sleep(100);
  }

  const sentBefore = postmark.sent.length;
  await pg.stop();
  const downAt = Date.now();
  log(`every lead enrolled; PostgreSQL stopped (${sentBefore}/${LEADS} first touches already sent); down for ${args.minutes} min`);
  while (Date.now() - downAt < OUTAGE_MS) {
    await sleep(Math.min(60_000, OUTAGE_MS - (Date.now() - downAt)));
    log(`database down ${((Date.now() - downAt) / 60_000).toFixed(1)} min; provider received ${postmark.sent.length} emails`);
  }
  pg = await startPg();
  const upAt = Date.now();
  log('PostgreSQL back');

  let allSentAt: number | null = null;
  while (Date.now() - upAt < RECOVERY_MS) {
    const sent = await db.sendLedger.count({ where: { campaignId: campaign.id, touchNumber: 1, state: 'sent' } }).catch(() => -1);
    if (sent === LEADS) {
      allSentAt = Date.now();
      break;
    }
    await sleep(1000);
  }
  // A moment for any duplicate to show up before counting.
  await sleep(5_000);

  const perLead = leads.map((l) => postmark.sent.filter((m) => m.To.includes(l.email!)).length);
  const failed: string[] = [];
  for await (const wf of temporal.workflow.list({ query: `CampaignId = "${campaign.id}" AND ExecutionStatus = "Failed"` })) failed.push(wf.workflowId);
  let runningCount = 0;
  for await (const _wf of temporal.workflow.list({ query: `CampaignId = "${campaign.id}" AND ExecutionStatus = "Running"` })) runningCount++;
  const enrollments = await db.campaignEnrollment.groupBy({ by: ['status'], where: { campaignId: campaign.id }, _count: { _all: true } });

  const ok = allSentAt !== null && perLead.every((n) => n === 1) && failed.length === 0;
  console.log('');
  console.log(`outage:                 ${args.minutes} min (wall clock), ${LEADS} leads`);
  console.log(`first touches sent before the outage: ${sentBefore}`);
  console.log(
    `recovery:               ${allSentAt ? `${((allSentAt - upAt) / 1000).toFixed(0)} s after PostgreSQL came back, every first touch sent` : `NOT every first touch sent within ${args['recovery-minutes']} min`}`,
  );
  console.log(
    `emails per lead:        ${JSON.stringify(Object.entries(perLead.reduce<Record<number, number>>((m, n) => ({ ...m, [n]: (m[n] ?? 0) + 1 }), {})).map(([sends, leadsWith]) => `${leadsWith} leads x ${sends}`))}`,
  );
  console.log(`failed workflows:       ${failed.length}${failed.length ? ` ${failed.join(', ')}` : ''}`);
  console.log(`running workflows:      ${runningCount} (campaign + sequences waiting for touch 2)`);
  console.log(`enrollments:             ${enrollments.map((e) => `${e.status}=${e._count._all}`).join(' ')}`);
  console.log(ok ? 'PASS' : 'FAIL');

  worker.shutdown();
  await running;
  await connection.close();
  await env.teardown();
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
