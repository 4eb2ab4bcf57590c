// Apollo.io people enrichment: `POST /api/v1/people/match` with the `X-Api-Key` header and the match
// keys as query parameters (email, first_name/last_name + domain/organization_name, linkedin_url).
// The answer is `{ person: {...} | null }`; the person carries its `organization`. We never ask
// Apollo to reveal phone numbers (that needs a public webhook and arrives asynchronously), so a
// phone only comes back when Apollo already holds it for the team (`phone_numbers`).
import {
  asIsoDate,
  asNumber,
  asRecord,
  asString,
  asStringList,
  compact,
  deriveFromLead,
  emailDomainOf,
  normalizeDomain,
  postJson,
  type CompanyData,
  type EmailStatus,
  type EnrichmentProvider,
  type FundingEvent,
  type LookupInput,
  type PersonData,
  type ProviderResult,
  type SignalData,
} from '../enrichment';
import { isWorkDomain } from '../../shared/domain/email-domains';

export const APOLLO_DEFAULT_BASE_URL = 'https://api.apollo.io';

export interface ApolloOptions {
  apiKey: string;
  /** Default https://api.apollo.io. */
  baseUrl?: string;
  timeoutMs?: number;
}

/** The query Apollo matches on, or null when the lead has too little for a match worth a credit. */
export function apolloMatchParams(input: LookupInput): URLSearchParams | null {
  const p = new URLSearchParams();
  const email = input.email?.trim().toLowerCase();
  const first = input.firstName?.trim();
  const last = input.lastName?.trim();
  const emailDomain = emailDomainOf(email);
  const domain = normalizeDomain(input.companyDomain) ?? (emailDomain && isWorkDomain(emailDomain) ? emailDomain : null);
  const linkedin = input.linkedinUrl?.trim();
  if (email) p.set('email', email);
  if (first) p.set('first_name', first);
  if (last) p.set('last_name', last);
  if (domain) p.set('domain', domain);
  if (input.companyName?.trim()) p.set('organization_name', input.companyName.trim());
  if (linkedin) p.set('linkedin_url', linkedin);
  // A bare name matches nobody reliably (Apollo answers 200 with no person).
  const enough = Boolean(email || linkedin || (first && last && (domain || input.companyName)));
  if (!enough) return null;
  p.set('reveal_personal_emails', 'false');
  p.set('reveal_phone_number', 'false');
  return p;
}

export class ApolloEnrichment implements EnrichmentProvider {
  readonly source = 'apollo' as const;
  readonly sandbox = false;
  private readonly baseUrl: string;

