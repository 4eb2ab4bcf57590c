// Activities of campaignWorkflow: status bookkeeping, paged enrolment (each lead's sequence is
// started with signal-with-start from here, not as thousands of children of one history), and
// broadcasts to the campaign's running sequences.
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Campaign, CampaignEnrollment, CampaignStatus, Client, Lead } from '../src/db/client';
import { type Prisma } from '../src/db/client';
import { workflowIds } from '../workflows/ids';
import { campaignResumedSignal, stopSignal, type LeadSequenceWorkflow, type SequenceTouchPlan } from '../workflows/definitions/sequence';
import type { CampaignState } from '../workflows/definitions/campaign';
import { AlsTierKey, CampaignIdKey, ClientIdKey, LeadIdKey } from '../workflows/search-attributes';
import { sequenceOfVersion } from '../src/engines/campaigns';
import { FailureType } from '../workflows/definitions/retry';
import { emitEvent } from '../src/engines/events';
import { mapLimit } from '../src/shared/concurrency';
import type { ActivityDeps } from './deps';

export const ENROLL_PAGE_SIZE = 100;
/** Sequences one enrolment page starts at once (signal-with-start calls in flight). */
export const ENROLL_CONCURRENCY = 16;

/**
 * Starts a lead's sequence (signal-with-start, so a repeated start only wakes it). A first start
 * refuses an id that has run before: a sequence that ran to its end is never started again for
 * this campaign. `restart` is the outreach sweep's repair of a sequence whose last run failed, was
 * terminated or timed out (never one that completed or was cancelled): a new run with the same id,
 * so its ledger keys are the same and what the ledger records as sent is not sent again, and with
 * the first run's start, so its touches keep their days.
 */
