// Hourly during business hours (Temporal Schedule `schedule:outreach-sweep`): heals outreach.
import { proxyActivities } from '@temporalio/workflow';
import type { OutreachSweepActivities, OutreachSweepResult } from '../activities/outreach-sweep';
import { LONG_ACTIVITY } from './definitions/retry';

const { sweepOutreach } = proxyActivities<OutreachSweepActivities>(LONG_ACTIVITY);

export async function outreachSweepWorkflow(input: { version: 1; limit?: number } = { version: 1 }): Promise<OutreachSweepResult> {
  return sweepOutreach({ limit: input.limit ?? 1000 });
}
