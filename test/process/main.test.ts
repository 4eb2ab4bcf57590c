// `npm start` as a user runs it: embedded PostgreSQL and Temporal, first-run key, Ctrl-C, restart.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/ports';
import { fetchFresh, ROOT, selfTestOverHttp, startMain, type MainProcess } from '../harness/process';
import { harnessValue } from '../harness/env';

jest.setTimeout(240_000);

async function get(url: string, key?: string, method = 'GET') {
  const res = await fetchFresh(url, { method, headers: key ? { Authorization: `Bearer ${key}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function processesUsing(dir: string): string {
  try {
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

/** `npm run <command>` as scripts/run.mjs runs it (the TypeScript source, in a checkout). */
function runCommand(args: string[], databaseUrl: string) {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function stop(main: MainProcess): Promise<number | null> {
  main.child.kill('SIGINT');
  return main.exited;
}

describe('npm start (embedded servers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-main-'));
  chmodSync(dir, 0o755); // the embedded server's `postgres` user must reach DATA_DIR
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts everything, keeps data across restarts and leaves nothing running after Ctrl-C', async () => {
    const ports = {
      PORT: await freePort(),
      PG_PORT: await freePort(),
      TEMPORAL_PORT: await freePort(),
      TEMPORAL_UI_PORT: await freePort(),
      WORKER_METRICS_PORT: await freePort(),
    };
    const env = Object.fromEntries(Object.entries({ ...ports, DATA_DIR: dir }).map(([k, v]) => [k, String(v)]));
    const api = `http://127.0.0.1:${ports.PORT}/api/v1`;
    const origin = `http://127.0.0.1:${ports.PORT}`;

    const first = startMain(env);
    const [, key] = await first.waitFor(/Demo API key (aos_\S+)/);
    expect(first.output()).toContain(`Temporal UI  http://localhost:${ports.TEMPORAL_UI_PORT}`);
    expect((await get(`${api}/health/ready`)).status).toBe(200);
    const ui = await fetch(`http://localhost:${ports.TEMPORAL_UI_PORT}/`);
    expect(ui.status).toBe(200);
    const selfTest = await selfTestOverHttp(origin, key);
    expect(selfTest).toMatchObject({ started: 202, outcome: { status: 'completed', result: { ok: true } } });
    expect(await stop(first)).toBe(0);
    expect(processesUsing(dir)).toBe('');

    const second = startMain(env);
    await second.waitFor(/Agency OS is running/);
    expect(second.output()).not.toContain('Demo API key');
    // The key from the first run still works: the database survived the restart.
    const again = await selfTestOverHttp(origin, key);
    expect(again).toMatchObject({ started: 202, outcome: { status: 'completed' } });
    // And so did Temporal's history (SQLite under DATA_DIR).
    const { Connection, Client } = await import('@temporalio/client');
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
    const desc = await new Client({ connection }).workflow.getHandle(String(selfTest.outcome.workflowId)).describe();
    expect(desc.status.name).toBe('COMPLETED');
    await connection.close();
    expect(await stop(second)).toBe(0);
    expect(processesUsing(dir)).toBe('');
  });
});

describe('npm start (external servers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-main-ext-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses DATABASE_URL and TEMPORAL_ADDRESS instead of starting its own, and seeds nothing there', async () => {
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: harnessValue('adminUrl') });
    await admin.connect();
    const name = `aos_ext_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(harnessValue('adminUrl'));
    url.pathname = `/${name}`;
    const port = await freePort();
    const main = startMain({
      DATA_DIR: dir,
      PORT: String(port),
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: harnessValue('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `ext-${port}`,
      WORKER_METRICS_PORT: String(await freePort()),
    });
    try {
      await main.waitFor(/Agency OS is running/);
      // No demo data on an external database: the first admin comes from the admin command.
      expect(main.output()).not.toContain('Demo API key');
      expect(main.output()).toContain('No platform admin yet: npm run admin -- create --email');
      expect(main.output()).not.toContain('Temporal UI');
      expect((await get(`http://127.0.0.1:${port}/api/v1/health/ready`)).status).toBe(200);

      const made = runCommand(['src/cli/admin', 'create', '--email', ' Ops@Example.com '], url.toString());
      expect(made.status).toBe(0);
      const key = /API key (aos_\S+)/.exec(made.stdout)?.[1];
      expect(made.stdout).toContain('created platform admin ops@example.com');
      expect((await selfTestOverHttp(`http://127.0.0.1:${port}`, key)).outcome).toMatchObject({ status: 'completed', result: { ok: true } });
      // Again for the same email: a second key, the first still valid (how a lost key is replaced).
      const again = runCommand(['src/cli/admin', 'create', '--email', 'ops@example.com'], url.toString());
      expect(again.stdout).toContain('issued a new key to platform admin ops@example.com');
      const key2 = /API key (aos_\S+)/.exec(again.stdout)?.[1];
      expect(key2).not.toBe(key);
      expect((await get(`http://127.0.0.1:${port}/api/v1/admin/clients`, key2)).status).toBe(200);
      // Bad usage changes nothing and exits 2 with one line of reason and the usage.
      const bad = runCommand(['src/cli/admin', 'create', '--email', 'not-an-email'], url.toString());
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('--email must be an email address');
      expect(runCommand(['src/cli/admin', 'delete'], url.toString()).status).toBe(2);
      const db = new Client({ connectionString: url.toString() });
      await db.connect();
      try {
        expect((await db.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(1);
        expect((await db.query(`SELECT count(*)::int AS n FROM clients`)).rows[0].n).toBe(0);
        // The demo data only on request: once, then never again.
        const seeded = runCommand(['src/cli/seed-demo'], url.toString());
        expect(seeded.stdout).toMatch(/Demo API key aos_\S+/);
        expect(runCommand(['src/cli/seed-demo'], url.toString()).stdout).toContain('the demo client exists already');
        expect((await db.query(`SELECT slug FROM clients`)).rows).toEqual([{ slug: 'demo' }]);
      } finally {
        await db.end();
      }
      expect(existsSync(join(dir, 'postgres'))).toBe(false);
      expect(existsSync(join(dir, 'temporal'))).toBe(false);
    } finally {
      expect(await stop(main)).toBe(0);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
