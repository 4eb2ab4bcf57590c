// The committed migrations build exactly the database schema.prisma describes, as Prisma itself
// judges it: its schema engine (the official WASM build, see prisma/engine) replays
// prisma/migrations into a temporary shadow database and diffs that against schema.prisma.
// A schema change committed without its migration fails here.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations, migrationChecksum } from '../../src/db/migrate';
import { migrateDiff, prismaCli, type PrismaCliResult } from '../../prisma/tools/migrate-diff';
import { createTestDatabase, type TestDatabase } from '../harness/database';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const MIGRATIONS = join(ROOT, 'prisma', 'migrations');
const SCHEMA = join(ROOT, 'prisma', 'schema.prisma');

let database: TestDatabase;
let pg: Client;
let tempDir: string;
let committed: Promise<PrismaCliResult>;
let withUnmigratedColumn: Promise<PrismaCliResult>;

beforeAll(async () => {
  database = await createTestDatabase({ pinCalendar: false });
  pg = new Client({ connectionString: database.url });
  await pg.connect();

  // schema.prisma with one column no migration adds.
  tempDir = mkdtempSync(join(tmpdir(), 'drift-'));
  const source = readFileSync(SCHEMA, 'utf8');
  const changed = source.replace(/^model Client \{\n/m, '$&  driftProbe String?\n');
  expect(changed).not.toBe(source);
  const changedSchema = join(tempDir, 'schema.prisma');
  writeFileSync(changedSchema, changed);

  // Both diffs run at once (each starts the CLI and the engine); the shadow databases go on the
  // test server, next to this file's database.
  const diff = (schema: string): Promise<PrismaCliResult> =>
    migrateDiff(['--from-migrations', MIGRATIONS, '--to-schema', schema, '--script', '--exit-code'], { databaseUrl: database.url });
  committed = diff(SCHEMA);
  withUnmigratedColumn = diff(changedSchema);
  await Promise.allSettled([committed, withUnmigratedColumn]);
});

afterAll(async () => {
  await pg?.end();
  await database?.drop();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

it('prisma migrate diff finds no difference between the migrations and schema.prisma', async () => {
  const result = await committed;
  expect({ exitCode: result.exitCode, stdout: result.stdout.trim(), stderr: result.stderr.replace(/Loaded Prisma config.*\n?/, '').trim() }).toEqual({
    exitCode: 0,
    stdout: '-- This is an empty migration.',
    stderr: '',
  });
});

it('and reports a schema change that has no migration', async () => {
  const result = await withUnmigratedColumn;
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toContain('ALTER TABLE "clients" ADD COLUMN     "driftProbe" TEXT;');
});

it("records every migration in Prisma's _prisma_migrations format, which prisma migrate status accepts", async () => {
  const folders = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const rows = await pg.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
  );
  expect(rows.rows.map((r) => r.migration_name)).toEqual(folders);
  for (const row of rows.rows) {
    const sql = readFileSync(join(MIGRATIONS, row.migration_name, 'migration.sql'), 'utf8');
    expect(row.checksum).toBe(migrationChecksum(sql));
    expect(row.finished_at).not.toBeNull();
    expect(row.applied_steps_count).toBe(1);
  }
  // Applying again is a no-op.
  expect((await applyMigrations(database.url)).applied).toEqual([]);

  // Prisma's own reading of the table src/db/migrate.ts wrote.
  const status = await prismaCli(['migrate', 'status'], { databaseUrl: database.url });
  expect(status.stdout).toContain(`${folders.length} migrations found in prisma/migrations`);
  expect(status.stdout).toContain('Database schema is up to date!');
  expect(status.exitCode).toBe(0);
});
