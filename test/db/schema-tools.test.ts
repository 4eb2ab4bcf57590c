// The migration tooling (prisma/tools, src/db/migrate.ts) against a real PostgreSQL of its own:
// schema.prisma -> expected structure -> SQL -> database -> introspection must round-trip, and
// the migrator must behave like `prisma migrate deploy`.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../src/db/migrate';
import { diffStructures, sqlForDiff } from '../../prisma/tools/diff';
import { introspectDatabase } from '../../prisma/tools/introspect';
import { createMigration } from '../../prisma/tools/new-migration';
import { schemaModelFromSource, type DbStructure } from '../../prisma/tools/schema-model';
import { startScratchPostgres, type ScratchPostgres } from '../../prisma/tools/scratch-postgres';

jest.setTimeout(60_000);

const SAMPLE = `
datasource db {
  provider = "postgresql"
}

enum Role {
  ADMIN
  MEMBER @map("member")
}

model Account {
  id        String   @id @default(uuid())
  email     String   @unique @db.VarChar(255)
  name      String?
  role      Role     @default(MEMBER)
  tags      String[] @default([])
  balance   Decimal  @default(0) @db.Decimal(12, 2)
  settings  Json     @default("{}")
  createdAt DateTime @default(now()) @map("created_at")
  updatedAt DateTime @updatedAt @map("updated_at")
  posts     Post[]
  edited    Post[]   @relation("edits")

  @@index([role, createdAt(sort: Desc)])
  @@map("accounts")
}

model Post {
  id        Int      @id @default(autoincrement())
  accountId String   @map("account_id")
  account   Account  @relation(fields: [accountId], references: [id], onDelete: Cascade)
  title     String
  editorId  String?
  editor    Account? @relation("edits", fields: [editorId], references: [id])

  @@unique([accountId, title])
  @@map("posts")
}
`;

// One more column, index and enum value than SAMPLE.
const CHANGED = SAMPLE.replace('  MEMBER @map("member")\n', '  MEMBER @map("member")\n  OWNER\n')
  .replace('  name      String?\n', '  name      String?\n  phone     String?\n')
  .replace('  @@index([role, createdAt(sort: Desc)])\n', '  @@index([role, createdAt(sort: Desc)])\n  @@index([phone])\n');

const EMPTY: DbStructure = { enums: [], tables: [] };

let pg: ScratchPostgres;
let dbCounter = 0;
const tempDirs: string[] = [];

