// Committed workflow histories for replay tests. A test that runs a workflow calls
// recordHistory(); with RECORD_HISTORIES=1 the history is (re)written as a fixture.
// The Temporal CLI writes the canonical proto JSON that historyFromJSON reads back.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTemporalCli } from '../../temporal/cli';
import { harnessValue } from './env';

export const HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');

/** Without `runId`, the latest run of `workflowId` (pass the first run's id to keep a continue-as-new). */
export function recordHistory(workflowId: string, name: string, address = harnessValue('temporalAddress'), runId?: string): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const cli = findTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cli) throw new Error('Temporal CLI not found');
  const json = execFileSync(cli, ['workflow', 'show', '--address', address, '-w', workflowId, ...(runId ? ['-r', runId] : []), '-o', 'json'], {
    encoding: 'utf8',
  });
  const body = { workflowId, history: JSON.parse(json) };
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), JSON.stringify(body, null, 1) + '\n');
}
