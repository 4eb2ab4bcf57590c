// `npm run admin -- create --email <email> [--name <name>]`: the first platform admin of an install
// (and a replacement key for one). Applies pending migrations first, so it works on an empty
// database. The key is printed once, on stdout; only its hash is stored. Errors are one line, exit 1;
// usage errors exit 2.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createDb } from '../db/client';
import { applyMigrations } from '../db/migrate';
import { createPlatformAdmin } from '../engines/platform-admins';

const USAGE = 'usage: npm run admin -- create --email <email> [--name <name>]   (needs DATABASE_URL)';

class UsageError extends Error {}

function parse(argv: string[]): { email: string; name?: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { email: { type: 'string' }, name: { type: 'string' } } });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const [command, ...extra] = parsed.positionals;
  if (command !== 'create' || extra.length) throw new UsageError(command ? `unknown command: ${[command, ...extra].join(' ')}` : 'no command given');
  const email = z.email().safeParse(parsed.values.email?.trim());
  if (!email.success) throw new UsageError('--email must be an email address');
  const name = parsed.values.name?.trim();
  return { email: email.data, ...(name ? { name } : {}) };
}

async function main(): Promise<void> {
  const input = parse(process.argv.slice(2));
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is not set');
  await applyMigrations(url);
  const db = createDb(url, { max: 1 });
  try {
    const admin = await createPlatformAdmin(db, input);
    const what = { new: 'created platform admin', promoted: 'made existing user a platform admin:', existing: 'issued a new key to platform admin' }[
      admin.outcome
    ];
    process.stdout.write(`${what} ${admin.email} (user ${admin.userId})\nAPI key ${admin.key}\nThe key is shown this once; store it now.\n`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((err: unknown) => {
  const usage = err instanceof UsageError;
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`admin: ${message.replace(/\s+/g, ' ').trim()}\n${usage ? USAGE + '\n' : ''}`);
  process.exit(usage ? 2 : 1);
});
