// `npm start` as a user runs it: embedded PostgreSQL and Temporal, first-run key, Ctrl-C, restart.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/ports';
import { startMain, type MainProcess } from '../harness/process';
import { harnessValue } from '../harness/env';

jest.setTimeout(240_000);

async function get(url: string, key?: string, method = 'GET') {
  const res = await fetch(url, { method, headers: key ? { Authorization: `Bearer ${key}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function processesUsing(dir: string): string {
  try {
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
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
    const ports = { PORT: await freePort(), PG_PORT: await freePort(), TEMPORAL_PORT: await freePort(), TEMPORAL_UI_PORT: await freePort(), WORKER_METRICS_PORT: await freePort() };
    const env = Object.fromEntries(Object.entries({ ...ports, DATA_DIR: dir }).map(([k, v]) => [k, String(v)]));
    const api = `http://127.0.0.1:${ports.PORT}/api/v1`;

    const first = startMain(env);
    const [, key] = await first.waitFor(/Demo API key (aos_\S+)/);
    expect(first.output()).toContain(`Temporal UI  http://localhost:${ports.TEMPORAL_UI_PORT}`);
    expect((await get(`${api}/health/ready`)).status).toBe(200);
    const ui = await fetch(`http://localhost:${ports.TEMPORAL_UI_PORT}/`);
    expect(ui.status).toBe(200);
    const selfTest = await get(`${api}/admin/self-test`, key, 'POST');
    expect(selfTest.status).toBe(200);
    expect(selfTest.body.ok).toBe(true);
    expect(await stop(first)).toBe(0);
    expect(processesUsing(dir)).toBe('');

    const second = startMain(env);
    await second.waitFor(/Agency OS is running/);
    expect(second.output()).not.toContain('Demo API key');
    // The key from the first run still works: the database survived the restart.
    const again = await get(`${api}/admin/self-test`, key, 'POST');
    expect(again.status).toBe(200);
    // And so did Temporal's history (SQLite under DATA_DIR).
    const { Connection, Client } = await import('@temporalio/client');
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
    const desc = await new Client({ connection }).workflow.getHandle(String(selfTest.body.workflowId)).describe();
    expect(desc.status.name).toBe('COMPLETED');
    await connection.close();
    expect(await stop(second)).toBe(0);
    expect(processesUsing(dir)).toBe('');
  });
});

describe('npm start (external servers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-main-ext-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses DATABASE_URL and TEMPORAL_ADDRESS instead of starting its own', async () => {
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
      const [, key] = await main.waitFor(/Demo API key (aos_\S+)/);
      expect(main.output()).not.toContain('Temporal UI');
      expect((await get(`http://127.0.0.1:${port}/api/v1/health/ready`)).status).toBe(200);
      expect((await get(`http://127.0.0.1:${port}/api/v1/admin/self-test`, key, 'POST')).body.ok).toBe(true);
      expect(existsSync(join(dir, 'postgres'))).toBe(false);
      expect(existsSync(join(dir, 'temporal'))).toBe(false);
    } finally {
      expect(await stop(main)).toBe(0);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
