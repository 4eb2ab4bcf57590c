// The deployment the scale scripts (scale-check, scale-10k) measure: embedded PostgreSQL and a
// Temporal dev server started here as their own processes (external to the service, which gets only
// DATABASE_URL and TEMPORAL_ADDRESS, as in production), one `ROLE=api` process and N `ROLE=worker`
// processes of the compiled service (`node dist/src/main.js`, as the image runs it; the TypeScript
// sources through tsx when there is no build), the Postmark fake in this process, and a client
// with an owner's API key whose send window is always open in a zone without public holidays, so
// every first touch is due at once whenever the script runs. Everything else goes through the API.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded-postgres';
import { applyMigrations } from '../src/db/migrate';
import { createDb, type Db } from '../src/db/client';
import { createApiKey } from '../src/engines/api-keys';
import { createLogger } from '../src/logger';
import { freePort } from '../src/net/free-port';
import { startDevServer, type DevServerHandle } from '../temporal/dev-server';
import { installTemporalRuntime } from '../temporal/pino-logger';
import { startPostmarkFake, POSTMARK_FAKE_TOKEN, type PostmarkFake } from '../test/fakes/postmark-fake';
import { addCredits } from '../src/engines/credits';

const ROOT = join(__dirname, '..');
const COMPILED_MAIN = join(ROOT, 'dist', 'src', 'main.js');
const CLK_TCK = 100; // Linux USER_HZ

export const ALWAYS_OPEN = { startHour: 0, endHour: 24, days: [0, 1, 2, 3, 4, 5, 6] };
/** Touch 1 now, touch 2 three business days later (the sequences stay running afterwards). */
export const TWO_EMAILS = {
  version: 1 as const,
  touches: [
    { number: 1, day: 0, channel: 'email' as const, kind: 'email_intro' as const },
    { number: 2, day: 3, channel: 'email' as const, kind: 'email_followup' as const, threadWith: 1 },
  ],
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One service process (ROLE=api or ROLE=worker) and its resource figures, sampled while it lives. */
export interface RoleProcess {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The Temporal SDK's default worker identity, `<pid>@<hostname>`. */
  identity: string;
  output: () => string;
  /** Peak resident set (VmHWM), MiB, as last sampled. */
  peakRssMiB: number;
  /** CPU seconds (user + system) used, as last sampled. */
  cpuSeconds: number;
  exited: Promise<number | null>;
}

function readProc(pid: number): { hwmKiB: number; cpuTicks: number; childTicks: number; ppid: number; comm: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // f[0] is field 3 (state): utime=14, stime=15, cutime=16, cstime=17, ppid=4.
    const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
    const hwm = /VmHWM:\s+(\d+)/.exec(status);
    return { hwmKiB: hwm ? Number(hwm[1]) : 0, cpuTicks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]), ppid: Number(f[1]), comm };
  } catch (err) {
    // The process has exited between listing and reading: nothing to sample.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw err;
  }
}

/** CPU seconds of the processes under this one whose command name starts with `prefix` (exited children of theirs included). */
function groupCpu(prefix: string, seen: Map<number, number>): number {
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const info = new Map(pids.map((p) => [p, readProc(p)] as const));
  const descends = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      const i = info.get(p);
      if (!i) return false;
      if (i.ppid === process.pid) return true;
      p = i.ppid;
    }
    return false;
  };
  for (const [pid, i] of info) {
    if (i && i.comm.startsWith(prefix) && descends(pid)) seen.set(pid, (i.cpuTicks + i.childTicks) / CLK_TCK);
  }
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

export interface ScaleStack {
  db: Db;
  temporal: Client;
  temporalAddress: string;
  taskQueue: string;
  postmark: PostmarkFake;
  api: RoleProcess;
  workers: RoleProcess[];
  apiUrl: string;
  clientId: string;
  /** The client owner's API key. */
  auth: Record<string, string>;
  /** HTTP to the API: JSON in and out; throws on any status other than `expect`. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, expect?: number): Promise<T>;
  /** CPU seconds by component so far: api, each worker, temporal, postgres, this script (Postmark fake). */
  cpu(): Record<string, number>;
  /** How the service runs: compiled or from the sources. */
  runtime: string;
  stop(): Promise<void>;
}

