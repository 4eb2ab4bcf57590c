// Operator self-test: proves the worker runs workflows and its activities reach the database.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SelfTestActivities } from '../activities/self-test';

export interface SelfTestInput {
  version: 1;
  probeId: string;
  note: string;
}

export interface SelfTestResult {
  probeId: string;
  workflowId: string;
  wrote: string;
  readBack: string;
  ok: boolean;
}

// The one bounded policy: a probe exists to report an unreachable database quickly, not to
// ride the outage out (every other workflow uses definitions/retry.ts).
const { writeProbe, readProbe } = proxyActivities<SelfTestActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export async function selfTestWorkflow(input: SelfTestInput): Promise<SelfTestResult> {
  const { workflowId } = workflowInfo();
  await writeProbe({ probeId: input.probeId, workflowId, note: input.note });
  const readBack = await readProbe({ probeId: input.probeId });
  return { probeId: input.probeId, workflowId, wrote: input.note, readBack, ok: readBack === input.note };
}