export async function startSequence(
  deps: Pick<ActivityDeps, 'db' | 'temporal' | 'taskQueue'>,
  a: {
    campaign: Pick<Campaign, 'id' | 'clientId' | 'sequence' | 'permissionMode'>;
    client: Pick<Client, 'permissionMode'>;
    enrollment: Pick<CampaignEnrollment, 'leadId' | 'sequenceVersion' | 'startedAt'>;
    lead: Pick<Lead, 'alsTier'>;
    restart?: boolean;
  },
): Promise<void> {
  const { campaign, enrollment: e } = a;
  // The plan of the version the enrolment is pinned to (a restart keeps the lead on its version).
  const touches: SequenceTouchPlan[] = (await sequenceOfVersion(deps.db, campaign, e.sequenceVersion)).touches;
  try {
    await deps.temporal.workflow.signalWithStart<LeadSequenceWorkflow, []>('leadSequenceWorkflow', {
      workflowId: workflowIds.sequence(campaign.id, e.leadId),
      taskQueue: deps.taskQueue,
      args: [
        {
          version: 1,
          clientId: campaign.clientId,
          campaignId: campaign.id,
          leadId: e.leadId,
          sequenceVersion: e.sequenceVersion,
          permissionMode: campaign.permissionMode ?? a.client.permissionMode,
          tier: a.lead.alsTier,
          touches,
          ...(a.restart && e.startedAt ? { startedAt: e.startedAt.toISOString() } : {}),
        },
      ],
      signal: campaignResumedSignal,
      signalArgs: [],
      workflowIdReusePolicy: a.restart ? 'ALLOW_DUPLICATE_FAILED_ONLY' : 'REJECT_DUPLICATE',
      typedSearchAttributes: new TypedSearchAttributes([
        { key: ClientIdKey, value: campaign.clientId },
        { key: CampaignIdKey, value: campaign.id },
        { key: LeadIdKey, value: e.leadId },
        ...(a.lead.alsTier ? [{ key: AlsTierKey, value: a.lead.alsTier }] : []),
      ]),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export function createCampaignActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    async setCampaignStatus(a: { campaignId: string; status: CampaignStatus }): Promise<void> {
      const stamp: Record<CampaignStatus, Prisma.CampaignUpdateManyMutationInput> = {
        draft: {},
        active: { startedAt: new Date(), pausedAt: null },
        paused: { pausedAt: new Date() },
        completed: { completedAt: new Date() },
        cancelled: { cancelledAt: new Date() },
      };
      // startedAt is kept from the first start: resume must not move it.
      const data = a.status === 'active' ? { status: a.status, pausedAt: null } : { status: a.status, ...stamp[a.status] };
      await db.$transaction(async (tx) => {
        const before = await tx.campaign.findUnique({ where: { id: a.campaignId }, select: { status: true } });
        await tx.campaign.updateMany({ where: { id: a.campaignId }, data });
        if (a.status === 'active') await tx.campaign.updateMany({ where: { id: a.campaignId, startedAt: null }, data: { startedAt: new Date() } });
        // Outbound event, with the change: a retried activity finds the status already set and emits nothing.
        if (before && before.status !== a.status) {
          const c = await tx.campaign.findUniqueOrThrow({ where: { id: a.campaignId }, select: { clientId: true, name: true } });
          await emitEvent(tx, {
            clientId: c.clientId,
            type: 'campaign.status_changed',
            data: { campaignId: a.campaignId, name: c.name, from: before.status, to: a.status },
          });
        }
      });
    },

    /** Starts the sequences of up to one page of pending enrolments; returns how many remain. */
    async enrolPendingLeads(a: { campaignId: string }): Promise<{ enrolled: number; remaining: number }> {
      const campaign = await db.campaign.findUnique({ where: { id: a.campaignId } });
      if (!campaign) throw ApplicationFailure.nonRetryable(`campaign ${a.campaignId} not found`, FailureType.NotFound);
      const client = await db.client.findUniqueOrThrow({ where: { id: campaign.clientId } });
      const pending = await db.campaignEnrollment.findMany({
        where: { campaignId: a.campaignId, status: 'pending' },
        include: { lead: true },
        orderBy: { createdAt: 'asc' },
        take: ENROLL_PAGE_SIZE,
      });
      let enrolled = 0;
      // Several at a time: each start is a round trip to Temporal, and one by one they bounded a
      // campaign's first touches at that latency (2–3 leads a second on a loaded machine). Each lead
      // is still marked active only after its own start, so a retried page starts the rest again.
      await mapLimit(pending, ENROLL_CONCURRENCY, async (e) => {
        // A lead starts on the campaign's current version (it may have been edited since the lead was
        // added); one that ran before (a lost sequence enrolled again) keeps the version it had.
        const enrollment = e.startedAt ? e : { ...e, sequenceVersion: campaign.sequenceVersion };
        await startSequence(deps, { campaign, client, enrollment, lead: e.lead });
        await db.campaignEnrollment.updateMany({
          where: { id: e.id, status: 'pending' },
          data: { status: 'active', startedAt: new Date(), sequenceVersion: enrollment.sequenceVersion },
        });
        enrolled++;
        heartbeat(enrolled);
      });
      const remaining = await db.campaignEnrollment.count({ where: { campaignId: a.campaignId, status: 'pending' } });
      return { enrolled, remaining };
    },

    /** Signals every running sequence of the campaign (resume → re-check now; cancel → stop). */
    async broadcastToSequences(a: { campaignId: string; what: 'resume' | 'cancel' }): Promise<number> {
      let cursor: string | undefined;
      let count = 0;
      for (;;) {
        const page = await db.campaignEnrollment.findMany({
          where: { campaignId: a.campaignId, status: { in: ['active', 'paused'] }, ...(cursor ? { id: { gt: cursor } } : {}) },
          orderBy: { id: 'asc' },
          take: 200,
        });
        if (page.length === 0) return count;
        for (const e of page) {
          const handle = deps.temporal.workflow.getHandle(workflowIds.sequence(a.campaignId, e.leadId));
          try {
            if (a.what === 'resume') await handle.signal(campaignResumedSignal);
            else await handle.signal(stopSignal, { version: 1, eventId: `campaign-cancel:${a.campaignId}`, reason: 'campaign_cancelled' });
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
          count++;
          heartbeat(count);
        }
        cursor = page[page.length - 1].id;
      }
    },

    /** Counts from the database: the start (and continue-as-new) state of the campaign query. */
    async campaignCounts(a: { campaignId: string }): Promise<Omit<CampaignState, 'status'>> {
      const [byStatus, leadStatuses, sent] = await Promise.all([
        db.campaignEnrollment.groupBy({ by: ['status'], where: { campaignId: a.campaignId }, _count: { _all: true } }),
        db.lead.groupBy({ by: ['status'], where: { enrollments: { some: { campaignId: a.campaignId } } }, _count: { _all: true } }),
        db.activity.groupBy({ by: ['channel'], where: { campaignId: a.campaignId, action: 'sent' }, _count: { _all: true } }),
      ]);
      const n = (s: string) => byStatus.find((b) => b.status === s)?._count._all ?? 0;
      return {
        enrolled: n('active') + n('paused') + n('completed') + n('stopped'),
        pendingEnrollment: n('pending'),
        ended: n('completed') + n('stopped'),
        leadsByStatus: Object.fromEntries(leadStatuses.map((l) => [l.status, l._count._all])),
        touchesSent: Object.fromEntries(sent.map((s) => [s.channel, s._count._all])),
      };
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
