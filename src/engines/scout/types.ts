// What the scout takes (a lead's columns) and gives back (the merged enrichment per lead).
import type { Lead } from '../../db/client';
import type { CompanyData, EnrichmentSource, PersonData, SignalData } from '../../integrations/enrichment';

/** The lead columns the waterfall reads. */
export type ScoutLead = Pick<
  Lead,
  | 'id'
  | 'email'
  | 'firstName'
  | 'lastName'
  | 'title'
  | 'phone'
  | 'linkedinUrl'
  | 'companyName'
  | 'companyDomain'
  | 'companyIndustry'
  | 'companySize'
  | 'country'
  | 'state'
  | 'city'
  | 'timeZone'
>;

/** A provider, or `derived`: computed from the lead's own data by a sandbox driver. */
export type ContributingSource = EnrichmentSource | 'derived';

/** Stored in `leads.enrichment` and in `enrichment_cache.data`. */
export interface LeadEnrichment {
  version: 1;
  person: PersonData;
  company: CompanyData;
  signals: SignalData;
  /** Every source that contributed at least one field, in precedence order. */
  sources: ContributingSource[];
  /** Where each field came from, e.g. `{ "person.title": "apollo" }`. */
  fieldSources: Record<string, ContributingSource>;
  /** Every provider asked (a provider can be asked and find nothing). */
  lookedUp: EnrichmentSource[];
  /** Provider notes, e.g. `clay: queued`. */
  notes?: string[];
  /** ISO time the providers answered (a cache hit keeps the original time). */
  fetchedAt: string;
}

export interface ScoutError {
  source: EnrichmentSource;
  message: string;
  retryable: boolean;
}

export type ClayOutcome = 'used' | 'capped' | 'not_needed';

export type ScoutResult =
  | {
      leadId: string;
      status: 'enriched';
      enrichment: LeadEnrichment;
      fromCache: boolean;
      /** Null when the lead has nothing to key on (no email, LinkedIn URL or name + domain). */
      cacheKey: string | null;
      clay: ClayOutcome;
    }
  | {
      leadId: string;
      status: 'failed';
      cacheKey: string | null;
      errors: ScoutError[];
    };
