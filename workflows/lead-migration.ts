// leadMigrationWorkflow (`lead-migration:<campaignId>:<migrationId>`): one migrate-leads request,
// run in the background so the API answers 202 at once. Steps: page through the campaign's running
// enrolments on an older version (or the named leads, a slice at a time), one activity call per
// page that sends the migrateSequence update to each lead's sequence and pins its enrolment; add
// up what each page reports; continue-as-new every `pagesPerRun` pages (or when Temporal suggests
// it) carrying the counts and the cursor; return the counts. The progress query answers the counts
// so far. Pages retry until they work (an outage delays a migration, it never fails it); the
// update is a no-op for a sequence already on (or moving to) the version, so a retried page and a
// repeated request are harmless.
import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { LeadMigrationActivities } from '../activities/lead-migration';
import {
  LEAD_MIGRATION_PAGE_SIZE,
  LEAD_MIGRATION_PAGES_PER_RUN,
  leadMigrationProgressQuery,
  NOT_RUNNING_IDS_KEPT,
  type LeadMigrationInput,
  type LeadMigrationResult,
} from './definitions/lead-migration';
import { LONG_ACTIVITY } from './definitions/retry';

// A page updates up to a few hundred sequences and heartbeats per lead; it retries until fixed.
const acts = proxyActivities<LeadMigrationActivities>(LONG_ACTIVITY);

export async function leadMigrationWorkflow(input: LeadMigrationInput): Promise<LeadMigrationResult> {
  const progress: LeadMigrationResult = input.carried?.progress ?? {
    toVersion: input.toVersion,
    migrated: 0,
    alreadyOnVersion: 0,
    notRunning: 0,
    notRunningLeadIds: [],
    pages: 0,
  };
  setHandler(leadMigrationProgressQuery, () => progress);
  const pageSize = input.pageSize ?? LEAD_MIGRATION_PAGE_SIZE;
  const pagesPerRun = input.pagesPerRun ?? LEAD_MIGRATION_PAGES_PER_RUN;
  // Named leads still to look at (the run's slice of the request's), or the enrolment cursor.
  let named = input.leadIds;
  let after = input.carried?.after;

  for (let pagesThisRun = 0; ; pagesThisRun++) {
    if (pagesThisRun >= pagesPerRun || workflowInfo().continueAsNewSuggested) {
      // Only a query handler, which never blocks continue-as-new.
      return continueAsNew<typeof leadMigrationWorkflow>({
        ...input,
        ...(named ? { leadIds: named } : {}),
        carried: { progress, ...(after ? { after } : {}) },
      });
    }
    const page = await acts.migrateLeadPage({
      campaignId: input.campaignId,
      toVersion: input.toVersion,
      limit: pageSize,
      ...(named ? { leadIds: named.slice(0, pageSize) } : after ? { after } : {}),
    });
    progress.pages++;
    progress.migrated += page.migrated;
    progress.alreadyOnVersion += page.alreadyOnVersion;
    progress.notRunning += page.notRunning;
    progress.notRunningLeadIds.push(...page.notRunningLeadIds.slice(0, Math.max(0, NOT_RUNNING_IDS_KEPT - progress.notRunningLeadIds.length)));
    if (named) {
      named = named.slice(pageSize);
      if (named.length === 0) return progress;
    } else {
      if (page.next === null) return progress;
      after = page.next;
    }
  }
}
