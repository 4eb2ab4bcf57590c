// `prisma generate` needs no schema engine, but the CLI still tries to download one unless told
// where it is. Machines without access to Prisma's binary host get a placeholder path; generate
// itself never runs it (migrations are applied by src/db/migrate.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const dir = join(process.cwd(), '.tools');
  const placeholder = join(dir, 'schema-engine-placeholder');
  if (!existsSync(placeholder)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(placeholder, '#!/bin/sh\necho "schema engine not available; use npm run migrate" >&2\nexit 1\n');
    chmodSync(placeholder, 0o755);
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const r = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
