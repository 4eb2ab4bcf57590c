// The only place a PrismaClient is constructed. Engines never build one: they receive it.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';
import { UTC_SESSION } from './session';

export type Db = InstanceType<typeof PrismaClient>;
export { Prisma } from './generated/client';
export type * from './generated/client';
export * from './generated/enums';

export function createDb(databaseUrl: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10, options: UTC_SESSION });
  return new PrismaClient({ adapter });
}
