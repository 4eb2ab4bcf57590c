// Replays every committed workflow history against the current workflow code: an edit to a
// running workflow that is not behind patched() fails here with a non-determinism error.
// The worker parses the CLI's proto JSON itself. Record new histories with RECORD_HISTORIES=1 (see test/harness/histories.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { harnessValue } from '../harness/env';
import { HISTORIES_DIR } from '../harness/histories';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

it('replays every committed history without non-determinism', async () => {
  expect(files.length).toBeGreaterThan(0);
  const histories = files.map((file) => {
    const raw = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
    return { workflowId: String(raw.workflowId), history: raw.history as unknown };
  });
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: harnessValue('bundlePath') } }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
