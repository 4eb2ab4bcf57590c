// Regenerates the Prisma client (also npm's postinstall). Offline-safe: prisma.config.ts points
// PRISMA_SCHEMA_ENGINE_BINARY at the WASM engine shim, so the CLI never tries to download the
// native schema engine (and generate does not start an engine at all).
import { spawnSync } from 'node:child_process';

const r = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
