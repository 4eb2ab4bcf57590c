// Prisma 7 reads its datasource URL from here. Only the CLI uses it (generate needs none);
// the service builds its own client from the validated config in src/db/client.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/agency_os' },
});
