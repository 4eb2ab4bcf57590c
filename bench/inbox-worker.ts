// The worker role's webhook processing, alone in its own process, for bench/webhooks.ts: in
// production the API replicas only verify and store, and processing runs in the worker role, so the
// benchmark measures the API's ingest without processing sharing its event loop. It reports "ready"
// once listening, "idle" whenever asked (a line "idle?" on stdin) and nothing is held, and stops on SIGTERM.
import { createInterface } from 'node:readline';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/client';
import { startInboxProcessing } from '../src/lifecycle/inbox-processing';
import { connectTemporal, temporalClient } from '../src/lifecycle/temporal';
import { createLogger } from '../src/logger';

interface ChildOptions {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  env: Record<string, string>;
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.env.BENCH_INBOX_WORKER ?? '') as ChildOptions;
  const config = loadConfig(opts.env);
  const logger = createLogger('silent');
  const db = createDb(opts.databaseUrl, { max: 10 });
  const connection = await connectTemporal(opts.temporalAddress);
  const temporal = temporalClient(connection, 'default');
  const inbox = startInboxProcessing({ databaseUrl: opts.databaseUrl, db, temporal, taskQueue: opts.taskQueue, config, logger });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'idle?') void inbox.idle().then(() => process.stdout.write('idle\n'));
  });
  process.once('SIGTERM', () => {
    void (async () => {
      await inbox.stop(10_000);
      await db.$disconnect();
      await connection.close();
      process.exit(0);
    })();
  });
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