export async function startScaleStack(opts: { workers: number; name: string; log?: (m: string) => void }): Promise<ScaleStack> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), `aos-${opts.name}-`));
  chmodSync(dir, 0o755); // embedded PostgreSQL runs as `postgres` when we are root
  const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const roles: RoleProcess[] = [];
  let sampler: NodeJS.Timeout | undefined;
  const stop = async () => {
    if (sampler) clearInterval(sampler);
    for (const r of roles) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
    await Promise.all(roles.map((r) => r.exited));
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  };
  // Ctrl-C (or a timeout's SIGTERM) still stops every process started here.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: stopping the processes started\n`);
      void stop().finally(() => process.exit(130));
    });
  }
  try {
    const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: await freePort(), throwaway: true });
    cleanups.push(() => pg.stop());
    const url = pg.url('postgres');
    const { applied } = await applyMigrations(url);
    log(`PostgreSQL on ${pg.port}; ${applied.length} migrations applied`);
    installTemporalRuntime(createLogger('fatal')); // before the dev server starts the SDK's runtime
    const server: DevServerHandle = await startDevServer({
      dataDir: join(dir, 'temporal'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
    });
    cleanups.push(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const temporal = new Client({ connection, namespace: 'default' });
    log(`Temporal dev server on ${server.address}`);
    const postmark = await startPostmarkFake();
    cleanups.push(() => postmark.close());
    const db = createDb(url, { max: 5 });
    cleanups.push(() => db.$disconnect());

    const taskQueue = `${opts.name}-${randomUUID().slice(0, 8)}`;
    const port = await freePort();
    const compiled = existsSync(COMPILED_MAIN);
    const runtime = compiled ? 'node dist/src/main.js' : 'node --import tsx src/main.ts (no dist/: run npm run build)';
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SIGNING_SECRET: `scale-signing-secret-${randomUUID()}`,
      POSTMARK_SERVER_TOKEN: POSTMARK_FAKE_TOKEN,
      POSTMARK_BASE_URL: postmark.url,
      WORKER_METRICS_PORT: '0',
      WORKER_HEALTH_PORT: '0',
    };
    const startRole = (name: string, role: 'api' | 'worker'): RoleProcess => {
      const args = compiled ? [COMPILED_MAIN] : ['--import', 'tsx', join(ROOT, 'src', 'main.ts')];
      const proc = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { ...env, ROLE: role, ...(role === 'api' ? { PORT: String(port) } : {}) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      proc.stdout!.on('data', (d) => (out = (out + String(d)).slice(-20_000)));
      proc.stderr!.on('data', (d) => (out = (out + String(d)).slice(-20_000)));
      const r: RoleProcess = {
        name,
        proc,
        pid: proc.pid!,
        identity: `${proc.pid}@${hostname()}`,
        output: () => out,
        peakRssMiB: 0,
        cpuSeconds: 0,
        exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))),
      };
      roles.push(r);
      return r;
    };
    const sample = () => {
      for (const r of roles) {
        const p = readProc(r.pid);
        if (p) {
          r.peakRssMiB = Math.max(r.peakRssMiB, p.hwmKiB / 1024);
          r.cpuSeconds = p.cpuTicks / CLK_TCK;
        }
      }
    };
    sampler = setInterval(sample, 250);

    const api = startRole('api', 'api');
    const workers = Array.from({ length: opts.workers }, (_, i) => startRole(`worker-${i + 1}`, 'worker'));
    const apiUrl = `http://127.0.0.1:${port}/api/v1`;
    await waitFor(
      `the API (${apiUrl})`,
      api,
      async () =>
        (await fetch(`${apiUrl}/health/ready`).then(
          (x) => x.status,
          () => 0,
        )) === 200,
    );
    for (const w of workers) {
      await waitFor(`${w.name} polling ${taskQueue}`, w, async () => {
        const { pollers } = await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        });
        return (pollers ?? []).some((p) => p.identity === w.identity);
      });
    }
    log(`${runtime}: api pid ${api.pid}, workers ${workers.map((w) => `${w.name}=${w.identity}`).join(', ')}; task queue ${taskQueue}`);

    // The client and its owner's key (as `npm run admin` + an invitation would give one).
    const tag = randomUUID().slice(0, 8);
    const client = await db.client.create({
      data: {
        name: `Scale ${tag}`,
        slug: `scale-${tag}`,
        sendWindow: ALWAYS_OPEN,
        subscriptionStatus: 'active',
        tier: 'dominance',
        permissionMode: 'autopilot',
        timeZone: 'UTC',
        country: 'ZZ',
        senderName: 'Sam',
        senderEmail: `sam@scale-${tag}.example`,
        postalAddress: '1 Scale St',
      },
    });
    // Credits come through the ledger (src/engines/credits.ts), as in the product.
    await addCredits(db, { clientId: client.id, kind: 'top_up', amount: 1_000_000, key: `top_up:${client.id}:bench` });
    const user = await db.user.create({ data: { email: `owner-${tag}@scale.example` } });
    await db.membership.create({ data: { clientId: client.id, userId: user.id, role: 'owner', acceptedAt: new Date() } });
    const { key } = await createApiKey(db, { userId: user.id, name: 'scale' });
    const auth = { Authorization: `Bearer ${key}` };
    const call = async <T>(method: string, path: string, body?: unknown, expect?: number): Promise<T> => {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (expect !== undefined ? res.status !== expect : res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
      return (text ? JSON.parse(text) : {}) as T;
    };
    const seenTemporal = new Map<number, number>();
    const seenPostgres = new Map<number, number>();
    const cpu = () => {
      sample();
      const figures: Record<string, number> = { api: api.cpuSeconds };
      for (const w of workers) figures[w.name] = w.cpuSeconds;
      figures.temporal = groupCpu('temporal', seenTemporal);
      figures.postgres = groupCpu('postgres', seenPostgres);
      const self = process.cpuUsage();
      figures['script+fake'] = (self.user + self.system) / 1e6;
      return figures;
    };
    return { db, temporal, temporalAddress: server.address, taskQueue, postmark, api, workers, apiUrl, clientId: client.id, auth, call, cpu, runtime, stop };
  } catch (err) {
    for (const r of roles) process.stderr.write(`${r.name}:\n${r.output()}\n`);
    await stop();
    throw err;
  }
}

