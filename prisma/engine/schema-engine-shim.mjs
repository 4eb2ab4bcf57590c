#!/usr/bin/env node
/**
 * Prisma's schema engine for machines that cannot download its native binary.
 *
 * The Prisma CLI runs whatever PRISMA_SCHEMA_ENGINE_BINARY names (prisma.config.ts points it
 * here) with `--datasource <json>` and `--datamodels <file>…`, then speaks line-delimited
 * JSON-RPC 2.0 over stdin/stdout. This process answers that protocol by forwarding each call
 * to Prisma's official engine built as WebAssembly (`@prisma/schema-engine-wasm`), which
 * reaches PostgreSQL through `@prisma/adapter-pg`. No logic of its own beyond the plumbing:
 * migrate diff/dev/deploy/status/reset/resolve and db pull/push are the engine's.
 *
 * Plumbing the WASM engine needs that the stock adapter does not give it:
 * - PostgreSQL's internal `"char"` type (OID 18, e.g. pg_class.relkind) is not a column type
 *   adapter-pg knows; it is reported as text, which is what it holds.
 * - adapter-pg's executeScript splits scripts on `;`, which breaks `$$ … $$` function bodies in
 *   migrations; scripts go to PostgreSQL whole, as the native engine sends them.
 * - adapter-pg's own connectToShadowDb() spreads its config over `{ database }`, and pg lets a
 *   `connectionString` win, so the "shadow" database would be the main one. Pools here are built
 *   from separate fields, and the temporary shadow database is created and dropped here.
 * - A fresh engine refuses evaluateDataLoss/createMigration until it has diagnosed the migration
 *   history; the shim runs that diagnosis first when the CLI has not.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { parse as parseConnectionString } from 'pg-connection-string';
import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;

/** JSON-RPC error code the native engine uses for every engine error (the CLI reads `data`). */
const ENGINE_ERROR = 4466;

/** The subset of the native binary's flags the CLI passes. */
function parseArgs(argv) {
  const out = { datamodels: [], datasource: null, version: false, cli: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--version' || flag === '-V') out.version = true;
    else if (flag === '--datamodels') out.datamodels.push(argv[++i]);
    else if (flag === '--datasource') out.datasource = JSON.parse(argv[++i]);
    else if (flag === '--enabled-preview-features' || flag === '--extension-types')
      i++; // none apply to PostgreSQL here
    else if (flag === 'cli') out.cli = argv[++i] ?? '';
  }
  return out;
}

/**
 * `schema-engine cli <command>`: one-shot commands the CLI runs before migrate dev/status.
 * Failures are reported like the native engine's: a first log line (the CLI skips it), then an
 * ERROR line from `schema_engine::logger` with a Prisma error code, and exit code 1.
 */
async function runCliCommand(command, url) {
  const logLine = (level, fields) =>
    new Promise((resolve) => process.stderr.write(`${JSON.stringify({ level, fields, target: 'schema_engine::logger' })}\n`, resolve));
  await logLine('INFO', { message: `schema-engine-shim cli ${command}` });
  try {
    if (!url) throw Object.assign(new Error('no datasource url is configured (DATABASE_URL)'), { prismaCode: 'P1012' });
    if (command === 'can-connect-to-database') await withClient(url, (c) => c.query('SELECT 1'));
    else if (command === 'create-database') await createDatabase(url);
    else throw new Error(`schema-engine cli ${command} is not supported by the WASM schema engine`);
  } catch (err) {
    const { code, message } = connectionError(err, url);
    await logLine('ERROR', { error_code: code, message });
    process.exit(1);
  }
}

/** Prisma's codes for the connection failures the CLI reacts to (P1003 makes it create the database). */
function connectionError(err, url) {
  const message = err instanceof Error ? err.message : String(err);
  const where = url
    ? (() => {
        const u = new URL(url);
        return { db: decodeURIComponent(u.pathname.slice(1)), at: u.host };
      })()
    : { db: '', at: '' };
  if (err?.prismaCode) return { code: err.prismaCode, message };
  if (err?.code === '3D000') return { code: 'P1003', message: `Database \`${where.db}\` does not exist on the database server at \`${where.at}\`.` };
  if (err?.code === '28P01' || err?.code === '28000') return { code: 'P1000', message: `Authentication failed against database server at \`${where.at}\`.` };
  if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND' || err?.code === 'ETIMEDOUT') {
    return { code: 'P1001', message: `Can't reach database server at \`${where.at}\`.` };
  }
  return { code: 'P1000', message };
}

