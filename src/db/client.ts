// The only place a PrismaClient is constructed. Engines never build one: they receive it.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export type Db = InstanceType<typeof PrismaClient>;
export { Prisma } from './generated/client';
export type * from './generated/client';
export * from './generated/enums';

/**
 * Every session in UTC. Timestamp columns have no time zone and Prisma reads them as UTC, so a
 * database-side `now()` (column defaults, raw SQL) must be written in UTC too: on a server whose
 * TimeZone is another zone it would be off by that zone's offset.
 */
export const UTC_SESSION = '-c TimeZone=UTC';

export function createDb(databaseUrl: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10, options: UTC_SESSION });
  return new PrismaClient({ adapter });
}
