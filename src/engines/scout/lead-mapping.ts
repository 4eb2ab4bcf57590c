// From a lead's merged enrichment to (1) the `leads` columns it fills and (2) the scorer's LeadFacts.
//
// Columns: what the lead already has wins (it came from the client's own import); enrichment only
// fills empty columns. Location is taken as one unit, from the person (where they work from) or
// else the company's headquarters, never mixed; a state or city is only filled when the country
// agrees with the lead's. The time zone comes from the provider when it is a valid IANA zone, else
// from country + state (see locations.ts).
import type { LeadFacts, LeadSignals } from '../scorer';
import { countryCode, isIanaTimeZone, stateCode, timeZoneFor } from './locations';
import type { LeadEnrichment, ScoutLead } from './types';

export type LeadColumns = Omit<ScoutLead, 'id' | 'email' | 'firstName' | 'lastName'> & { companyRevenue: string | null };
export type LeadColumnUpdate = Partial<LeadColumns>;

type FillableLead = Omit<ScoutLead, 'id'> & { companyRevenue?: string | null };

/** The columns enrichment fills (only those that are empty on the lead and known now). */
export function leadColumnUpdate(lead: FillableLead, e: LeadEnrichment): LeadColumnUpdate {
  const out: LeadColumnUpdate = {};
  const fill = <K extends keyof LeadColumns>(key: K, value: LeadColumns[K] | undefined) => {
    const current = lead[key as keyof FillableLead];
    if ((current === null || current === undefined || current === '') && value !== undefined && value !== null && value !== '') {
      out[key] = value;
    }
  };
  fill('title', e.person.title);
  fill('phone', e.person.phone);
  fill('linkedinUrl', e.person.linkedinUrl);
  fill('companyName', e.company.name);
  fill('companyDomain', e.company.domain);
  fill('companyIndustry', e.company.industry);
  const employees = e.company.employees;
  fill('companySize', typeof employees === 'number' && employees >= 1 ? Math.round(employees) : undefined);
  const revenue = e.company.annualRevenue;
  fill('companyRevenue', typeof revenue === 'number' && revenue > 0 ? String(Math.round(revenue)) : undefined);

  const leadCountry = countryCode(lead.country);
  const place = [
    { country: e.person.country, state: e.person.state, city: e.person.city },
    { country: e.company.country, state: e.company.state, city: e.company.city },
  ]
    .map((p) => ({ ...p, code: countryCode(p.country) }))
    .find((p) => p.code !== null && (leadCountry === null || p.code === leadCountry));
  if (place?.code) {
    fill('country', place.code);
    fill('state', stateCode(place.code, place.state));
    fill('city', place.city);
  }

  const country = lead.country ?? out.country ?? null;
  const state = lead.state ?? out.state ?? null;
  const providerZone = isIanaTimeZone(e.person.timeZone) ? e.person.timeZone : null;
  fill('timeZone', providerZone ?? timeZoneFor(country, state));
  return out;
}

/** History that disqualifies or penalises a lead, from its status and the suppression list. */
export interface LeadHistory {
  bouncedBefore?: boolean;
  unsubscribedBefore?: boolean;
  complainedBefore?: boolean;
  isCompetitor?: boolean;
}

const toDate = (iso: string | undefined): Date | null => {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** The scorer's input: the lead's columns (after enrichment was applied) plus enrichment signals. */
export function toLeadFacts(lead: Omit<ScoutLead, 'id'>, e: LeadEnrichment | null, history: LeadHistory = {}): LeadFacts {
  const s = e?.signals;
  const signals: LeadSignals | null = e
    ? {
        roleStartedAt: toDate(e.person.roleStartedAt),
        lastFundingAt: toDate(s?.lastFundingAt),
        hiring: s?.hiring ?? null,
        openJobs: s?.openJobs ?? null,
        techAdoptedAt: toDate(s?.techAdoptedAt),
        headcountGrowthPct: s?.headcountGrowthPct ?? null,
      }
    : null;
  return {
    email: lead.email,
    firstName: lead.firstName,
    lastName: lead.lastName,
    title: lead.title,
    phone: lead.phone,
    linkedinUrl: lead.linkedinUrl,
    companyName: lead.companyName,
    companyDomain: lead.companyDomain,
    companyIndustry: lead.companyIndustry,
    companySize: lead.companySize,
    country: lead.country,
    state: lead.state,
    city: lead.city,
    emailStatus: e?.person.emailStatus ?? null,
    bouncedBefore: history.bouncedBefore ?? null,
    unsubscribedBefore: history.unsubscribedBefore ?? null,
    complainedBefore: history.complainedBefore ?? null,
    isCompetitor: history.isCompetitor ?? null,
    signals,
  };
}
