// `npm run build`: the service as JavaScript in dist/ (or --out <dir>), ready for `node dist/src/main.js`:
//   1. tsc -p tsconfig.build.json (incremental; the Prisma client in src/db/generated included),
//   2. the files read at run time next to it (prisma/migrations, skills, playbooks), at the same relative paths,
//   3. the workflow bundles, built once here from the compiled workflows (dist/workflow-bundle.js,
//      and dist/workflow-bundle.traced.js with the OpenTelemetry workflow interceptors, which a
//      worker with tracing on loads), so the compiled worker does not bundle at every start.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = resolve(root, values.out);
const require = createRequire(import.meta.url);

const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out, '--tsBuildInfoFile', join(out, '.tsbuildinfo')],
  { stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

for (const dir of ['prisma/migrations', 'skills', 'playbooks']) {
  rmSync(join(out, dir), { recursive: true, force: true });
  cpSync(join(root, dir), join(out, dir), { recursive: true });
}

const { bundleWorkflowCode, DefaultLogger } = await import('@temporalio/worker');
// The same module list as src/observability/tracing.ts (WORKFLOW_TRACING_MODULES), from the compiled copy.
const { WORKFLOW_TRACING_MODULES } = require(join(out, 'src', 'observability', 'tracing.js'));
const sizes = [];
for (const [file, workflowInterceptorModules] of [
  ['workflow-bundle.js', []],
  ['workflow-bundle.traced.js', [...WORKFLOW_TRACING_MODULES]],
]) {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(out, 'workflows', 'index.js'),
    workflowInterceptorModules,
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(join(out, file), code);
  sizes.push(`${file} ${(code.length / 1024).toFixed(0)} KiB`);
}
process.stdout.write(`built ${out} (${sizes.join(', ')})\n`);
