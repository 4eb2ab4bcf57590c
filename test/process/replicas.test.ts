// Production start-up: an API and two workers (ROLE=api / ROLE=worker, as docker-compose runs them)
// started at the same moment on an empty database. Each applies migrations, syncs the skills and
// registers search attributes (the workers also the schedules); none may crash on another's work,
// and none seeds demo data.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { harnessValue } from '../harness/env';
import { freePort } from '../harness/ports';
import { ROOT, startMain, waitForHttp, waitForWorkerPolling, type MainProcess } from '../harness/process';

jest.setTimeout(300_000);

const dirsIn = (dir: string) => readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory());

describe('API and workers starting together on an empty database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aos-replicas-'));
  const name = `aos_replicas_${Date.now()}`;
  const url = new URL(harnessValue('adminUrl'));
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: harnessValue('adminUrl') });
  const procs: MainProcess[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`); // empty: not cloned from the migrated template
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('all three come up, none crashes, the shared state is created once, and no demo data exists', async () => {
    const port = await freePort();
    const taskQueue = `replicas-${port}`;
    const temporalAddress = harnessValue('temporalAddress');
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SIGNING_SECRET: 's'.repeat(40),
    };
    // Same tick: the three race through migrations, skills sync, search attributes and schedules.
    const api = startMain({ ...env, ROLE: 'api', PORT: String(port) });
    const healthA = await freePort();
    const healthB = await freePort();
    const workerA = startMain({ ...env, ROLE: 'worker', WORKER_HEALTH_PORT: String(healthA) });
    const workerB = startMain({ ...env, ROLE: 'worker', WORKER_HEALTH_PORT: String(healthB) });
    procs.push(api, workerA, workerB);

    await Promise.all([
      waitForHttp(api, `http://127.0.0.1:${port}/api/v1/health/ready`),
      waitForWorkerPolling(workerA, temporalAddress, taskQueue),
      waitForWorkerPolling(workerB, temporalAddress, taskQueue),
    ]);
    expect(procs.map((p) => p.child.exitCode)).toEqual([null, null, null]);
    // The workers' own health endpoints (what the compose healthcheck asks) agree.
    for (const [w, port] of [
      [workerA, healthA],
      [workerB, healthB],
    ] as const) {
      await waitForHttp(w, `http://127.0.0.1:${port}/health/ready`);
      expect(await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()).toEqual({ status: 'ok', worker: 'RUNNING' });
    }
    // No demo backdoor on an external database; the API says how to make the first admin instead.
    expect(api.output()).not.toContain('Demo API key');
    expect(api.output()).toContain('npm run admin -- create --email');

    const db = new Client({ connectionString: url.toString() });
    await db.connect();
    try {
      expect((await db.query('SELECT count(*)::int AS n FROM clients')).rows[0].n).toBe(0);
      expect((await db.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(0);
      const migrations = await db.query('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY 1');
      expect(migrations.rows.map((r) => r.migration_name)).toEqual(dirsIn(join(ROOT, 'prisma/migrations')).sort());
      const skills = await db.query('SELECT slug, version FROM skills ORDER BY slug');
      expect(skills.rows).toEqual(
        dirsIn(join(ROOT, 'skills'))
          .sort()
          .map((slug) => ({ slug, version: 1 })),
      );
    } finally {
      await db.end();
    }

    // They stop cleanly too (SIGTERM, as `docker stop` sends it).
    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0, 0]);
  });
});