beforeAll(async () => {
  pg = await startScratchPostgres();
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const freshDatabase = (): Promise<string> => pg.createDatabase(`schema_tools_${++dbCounter}`);

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const introspect = (url: string): Promise<DbStructure> => withClient(url, (c) => introspectDatabase(c));
const execute = (url: string, sql: string): Promise<unknown> => withClient(url, (c) => c.query(sql));

function tempMigrationsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schema-tools-migrations-'));
  tempDirs.push(dir);
  return dir;
}

function writeMigration(dir: string, name: string, sql: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  const file = join(dir, name, 'migration.sql');
  writeFileSync(file, sql);
  return file;
}

describe('schema model, introspection and diff', () => {
  const expected = schemaModelFromSource(SAMPLE);

  test('the SQL for an empty database creates exactly the schema', async () => {
    const sql = sqlForDiff(expected, EMPTY);
    expect(sql).toContain('-- CreateEnum\nCREATE TYPE "Role" AS ENUM (\'ADMIN\', \'member\');');
    expect(sql).toContain('"id" SERIAL NOT NULL');
    expect(sql).toContain('CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")');
    expect(sql).toContain('CREATE UNIQUE INDEX "posts_account_id_title_key" ON "posts"("account_id", "title");');
    expect(sql).toContain('CREATE INDEX "accounts_role_created_at_idx" ON "accounts"("role", "created_at" DESC);');
    expect(sql).toContain(
      'ALTER TABLE "posts" ADD CONSTRAINT "posts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
    );
    expect(sql).toContain('FOREIGN KEY ("editorId") REFERENCES "accounts"("id") ON DELETE SET NULL ON UPDATE CASCADE;');

    const url = await freshDatabase();
    await execute(url, sql);
    const actual = await introspect(url);
    expect(diffStructures(expected, actual)).toEqual([]);
    expect(sqlForDiff(expected, actual)).toBe('');
  });

  test('a new column, index and enum value are reported, and the generated SQL adds them', async () => {
    const url = await freshDatabase();
    await execute(url, sqlForDiff(expected, EMPTY));
    const changed = schemaModelFromSource(CHANGED);
    const actual = await introspect(url);

    const differences = diffStructures(changed, actual);
    expect(differences).toEqual(
      expect.arrayContaining([
        'enum "Role": missing value "OWNER"',
        'table "accounts": missing column "phone" TEXT NULL',
        'table "accounts": missing index "accounts_phone_idx" on (phone)',
      ]),
    );
    expect(differences).toHaveLength(3);

    const sql = sqlForDiff(changed, actual);
    expect(sql).toContain('-- AlterEnum\nALTER TYPE "Role" ADD VALUE \'OWNER\';');
    expect(sql).toContain('-- AlterTable\nALTER TABLE "accounts" ADD COLUMN     "phone" TEXT;');
    expect(sql).toContain('-- CreateIndex\nCREATE INDEX "accounts_phone_idx" ON "accounts"("phone");');
    await execute(url, sql);
    expect(diffStructures(changed, await introspect(url))).toEqual([]);
  });

  test('every kind of drift is reported', async () => {
    const url = await freshDatabase();
    await execute(url, sqlForDiff(expected, EMPTY));
    await execute(
      url,
      `ALTER TYPE "Role" ADD VALUE 'GUEST';
       CREATE TYPE "Mood" AS ENUM ('happy');
       CREATE TABLE "stray" ("id" INTEGER);
       ALTER TABLE "accounts" ADD COLUMN "extra" TEXT;
       ALTER TABLE "accounts" ALTER COLUMN "name" SET NOT NULL;
       ALTER TABLE "accounts" ALTER COLUMN "email" TYPE TEXT;
       ALTER TABLE "accounts" ALTER COLUMN "balance" SET DEFAULT 5;
       DROP INDEX "accounts_role_created_at_idx";
       DROP INDEX "posts_account_id_title_key";
       ALTER TABLE "posts" DROP CONSTRAINT "posts_account_id_fkey";
       ALTER TABLE "posts" DROP CONSTRAINT "posts_pkey";
       ALTER TABLE "posts" DROP COLUMN "title";`,
    );
    const text = diffStructures(expected, await introspect(url)).join('\n');
    for (const fragment of [
      'enum "Role": unexpected value "GUEST"',
      'unexpected enum "Mood"',
      'unexpected table "stray"',
      'table "accounts": unexpected column "extra"',
      'column "name" is NOT NULL, expected nullable',
      'column "email" has type TEXT, expected VARCHAR(255)',
      'column "balance" has default 5, expected 0',
      'missing index "accounts_role_created_at_idx"',
      'table "posts": missing primary key "posts_pkey" (id)',
      'table "posts": missing column "title"',
      'missing unique index "posts_account_id_title_key" on (account_id, title)',
      'missing foreign key "posts_account_id_fkey" (account_id) -> accounts(id) ON DELETE CASCADE',
    ]) {
      expect(text).toContain(fragment);
    }
  });

  test('constraint names longer than 63 bytes are cut like Prisma does', () => {
    const long = 'A'.repeat(60);
    const model = schemaModelFromSource(`
      datasource db {
        provider = "postgresql"
      }
      model ${long} {
        id   Int    @id
        code String @unique
      }`);
    const table = model.tables[0];
    expect(table?.primaryKey?.name).toBe(`${'A'.repeat(58)}_pkey`);
    expect(table?.indexes[0]?.name).toBe(`${long}_key`.slice(0, 59) + '_key');
  });
});

describe('applyMigrations', () => {
  const expected = schemaModelFromSource(SAMPLE);
  const changed = schemaModelFromSource(CHANGED);

  function twoMigrations(): string {
    const dir = tempMigrationsDir();
    writeMigration(dir, '20260101000000_init', sqlForDiff(expected, EMPTY));
    return dir;
  }

  test('applies pending migrations in order, records Prisma checksums, and is idempotent', async () => {
    const dir = twoMigrations();
    const url = await freshDatabase();
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: ['20260101000000_init'] });

    // A second migration, generated against what the first one produced.
    const second = writeMigration(dir, '20260102000000_add_phone', sqlForDiff(changed, await introspect(url)));
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: ['20260102000000_add_phone'] });
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: [] });
    expect(diffStructures(changed, await introspect(url))).toEqual([]);

    const rows = await withClient(url, async (c) =>
      (await c.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name')).rows,
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      migration_name: '20260102000000_add_phone',
      checksum: createHash('sha256').update(readFileSync(second)).digest('hex'),
      applied_steps_count: 1,
      rolled_back_at: null,
      logs: null,
    });
    expect(rows[1].finished_at).toBeInstanceOf(Date);
  });

  test('two processes starting at once apply each migration once', async () => {
    const dir = twoMigrations();
    const url = await freshDatabase();
    const results = await Promise.all([applyMigrations(url, { migrationsDir: dir }), applyMigrations(url, { migrationsDir: dir })]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 1]);
    const count = await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0].n);
    expect(count).toBe(1);
  });

  test('refuses a migration that was edited after it was applied', async () => {
    const dir = twoMigrations();
    const url = await freshDatabase();
    await applyMigrations(url, { migrationsDir: dir });
    const file = join(dir, '20260101000000_init', 'migration.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited\n`);
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(
      /migration 20260101000000_init was modified after it was applied/,
    );
  });

  test('a failing migration is rolled back, recorded, and blocks later runs', async () => {
    const dir = twoMigrations();
    writeMigration(dir, '20260102000000_broken', 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT no_such_function();\n');
    const url = await freshDatabase();
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/migration 20260102000000_broken failed: .*no_such_function/);
    const tables = await introspect(url);
    expect(tables.tables.map((t) => t.name)).not.toContain('half_done');
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/migration 20260102000000_broken failed earlier/);
  });
});

describe('createMigration (npm run migration:new)', () => {
  test('writes a migration for schema changes, then reports nothing to do', async () => {
    const dir = tempMigrationsDir();
    const schema = join(dir, 'schema.prisma');
    const migrationsDir = join(dir, 'migrations');
    writeFileSync(schema, SAMPLE);
    const previous = process.env.MIGRATION_DATABASE_URL;
    process.env.MIGRATION_DATABASE_URL = await freshDatabase();
    try {
      const logs: string[] = [];
      const first = await createMigration({ name: 'init', timestamp: '20260101000000', schema, migrationsDir }, (m) => logs.push(m));
      expect(first.folder).toBe(join(migrationsDir, '20260101000000_init'));
      expect(readFileSync(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
      expect(logs.filter((l) => l.startsWith('warning'))).toEqual([]);

      const again = await createMigration({ name: 'noop', timestamp: '20260102000000', schema, migrationsDir }, () => undefined);
      expect(again).toEqual({ folder: null, differences: [] });
    } finally {
      if (previous === undefined) delete process.env.MIGRATION_DATABASE_URL;
      else process.env.MIGRATION_DATABASE_URL = previous;
    }
  });
});
