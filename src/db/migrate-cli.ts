// `npm run migrate`: applies pending migrations to DATABASE_URL and says what it applied.
// Failures print one line and exit 1; no stack traces.
import { applyMigrations } from './migrate';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const { applied } = await applyMigrations(url, { log: (msg) => process.stdout.write(`${msg}\n`) });
  process.stdout.write(
    applied.length === 0 ? 'database is up to date, no migrations applied\n' : `applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
  );
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`migrate: ${message.replace(/\s+/g, ' ').trim()}\n`);
  process.exit(1);
});