/** wasm-bindgen's "bundler" output, instantiated by hand (Node cannot import .wasm as ESM). */
async function loadRuntime() {
  const runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const jsFile = fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const module = new WebAssembly.Module(readFileSync(jsFile.replace(/\.js$/, '.wasm')));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': runtime });
  runtime.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return runtime;
}

async function serve({ datamodels, datasource }) {
  const runtime = await loadRuntime();
  const connections = new ShimAdapterFactory(datasource ?? {});
  const factory = bindMigrationAwareSqlAdapterFactory(connections);
  const files = datamodels.map((path) => [path, readFileSync(path, 'utf8')]);
  // The engine's tracing output goes to stderr as JSON lines, where the CLI reads the native engine's.
  const log = (line) => process.stderr.write(`${line}\n`);
  // Not awaited here: with an unreachable database the engine fails from inside new() and the
  // promise never settles; calls race it against engineFailure instead.
  const engineReady = runtime.SchemaEngine.new({ datamodels: files.length > 0 ? files : undefined }, log, factory);

  let nextOutgoingId = 1;
  const awaitingReply = new Map();
  let queue = Promise.resolve();

  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  /** The native engine prints diff output by asking the CLI to print it (method "print"). */
  const print = (content) =>
    new Promise((resolve) => {
      const id = `shim-${nextOutgoingId++}`;
      awaitingReply.set(id, resolve);
      send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
    });

  async function call(method, params) {
    const engine = await engineReady;
    switch (method) {
      case 'evaluateDataLoss':
      case 'createMigration':
        // Without a diagnosis of the migration history since the last change to it (a fresh
        // engine, or one that just applied migrations), the WASM engine has no shadow database
        // for these two and fails with "shadow DB must be provided through an external factory".
        await engine.diagnoseMigrationHistory({
          migrationsList: params.migrationsList,
          optInToShadowDatabase: true,
          filters: params.filters,
        });
        return engine[method](params);
      case 'diff': {
        const { stdout, ...rest } = await engine.diff(params);
        if (stdout) await print(stdout.replace(/\n$/, ''));
        return rest;
      }
      case 'getDatabaseVersion':
        return engine.version(params ?? null);
      case 'createDatabase':
        return createDatabase(datasource?.url);
      case 'applyMigrations':
      case 'devDiagnostic':
      case 'diagnoseMigrationHistory':
      case 'dbExecute':
      case 'ensureConnectionValidity':
      case 'introspect':
      case 'introspectSql':
      case 'markMigrationApplied':
      case 'markMigrationRolledBack':
      case 'reset':
      case 'schemaPush':
      case 'debugPanic': {
        const result = await engine[method](params);
        // A few engine methods resolve to nothing; JSON-RPC needs a result.
        return result ?? {};
      }
      default:
        throw Object.assign(new Error(`method ${method} is not supported by the WASM schema engine`), { code: -32601 });
    }
  }

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (message.method === undefined) {
      // A reply from the CLI to one of our own requests (print).
      awaitingReply.get(message.id)?.();
      awaitingReply.delete(message.id);
      return;
    }
    // One call at a time, in order, as the native engine handles them.
    queue = queue.then(async () => {
      try {
        const result = await Promise.race([call(message.method, message.params), engineFailure]);
        send({ jsonrpc: '2.0', id: message.id, result });
      } catch (err) {
        send({ jsonrpc: '2.0', id: message.id, error: rpcError(err) });
      }
    });
  });
  lines.on('close', () => {
    // The CLI closes stdin to stop the engine; finish what is in flight, then release connections.
    queue = queue.then(async () => {
      await connections.closeAll();
      process.exit(0);
    });
  });
}

/** Turns an engine error into the JSON-RPC error the native engine would send. */
function rpcError(err) {
  if (err && typeof err === 'object' && err.code === -32601) return { code: -32601, message: err.message };
  const message = errorMessage(err);
  if (err instanceof Error && err.name === 'RuntimeError') {
    return { code: ENGINE_ERROR, message, data: { is_panic: true, message, error: { message } } };
  }
  const data = { is_panic: false, message, meta: err?.meta ?? null };
  if (typeof err?.code === 'string') data.error_code = err.code;
  return { code: ENGINE_ERROR, message: 'An error happened. Check the data field for details.', data };
}

