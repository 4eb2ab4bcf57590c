// Talking to a lead's sequence workflows from the API and the webhook processors.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/client';
import {
  approvalSignal,
  outOfOfficeSignal,
  stopSignal,
  timelineQuery,
  type ApprovalDecision,
  type SequenceState,
  type StopReason,
} from '../../workflows/definitions/sequence';
import { workflowIds } from '../../workflows/ids';
import { queryOrNull } from './temporal';

export interface LeadSequenceView {
  campaignId: string;
  workflowId: string;
  enrollmentStatus: string;
  state: SequenceState | null;
}

export async function sequenceTimelines(temporal: Client, db: Db, leadId: string): Promise<LeadSequenceView[]> {
  const enrollments = await db.campaignEnrollment.findMany({ where: { leadId }, orderBy: { createdAt: 'asc' } });
  return Promise.all(
    enrollments.map(async (e) => {
      const workflowId = workflowIds.sequence(e.campaignId, leadId);
      let state: SequenceState | null = null;
      if (e.status !== 'pending') {
        // Queries also work on closed workflows while their history is retained.
        state = await queryOrNull(() => temporal.workflow.getHandle(workflowId).query(timelineQuery));
      }
      return { campaignId: e.campaignId, workflowId, enrollmentStatus: e.status, state };
    }),
  );
}

/** Stops every running sequence of the lead; returns how many were signalled. */
export async function stopLeadSequences(
  temporal: Client,
  db: Db,
  leadId: string,
  reason: StopReason,
  eventId: string,
  /** The lead's active, paused and pending enrolments, when the caller has just read them. */
  known?: { campaignId: string; status: string }[],
): Promise<number> {
  // Pending ones are read too, so the update below only runs when there are some (this is on the
  // path of every reply).
  const enrollments =
    known ??
    (await db.campaignEnrollment.findMany({ where: { leadId, status: { in: ['active', 'paused', 'pending'] } }, select: { campaignId: true, status: true } }));
  let signalled = 0;
  await Promise.all(
    enrollments
      .filter((e) => e.status !== 'pending')
      .map(async (e) => {
        try {
          await temporal.workflow.getHandle(workflowIds.sequence(e.campaignId, leadId)).signal(stopSignal, { version: 1, eventId, reason });
          signalled++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }),
  );
  // Pending enrolments never started: they simply end.
  if (enrollments.some((e) => e.status === 'pending'))
    await db.campaignEnrollment.updateMany({ where: { leadId, status: 'pending' }, data: { status: 'stopped', stopReason: reason, endedAt: new Date() } });
  return signalled;
}

/** Pauses every running sequence of the lead until after `returnDate` (YYYY-MM-DD); returns how many were signalled. */
export async function pauseLeadSequencesForOoo(temporal: Client, db: Db, leadId: string, returnDate: string, eventId: string): Promise<number> {
  const enrollments = await db.campaignEnrollment.findMany({ where: { leadId, status: { in: ['active', 'paused'] } } });
  let signalled = 0;
  await Promise.all(
    enrollments.map(async (e) => {
      try {
        await temporal.workflow.getHandle(workflowIds.sequence(e.campaignId, leadId)).signal(outOfOfficeSignal, { version: 1, eventId, returnDate });
        signalled++;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }),
  );
  return signalled;
}

export async function signalApproval(temporal: Client, workflowId: string, decision: ApprovalDecision): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(workflowId).signal(approvalSignal, decision);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
