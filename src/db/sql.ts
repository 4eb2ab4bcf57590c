// Plain `pg` for the webhook inbox's INSERT, the one statement every accepted webhook runs. It is
// raw SQL anyway, and through Prisma's raw query it paid for Prisma's request pipeline per batch:
// about a tenth of the API's CPU per webhook in a profile of bench:webhooks. Everything else goes
// through Prisma (src/db/client.ts). `SqlQuery` is what a statement needs: either client runs it.
import { Pool } from 'pg';
import type { Db } from './client';
import { UTC_SESSION } from './session';

/** Runs one statement with positional parameters ($1, $2, …) and answers its rows. */
export type SqlQuery = <R>(text: string, values: readonly unknown[]) => Promise<R[]>;

export interface SqlPool {
  query: SqlQuery;
  /** Closes the pool's connections (waits for statements in flight). */
  end(): Promise<void>;
}

/** A small pool of its own: the inbox writer keeps one statement in flight (batch-writer.ts). */
export function createSqlPool(databaseUrl: string, max = 2): SqlPool {
  const pool = new Pool({ connectionString: databaseUrl, max, options: UTC_SESSION });
  // An idle connection the server drops (a restart) is an error event on the pool: without a
  // listener it would crash the process; the next query opens a new connection.
  pool.on('error', () => undefined);
  return {
    query: async <R>(text: string, values: readonly unknown[]) => (await pool.query(text, [...values])).rows as R[],
    end: () => pool.end(),
  };
}

/** The same statement through Prisma (callers that hold only the Db). */
export function prismaQuery(db: Pick<Db, '$queryRawUnsafe'>): SqlQuery {
  return <R>(text: string, values: readonly unknown[]) => db.$queryRawUnsafe<R[]>(text, ...values);
}