/** pg config from a URL, as separate fields so `{ ...config, database }` really changes the database. */
function pgConfig(url) {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  const { database, host, port, user, password, ssl, options, application_name } = parseConnectionString(parsed.toString());
  const config = {
    database: database ?? undefined,
    host: host ?? undefined,
    port: port ? Number(port) : undefined,
    user,
    password,
    ssl,
    options,
    application_name,
  };
  for (const key of Object.keys(config)) if (config[key] === undefined || config[key] === null) delete config[key];
  return { config, schema };
}

async function withClient(url, fn, database) {
  const { config } = pgConfig(url);
  const client = new pg.Client({ ...config, ...(database ? { database } : {}) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The server's maintenance database, for CREATE/DROP DATABASE. */
const withAdminClient = (url, fn) => withClient(url, fn, 'postgres');

async function createDatabase(url) {
  if (!url) throw new Error('no datasource url is configured');
  const { config } = pgConfig(url);
  await withAdminClient(url, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(config.database)}`));
  return { databaseName: config.database };
}

/** An adapter-pg connection whose queries see `"char"` as text and whose scripts run whole. */
function patchedAdapter(adapter, dispose) {
  const patched = Object.create(adapter);
  patched.performIO = async function (query) {
    const result = await adapter.performIO.call(this, query);
    for (const field of result.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    return result;
  };
  patched.executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  patched.startTransaction = async function (isolationLevel) {
    const tx = await adapter.startTransaction.call(this, isolationLevel);
    return patchedAdapter(tx);
  };
  if (dispose) patched.dispose = dispose;
  return patched;
}

/** The SqlMigrationAwareDriverAdapterFactory the engine talks to. */
class ShimAdapterFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  /** Main-database connections the engine has not disposed of, closed when the CLI stops us. */
  open = new Set();

  constructor(datasource) {
    this.url = datasource.url;
    this.shadowUrl = datasource.shadowDatabaseUrl;
  }

  async connect() {
    if (!this.url) throw new Error('no datasource url is configured (DATABASE_URL)');
    const { config, schema } = pgConfig(this.url);
    const inner = await new PrismaPg(config, { schema }).connect();
    this.open.add(inner);
    return patchedAdapter(inner, async () => {
      this.open.delete(inner);
      await inner.dispose();
    });
  }

  async closeAll() {
    await Promise.allSettled([...this.open].map((adapter) => adapter.dispose()));
    this.open.clear();
  }

  async connectToShadowDb() {
    if (this.shadowUrl) {
      const { config, schema } = pgConfig(this.shadowUrl);
      return patchedAdapter(await new PrismaPg(config, { schema }).connect());
    }
    if (!this.url) throw new Error('no datasource url is configured (DATABASE_URL)');
    // Like the native engine: a temporary database on the main server, dropped afterwards.
    const { config } = pgConfig(this.url);
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await withAdminClient(this.url, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
    const inner = await new PrismaPg({ ...config, database: name }).connect();
    return patchedAdapter(inner, async () => {
      await inner.dispose();
      await withAdminClient(this.url, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    });
  }
}

// Some engine failures (e.g. the main database does not exist) surface as an exception thrown
// from inside the engine's own tasks, outside the call that caused them. The engine is in no state
// to go on: the call in flight and every later one are answered with that error (the CLI shows it
// and stops us by closing stdin).
let rejectOnFailure;
const engineFailure = new Promise((_, reject) => {
  rejectOnFailure = reject;
});
engineFailure.catch(() => undefined); // observed by the calls that race it
function onEngineFailure(err) {
  process.stderr.write(`${JSON.stringify({ level: 'ERROR', fields: { message: errorMessage(err) }, target: 'schema_engine_shim' })}\n`);
  rejectOnFailure(err);
}
process.on('uncaughtException', onEngineFailure);
process.on('unhandledRejection', onEngineFailure);

const errorMessage = (err) => (err instanceof Error ? err.message : String(err)).trim();

const args = parseArgs(process.argv.slice(2));
if (args.version) {
  // `prisma version` reads this; native engines print `schema-engine-cli <commit>`.
  const runtime = await loadRuntime();
  process.stdout.write(`schema-engine-cli ${runtime.version()} (wasm)\n`);
} else if (args.cli !== null) {
  await runCliCommand(args.cli, args.datasource?.url);
} else {
  await serve(args);
}
