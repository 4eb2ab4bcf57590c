// The worker process `npm run chaos` kills: the real worker (every workflow and activity, the real
// Postmark driver) built from the environment the parent passes, on a pre-built workflow bundle so a
// restart takes seconds. Prints "ready" once it polls; the parent SIGKILLs it, so it never cleans up.
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { createLogger } from '../src/logger';
import { buildActivityDeps } from '../src/composition';
import { createWorker } from '../src/worker';
import { Client, Connection } from '@temporalio/client';

async function main(): Promise<void> {
  const env = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const address = env('CHAOS_TEMPORAL_ADDRESS');
  const taskQueue = env('CHAOS_TASK_QUEUE');
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'fatal',
    SIGNING_SECRET: env('CHAOS_SIGNING_SECRET'),
    POSTMARK_SERVER_TOKEN: env('CHAOS_POSTMARK_TOKEN'),
    POSTMARK_BASE_URL: env('CHAOS_POSTMARK_URL'),
  });
  const logger = createLogger('fatal');
  const db = createDb(env('CHAOS_DATABASE_URL'), { max: 10 });
  const temporal = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
  const deps = buildActivityDeps({ config, db, logger, temporal, taskQueue, signingSecret: config.SIGNING_SECRET! });
  const { worker } = await createWorker({ address, namespace: 'default', taskQueue, deps, workflowBundle: { codePath: env('CHAOS_BUNDLE_PATH') } });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos worker: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
