// The hourly outreach safety net: sequences that should be running are started, stuck ones healed.
// - pending enrolments of active campaigns older than a few minutes: the campaign is told again;
// - active enrolments whose sequence workflow is gone: restarted (signal-with-start, same id);
// - active enrolments whose sequence closed without its final bookkeeping: the row is closed;
// - active campaigns whose workflow is not running: the workflow is started again.
import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { workflowIds } from '../workflows/ids';
import { notifyLeadsAdded, startCampaignWorkflow } from '../src/lifecycle/campaigns';
import type { ActivityDeps } from './deps';

export interface OutreachSweepResult {
  campaignsRestarted: number;
  campaignsNudged: number;
  enrollmentsClosed: number;
  sequencesRestarted: number;
}

const PENDING_GRACE_MS = 5 * 60 * 1000;

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
    async sweepOutreach(a: { limit: number }): Promise<OutreachSweepResult> {
      const result: OutreachSweepResult = { campaignsRestarted: 0, campaignsNudged: 0, enrollmentsClosed: 0, sequencesRestarted: 0 };
      const campaigns = await db.campaign.findMany({ where: { status: { in: ['active', 'paused'] }, deletedAt: null }, take: a.limit });
      for (const c of campaigns) {
        if ((await workflowStatus(workflowIds.campaign(c.id))) !== 'RUNNING') {
          await startCampaignWorkflow(temporal, deps.taskQueue, { clientId: c.clientId, id: c.id }, { status: c.status === 'paused' ? 'paused' : 'active' });
          result.campaignsRestarted++;
        }
        if (c.status !== 'active') continue;
        const stalePending = await db.campaignEnrollment.count({
          where: { campaignId: c.id, status: 'pending', createdAt: { lt: new Date(Date.now() - PENDING_GRACE_MS) } },
        });
        if (stalePending > 0) {
          await notifyLeadsAdded(temporal, c.id, stalePending);
          result.campaignsNudged++;
        }
        heartbeat();
      }

      const active = await db.campaignEnrollment.findMany({
        where: { status: 'active', campaign: { status: { in: ['active', 'paused'] } } },
        orderBy: { updatedAt: 'asc' },
        take: a.limit,
      });
      for (const e of active) {
        const status = await workflowStatus(workflowIds.sequence(e.campaignId, e.leadId));
        if (status === 'RUNNING') continue;
        if (status === null) {
          // Lost (e.g. the namespace was reset): enrol it again through its campaign.
          await db.campaignEnrollment.update({ where: { id: e.id }, data: { status: 'pending' } });
          await notifyLeadsAdded(temporal, e.campaignId, 1);
          result.sequencesRestarted++;
        } else {
          await db.campaignEnrollment.update({
            where: { id: e.id },
            data: { status: status === 'COMPLETED' ? 'completed' : 'stopped', stopReason: status === 'COMPLETED' ? null : `workflow_${status.toLowerCase()}`, endedAt: new Date() },
          });
          result.enrollmentsClosed++;
        }
        heartbeat();
      }
      return result;
    },
  };
}

export type OutreachSweepActivities = ReturnType<typeof createOutreachSweepActivities>;
