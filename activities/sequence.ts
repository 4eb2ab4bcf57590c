// Activities of leadSequenceWorkflow: thin adapters over the outbound engine
// (src/engines/outbound: the touch attempt and the send state machine) and a few bookkeeping rows.
// Each is idempotent: retried attempts find what earlier attempts wrote (ledger, approval and
// enrolment rows keyed uniquely).
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { type Prisma } from '../src/db/client';
import { loadTouchRows } from '../src/engines/jit-validation';
import { addBusinessDays, instantAt, nextSendWindow } from '../src/engines/calendar/business-time';
import {
  attemptTouch,
  calendarFor,
  personalizeAttempt,
  recordOutcomeOnce,
  type AttemptInput,
  type AttemptResult,
  type OutboundDeps,
  type TouchContent,
  type TouchRef,
} from '../src/engines/outbound/touch';
import { aiDepsFrom } from './ai';
import { sequenceEndedSignal } from '../workflows/definitions/campaign';
import { workflowIds } from '../workflows/ids';
import { FailureType } from '../workflows/definitions/retry';
import { endEnrollment } from '../src/engines/campaigns';
import type { ActivityDeps } from './deps';

export type { AttemptResult, PrepareResult, TouchContent } from '../src/engines/outbound/touch';

async function loadLeadAndClient(deps: ActivityDeps, leadId: string, clientId: string) {
  // One round trip for both rows (soft-deleted rows are returned, as findUnique returns them).
  const { lead, client } = await loadTouchRows(deps.db, { leadId, clientId, now: new Date() });
  if (!lead || !client) throw ApplicationFailure.nonRetryable(`lead ${leadId} or client ${clientId} not found`, FailureType.NotFound);
  return { lead, client };
}

export function createSequenceActivities(deps: ActivityDeps) {
  const { db } = deps;
  const outbound: OutboundDeps = {
    db,
    dncr: deps.dncr,
    channels: deps.channels,
    signingSecret: deps.signingSecret,
    publicUrl: deps.publicUrl,
    ai: () => aiDepsFrom(deps),
    faults: deps.faults,
  };

  return {
    /** When each touch is due: business days from the start in the lead's calendar. */
    async planSchedule(a: { leadId: string; clientId: string; startedAt: string; days: number[] }): Promise<string[]> {
      const { lead, client } = await loadLeadAndClient(deps, a.leadId, a.clientId);
      const cal = calendarFor(lead, client);
      return a.days.map((day) => addBusinessDays(new Date(a.startedAt), day, cal).toISOString());
    },

    async resumeAfterOutOfOffice(a: { leadId: string; clientId: string; returnDate: string }): Promise<string> {
      const { lead, client } = await loadLeadAndClient(deps, a.leadId, a.clientId);
      const cal = calendarFor(lead, client);
      // Midnight starting the return day, local; one business day on, at that day's opening.
      const dayAfter = addBusinessDays(instantAt(a.returnDate, 0, 0, cal.timeZone), 1, cal);
      return nextSendWindow(dayAfter, cal).at.toISOString();
    },

    /**
     * One attempt at a touch: validate (JIT, tier, window, cap, content) and, when `send` is set
     * (autopilot, or content a human approved), send it. One activity per attempt keeps a
     * sequence's history short.
     */
    async attemptTouch(a: AttemptInput): Promise<AttemptResult> {
      return attemptTouch(outbound, a);
    },

    /** The Claude step of an AI-personalised touch, apart from the send (its own, longer timeout). */
    async personaliseTouchCopy(a: Omit<AttemptInput, 'send' | 'approvedContent' | 'ai'>): Promise<{ personalised: boolean }> {
      return personalizeAttempt(outbound, a);
    },

    async recordSkipped(a: TouchRef & { reason: string }): Promise<void> {
      await recordOutcomeOnce(db, a, 'skipped', a.reason);
    },

    async recordDraft(a: TouchRef & { content: TouchContent }): Promise<void> {
      await recordOutcomeOnce(db, a, 'drafted', 'manual_mode', { subject: a.content.subject ?? null, text: a.content.text });
    },

    async requestApproval(a: TouchRef & { content: TouchContent; expiresAt: string }): Promise<{ id: string; expiresAt: string }> {
      const row = await db.approvalRequest.upsert({
        where: { workflowId_touchNumber: { workflowId: a.workflowId, touchNumber: a.touch } },
        create: {
          clientId: a.clientId,
          campaignId: a.campaignId,
          leadId: a.leadId,
          workflowId: a.workflowId,
          touchNumber: a.touch,
          channel: a.channel,
          draft: a.content as unknown as Prisma.InputJsonValue,
          expiresAt: new Date(a.expiresAt),
        },
        update: {},
      });
      return { id: row.id, expiresAt: row.expiresAt.toISOString() };
    },

    async expireApproval(a: { approvalId: string }): Promise<void> {
      await db.approvalRequest.updateMany({ where: { id: a.approvalId, status: 'pending' }, data: { status: 'expired', decidedAt: new Date() } });
    },

    async finishSequence(a: { clientId: string; campaignId: string; leadId: string; outcome: string; reason: string | null }): Promise<void> {
      // The enrolment ends with its outbound event in one statement (a retry ends and emits nothing).
      await endEnrollment(db, { ...a, outcome: a.outcome === 'completed' ? 'completed' : 'stopped' });
      try {
        await deps.temporal.workflow
          .getHandle(workflowIds.campaign(a.campaignId))
          .signal(sequenceEndedSignal, { version: 1, leadId: a.leadId, outcome: a.reason ?? 'completed' });
      } catch (err) {
        // The campaign has already ended (cancelled or completed): its counts are final.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}

export type SequenceActivities = ReturnType<typeof createSequenceActivities>;
