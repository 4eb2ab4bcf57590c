// The safety-net sweeps as Temporal Schedules (`schedule:<name>`), created idempotently at start-up
// and visible in the Web UI. An existing schedule gets its spec and action brought up to date.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { TypedSearchAttributes, type Duration } from '@temporalio/common';
import { workflowIds } from '../workflows/ids';
import { ClientIdKey, PLATFORM_CLIENT_ID } from '../workflows/search-attributes';

export interface SweepSchedule {
  name: string;
  workflowType: string;
  cron: string;
  description: string;
  /** How late a missed run still starts (default 1 hour). */
  catchupWindow?: Duration;
}

export const SWEEPS: SweepSchedule[] = [
  { name: 'enrichment-sweep', workflowType: 'enrichmentSweepWorkflow', cron: '0 2 * * *', description: 'enrich and score leads left behind' },
  { name: 'outreach-sweep', workflowType: 'outreachSweepWorkflow', cron: '0 8-18 * * 1-5', description: 'start missing sequences, heal stuck ones' },
  {
    name: 'reply-recovery',
    workflowType: 'replyRecoveryWorkflow',
    cron: '0 */6 * * *',
    description: 'replay the webhook inbox, fetch missed inbound messages',
  },
  {
    name: 'webhook-dispatch',
    workflowType: 'webhookDispatchSweepWorkflow',
    cron: '*/5 * * * *',
    description: "start client webhook deliveries the worker's dispatcher missed",
  },
  {
    name: 'review-sweep',
    workflowType: 'reviewSweepWorkflow',
    cron: '15 * * * *',
    description: 'tell clients about reply reviews unresolved past REVIEW_STALE_AFTER',
  },
  // Monthly credits: a run missed while Temporal was down still grants when it is back (within a week).
  {
    name: 'credit-grants',
    workflowType: 'creditGrantsWorkflow',
    cron: '0 0 1 * *',
    description: "grant each client its plan's monthly credits; expire last month's leftovers",
    catchupWindow: '7 days',
  },
  {
    name: 'skill-feedback-digest',
    workflowType: 'skillDigestWorkflow',
    cron: '0 7 * * 1',
    description: "weekly digest of skill ratings for the skills' rules",
  },
];

export async function registerSchedules(
  client: Client,
  opts: { taskQueue: string; timeZone: string; sweeps?: SweepSchedule[] },
): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  for (const sweep of opts.sweeps ?? SWEEPS) {
    const scheduleId = workflowIds.schedule(sweep.name);
    const options: ScheduleOptions = {
      scheduleId,
      spec: { cronExpressions: [sweep.cron], timezone: opts.timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: sweep.workflowType,
        workflowId: `sweep:${sweep.name}`,
        taskQueue: opts.taskQueue,
        args: [{ version: 1 }],
        typedSearchAttributes: new TypedSearchAttributes([{ key: ClientIdKey, value: PLATFORM_CLIENT_ID }]),
      },
      // A sweep still running when the next is due: skip the next one rather than pile up.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: sweep.catchupWindow ?? '1 hour' },
      memo: { description: sweep.description },
    };
    try {
      await client.schedule.create(options);
      created.push(scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: options.policies }));
      updated.push(scheduleId);
    }
  }
  return { created, updated };
}
