// The benchmark's workflow bundle: the real sequence workflow and a baseline of six no-op
// activities, registered side by side on one worker.
import { proxyActivities } from '@temporalio/workflow';

export { leadSequenceWorkflow, campaignWorkflow } from '../workflows';

const { noop } = proxyActivities<{ noop(n: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function baselineWorkflow(): Promise<void> {
  for (let i = 1; i <= 6; i++) await noop(i);
}
