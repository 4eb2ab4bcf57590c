// Applies prisma/migrations/*/migration.sql in name order and records them in Prisma's own
// `_prisma_migrations` table, exactly as `prisma migrate deploy` would (Prisma's schema engine
// binary cannot be downloaded here). Safe to call from several processes at once: they queue on
// the same advisory lock Prisma uses.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { UTC_SESSION } from './session';

export const DEFAULT_MIGRATIONS_DIR = resolve(__dirname, '../../prisma/migrations');

/** Prisma's advisory lock key for migrations (schema-engine's postgres connector). */
const PRISMA_MIGRATE_LOCK = 72707369;

// Prisma's DDL, verbatim, so `prisma migrate status/deploy` reads our rows.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface ApplyMigrationsOptions {
  migrationsDir?: string;
  log?: (msg: string) => void;
}

/** Raised for every refusal; its message names the migration and is safe to show as is. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface LocalMigration {
  name: string;
  script: string;
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function applyMigrations(databaseUrl: string, opts: ApplyMigrationsOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => undefined);
  const local = readLocalMigrations(opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  // In UTC, as every session (client.ts): a migration's now() fills zone-less timestamp columns.
  const client = new Client({ connectionString: databaseUrl, options: UTC_SESSION });
  try {
    await client.connect();
  } catch (err) {
    throw new MigrationError(`cannot connect to the database: ${errorText(err)}`);
  }
  // A dropped connection must surface as a failed query, not an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const pending = await pendingMigrations(client, local, log);
      const applied: string[] = [];
      for (const migration of pending) {
        log(`applying migration ${migration.name}`);
        await applyOne(client, migration);
        applied.push(migration.name);
      }
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Prisma's checksum: SHA-256 of migration.sql, lowercase hex. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script).digest('hex');
}

function readLocalMigrations(dir: string): LocalMigration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort()
    .map((name) => {
      const file = join(dir, name, 'migration.sql');
      if (!existsSync(file)) throw new MigrationError(`migration ${name} has no migration.sql`, name);
      const script = readFileSync(file, 'utf8');
      return { name, script, checksum: migrationChecksum(script) };
    });
}

/** Checks the recorded history against the folder and returns what is left to apply. */
async function pendingMigrations(client: Client, local: LocalMigration[], log: (msg: string) => void): Promise<LocalMigration[]> {
  const { rows } = await client.query<MigrationRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier and the database may be partly migrated; ` +
        `fix it, then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() ` +
        `WHERE migration_name = '${failed.migration_name}' AND finished_at IS NULL) and start again`,
      failed.migration_name,
    );
  }
  const applied = new Map<string, MigrationRow>();
  for (const row of rows) if (row.finished_at !== null && row.rolled_back_at === null) applied.set(row.migration_name, row);

  const byName = new Map(local.map((m) => [m.name, m]));
  for (const [name, row] of applied) {
    const migration = byName.get(name);
    if (!migration) {
      log(`migration ${name} is applied in the database but missing from the migrations folder`);
    } else if (!checksumMatches(row.checksum, migration.script)) {
      throw new MigrationError(
        `migration ${name} was modified after it was applied (checksum mismatch); ` + 'restore the original migration.sql and put changes in a new migration',
        name,
      );
    }
  }
  return local.filter((m) => !applied.has(m.name));
}

/** Like Prisma, accept a checksum taken before a checkout changed line endings. */
function checksumMatches(recorded: string, script: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\r?\n/g, '\r\n')];
  return variants.some((v) => migrationChecksum(v) === recorded);
}

async function applyOne(client: Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  // Recorded first, as Prisma does, so a crash mid-way leaves a visible failed row.
  await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [
    id,
    migration.checksum,
    migration.name,
  ]);
  // Prisma's enum rewrites carry their own BEGIN/COMMIT; nesting ours would split them.
  const ownTransaction = !/^\s*(BEGIN|COMMIT)\s*;/im.test(migration.script);
  try {
    if (ownTransaction) await client.query('BEGIN');
    // One simple-protocol query: the whole script runs as PostgreSQL would run the file.
    await client.query(migration.script);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1', [id]);
    if (ownTransaction) await client.query('COMMIT');
  } catch (err) {
    if (ownTransaction) await client.query('ROLLBACK').catch(() => undefined);
    const reason = errorText(err);
    await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, reason]).catch(() => undefined);
    throw new MigrationError(`migration ${migration.name} failed: ${reason}`, migration.name);
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const detail = (err as Error & { detail?: string }).detail;
    return detail ? `${err.message} (${detail})` : err.message;
  }
  return String(err);
}
