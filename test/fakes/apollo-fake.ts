// Apollo's People Enrichment endpoint as the driver uses it: `POST /api/v1/people/match` with the
// `X-Api-Key` header and match keys in the query string, answering `{ person }` (null when nobody
// matches). People are raw Apollo person objects (see apolloPerson for the documented shape).
import { startFake, type HttpFake, type RecordedRequest } from './http-fake';

export const APOLLO_FAKE_KEY = 'apollo-test-api-key';

export interface ApolloFake extends HttpFake {
  /** Raw Apollo people (each with its `organization`) the fake can match. */
  people: Record<string, unknown>[];
}

/** A person as Apollo returns it (fields trimmed to the ones the driver reads, plus some noise). */
export function apolloPerson(p: {
  email: string;
  firstName: string;
  lastName: string;
  title: string;
  seniority?: string;
  linkedinUrl?: string;
  phone?: string;
  emailStatus?: string;
  city?: string;
  state?: string;
  country?: string;
  roleStartedAt?: string;
  org?: {
    name: string;
    domain: string;
    industry?: string;
    employees?: number;
    annualRevenue?: number;
    foundedYear?: number;
    technologies?: string[];
    fundingDates?: string[];
    headcountGrowth6m?: number;
    /** The organization's street address and postcode (its city is Sydney, NSW). */
    streetAddress?: string;
    postalCode?: string;
  };
}): Record<string, unknown> {
  const org = p.org;
  return {
    id: `apollo-${p.email}`,
    first_name: p.firstName,
    last_name: p.lastName,
    name: `${p.firstName} ${p.lastName}`,
    linkedin_url: p.linkedinUrl ?? null,
    title: p.title,
    email_status: p.emailStatus ?? 'verified',
    photo_url: null,
    twitter_url: null,
    headline: `${p.title} at ${org?.name ?? 'somewhere'}`,
    email: p.email,
    employment_history: [
      { _id: 'e1', current: true, start_date: p.roleStartedAt ?? '2019-01-01', end_date: null, organization_name: org?.name ?? null, title: p.title },
      { _id: 'e2', current: false, start_date: '2012-01-01', end_date: '2018-12-01', organization_name: 'Previous Co', title: 'Analyst' },
    ],
    phone_numbers: p.phone ? [{ raw_number: p.phone, sanitized_number: p.phone, type: 'mobile', position: 0, status: 'valid_number' }] : [],
    state: p.state ?? null,
    city: p.city ?? null,
    country: p.country ?? null,
    organization: org
      ? {
          id: `org-${org.domain}`,
          name: org.name,
          website_url: `http://www.${org.domain}`,
          linkedin_url: `http://www.linkedin.com/company/${org.domain.split('.')[0]}`,
          primary_phone: {},
          founded_year: org.foundedYear ?? null,
          primary_domain: org.domain,
          industry: org.industry ?? null,
          estimated_num_employees: org.employees ?? null,
          keywords: ['b2b'],
          annual_revenue_printed: null,
          annual_revenue: org.annualRevenue ?? null,
          latest_funding_round_date: org.fundingDates?.[0] ? `${org.fundingDates[0]}T00:00:00.000+00:00` : null,
          funding_events: (org.fundingDates ?? []).map((d, i) => ({
            id: `f${i}`,
            date: `${d}T00:00:00.000+00:00`,
            type: i === 0 ? 'Series A' : 'Seed',
            investors: 'Someone Ventures',
            amount: '5M',
            currency: '$',
          })),
          technology_names: org.technologies ?? [],
          organization_headcount_six_month_growth: org.headcountGrowth6m ?? null,
          street_address: org.streetAddress ?? null,
          city: 'Sydney',
          state: 'New South Wales',
          postal_code: org.postalCode ?? null,
          country: 'Australia',
          raw_address: org.streetAddress ? `${org.streetAddress}, Sydney, New South Wales ${org.postalCode ?? ''}, Australia` : null,
        }
      : null,
    email_domain_catchall: false,
    departments: ['c_suite'],
    seniority: p.seniority ?? 'director',
  };
}

function matches(person: Record<string, unknown>, q: URLSearchParams): boolean {
  const org = (person.organization ?? {}) as Record<string, unknown>;
  const email = q.get('email');
  if (email) return String(person.email).toLowerCase() === email.toLowerCase();
  const linkedin = q.get('linkedin_url');
  if (linkedin) return String(person.linkedin_url ?? '').replace(/^https?:\/\/(www\.)?/, '') === linkedin.replace(/^https?:\/\/(www\.)?/, '');
  return (
    person.first_name === q.get('first_name') &&
    person.last_name === q.get('last_name') &&
    (org.primary_domain === q.get('domain') || org.name === q.get('organization_name'))
  );
}

export async function startApolloFake(opts: { apiKey?: string } = {}): Promise<ApolloFake> {
  const apiKey = opts.apiKey ?? APOLLO_FAKE_KEY;
  const people: Record<string, unknown>[] = [];
  const denied = (req: RecordedRequest) =>
    req.headers['x-api-key'] !== apiKey ? { status: 401, body: { error: 'Invalid access credentials.', error_code: 'INVALID_API_KEY' } } : null;
  const fake = await startFake([
    {
      method: 'POST',
      path: '/api/v1/people/match',
      handler: (req) => {
        const no = denied(req);
        if (no) return no;
        if (!req.query.get('email') && !req.query.get('linkedin_url') && !req.query.get('first_name')) {
          return { status: 422, body: { error: 'Please provide at least one identifier' } };
        }
        return { body: { person: people.find((p) => matches(p, req.query)) ?? null } };
      },
    },
  ]);
  return Object.assign(fake, { people });
}
