// The hourly outreach safety net: sequences that should be running are started, broken ones
// repaired. It pages through every campaign and every active enrolment (id cursors, kept in the
// heartbeat so a retried sweep carries on where it stopped); it repairs, it never gives up:
// - an active or paused campaign whose workflow is not running: started again in the state the
//   database records (it then finishes enrolling its pending leads);
// - pending enrolments of active campaigns older than a few minutes: the campaign is told again;
// - an active enrolment whose sequence workflow is gone: enrolled again through its campaign;
// - one whose sequence failed, was terminated or timed out: restarted with the same id, so the
//   ledger's sent touches are reported, not sent again (startSequence);
// - one whose sequence completed, or was cancelled on purpose, without its final bookkeeping: closed.
import { heartbeat, activityInfo } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SequenceState } from '../workflows/definitions/sequence';
import { workflowIds } from '../workflows/ids';
import { startSequence } from './campaign';
import type { ActivityDeps } from './deps';

export interface OutreachSweepResult {
  campaignsRestarted: number;
  campaignsNudged: number;
  enrollmentsClosed: number;
  sequencesRestarted: number;
  /** Active enrolments looked at (all of them, page by page). */
  enrollmentsChecked: number;
}

interface SweepProgress {
  result: OutreachSweepResult;
  campaignCursor?: string;
  enrollmentCursor?: string;
  campaignsDone?: boolean;
}

const PENDING_GRACE_MS = 5 * 60 * 1000;
/** Workflow descriptions asked for at once. */
const CONCURRENCY = 8;
/** Run statuses that mean the sequence broke (not an operator's or its own decision to end). */
const BROKEN = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT']);

async function inParallel<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export function createOutreachSweepActivities(deps: ActivityDeps) {
  const { db, temporal } = deps;

  async function workflowStatus(workflowId: string): Promise<string | null> {
    try {
      return (await temporal.workflow.getHandle(workflowId).describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  return {
    /** `limit` is the page size: every campaign and enrolment is looked at, page by page. */
    async sweepOutreach(a: { limit: number }): Promise<OutreachSweepResult> {
      const pageSize = Math.max(1, Math.min(a.limit, 1000));
      const saved = activityInfo().heartbeatDetails as SweepProgress | undefined;
      const progress: SweepProgress = saved ?? {
        result: { campaignsRestarted: 0, campaignsNudged: 0, enrollmentsClosed: 0, sequencesRestarted: 0, enrollmentsChecked: 0 },
      };
      const { result } = progress;

      while (!progress.campaignsDone) {
        const campaigns = await db.campaign.findMany({
          where: { status: { in: ['active', 'paused'] }, deletedAt: null, ...(progress.campaignCursor ? { id: { gt: progress.campaignCursor } } : {}) },
          orderBy: { id: 'asc' },
          take: pageSize,
        });
        for (const c of campaigns) {
          if ((await workflowStatus(workflowIds.campaign(c.id))) !== 'RUNNING') {
            // A new run in the recorded state; it reads its counts and enrols what is pending.
            await deps.lifecycle.startCampaignWorkflow({ clientId: c.clientId, id: c.id }, { status: c.status === 'paused' ? 'paused' : 'active' });
            result.campaignsRestarted++;
          } else if (c.status === 'active') {
            const stalePending = await db.campaignEnrollment.count({
              where: { campaignId: c.id, status: 'pending', createdAt: { lt: new Date(Date.now() - PENDING_GRACE_MS) } },
            });
            if (stalePending > 0) {
              await deps.lifecycle.notifyLeadsAdded(c.id, stalePending);
              result.campaignsNudged++;
            }
          }
          progress.campaignCursor = c.id;
          heartbeat(progress);
        }
        if (campaigns.length < pageSize) progress.campaignsDone = true;
      }

      for (;;) {
        const page = await db.campaignEnrollment.findMany({
          where: {
            status: 'active',
            campaign: { status: { in: ['active', 'paused'] } },
            ...(progress.enrollmentCursor ? { id: { gt: progress.enrollmentCursor } } : {}),
          },
          include: { campaign: true, lead: { select: { alsTier: true } } },
          orderBy: { id: 'asc' },
          take: pageSize,
        });
        await inParallel(page, async (e) => {
          const handle = temporal.workflow.getHandle(workflowIds.sequence(e.campaignId, e.leadId));
          const status = await workflowStatus(handle.workflowId);
          if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return;
          if (status === null) {
            // Lost (e.g. the namespace was reset): enrol it again through its campaign.
            await db.campaignEnrollment.updateMany({ where: { id: e.id, status: 'active' }, data: { status: 'pending' } });
            await deps.lifecycle.notifyLeadsAdded(e.campaignId, 1);
            result.sequencesRestarted++;
          } else if (BROKEN.has(status)) {
            const client = await db.client.findUniqueOrThrow({ where: { id: e.clientId }, select: { permissionMode: true } });
            await startSequence(deps, { campaign: e.campaign, client, enrollment: e, lead: e.lead, restart: true });
            result.sequencesRestarted++;
          } else {
            // COMPLETED (stopped by a signal, or run to its end) or CANCELED by an operator: it ended on purpose.
            let outcome: { status: 'completed' | 'stopped'; reason: string | null } = { status: 'stopped', reason: `workflow_${status.toLowerCase()}` };
            if (status === 'COMPLETED') {
              const state = (await handle.result()) as SequenceState;
              outcome = state.status === 'stopped' ? { status: 'stopped', reason: state.stopReason ?? null } : { status: 'completed', reason: null };
            }
            await db.campaignEnrollment.updateMany({
              where: { id: e.id, status: 'active' },
              data: { status: outcome.status, stopReason: outcome.reason, endedAt: new Date() },
            });
            result.enrollmentsClosed++;
          }
        });
        result.enrollmentsChecked += page.length;
        if (page.length > 0) progress.enrollmentCursor = page[page.length - 1].id;
        heartbeat(progress);
        if (page.length < pageSize) return result;
      }
    },
  };
}

export type OutreachSweepActivities = ReturnType<typeof createOutreachSweepActivities>;
