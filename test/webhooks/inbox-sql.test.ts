// The inbox INSERT runs through a plain pg pool in the API (src/db/sql.ts) and through Prisma
// elsewhere: both must write the same row, announce it once, find redeliveries, and read back the
// same receivedAt instant (the column has no time zone; Prisma reads it as UTC).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createSqlPool, type SqlPool } from '../../src/db/sql';
import { INBOX_CHANNEL, recordInboxEvents, type NewInboxEvent } from '../../src/engines/inbox/store';
import { createTestDatabase, type TestDatabase } from '../harness/database';

const run = promisify(execFile);

let database: TestDatabase;
let pool: SqlPool;
let listener: Client;
const heard: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createSqlPool(database.url);
  listener = new Client({ connectionString: database.url });
  await listener.connect();
  listener.on('notification', (n) => heard.push(n.payload ?? ''));
  await listener.query(`LISTEN ${INBOX_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end();
  await pool?.end();
  await database?.drop();
});

it('runs every session in UTC, whatever the server or the process says', async () => {
  expect(await pool.query<{ TimeZone: string }>('SHOW TimeZone', [])).toEqual([{ TimeZone: 'UTC' }]);
  expect(await database.db.$queryRawUnsafe<{ TimeZone: string }[]>('SHOW TimeZone')).toEqual([{ TimeZone: 'UTC' }]);
});

const event = (payload: unknown = { a: 1 }): NewInboxEvent => ({ provider: 'postmark', dedupeKey: `test:${randomUUID()}`, eventType: 'inbound', payload });
const waitFor = async (ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
};

it.each([
  ['a pg pool', () => pool.query],
  ['Prisma', () => database.db],
])('through %s: writes new rows, finds redeliveries, reads receivedAt as the stored instant', async (_name, sqlOf) => {
  const sql = sqlOf();
  const first = event({ text: 'NUL \u0000 inside', nested: { 'key\u0000': 1 } });
  const second = event();
  const before = Date.now();
  const written = await recordInboxEvents(sql, [first, second, { ...first }]);
  expect(written.map((r) => r.duplicate)).toEqual([false, false, true]);
  expect(written[2].id).toBe(written[0].id);

  const stored = await database.db.webhookEvent.findUniqueOrThrow({ where: { id: written[0].id } });
  expect(written[0].receivedAt.getTime()).toBe(stored.receivedAt.getTime());
  expect(Math.abs(written[0].receivedAt.getTime() - before)).toBeLessThan(60_000);
  expect(stored.payload).toEqual({ text: 'NUL \uFFFD inside', nested: { 'key\uFFFD': 1 } });

  // A later redelivery reads the existing row back (status and time included).
  const [again] = await recordInboxEvents(sql, [second]);
  expect(again).toMatchObject({ id: written[1].id, duplicate: true, status: 'pending' });
  expect(again.receivedAt.getTime()).toBe(written[1].receivedAt.getTime());

  // One notification per new row, none for redeliveries.
  await waitFor(() => written.slice(0, 2).every((w) => heard.some((h) => h.includes(w.id))));
  for (const w of written.slice(0, 2)) expect(heard.filter((h) => h.includes(w.id))).toHaveLength(1);
});

it('reads receivedAt as the same instant in a process far from UTC', async () => {
  // The process's zone is fixed at start (jest's process.env is a copy): a child in Sydney's.
  const script = `
    const { createSqlPool } = require('./src/db/sql');
    const { recordInboxEvents } = require('./src/engines/inbox/store');
    (async () => {
      const pool = createSqlPool(process.env.INBOX_SQL_URL);
      const [row] = await recordInboxEvents(pool.query, [{ provider: 'postmark', dedupeKey: 'tz:' + Date.now(), eventType: 'inbound', payload: {} }]);
      const [stored] = await pool.query('SELECT (extract(epoch FROM "receivedAt") * 1000)::float8 AS ms FROM webhook_events WHERE id = $1', [row.id]);
      console.log(JSON.stringify({ read: row.receivedAt.getTime(), stored: stored.ms }));
      await pool.end();
    })();`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, TZ: 'Australia/Sydney', INBOX_SQL_URL: database.url },
  });
  const { read, stored } = JSON.parse(stdout.trim().split('\n').pop()!) as { read: number; stored: number };
  expect(Math.round(stored)).toBe(read);
  expect(Math.abs(read - Date.now())).toBeLessThan(60_000);
});
