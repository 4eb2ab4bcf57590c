// Prisma 7 reads its datasource URL from here. Only the CLI uses it (generate needs none);
// the service builds its own client from the validated config in src/db/client.ts.
import { join } from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma's native schema engine cannot be downloaded here: every CLI command that needs one
// (migrate, db pull/push) runs Prisma's WebAssembly engine through this shim instead (see
// prisma/engine/schema-engine-shim.mjs). An engine named by the caller still wins.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= join(__dirname, 'prisma', 'engine', 'schema-engine-shim.mjs');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/agency_os' },
});
