// Starts a local Temporal dev server (`temporal server start-dev`) when TEMPORAL_ADDRESS is unset:
// loopback only, Web UI on the given port, state kept in a SQLite file so a restart keeps history.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli } from './cli';

export interface DevServerHandle {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startDevServer(opts: { dataDir: string; port: number; uiPort: number; namespace: string; cliPath?: string }): Promise<DevServerHandle> {
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const cli = findTemporalCli(opts.cliPath);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download', downloadDir: resolve(__dirname, '..', '.tools', 'download') },
      ip: '127.0.0.1',
      port: opts.port,
      ui: true,
      uiPort: opts.uiPort,
      namespace: opts.namespace,
      dbFilename: join(dir, 'temporal.sqlite'),
      log: { format: 'json', level: 'warn' },
    },
  });
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: `http://localhost:${opts.uiPort}`,
    stop: () => env.teardown(),
  };
}
