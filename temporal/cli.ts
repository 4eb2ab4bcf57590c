// Finds the Temporal CLI: TEMPORAL_CLI_PATH, then the project's .tools/bin (temporal/setup-tools.sh),
// then PATH. Undefined means "let @temporalio/testing download it" (needs internet).
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const projectRoot = resolve(__dirname, '..');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    // accessSync throws (ENOENT/EACCES) when the file is missing or not executable: that is the answer.
    return false;
  }
}

export function findTemporalCli(explicit?: string): string | undefined {
  if (explicit) {
    if (!executable(explicit)) throw new Error(`TEMPORAL_CLI_PATH is not an executable file: ${explicit}`);
    return explicit;
  }
  const candidates = [join(projectRoot, '.tools', 'bin', 'temporal')];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, 'temporal'));
  return candidates.find(executable);
}

/** The time-skipping test server launcher written by `temporal/setup-tools.sh --tests`. */
export function findTestServer(): string {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH ?? join(projectRoot, '.tools', 'bin', 'temporal-test-server');
  if (!executable(path)) {
    throw new Error(`time-skipping test server not found at ${path}: run bash temporal/setup-tools.sh --tests`);
  }
  return path;
}
