// Inputs and the progress query of leadEnrichmentWorkflow and enrichmentSweepWorkflow, shared by the
// workflows, the lifecycle helpers and the API.
import { defineQuery } from '@temporalio/workflow';

/** Leads one enrichment workflow accepts (an import is at most 10,000 rows). */
export const MAX_ENRICHMENT_LEADS = 10_000;
export const DEFAULT_ENRICHMENT_CHUNK = 50;

export interface LeadEnrichmentInput {
  version: 1;
  clientId: string;
  batchId: string;
  /** The leads still to process (after continue-as-new: the remaining ones). */
  leadIds: string[];
  /** Leads per enrich → score step; default 50. */
  chunkSize?: number;
  /** Continue-as-new once the history has this many events; default 2,000 (tests lower it). */
  historyLimit?: number;
  /** Look the leads up again although they are enriched (POST …/leads/{id}/enrich); the cache is not read. */
  refresh?: boolean;
  /** Progress so far, carried across continue-as-new. */
  carried?: EnrichmentProgress;
}

export type EnrichmentStep = 'starting' | 'enriching' | 'scoring' | 'done';

export interface EnrichmentProgress {
  batchId: string;
  total: number;
  /** Leads whose enrichment is written (including ones enriched by an earlier run). */
  enriched: number;
  scored: number;
  /** Leads that could not be enriched or scored in this batch (the nightly sweep retries them). */
  failed: number;
  /** Leads that are gone (deleted, another client's) or closed (bounced, unsubscribed, converted…). */
  skipped: number;
  /** Finished leads (scored, failed or skipped) out of total, rounded down; 100 when done. */
  percent: number;
  step: EnrichmentStep;
  /** The chunk being (or last) processed, from 1, and how many there are. */
  chunk: number;
  chunks: number;
  /** Runs so far (1 + continue-as-new count). */
  runs: number;
}

export const enrichmentProgressQuery = defineQuery<EnrichmentProgress>('enrichmentProgress');

export interface EnrichmentSweepInput {
  version: 1;
  /** Most leads picked up per sweep; default 5,000. */
  limit?: number;
}
