// `npm run seed:demo`: the demo client, its owner (a platform admin) and one API key, on the database
// at DATABASE_URL, as `npm start` creates them on its embedded database. Never run by a service at
// start. Running it again creates nothing.
import { createDb } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { seedDemo } from '../seed';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  await applyMigrations(url);
  const db = createDb(url, { max: 1 });
  try {
    const seeded = await seedDemo(db);
    process.stdout.write(
      seeded.created
        ? `Demo client  ${seeded.clientId}\nDemo API key ${seeded.apiKey}   (shown this once)\n`
        : 'the demo client exists already; nothing created\n',
    );
  } finally {
    await db.$disconnect();
  }
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`seed:demo: ${message.replace(/\s+/g, ' ').trim()}\n`);
  process.exit(1);
});
