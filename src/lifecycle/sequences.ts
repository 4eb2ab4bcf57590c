// Talking to a lead's sequence workflows from the API and the webhook processors.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { sequenceOfVersion } from '../engines/campaigns';
import { mapLimit } from '../shared/concurrency';
import {
  approvalSignal,
  migrateSequenceUpdate,
  outOfOfficeSignal,
  stopSignal,
  timelineQuery,
  type ApprovalDecision,
  type SequenceState,
  type StopReason,
} from '../../workflows/definitions/sequence';
import { workflowIds } from '../../workflows/ids';
import { isWorkflowClosed, queryOrNull } from './temporal';

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

/** Sequences one migration call updates at once (each is a round trip to Temporal and its worker). */
export const MIGRATE_CONCURRENCY = 16;
const MIGRATE_PAGE = 500;

export interface LeadMigrationResult {
  migrated: number;
  /** Named leads already on the target version. */
  alreadyOnVersion: number;
  /** Leads with no running sequence in the campaign (never enrolled, pending, ended, or ending now). */
  notRunning: string[];
}

/**
 * Moves running sequences of the campaign (the named leads, or every one on an older version) to
 * `version` through the workflow's migrateSequence update, and pins their enrolments to it once
 * the workflow has taken it. A named lead on a newer version is the caller's to refuse first.
 * Repeating a call is safe: the workflow ignores a version it is already on.
 */
export async function migrateLeadSequences(
  temporal: Client,
  db: Db,
  a: { campaignId: string; campaign: { id: string; sequence: unknown }; version: number; leadIds?: string[] },
): Promise<LeadMigrationResult> {
  const touches = (await sequenceOfVersion(db, a.campaign, a.version)).touches;
  const result: LeadMigrationResult = { migrated: 0, alreadyOnVersion: 0, notRunning: [] };
  const running = { campaignId: a.campaignId, status: { in: ['active' as const, 'paused' as const] } };
  if (a.leadIds) {
    const found = await db.campaignEnrollment.findMany({ where: { ...running, leadId: { in: a.leadIds } }, select: { leadId: true, sequenceVersion: true } });
    const on = new Set(found.map((e) => e.leadId));
    result.notRunning.push(...a.leadIds.filter((id) => !on.has(id)));
    result.alreadyOnVersion = found.filter((e) => e.sequenceVersion === a.version).length;
  }
  let cursor: string | undefined;
  for (;;) {
    const page = await db.campaignEnrollment.findMany({
      where: { ...running, sequenceVersion: { lt: a.version }, ...(a.leadIds ? { leadId: { in: a.leadIds } } : {}), ...(cursor ? { id: { gt: cursor } } : {}) },
      select: { id: true, leadId: true },
      orderBy: { id: 'asc' },
      take: MIGRATE_PAGE,
    });
    await mapLimit(page, MIGRATE_CONCURRENCY, async (e) => {
      try {
        await temporal.workflow
          .getHandle(workflowIds.sequence(a.campaignId, e.leadId))
          .executeUpdate(migrateSequenceUpdate, { args: [{ version: 1, sequenceVersion: a.version, touches }] });
      } catch (err) {
        // Refused by the validator (the sequence has ended, or a newer migration got there first) or
        // closed: the enrolment keeps its version (an ended one is closed by finishSequence).
        if (err instanceof WorkflowUpdateFailedError || isWorkflowClosed(err)) {
          result.notRunning.push(e.leadId);
          return;
        }
        throw err;
      }
      await db.campaignEnrollment.updateMany({ where: { id: e.id, sequenceVersion: { lt: a.version } }, data: { sequenceVersion: a.version } });
      result.migrated++;
    });
    if (page.length < MIGRATE_PAGE) return result;
    cursor = page[page.length - 1].id;
  }
}