async function waitFor(what: string, r: RoleProcess, ok: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (r.proc.exitCode !== null) throw new Error(`${r.name} exited (${r.proc.exitCode}) before ${what}:\n${r.output()}`);
    if (await ok()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}:\n${r.output()}`);
    await sleep(300);
  }
}

/** `n` leads as the bulk import takes them; addresses are unique per lead and per run. */
export function leadRows(n: number, tag: string) {
  return Array.from({ length: n }, (_, i) => ({
    email: `lead${i}-${tag}@prospect.example`,
    firstName: 'Lee',
    lastName: `Number${i}`,
    title: 'Head of Operations',
    companyName: `Prospect ${i}`,
    companyDomain: `prospect${i}.example`,
    timeZone: 'UTC',
  }));
}

/** Emails the Postmark fake accepted, per lead address (lower-case). */
export function sendsPerAddress(postmark: PostmarkFake): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of postmark.sent) {
    const addr = (/<([^>]+)>/.exec(e.To)?.[1] ?? e.To).trim().toLowerCase();
    m.set(addr, (m.get(addr) ?? 0) + 1);
  }
  return m;
}

export const mib = (n: number) => `${n.toFixed(0)} MiB`;

export interface CampaignRun {
  campaignId: string;
  leadIds: string[];
  /** Addresses whose tier allows email: each must get exactly one first touch. */
  expected: Set<string>;
  /** Seconds: the bulk import request; enrichment + scoring; adding the leads to the campaign. */
  importS: number;
  scoringS: number;
  enrollS: number;
  tiers: Record<string, number>;
  /** When `start` was answered (epoch ms): first touches are timed from here. */
  startedAt: number;
}

/**
 * Through the API: bulk import (JSON), wait for the import's enrichment + scoring workflow, a
 * two-email campaign, every imported lead added to it, start.
 */
export async function importScoreEnrollStart(s: ScaleStack, n: number, log: (m: string) => void): Promise<CampaignRun> {
  const base = `/clients/${s.clientId}`;
  await s.call('POST', `${base}/resources`, { channel: 'email', identifier: 'scale-a.example', dailyLimit: 10_000 }, 201);
  await s.call('POST', `${base}/resources`, { channel: 'email', identifier: 'scale-b.example', dailyLimit: 10_000 }, 201);
  const rows = leadRows(n, randomUUID().slice(0, 6));
  let t = Date.now();
  const imported = await s.call<{ imported: number; leadIds: string[]; enrichment: { workflowId: string } | null }>(
    'POST',
    `${base}/leads/bulk`,
    { leads: rows },
    201,
  );
  const importS = (Date.now() - t) / 1000;
  if (imported.imported !== n || !imported.enrichment) throw new Error(`import: ${imported.imported} of ${n} leads imported`);
  log(`imported ${n} leads in ${importS.toFixed(1)} s; enrichment + scoring ${imported.enrichment.workflowId}`);
  t = Date.now();
  const progress = (await s.temporal.workflow.getHandle(imported.enrichment.workflowId).result()) as { scored: number; failed: number; skipped: number };
  const scoringS = (Date.now() - t) / 1000;
  const tierRows = await s.db.lead.groupBy({ by: ['alsTier'], where: { clientId: s.clientId }, _count: { _all: true } });
  const tiers = Object.fromEntries(tierRows.map((r) => [r.alsTier ?? 'none', r._count._all]));
  log(`scored ${progress.scored} (failed ${progress.failed}, skipped ${progress.skipped}) in ${scoringS.toFixed(1)} s; tiers ${JSON.stringify(tiers)}`);
  const emailable = await s.db.lead.findMany({ where: { clientId: s.clientId, alsTier: { in: ['hot', 'warm', 'cool', 'cold'] } }, select: { email: true } });
  const expected = new Set(emailable.map((l) => l.email!.toLowerCase()));

  const { campaign } = await s.call<{ campaign: { id: string } }>('POST', `${base}/campaigns`, { name: `scale ${n}`, sequence: TWO_EMAILS }, 201);
  t = Date.now();
  const added = await s.call<{ added: number }>('POST', `${base}/campaigns/${campaign.id}/leads`, { leadIds: imported.leadIds });
  const enrollS = (Date.now() - t) / 1000;
  if (added.added !== n) throw new Error(`enrolment: ${added.added} of ${n} leads added`);
  await s.call('POST', `${base}/campaigns/${campaign.id}/start`);
  const startedAt = Date.now();
  log(`campaign ${campaign.id}: ${n} leads added in ${enrollS.toFixed(1)} s; started (${expected.size} leads' tiers allow email)`);
  return { campaignId: campaign.id, leadIds: imported.leadIds, expected, importS, scoringS, enrollS, tiers, startedAt };
}

/** Counts of the first touches so far, from the database (the send ledger) and the provider. */
export async function firstTouchProgress(s: ScaleStack, campaignId: string) {
  const [sent, enrolledActive] = await Promise.all([
    s.db.sendLedger.count({ where: { campaignId, touchNumber: 1, state: 'sent' } }),
    s.db.campaignEnrollment.count({ where: { campaignId, status: { not: 'pending' } } }),
  ]);
  return { ledgerSent: sent, provider: s.postmark.sent.length, sequencesStarted: enrolledActive };
}
