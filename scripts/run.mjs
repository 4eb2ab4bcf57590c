// `npm run admin|seed:demo|migrate`: runs one command module the same way in a checkout and in the
// production image. A checkout (tsx installed, a dev dependency) runs the TypeScript source, so a
// stale dist/ is never used; the image (production dependencies only, no tsx) runs the build.
// Usage: node scripts/run.mjs src/cli/admin [args…]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [module, ...args] = process.argv.slice(2);
if (!module) {
  process.stderr.write('usage: node scripts/run.mjs <module without extension> [args…]\n');
  process.exit(2);
}

let hasTsx = true;
try {
  createRequire(import.meta.url).resolve('tsx');
} catch {
  hasTsx = false; // MODULE_NOT_FOUND: a production install; the compiled command is used below
}
const compiled = join(root, 'dist', `${module}.js`);
const argv = hasTsx ? ['--import', 'tsx', join(root, `${module}.ts`)] : [compiled];
if (!hasTsx && !existsSync(compiled)) {
  process.stderr.write(`${compiled} is missing and tsx is not installed: run npm run build (or npm ci with dev dependencies)\n`);
  process.exit(1);
}
const r = spawnSync(process.execPath, [...argv, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
