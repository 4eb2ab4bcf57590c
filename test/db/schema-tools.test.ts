// The migration tooling against a real PostgreSQL of its own: src/db/migrate.ts must behave like
// `prisma migrate deploy`, and `npm run migration:new` (prisma/tools/new-migration.ts) must write
// what Prisma's schema engine generates. SQL comes from the official engine (prisma migrate diff,
// through the WASM shim), never from hand-written expectations of it.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../src/db/migrate';
import { diffError, migrateDiff } from '../../prisma/tools/migrate-diff';
import { createMigration } from '../../prisma/tools/new-migration';
import { startScratchPostgres, type ScratchPostgres } from '../../prisma/tools/scratch-postgres';

jest.setTimeout(180_000);

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

let pg: ScratchPostgres;
let dbCounter = 0;
const tempDirs: string[] = [];
let samplePath: string;
let changedPath: string;
/** SAMPLE from nothing, and SAMPLE to CHANGED, as the engine writes them. */
let initSql: string;
let addPhoneSql: string;

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

async function script(args: string[]): Promise<string> {
  // The WASM engine probes its datasource at start even for a diff between two schema files.
  const result = await migrateDiff([...args, '--script'], { databaseUrl: pg.url });
  if (result.exitCode !== 0) throw new Error(diffError(result));
  return result.stdout;
}

beforeAll(async () => {
  const dir = tempDir('schema-tools-');
  samplePath = join(dir, 'sample.prisma');
  changedPath = join(dir, 'changed.prisma');
  writeFileSync(samplePath, SAMPLE);
  writeFileSync(changedPath, CHANGED);
  pg = await startScratchPostgres();
  [initSql, addPhoneSql] = await Promise.all([
    script(['--from-empty', '--to-schema', samplePath]),
    script(['--from-schema', samplePath, '--to-schema', changedPath]),
  ]);
}, 180_000);

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

async function tables(url: string): Promise<string[]> {
  const rows = await withClient(url, (c) =>
    c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"),
  );
  return rows.rows.map((r) => r.table_name);
}

/** The engine's verdict on a live database against a schema file: exit code 0 = identical. */
const diffDatabase = (url: string, schema: string) => migrateDiff(['--from-config-datasource', '--to-schema', schema, '--exit-code'], { databaseUrl: url });

function writeMigration(dir: string, name: string, sql: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  const file = join(dir, name, 'migration.sql');
  writeFileSync(file, sql);
  return file;
}

describe('applyMigrations', () => {
  function initOnly(): string {
    const dir = tempDir('schema-tools-migrations-');
    writeMigration(dir, '20260101000000_init', initSql);
    return dir;
  }

  test('applies pending migrations in order, records Prisma checksums, and is idempotent', async () => {
    const dir = initOnly();
    const url = await freshDatabase();
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: ['20260101000000_init'] });

    const second = writeMigration(dir, '20260102000000_add_phone', addPhoneSql);
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: ['20260102000000_add_phone'] });
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: [] });
    const verdict = await diffDatabase(url, changedPath);
    expect({ exitCode: verdict.exitCode, stdout: verdict.stdout.trim() }).toEqual({ exitCode: 0, stdout: 'No difference detected.' });

    const rows = await withClient(url, async (c) => (await c.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name')).rows);
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
    const dir = initOnly();
    const url = await freshDatabase();
    const results = await Promise.all([applyMigrations(url, { migrationsDir: dir }), applyMigrations(url, { migrationsDir: dir })]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 1]);
    const count = await withClient(url, async (c) => (await c.query('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0].n);
    expect(count).toBe(1);
  });

  test('refuses a migration that was edited after it was applied', async () => {
    const dir = initOnly();
    const url = await freshDatabase();
    await applyMigrations(url, { migrationsDir: dir });
    const file = join(dir, '20260101000000_init', 'migration.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited\n`);
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/migration 20260101000000_init was modified after it was applied/);
  });

  test('a failing migration is rolled back, recorded, and blocks later runs', async () => {
    const dir = initOnly();
    writeMigration(dir, '20260102000000_broken', 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT no_such_function();\n');
    const url = await freshDatabase();
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/migration 20260102000000_broken failed: .*no_such_function/);
    expect(await tables(url)).not.toContain('half_done');
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/migration 20260102000000_broken failed earlier/);
  });
});

describe('createMigration (npm run migration:new)', () => {
  test("writes the engine's SQL for each schema change, and nothing when there is none", async () => {
    const dir = tempDir('schema-tools-new-');
    const schema = join(dir, 'schema.prisma');
    const migrationsDir = join(dir, 'migrations');
    writeFileSync(schema, SAMPLE);
    const previous = process.env.MIGRATION_DATABASE_URL;
    process.env.MIGRATION_DATABASE_URL = pg.url;
    try {
      const logs: string[] = [];
      const first = await createMigration({ name: 'init', timestamp: '20260101000000', schema, migrationsDir }, (m) => logs.push(m));
      expect(first.folder).toBe(join(migrationsDir, '20260101000000_init'));
      expect(readFileSync(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
      expect(first.sql).toContain("CREATE TYPE \"Role\" AS ENUM ('ADMIN', 'member');");
      expect(first.sql).toContain('CREATE UNIQUE INDEX "posts_account_id_title_key" ON "posts"("account_id", "title");');
      expect(logs.filter((l) => l.startsWith('warning'))).toEqual([]);

      expect(await createMigration({ name: 'noop', timestamp: '20260102000000', schema, migrationsDir }, () => undefined)).toEqual({
        folder: null,
        sql: '',
      });

      writeFileSync(schema, CHANGED);
      const second = await createMigration({ name: 'add_phone', timestamp: '20260103000000', schema, migrationsDir }, (m) => logs.push(m));
      expect(second.sql).toContain('ALTER TABLE "accounts" ADD COLUMN     "phone" TEXT;');
      expect(second.sql).toContain('CREATE INDEX "accounts_phone_idx" ON "accounts"("phone");');
      expect(logs.filter((l) => l.startsWith('warning'))).toEqual([]);
      expect(readdirSync(migrationsDir).sort()).toEqual(['20260101000000_init', '20260103000000_add_phone', 'migration_lock.toml']);

      // What it wrote applies, through our migrator, to exactly CHANGED.
      const url = await freshDatabase();
      expect((await applyMigrations(url, { migrationsDir })).applied).toHaveLength(2);
      expect((await diffDatabase(url, schema)).exitCode).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.MIGRATION_DATABASE_URL;
      else process.env.MIGRATION_DATABASE_URL = previous;
    }
  });
});