  constructor(private readonly opts: ApolloOptions) {
    this.baseUrl = (opts.baseUrl ?? APOLLO_DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  async lookup(input: LookupInput): Promise<ProviderResult> {
    const params = apolloMatchParams(input);
    if (!params) return { source: this.source, found: false, note: 'not enough to match on' };
    const { status, body } = await postJson(
      this.source,
      `${this.baseUrl}/api/v1/people/match?${params}`,
      {},
      {
        headers: { 'x-api-key': this.opts.apiKey, 'cache-control': 'no-cache' },
        timeoutMs: this.opts.timeoutMs ?? 20_000,
        notFoundStatuses: [404],
      },
    );
    const person = status === 404 ? undefined : asRecord(asRecord(body)?.person);
    if (!person) return { source: this.source, found: false };
    return { source: this.source, found: true, ...mapApolloPerson(person, input) };
  }
}

/** Apollo's person (with its organization) → our record. Exported for tests. */
export function mapApolloPerson(person: Record<string, unknown>, input: Pick<LookupInput, 'email'>): Pick<ProviderResult, 'person' | 'company' | 'signals'> {
  const org = asRecord(person.organization);
  const history = Array.isArray(person.employment_history) ? person.employment_history.map(asRecord) : [];
  const current = history.find((h) => h?.current === true);
  const out: Pick<ProviderResult, 'person' | 'company' | 'signals'> = {
    person: compact<PersonData>({
      firstName: asString(person.first_name),
      lastName: asString(person.last_name),
      title: asString(person.title),
      seniority: asString(person.seniority),
      linkedinUrl: asString(person.linkedin_url),
      phone: apolloPhone(person.phone_numbers),
      emailStatus: apolloEmailStatus(person, input.email),
      city: asString(person.city),
      state: asString(person.state),
      country: asString(person.country),
      timeZone: asString(person.time_zone),
      roleStartedAt: asIsoDate(current?.start_date),
    }),
  };
  if (org) {
    out.company = compact<CompanyData>({
      name: asString(org.name),
      domain: normalizeDomain(asString(org.primary_domain) ?? asString(org.website_url)) ?? undefined,
      industry: asString(org.industry),
      employees: asNumber(org.estimated_num_employees),
      annualRevenue: asNumber(org.annual_revenue),
      foundedYear: asNumber(org.founded_year),
      technologies: asStringList(org.technology_names),
      linkedinUrl: asString(org.linkedin_url),
      city: asString(org.city),
      state: asString(org.state),
      country: asString(org.country),
      // The organization's address (Apollo: street_address, postal_code beside city/state/country).
      streetAddress: asString(org.street_address),
      postalCode: asString(org.postal_code),
    });
    const events: FundingEvent[] = [];
    for (const raw of Array.isArray(org.funding_events) ? org.funding_events : []) {
      const e = asRecord(raw);
      const date = asIsoDate(e?.date);
      if (date) events.push(compact({ date, type: asString(e?.type), amount: asString(e?.amount) }));
    }
    events.sort((a, b) => b.date.localeCompare(a.date));
    // Apollo reports six-month headcount growth as a fraction (0.12 = +12%).
    const growth = asNumber(org.organization_headcount_six_month_growth);
    const signals = compact<SignalData>({
      lastFundingAt: asIsoDate(org.latest_funding_round_date) ?? events[0]?.date,
      fundingEvents: events.length > 0 ? events : undefined,
      headcountGrowthPct: growth === undefined ? undefined : Math.round(growth * 1000) / 10,
    });
    if (Object.keys(signals).length > 0) out.signals = signals;
  }
  return out;
}

/** The first valid sanitised number Apollo holds for the person. */
function apolloPhone(numbers: unknown): string | undefined {
  if (!Array.isArray(numbers)) return undefined;
  const usable = numbers.map(asRecord).filter((n) => n && asString(n.sanitized_number) && n.status !== 'invalid_number');
  return asString(usable[0]?.sanitized_number);
}

/**
 * Apollo's `email_status` describes the address Apollo holds, so it only speaks for the lead's
 * address when they are the same. verified → valid, bounced → invalid, a catch-all domain →
 * catch_all, anything else (guessed, extrapolated, unavailable) → unknown.
 */
function apolloEmailStatus(person: Record<string, unknown>, leadEmail: string | null | undefined): EmailStatus | undefined {
  const held = asString(person.email)?.toLowerCase();
  if (!held || !leadEmail || held !== leadEmail.trim().toLowerCase()) return undefined;
  const status = asString(person.email_status);
  if (status === 'bounced') return 'invalid';
  if (person.email_domain_catchall === true) return 'catch_all';
  return status === 'verified' ? 'valid' : 'unknown';
}

/**
 * Offline twin: no person is ever returned. It only reports what the lead's own data supports (a
 * work address's domain, a country-code domain's country), marked as derived; records each lookup.
 */
export class SandboxApolloEnrichment implements EnrichmentProvider {
  readonly source = 'apollo' as const;
  readonly sandbox = true;
  readonly lookups: LookupInput[] = [];

  async lookup(input: LookupInput): Promise<ProviderResult> {
    this.lookups.push(input);
    return { source: this.source, found: false, ...deriveFromLead(input) };
  }
}
