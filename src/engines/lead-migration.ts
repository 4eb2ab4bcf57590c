// Moving a campaign's running sequences to a newer sequence version, one page at a time: the logic
// of leadMigrationWorkflow's activity. Which enrolments are on the page, what each outcome counts
// as, and pinning an enrolment to the version once its sequence took it. Sending the update is
// the caller's (`migrate`): this module does not talk to Temporal.
import type { Db } from '../db/client';
import type { SequenceDefinition } from './sequence-plan';
import { sequenceOfVersion } from './campaigns';
import { mapLimit } from '../shared/concurrency';

/** Sequences one page updates at once (each is a round trip to Temporal and its worker). */
export const MIGRATE_CONCURRENCY = 16;

export interface MigrationPage {
  campaignId: string;
  toVersion: number;
  /** Named leads (one slice of the request's); absent: running enrolments on an older version. */
  leadIds?: string[];
  /** Without named leads: the page starts after this enrolment id. */
  after?: string;
  limit: number;
}

export interface MigrationPageResult {
  migrated: number;
  alreadyOnVersion: number;
  notRunning: number;
  notRunningLeadIds: string[];
  /** The last enrolment id of a full page of running enrolments; null when there are no more. */
  next: string | null;
}

/**
 * Sends the migration to one lead's sequence: true when the sequence took it (or already had it:
 * the workflow ignores a version it is on or moving to), false when it does not run any more or
 * refused (ended, or moved to a newer version meanwhile).
 */
export type SequenceMigrator = (leadId: string, to: { sequenceVersion: number; touches: SequenceDefinition['touches'] }) => Promise<boolean>;

export class MigrationCampaignNotFound extends Error {}

const RUNNING = ['active', 'paused'] as const;

/**
 * One page of a migration. Repeating a page (a retried activity) is safe: a sequence that already
 * took the version ignores it again, and a pinned enrolment is no longer on an older version, so
 * it is not on the page any more (all-leads mode) or counts as already on the version (named mode).
 */
export async function migrateEnrollmentPage(
  db: Db,
  migrate: SequenceMigrator,
  a: MigrationPage,
  /** Called after each lead (the activity heartbeats). */
  onLead: (done: number) => void = () => undefined,
): Promise<MigrationPageResult> {
  const campaign = await db.campaign.findUnique({ where: { id: a.campaignId }, select: { id: true, sequence: true } });
  if (!campaign) throw new MigrationCampaignNotFound(`campaign ${a.campaignId} not found`);
  const touches = (await sequenceOfVersion(db, campaign, a.toVersion)).touches;
  const result: MigrationPageResult = { migrated: 0, alreadyOnVersion: 0, notRunning: 0, notRunningLeadIds: [], next: null };
  const notRunning = (leadId: string) => {
    result.notRunning++;
    result.notRunningLeadIds.push(leadId);
  };

  let page: { id: string; leadId: string }[];
  if (a.leadIds) {
    const ids = a.leadIds.slice(0, a.limit);
    const found = await db.campaignEnrollment.findMany({
      where: { campaignId: a.campaignId, status: { in: [...RUNNING] }, leadId: { in: ids } },
      select: { id: true, leadId: true, sequenceVersion: true },
      orderBy: { id: 'asc' },
    });
    const on = new Set(found.map((e) => e.leadId));
    for (const id of ids) if (!on.has(id)) notRunning(id);
    result.alreadyOnVersion = found.filter((e) => e.sequenceVersion === a.toVersion).length;
    // A lead on a newer version (moved by another request since this one was checked) is left alone.
    page = found.filter((e) => e.sequenceVersion < a.toVersion);
  } else {
    page = await db.campaignEnrollment.findMany({
      where: { campaignId: a.campaignId, status: { in: [...RUNNING] }, sequenceVersion: { lt: a.toVersion }, ...(a.after ? { id: { gt: a.after } } : {}) },
      select: { id: true, leadId: true },
      orderBy: { id: 'asc' },
      take: a.limit,
    });
    if (page.length === a.limit) result.next = page[page.length - 1].id;
  }

  let done = 0;
  await mapLimit(page, MIGRATE_CONCURRENCY, async (e) => {
    if (await migrate(e.leadId, { sequenceVersion: a.toVersion, touches })) {
      // Only ever forwards: a newer pin written meanwhile stays.
      await db.campaignEnrollment.updateMany({ where: { id: e.id, sequenceVersion: { lt: a.toVersion } }, data: { sequenceVersion: a.toVersion } });
      result.migrated++;
    } else {
      // The enrolment keeps its version (an ended one is closed by finishSequence).
      notRunning(e.leadId);
    }
    onLead(++done);
  });
  return result;
}
