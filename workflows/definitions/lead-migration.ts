// Input, result and query of leadMigrationWorkflow, shared by the workflow, its activity and the API
// (POST …/campaigns/{campaignId}/migrate-leads starts it; GET …/migrations/{migrationId} reads it).
import { defineQuery } from '@temporalio/workflow';

/** Enrolments (or named leads) per activity call, unless the input says otherwise. */
export const LEAD_MIGRATION_PAGE_SIZE = 200;
/** Pages per run before continue-as-new: each page is a handful of events, so a run stays small. */
export const LEAD_MIGRATION_PAGES_PER_RUN = 100;
/** Lead ids of sequences that could not be moved that the result lists (the count has them all). */
export const NOT_RUNNING_IDS_KEPT = 100;

export interface LeadMigrationCounts {
  /** Sequences that took the migrateSequence update (their enrolments now pin the target version). */
  migrated: number;
  /** Named leads already on the target version (nothing sent to them). */
  alreadyOnVersion: number;
  /** Leads with no running sequence in the campaign (never enrolled, pending, ended, or ending now). */
  notRunning: number;
  /** The first NOT_RUNNING_IDS_KEPT of them. */
  notRunningLeadIds: string[];
}

export interface LeadMigrationResult extends LeadMigrationCounts {
  toVersion: number;
  /** Pages the activity worked through, over every run of the workflow. */
  pages: number;
}

export interface LeadMigrationInput {
  version: 1;
  clientId: string;
  campaignId: string;
  /** The version to move to (the API checked that it exists and is not version 1). */
  toVersion: number;
  /** Only these leads, deduplicated (absent: every running sequence on an older version). */
  leadIds?: string[];
  /** Overrides of LEAD_MIGRATION_PAGE_SIZE and LEAD_MIGRATION_PAGES_PER_RUN (tests page small). */
  pageSize?: number;
  pagesPerRun?: number;
  /**
   * Carried across continue-as-new: the counts so far and where the next page starts (the last
   * enrolment id seen; with named leads, `leadIds` holds only the ones not yet looked at).
   */
  carried?: { progress: LeadMigrationResult; after?: string };
}

/** One page for the activity: named leads (a slice of the input's), or the next enrolments after `after`. */
export interface LeadMigrationPage {
  campaignId: string;
  toVersion: number;
  leadIds?: string[];
  after?: string;
  limit: number;
}

export interface LeadMigrationPageResult extends LeadMigrationCounts {
  /** The last enrolment id of a full page (the next page starts after it); null: no more. */
  next: string | null;
}

/** The counts so far (the same shape as the result). */
export const leadMigrationProgressQuery = defineQuery<LeadMigrationResult>('progress');
