// Activity of leadMigrationWorkflow: one page of a migrate-leads request. The paging and counting
// are src/engines/lead-migration.ts; this adapts it to Temporal (the migrateSequence update to each
// lead's sequence, a heartbeat per lead, a missing campaign as a failure retrying cannot fix).
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { migrateEnrollmentPage, MigrationCampaignNotFound, type SequenceMigrator } from '../src/engines/lead-migration';
import { isWorkflowClosed } from '../src/shared/temporal-errors';
import { workflowIds } from '../workflows/ids';
import { migrateSequenceUpdate } from '../workflows/definitions/sequence';
import type { LeadMigrationPage, LeadMigrationPageResult } from '../workflows/definitions/lead-migration';
import { FailureType } from '../workflows/definitions/retry';
import type { ActivityDeps } from './deps';

export function createLeadMigrationActivities(deps: Pick<ActivityDeps, 'db' | 'temporal'>) {
  return {
    async migrateLeadPage(a: LeadMigrationPage): Promise<LeadMigrationPageResult> {
      const migrate: SequenceMigrator = async (leadId, to) => {
        try {
          await deps.temporal.workflow
            .getHandle(workflowIds.sequence(a.campaignId, leadId))
            .executeUpdate(migrateSequenceUpdate, { args: [{ version: 1, sequenceVersion: to.sequenceVersion, touches: to.touches }] });
          return true;
        } catch (err) {
          // Refused by the validator (the sequence has ended, or a newer migration got there first)
          // or closed: not running. Anything else (Temporal unreachable) fails the attempt, which retries.
          if (err instanceof WorkflowUpdateFailedError || isWorkflowClosed(err)) return false;
          throw err;
        }
      };
      try {
        return await migrateEnrollmentPage(deps.db, migrate, a, (done) => heartbeat(done));
      } catch (err) {
        if (err instanceof MigrationCampaignNotFound) throw ApplicationFailure.nonRetryable(err.message, FailureType.NotFound);
        throw err;
      }
    },
  };
}

export type LeadMigrationActivities = ReturnType<typeof createLeadMigrationActivities>;
