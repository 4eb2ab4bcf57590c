/**
 * A throwaway PostgreSQL cluster in a temp directory, on a free loopback port, for the migration
 * generator and tests. Built on src/db/embedded-postgres.ts; deleted again by stop().
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { freePort } from '../../src/net/free-port';

export interface ScratchPostgres {
  /** Connection URL of the default `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** URL of another database on the same cluster (see createDatabase). */
  urlFor(database: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops postgres and deletes the temp directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ScratchPostgresOptions {
  /** Receives postgres/initdb output; silent by default. */
  log?: (msg: string) => void;
}

const START_ATTEMPTS = 3;

/** Starts a fresh cluster; throws with postgres' last log lines if it cannot. */
export async function startScratchPostgres(opts: ScratchPostgresOptions = {}): Promise<ScratchPostgres> {
  const baseDir = mkdtempSync(join(tmpdir(), 'agency-os-pg-'));
  chmodSync(baseDir, 0o755); // as root, the server's `postgres` user must traverse it
  const removeBaseDir = (): void => rmSync(baseDir, { recursive: true, force: true });
  process.once('exit', removeBaseDir);
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      const pg = await startEmbeddedPostgres({
        dataDir: join(baseDir, `cluster-${attempt}`),
        port: await freePort(),
        throwaway: true,
        onLog: opts.log,
      });
      let stopped: Promise<void> | undefined;
      return {
        url: pg.url('postgres'),
        port: pg.port,
        urlFor: (database) => pg.url(database),
        async createDatabase(name) {
          const client = new Client({ connectionString: pg.url('postgres') });
          await client.connect();
          try {
            await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
          } finally {
            await client.end();
          }
          return pg.url(name);
        },
        stop() {
          stopped ??= pg.stop().then(() => {
            process.removeListener('exit', removeBaseDir);
            removeBaseDir();
          });
          return stopped;
        },
      };
    } catch (err) {
      lastError = err;
      // Another process may have taken the port between probing and binding: try another.
      if (!/address already in use|could not bind/i.test(String(err))) break;
    }
  }
  process.removeListener('exit', removeBaseDir);
  removeBaseDir();
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
