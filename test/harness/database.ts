// A fresh, migrated database per test file, cloned from the run's template database.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../../src/db/client';
import { defaultCalendar } from './clock';
import { harnessValue } from './env';

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: harnessValue('adminUrl') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function withDatabase<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A SQL string literal (the values are ours, but quote them properly anyway). */
function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * `pinCalendar: false` leaves the schema exactly as migrated (the drift test compares it with
 * schema.prisma); otherwise new clients default to the run's moment (see clock.ts).
 */
export async function createTestDatabase(opts: { pinCalendar?: boolean } = {}): Promise<TestDatabase> {
  const name = `aos_test_${randomBytes(6).toString('hex')}`;
  const template = harnessValue('templateDb');
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = new URL(harnessValue('adminUrl'));
  url.pathname = `/${name}`;
  // Clients created without a calendar (e.g. through the API) get the run's moment, not Sydney's hour.
  // (The state stays unset, as the API leaves it: national holidays only.)
  if (opts.pinCalendar !== false) {
    const cal = defaultCalendar({ state: null });
    await withDatabase(url.toString(), (c) =>
      c.query(
        `ALTER TABLE clients ALTER COLUMN "timeZone" SET DEFAULT ${literal(cal.timeZone)},
           ALTER COLUMN "country" SET DEFAULT ${literal(cal.country)},
           ALTER COLUMN "sendWindow" SET DEFAULT ${literal(JSON.stringify(cal.sendWindow))}::jsonb`,
      ),
    );
  }
  const db = createDb(url.toString(), { max: 5 });
  return {
    name,
    url: url.toString(),
    db,
    drop: async () => {
      await db.$disconnect();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Takes one test database away as an outage would: new connections are refused and open ones are
 * cut. Other databases on the server (other test files) are untouched.
 */
export async function takeDatabaseAway(name: string): Promise<void> {
  await admin(async (c) => {
    await c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  });
}

export async function bringDatabaseBack(name: string): Promise<void> {
  await admin((c) => c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`));
}
