// Which leads go to Clay after Apollo + Apify: at most 15% of the batch, rounded down (so it is
// never more than 15%: a batch of 20 sends at most 3, a batch under 7 sends none), chosen by how
// much Clay could add. A lead's benefit is the sum of the weights of the key fields it still lacks
// (after its own data and the Apollo/Apify merge), weighted by what each is worth to the ALS: a title
// decides authority (≤ 25), industry and size decide company fit, a phone and a LinkedIn profile
// are data quality. Ties keep batch order, so the choice is deterministic.
import { leadColumnUpdate } from './lead-mapping';
import type { LeadEnrichment, ScoutLead } from './types';

export const CLAY_MAX_SHARE = 0.15;

export const KEY_FIELD_WEIGHTS = {
  title: 3,
  companyIndustry: 2,
  companySize: 2,
  phone: 2,
  companyName: 1,
  linkedinUrl: 1,
  country: 1,
} as const satisfies Partial<Record<keyof ScoutLead, number>>;

export type KeyField = keyof typeof KEY_FIELD_WEIGHTS;

export function clayCap(batchSize: number): number {
  // Rounded after a small epsilon: 0.15 × 20 is 2.9999999999999996 in floating point.
  return Math.floor(batchSize * CLAY_MAX_SHARE + 1e-9);
}

/** Key fields that neither the lead nor the merged enrichment fills. */
export function missingKeyFields(lead: ScoutLead, enrichment: LeadEnrichment): KeyField[] {
  const update = leadColumnUpdate(lead, enrichment);
  return (Object.keys(KEY_FIELD_WEIGHTS) as KeyField[]).filter((f) => {
    const v = update[f] ?? lead[f];
    return v === null || v === undefined || v === '';
  });
}

/** Clay matches on an email, a LinkedIn profile, or a surname at a company domain. */
export function clayCanMatch(lead: ScoutLead, enrichment: LeadEnrichment): boolean {
  const domain = lead.companyDomain ?? enrichment.company.domain;
  return Boolean(lead.email || lead.linkedinUrl || enrichment.person.linkedinUrl || (lead.lastName && domain));
}

export interface ClayCandidate {
  lead: ScoutLead;
  enrichment: LeadEnrichment;
}

/** Picks the leads Clay should see: ids in batch order, plus those left out by the cap. */
export function selectForClay(candidates: readonly ClayCandidate[], batchSize: number): { selected: string[]; capped: string[] } {
  const ranked = candidates
    .map((c, index) => ({
      id: c.lead.id,
      index,
      benefit: clayCanMatch(c.lead, c.enrichment) ? missingKeyFields(c.lead, c.enrichment).reduce((s, f) => s + KEY_FIELD_WEIGHTS[f], 0) : 0,
    }))
    .filter((c) => c.benefit > 0)
    .sort((a, b) => b.benefit - a.benefit || a.index - b.index);
  const cap = clayCap(batchSize);
  const chosen = ranked.slice(0, cap);
  return {
    selected: chosen.sort((a, b) => a.index - b.index).map((c) => c.id),
    capped: ranked.slice(cap).map((c) => c.id),
  };
}
