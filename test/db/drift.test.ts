// The migrations in prisma/migrations, applied by src/db/migrate.ts, build exactly the database
// schema.prisma describes: a schema change committed without its migration fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations, migrationChecksum } from '../../src/db/migrate';
import { readSchemaModel } from '../../prisma/tools/schema-model';
import { introspectDatabase } from '../../prisma/tools/introspect';
import { diffStructures } from '../../prisma/tools/diff';
import { createTestDatabase, type TestDatabase } from '../harness/database';

const ROOT = join(__dirname, '..', '..');
const MIGRATIONS = join(ROOT, 'prisma', 'migrations');

let database: TestDatabase;
let pg: Client;
beforeAll(async () => {
  database = await createTestDatabase({ pinCalendar: false });
  pg = new Client({ connectionString: database.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await database?.drop();
});

it('matches schema.prisma: every model, column, type, nullability, default, index, unique, foreign key and enum', async () => {
  const expected = readSchemaModel(join(ROOT, 'prisma', 'schema.prisma'));
  const actual = await introspectDatabase(pg);
  expect(diffStructures(expected, actual)).toEqual([]);
  // Sanity: the comparison saw the whole domain.
  expect(expected.tables.length).toBeGreaterThan(25);
  expect(expected.enums.length).toBeGreaterThan(10);
});

it('records every migration in Prisma\'s _prisma_migrations format', async () => {
  const folders = readdirSync(MIGRATIONS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
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
});
