// Hourly during business hours (Temporal Schedule `schedule:outreach-sweep`): heals outreach.
import { proxyActivities } from '@temporalio/workflow';
import type { OutreachSweepActivities, OutreachSweepResult } from '../activities/outreach-sweep';

const { sweepOutreach } = proxyActivities<OutreachSweepActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

export async function outreachSweepWorkflow(input: { version: 1; limit?: number } = { version: 1 }): Promise<OutreachSweepResult> {
  return sweepOutreach({ limit: input.limit ?? 1000 });
}
