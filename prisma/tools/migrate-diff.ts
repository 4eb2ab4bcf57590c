/**
 * `prisma migrate diff`, run through the Prisma CLI and its official schema engine (the WASM
 * build behind prisma/engine/schema-engine-shim.mjs, which prisma.config.ts selects).
 *
 * Sources that are a migrations directory are replayed into a temporary shadow database that the
 * engine creates and drops again on the server of `databaseUrl`; that URL's own database is only
 * connected to, never changed. Diffs between schema files need no server at all.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const PRISMA_CLI = require.resolve('prisma/build/index.js', { paths: [ROOT] });

export interface PrismaCliResult {
  /** migrate diff with --exit-code: 0 no difference, 2 differences, 1 error. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `prisma migrate diff <args>`; `databaseUrl` becomes DATABASE_URL (see above). */
export function migrateDiff(args: readonly string[], opts: { databaseUrl?: string } = {}): Promise<PrismaCliResult> {
  return prismaCli(['migrate', 'diff', ...args], opts);
}

/** Any Prisma CLI command, from the repository root (so prisma.config.ts applies). */
export function prismaCli(args: readonly string[], opts: { databaseUrl?: string } = {}): Promise<PrismaCliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', NO_COLOR: '1' };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [PRISMA_CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ exitCode: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}

/** The CLI's error text without its banner lines, for messages. */
export function diffError(result: PrismaCliResult): string {
  const text = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('Loaded Prisma config'))
    .join(' ');
  return text.replace(/\s+/g, ' ').trim() || `exit code ${result.exitCode}`;
}
