// What the API needs from the rest of the process, passed in (never created inside a route).
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { SqlQuery } from '../db/sql';
import type { Logger } from '../logger';

export interface ApiDeps {
  config: Config;
  logger: Logger;
  db: Db;
  temporal: Client;
  taskQueue: string;
  version: string;
  /** Runs the webhook inbox's INSERT (a plain pg pool, src/db/sql.ts); Prisma's raw query when absent. */
  inboxSql?: SqlQuery;
  /** Tracing is on (a tracer provider is registered): each request gets a server span. */
  tracing?: boolean;
}
